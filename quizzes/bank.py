"""The item bank's part of the course file: ``tags`` and ``items`` (docs/course-format.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from courseware.course_file import (
    CourseSection,
    LoadContext,
    Validator,
    pair,
    remove_missing,
    translated_fields,
    upsert,
)
from courseware.models import Footnote

from .models import Attempt, Choice, Item, Response, Tag, current_choices
from .services import regrade_item

CHOICE_RULES = {
    # kind: (minimum choices, maximum choices)
    Item.Kind.SINGLE: (3, 8),
    Item.Kind.MULTIPLE: (4, 8),
    Item.Kind.TRUE_FALSE: (2, 2),
    Item.Kind.ORDERING: (3, 6),
    Item.Kind.MATCHING: (3, 5),
}


def validate_bank(data: dict, v: Validator) -> None:
    tag_keys: set[str] = set()
    for index, tag in enumerate(v.items_of(data.get("tags"), "tags")):
        where = f"tags[{index}]"
        if not v.fields(tag, where, required={"key", "group", "label"}):
            continue
        v.key(tag.get("key"), f"{where}.key", tag_keys, column=(Tag, "key"))
        if tag.get("group") not in Tag.Group.values:
            v.error(
                f"{where}.group",
                _("must be one of %(choices)s") % {"choices": ", ".join(Tag.Group.values)},
            )
        v.translated(tag.get("label"), f"{where}.label", column=(Tag, "label"))

    item_keys: set[str] = set()
    for index, item in enumerate(v.items_of(data.get("items"), "items")):
        where = f"items[{index}]"
        if not v.fields(
            item,
            where,
            required={"key", "unit", "kind", "stem", "choices", "explanation", "passages", "tags"},
            optional={"footnotes"},
        ):
            continue
        where = f'{where} "{item.get("key")}"'
        v.key(item.get("key"), f"{where}.key", item_keys, column=(Item, "key"))
        if not isinstance(item.get("unit"), str) or item.get("unit") not in v.unit_slugs:
            v.error(f"{where}.unit", _("unknown unit “%(slug)s”") % {"slug": item.get("unit")})
        kind = item.get("kind")
        if kind not in Item.Kind.values:
            v.error(
                f"{where}.kind",
                _("must be one of %(choices)s") % {"choices": ", ".join(Item.Kind.values)},
            )
            continue
        v.translated(item.get("stem"), f"{where}.stem")
        v.translated(item.get("explanation"), f"{where}.explanation")
        passages = v.items_of(item.get("passages"), f"{where}.passages")
        footnotes = v.items_of(item.get("footnotes", []), f"{where}.footnotes")
        if not passages and not footnotes:
            v.error(
                f"{where}.passages",
                _("cite at least one passage or footnote that holds the answer"),
            )
        for key in passages:
            if not isinstance(key, str) or key not in v.passage_keys:
                v.error(f"{where}.passages", _("unknown passage “%(key)s”") % {"key": key})
        for key in footnotes:
            if not isinstance(key, str) or key not in v.footnote_keys:
                v.error(f"{where}.footnotes", _("unknown footnote “%(key)s”") % {"key": key})
        for key in v.items_of(item.get("tags"), f"{where}.tags"):
            if not isinstance(key, str) or key not in tag_keys:
                v.error(f"{where}.tags", _("unknown tag “%(key)s”") % {"key": key})
        _validate_choices(item, kind, where, v)


def _validate_choices(item: dict, kind: str, where: str, v: Validator) -> None:
    choices = v.items_of(item.get("choices"), f"{where}.choices")
    low, high = CHOICE_RULES[kind]
    if not low <= len(choices) <= high:
        v.error(
            f"{where}.choices",
            _("a %(kind)s item needs %(low)s to %(high)s choices")
            % {"kind": kind, "low": low, "high": high},
        )
    keys: set[str] = set()
    correct = 0
    for cindex, choice in enumerate(choices):
        cwhere = f"{where}.choices[{cindex}]"
        if kind == Item.Kind.MATCHING:
            required, optional = {"key", "text", "match"}, {"feedback"}
        elif kind == Item.Kind.ORDERING:
            required, optional = {"key", "text"}, {"feedback"}
        else:
            required, optional = {"key", "text", "correct", "feedback"}, set()
        if not v.fields(choice, cwhere, required=required, optional=optional):
            continue
        v.key(choice.get("key"), f"{cwhere}.key", keys, column=(Choice, "key"))
        v.translated(choice.get("text"), f"{cwhere}.text")
        if "match" in choice:
            v.translated(choice["match"], f"{cwhere}.match")
        if "feedback" in choice:
            v.translated(choice["feedback"], f"{cwhere}.feedback")
        if "correct" in required:
            if not isinstance(choice.get("correct"), bool):
                v.error(f"{cwhere}.correct", _("must be true or false"))
            elif choice["correct"]:
                correct += 1
    if kind in (Item.Kind.SINGLE, Item.Kind.TRUE_FALSE) and correct != 1:
        v.error(f"{where}.choices", _("exactly one choice must be correct"))
    if kind == Item.Kind.MULTIPLE and correct < 1:
        v.error(f"{where}.choices", _("at least one choice must be correct"))
    if kind == Item.Kind.TRUE_FALSE and keys != {"true", "false"}:
        v.error(f"{where}.choices", _("a true/false item has the choices “true” and “false”"))


def load_bank(data: dict, ctx: LoadContext) -> None:
    # Keys as they were, to regrade the answers of every item whose key the file corrects.
    keys_before = _answer_keys(Item.objects.filter(unit__course=ctx.course))
    tags = {}
    for order, tag in enumerate(data.get("tags") or [], start=1):
        tags[tag["key"]] = upsert(
            Tag,
            {"key": tag["key"]},
            {"group": tag["group"], "order": order, **translated_fields("label", tag["label"])},
            ctx,
            "tags",
        )
    footnotes = dict(Footnote.objects.filter(unit__course=ctx.course).values_list("key", "pk"))
    kept_items = set()
    per_unit_order: dict[str, int] = {}
    for item_data in data.get("items") or []:
        unit = ctx.units[item_data["unit"]]
        per_unit_order[unit.slug] = per_unit_order.get(unit.slug, 0) + 1
        item = upsert(
            Item,
            {"key": item_data["key"]},
            {
                "unit": unit,
                "order": per_unit_order[unit.slug],
                "kind": item_data["kind"],
                "archived": False,
                **translated_fields("stem", item_data["stem"]),
                **translated_fields("explanation", item_data["explanation"]),
            },
            ctx,
            "items",
        )
        kept_items.add(item.key)
        _load_choices(item, item_data, ctx)
        wanted_passages = {ctx.passages[key].pk for key in item_data["passages"]}
        if set(item.passages.values_list("pk", flat=True)) != wanted_passages:
            item.passages.set(wanted_passages)
            ctx.count("item passage links replaced")
        wanted_footnotes = {footnotes[key] for key in item_data.get("footnotes", [])}
        if set(item.footnotes.values_list("pk", flat=True)) != wanted_footnotes:
            item.footnotes.set(wanted_footnotes)
            ctx.count("item footnote links replaced")
        wanted_tags = {tags[key].pk for key in item_data["tags"]}
        if set(item.tags.values_list("pk", flat=True)) != wanted_tags:
            item.tags.set(wanted_tags)
            ctx.count("item tag links replaced")
    missing = Item.objects.filter(unit__course=ctx.course, archived=False).exclude(
        key__in=kept_items
    )
    # An item that an open attempt drew stays (archived) until that attempt is over: the
    # student can still answer it, and it counts.
    drawn = _items_in_open_attempts(ctx.course)
    held_count = missing.filter(pk__in=drawn, responses__isnull=True).update(archived=True)
    if held_count:
        ctx.count("items archived (in open attempts)", held_count)
    remove_missing(
        missing,  # lazy: the items just archived are no longer in it
        ctx,
        "items",
        lambda item: _("Quiz item “%(key)s”") % {"key": item.key},
    )
    Tag.objects.exclude(key__in=tags).filter(items__isnull=True).delete()
    _regrade_corrected(keys_before, ctx)


def _answer_keys(items) -> dict[int, tuple]:
    """Each item's key as grading reads it: its kind and its current choices' keys, order
    and correctness."""
    return {
        item.pk: (
            item.kind,
            tuple((c.key, c.order, c.is_correct) for c in current_choices(item)),
        )
        for item in items.prefetch_related("choices")
    }


def _regrade_corrected(keys_before: dict[int, tuple], ctx: LoadContext) -> None:
    if not keys_before:
        return
    items = Item.objects.filter(pk__in=list(keys_before))
    keys_after = _answer_keys(items)
    corrected = [pk for pk, key in keys_after.items() if keys_before[pk] != key]
    answers, attempts = 0, set()
    for item in items.filter(pk__in=corrected).prefetch_related("choices"):
        changed_answers, changed_attempts = regrade_item(item)
        answers += changed_answers
        attempts |= changed_attempts
    if answers:
        ctx.count("answers regraded", answers)
        ctx.count("attempts regraded", len(attempts))


def _items_in_open_attempts(course) -> set[int]:
    drawn: set[int] = set()
    for item_ids in (
        Attempt.objects.open().filter(unit__course=course).values_list("item_ids", flat=True)
    ):
        drawn.update(item_ids)
    return drawn


def _load_choices(item: Item, item_data: dict, ctx: LoadContext) -> None:
    """Choices by key. A choice the file drops is deleted, unless a stored answer names it:
    then the load is refused, or with --force the choice is archived (the answer keeps
    showing its text; nobody is offered it again)."""
    kept = []
    for order, choice in enumerate(item_data["choices"]):
        upsert(
            Choice,
            {"item": item, "key": choice["key"]},
            {
                "order": order,
                "is_correct": bool(choice.get("correct", False)),
                "archived": False,
                **translated_fields("text", choice["text"]),
                **translated_fields("match", choice.get("match")),
                **translated_fields("feedback", choice.get("feedback")),
            },
            ctx,
            "choices",
        )
        kept.append(choice["key"])
    dropped = item.choices.exclude(key__in=kept).exclude(archived=True)
    if not dropped.exists():
        return
    used = _choice_keys_answered(item)
    for choice in dropped:
        if choice.key not in used:
            choice.delete()
            ctx.count("choices deleted")
            continue
        if not ctx.force:
            ctx.refuse(
                _(
                    "Choice “%(choice)s” of quiz item “%(item)s” is not in the file but "
                    "students chose it; it was not removed. Run again with --force to "
                    "archive it instead."
                )
                % {"choice": choice.key, "item": item.key}
            )
        choice.archived = True
        choice.save(update_fields=["archived"])
        ctx.count("choices archived")


def _choice_keys_answered(item: Item) -> set[str]:
    """Every choice key a stored answer to the item names (lists, or matching pairs)."""
    used: set[str] = set()
    for answer in Response.objects.filter(item=item).values_list("answer", flat=True):
        if isinstance(answer, dict):
            used.update(str(key) for key in answer)
            used.update(str(value) for value in answer.values())
        elif isinstance(answer, list):
            used.update(str(key) for key in answer)
    return used


def export_bank(course) -> dict:
    items = (
        Item.objects.current()
        .filter(unit__course=course)
        .select_related("unit")
        .prefetch_related("choices", "passages", "footnotes", "tags")
        .order_by("unit__order", "order")
    )
    out_items = []
    for item in items:
        choices = []
        for choice in current_choices(item):
            entry = {"key": choice.key, "text": pair(choice, "text")}
            if item.kind == Item.Kind.MATCHING:
                entry["match"] = pair(choice, "match")
            if item.kind in (Item.Kind.MATCHING, Item.Kind.ORDERING):
                if any(pair(choice, "feedback").values()):
                    entry["feedback"] = pair(choice, "feedback")
            else:
                entry["correct"] = choice.is_correct
                entry["feedback"] = pair(choice, "feedback")
            choices.append(entry)
        entry = {
            "key": item.key,
            "unit": item.unit.slug,
            "kind": item.kind,
            "stem": pair(item, "stem"),
            "choices": choices,
            "explanation": pair(item, "explanation"),
            "passages": [p.key for p in sorted(item.passages.all(), key=lambda p: p.key)],
        }
        footnotes = sorted(footnote.key for footnote in item.footnotes.all())
        if footnotes:
            entry["footnotes"] = footnotes
        entry["tags"] = [t.key for t in sorted(item.tags.all(), key=lambda t: t.key)]
        out_items.append(entry)
    return {
        "tags": [
            {"key": t.key, "group": t.group, "label": pair(t, "label")}
            for t in Tag.objects.order_by("order")
        ],
        "items": out_items,
    }


ITEM_BANK = CourseSection(
    keys=("tags", "items"), validate=validate_bank, load=load_bank, export=export_bank
)
