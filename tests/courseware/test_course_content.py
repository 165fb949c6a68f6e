"""The bundled course: the whole paper, cleaned, complete, translated, annotated, quizzable."""

import re
import unicodedata
from collections import Counter

import pytest

from courseware.course_file import DEFAULT_COURSE_FILE, read_course_file
from courseware.rendering import strip_markup

SOURCE = DEFAULT_COURSE_FILE.parent / "source-extraction.txt"
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Footnote 2 (source lines 544–549) is printed in the middle of a paragraph; it is checked
# against the footnotes, the rest of the source against the body text.
FOOTNOTE_LINES = set(range(240, 268)) | set(range(544, 550))

UNIT_SLUGS = [
    "abstract",
    "introduction",
    "balance-of-power",
    "phase-1945-1975",
    "phase-1976-1986",
    "phase-1987-present",
    "strategies",
    "conclusion",
]


@pytest.fixture(scope="module")
def course():
    return read_course_file(DEFAULT_COURSE_FILE)


def source_runs(lines):
    text = "".join(unicodedata.normalize("NFC", line) for line in lines)
    return HAN_RUN.findall(text)


def assert_runs_in_order(runs, text):
    position = 0
    for run in runs:
        found = text.find(run, position)
        context = text[max(0, position - 40) : position]
        assert found != -1, f"source text “{run}” is missing or out of order after: {context}"
        position = found + len(run)


def test_units_follow_the_paper_in_order(course):
    assert [unit["slug"] for unit in course["units"]] == UNIT_SLUGS
    phases = [u for u in course["units"] if u["kind"] == "phase"]
    assert [p["period"]["en"] for p in phases] == ["1945–1975", "1976–1986", "1987 to the present"]


def test_every_han_run_of_the_source_is_in_the_chinese_text_in_order(course):
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    body_lines = [
        line for number, line in enumerate(lines, start=1) if number not in FOOTNOTE_LINES
    ]
    note_lines = [line for number, line in enumerate(lines, start=1) if number in FOOTNOTE_LINES]
    body = course["course"]["title"]["zh-hant"]
    notes = ""
    for unit in course["units"]:
        body += unit["label"]["zh-hant"] + unit["title"]["zh-hant"]
        body += "".join(
            strip_markup(p["text"]["zh-hant"])
            for p in unit["passages"]
            if p["kind"] != "author-abstract"
        )
        notes += "".join(f["text"]["zh-hant"] for f in unit.get("footnotes", []))
    body = re.sub(r"\s+", "", body)
    notes = re.sub(r"\s+", "", notes)
    body_runs, note_runs = source_runs(body_lines), source_runs(note_lines)
    assert sum(len(run) for run in body_runs) > 8000
    assert_runs_in_order(body_runs, body)
    assert_runs_in_order(note_runs, notes)


def test_every_paragraph_has_a_plausible_english_twin(course):
    for unit in course["units"]:
        for passage in unit["passages"]:
            zh = HAN_RUN.findall(passage["text"]["zh-hant"])
            han = sum(len(run) for run in zh)
            english_words = len(passage["text"]["en"].split())
            assert english_words > 0, passage["key"]
            # Academic Chinese runs at roughly 1.5–2 Han characters per English word.
            assert english_words >= han / 4, (
                f"{passage['key']}: {english_words} words for {han} characters"
            )


def test_each_unit_has_summary_and_objectives_in_both_languages(course):
    for unit in course["units"]:
        assert 2 <= len(unit["objectives"]) <= 4
        for language in ("zh-hant", "en"):
            assert unit["title"][language] and unit["summary"][language]


def test_footnotes_sit_where_their_markers_stand(course):
    by_unit = {u["slug"]: u for u in course["units"]}
    assert [f["key"] for f in by_unit["phase-1945-1975"]["footnotes"]] == ["1"]
    assert [f["key"] for f in by_unit["phase-1987-present"]["footnotes"]] == ["2"]
    last = by_unit["phase-1945-1975"]["passages"][-1]["text"]
    assert last["zh-hant"].rstrip().endswith("[^1]") or "協議。[^1]" in last["zh-hant"]
    assert any(
        "合法性[^2]" in p["text"]["zh-hant"] for p in by_unit["phase-1987-present"]["passages"]
    )


def test_author_abstract_is_kept_verbatim(course):
    abstract = course["units"][0]
    author = next(p for p in abstract["passages"] if p["kind"] == "author-abstract")
    assert author["text"]["en"].startswith("This article seeks")
    assert author["text"]["en"].rstrip().endswith("pressure from China.")


def test_glossary_terms_occur_and_citations_resolve(course):
    terms = {t["key"]: t for t in course["terms"]}
    references = {r["key"] for r in course["references"]}
    assert len(terms) >= 60
    used = Counter()
    for unit in course["units"]:
        for passage in unit["passages"]:
            for key in passage.get("terms", []):
                used[key] += 1
            for citation in passage.get("citations", []):
                assert citation["ref"] in references
                for language in ("zh-hant", "en"):
                    assert citation["text"][language] in passage["text"][language]
    assert set(terms) == set(used)
    for term in terms.values():
        assert term["definition"]["zh-hant"] and term["definition"]["en"]


def test_known_slips_carry_editorial_notes(course):
    notes = [
        note
        for unit in course["units"]
        for passage in unit["passages"]
        for note in passage.get("notes", [])
    ]
    kinds = Counter(note["kind"] for note in notes)
    assert kinds["editorial"] >= 15
    assert kinds["repair"] >= 10


def test_item_bank_covers_every_unit_kind_and_concept(course):
    items = course["items"]
    per_unit = Counter(item["unit"] for item in items)
    kinds = Counter(item["kind"] for item in items)
    concept_items = [
        i for i in items if any(t.startswith(("concept-", "method-")) for t in i["tags"])
    ]
    assert len(items) >= 60
    for phase in ("phase-1945-1975", "phase-1976-1986", "phase-1987-present"):
        assert per_unit[phase] >= 8, phase
    assert set(kinds) == {"single", "multiple", "true_false", "ordering", "matching"}
    assert kinds["ordering"] >= 3 and kinds["matching"] >= 3
    assert len(concept_items) >= 6
    assert all((item["passages"] or item.get("footnotes")) and item["tags"] for item in items)


def _two_disjoint_tag_covers(items, tags) -> bool:
    """Whether two disjoint sets of the items each carry every tag (a small search: the
    first tag one set lacks is covered by each of its carriers the other set does not hold)."""
    carriers = {tag: [n for n, item in enumerate(items) if tag in item["tags"]] for tag in tags}

    def search(first: frozenset, second: frozenset) -> bool:
        for mine, other in ((first, second), (second, first)):
            have = {tag for n in mine for tag in items[n]["tags"]}
            missing = [tag for tag in tags if tag not in have]
            if missing:
                tag = min(missing, key=lambda t: len(carriers[t]))
                options = [n for n in carriers[tag] if n not in first | second]
                return any(
                    search(mine | {n}, other) if mine is first else search(other, mine | {n})
                    for n in options
                )
        return True

    return search(frozenset(), frozenset())


def test_every_unit_can_give_a_retake_of_other_items(course):
    """Quizzes draw per attempt so that every tag of the unit is covered: each unit's bank
    holds two disjoint tag-covering sets, so a retake need not repeat the items that covered
    the tags the first time, and no tag rests on a single item that every draw must take."""
    for unit in course["units"]:
        items = [i for i in course["items"] if i["unit"] == unit["slug"]]
        tags = Counter(t for i in items for t in i["tags"])
        assert len(items) >= 6, unit["slug"]
        assert min(tags.values()) >= 2, (unit["slug"], tags)
        assert _two_disjoint_tag_covers(items, sorted(tags)), unit["slug"]


def test_bundled_course_loads_and_exports_unchanged(full_course):
    from courseware.course_file import export

    assert export(full_course) == read_course_file(DEFAULT_COURSE_FILE)


def _internal_keys(course):
    """Keys a reader never sees: passages, items, units named by slug with a digit (the
    period units), tags and references. Plain-word slugs ("introduction") are ordinary words."""
    keys = {p["key"] for u in course["units"] for p in u["passages"]}
    keys |= {i["key"] for i in course["items"]}
    keys |= {u["slug"] for u in course["units"] if re.search(r"\d", u["slug"])}
    keys |= {t["key"] for t in course["tags"]}
    keys |= {r["key"] for r in course["references"]}
    return keys


def _visible_texts(course):
    """(where, text) for every explanation, feedback, note, summary, objective and glossary
    definition, in both languages."""
    for unit in course["units"]:
        yield f"{unit['slug']} summary", unit["summary"]
        for number, objective in enumerate(unit["objectives"], start=1):
            yield f"{unit['slug']} objective {number}", objective
        for footnote in unit.get("footnotes", []):
            yield f"footnote {footnote['key']}", footnote["text"]
        for passage in unit["passages"]:
            for number, note in enumerate(passage.get("notes", []), start=1):
                yield f"{passage['key']} note {number}", note["text"]
    for item in course["items"]:
        yield f"{item['key']} stem", item["stem"]
        yield f"{item['key']} explanation", item["explanation"]
        for choice in item["choices"]:
            for field in ("text", "match", "feedback"):
                if field in choice:
                    yield f"{item['key']} choice {choice['key']} {field}", choice[field]
    for term in course["terms"]:
        yield f"term {term['key']}", term["definition"]


def test_no_internal_key_shows_as_visible_text(course):
    keys = _internal_keys(course)
    pattern = re.compile(
        r"(?<![A-Za-z0-9-])("
        + "|".join(sorted(map(re.escape, keys), key=len, reverse=True))
        + r")(?![A-Za-z0-9-])"
    )
    leaks = [
        f"{where} ({language}): {match.group(1)}"
        for where, text in _visible_texts(course)
        for language, value in text.items()
        for match in pattern.finditer(value)
    ]
    assert leaks == []


def test_every_item_cites_a_passage_or_footnote_that_exists(course):
    passages = {p["key"] for u in course["units"] for p in u["passages"]}
    footnotes = {f["key"] for u in course["units"] for f in u.get("footnotes", [])}
    for item in course["items"]:
        cited = item["passages"] + item.get("footnotes", [])
        assert cited, item["key"]
        assert set(item["passages"]) <= passages, item["key"]
        assert set(item.get("footnotes", [])) <= footnotes, item["key"]


# How explanations and feedback name a part of the paper, and the units each name covers.
# "Section III" is the three period units together.

PHASES = {"phase-1945-1975", "phase-1976-1986", "phase-1987-present"}
NAMED_PARTS = [
    (re.compile(r"\b[Ii]ntroduction\b|前言"), {"introduction"}),
    (re.compile(r"\b[Cc]onclusion\b|結語"), {"conclusion"}),
    (re.compile(r"\b[Aa]bstract\b|摘要"), {"abstract"}),
    (re.compile(r"\b[Ss]ection II\b|第貳節"), {"balance-of-power"}),
    (re.compile(r"\b[Ss]ection III\b|第叁節"), PHASES),
    (re.compile(r"\b[Ss]ection IV\b|第肆節"), {"strategies"}),
]
FOOTNOTE_NAME = re.compile(r"\b[Ff]ootnote (\d+)|註 ?(\d+)")


def test_explanations_name_only_what_their_item_cites(course):
    unit_of = {p["key"]: u["slug"] for u in course["units"] for p in u["passages"]}
    footnote_unit = {f["key"]: u["slug"] for u in course["units"] for f in u.get("footnotes", [])}
    faults = []
    for item in course["items"]:
        cited_units = {unit_of[key] for key in item["passages"]}
        cited_units |= {footnote_unit[key] for key in item.get("footnotes", [])}
        texts = [("explanation", item["explanation"])]
        texts += [
            (f"choice {c['key']} feedback", c["feedback"])
            for c in item["choices"]
            if "feedback" in c
        ]
        for where, text in texts:
            for language, value in text.items():
                for pattern, units in NAMED_PARTS:
                    if pattern.search(value) and not units & cited_units:
                        faults.append(f"{item['key']} {where} ({language}) names {pattern.pattern}")
                for match in FOOTNOTE_NAME.finditer(value):
                    key = match.group(1) or match.group(2)
                    if key not in item.get("footnotes", []):
                        faults.append(f"{item['key']} {where} ({language}) names footnote {key}")
    assert faults == []


# How the course was made is no reader's business: placeholders that speak of the "extracted
# text" (擷取文字) or a file, where a reference or a note should give what the paper gives.
PIPELINE_WORDS = re.compile(
    r"擷取|提取文字|extracted text|the extraction|source extraction|text extraction|"
    r"source-extraction|\.txt\b|[Ff]ull details not available|not available:|書目詳情從缺|從缺",
)


def test_no_reference_shows_a_placeholder(course):
    faults = [
        f"{reference['key']} ({language}): {match.group(0)}"
        for reference in course["references"]
        for language, entry in reference["entry"].items()
        for match in PIPELINE_WORDS.finditer(entry)
    ]
    assert faults == []
    # Each entry still gives what the paper gives: its label's author and year.
    for reference in course["references"]:
        year = re.search(r"\d{4}", reference["label"])[0]
        assert year in reference["entry"]["zh-hant"] and year in reference["entry"]["en"]


def test_nothing_a_reader_sees_speaks_of_the_extraction(course):
    texts = list(_visible_texts(course))
    texts += [("course source", course["course"]["source"])]
    texts += [("course description", course["course"]["description"])]
    texts += [("course author", {"any": course["course"]["author"]})]
    for unit in course["units"]:
        texts += [(passage["key"], passage["text"]) for passage in unit["passages"]]
    faults = [
        f"{where} ({language}): {match.group(0)}"
        for where, text in texts
        for language, value in text.items()
        for match in PIPELINE_WORDS.finditer(value)
    ]
    assert faults == []


def test_unit_labels_read_consistently(course):
    """The three period units of section 叁 are numbered alike (the period headings keep the
    paper's damaged numbering in brackets; the labels are this edition's)."""
    labels = [unit["label"]["zh-hant"] for unit in course["units"]]
    assert labels == ["摘要", "壹", "貳", "叁（一）", "叁（二）", "叁（三）", "肆", "伍"]


def test_footnote_markers_appear_only_in_passage_text_where_they_become_buttons(course):
    """A marker ([^1]) in a passage's text is rendered as the note's button; anywhere else
    (an editor's note, an explanation, a definition) it would be shown as typed."""
    marker = re.compile(r"\[\^[\w-]+\]")
    found = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{path}/{key}")
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{path}[{index}]")
        elif isinstance(value, str) and marker.search(value):
            found.append(path)

    walk(course, "")
    assert found
    assert all(re.fullmatch(r"/units\[\d+\]/passages\[\d+\]/text/(zh-hant|en)", p) for p in found)
