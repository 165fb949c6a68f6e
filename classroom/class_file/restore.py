"""Restoring a checked class file in one transaction, merging what this database holds.

Two classes that share an instructor or students are restored one file after the other:
users already here are matched by username and left as they are; their reading progress
and attempts are merged with the file's (an attempt both hold gains the answers only the
file has). ``dry_run`` does the same work and rolls it back, to report what would change.

A graded quiz's rules are named by the class's join code and the unit's slug, so the rules
of a shared student's attempt under the other class's quiz are the same row whichever file
comes first: the second class's assignment takes over the rules the first file brought for
it, or the first file's attempts find the rules of a class restored before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from courseware.models import ReadingProgress
from quizzes.models import Attempt, QuizPolicy, Response

from ..models import INSTRUCTORS_GROUP, Assignment, Enrollment, Extension, SchoolClass


@dataclass
class RestoreReport:
    """What the restore changed (or, in a dry run, would change)."""

    school_class: SchoolClass | None = None
    counts: dict[str, int] = field(default_factory=dict)
    matched_users: list[str] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n


def restore_class(data: dict, *, dry_run: bool = False) -> RestoreReport:
    """Write the checked file (``check_class_file``); with ``dry_run`` roll it all back."""
    report = RestoreReport()
    with transaction.atomic():
        people = _restore_users(data, report)
        details = data["class"]
        school_class = SchoolClass.objects.create(
            name=details["name"],
            term=details["term"],
            join_code=details["join_code"],
            created_at=details["created_at"],
            instructor=people[details["instructor"]],
        )
        report.school_class = school_class
        report.count("class created")
        created = Enrollment.objects.bulk_create(
            Enrollment(
                school_class=school_class,
                student=people[entry["student"]],
                joined_at=entry["joined_at"],
                removed_at=entry["removed_at"],
            )
            for entry in data["enrollments"]
        )
        report.count("enrollments created", len(created))
        policies = _restore_policies(data, school_class, report)
        created = Assignment.objects.bulk_create(
            Assignment(
                school_class=school_class,
                **{name: value for name, value in entry.items() if name != "policy"},
                policy=policies.get(entry["policy"]),
            )
            for entry in data["assignments"]
        )
        report.count("assignments created", len(created))
        assignments = {assignment.unit_id: assignment for assignment in created}
        created = Extension.objects.bulk_create(
            Extension(
                assignment=assignments[entry["unit"].pk],
                student=people[entry["student"]],
                due_at=entry["due_at"],
                extra_attempts=entry["extra"],
            )
            for entry in data["extensions"]
        )
        report.count("extensions created", len(created))
        _restore_reading(data["reading"], people, report)
        for entry in data["attempts"]:
            _restore_attempt(entry, people, policies, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _restore_policies(data: dict, school_class: SchoolClass, report: RestoreReport) -> dict:
    """``{key: QuizPolicy}`` for every rules key the class's assignments and attempts name."""
    named = {entry["policy"] for entry in data["assignments"]} | {
        entry["policy"] for entry in data["attempts"]
    }
    named.discard(None)
    own = {entry["policy"] for entry in data["assignments"]} - {None}
    # The rules an attempt already here was taken under, by the key this file gives them.
    here = {
        entry["policy"]: entry["existing"].policy
        for entry in data["attempts"]
        if entry["existing"] is not None
        and entry["policy"] is not None
        and entry["existing"].policy is not None
    }
    policies = {}
    for key in sorted(named):
        values = data["policies"][key]
        policy = here.get(key)
        if key in own:
            # This class's rules: the row an earlier file brought for them, if no class has
            # taken it over since, else a new one.
            if policy is not None and not Assignment.objects.filter(policy=policy).exists():
                for name, value in values.items():
                    setattr(policy, name, value)
                policy.save()
                report.count("quiz rules matched")
            else:
                policy = QuizPolicy.objects.create(**values)
                report.count("quiz rules created")
        elif policy is None:
            # Another class's rules: that class's, if it was restored here before.
            code, _slash, slug = key.rpartition("/")
            assignment = (
                Assignment.objects.filter(
                    school_class__join_code=code, unit__slug=slug, policy__isnull=False
                )
                .select_related("policy")
                .first()
            )
            if assignment is not None:
                policy = assignment.policy
                report.count("quiz rules matched")
            else:
                policy = QuizPolicy.objects.create(**values)
                report.count("quiz rules created")
        policies[key] = policy
    return policies


def _restore_users(data: dict, report: RestoreReport) -> dict:
    people = dict(data.get("existing_users", {}))
    report.matched_users = sorted(people)
    report.count("users matched by username", len(people))
    instructors = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0]
    for username, fields in data["users"].items():
        if username in people:
            continue
        user = get_user_model()(
            username=username,
            first_name=fields["first_name"],
            last_name=fields["last_name"],
            email=fields["email"],
            password=fields["password"],
            is_active=fields["is_active"],
            date_joined=fields["date_joined"],
            last_login=fields["last_login"],
        )
        user.save()
        if fields["instructor"]:
            user.groups.add(instructors)
        people[username] = user
        report.count("users created")
    return people


def _restore_reading(entries: list[dict], people: dict, report: RestoreReport) -> None:
    """One row per student and unit: opened at the earlier moment, read at the earlier one."""
    for entry in entries:
        user, unit = people[entry["student"]], entry["unit"]
        progress = ReadingProgress.objects.filter(user=user, unit=unit).first()
        if progress is None:
            ReadingProgress.objects.create(
                user=user, unit=unit, opened_at=entry["opened_at"], read_at=entry["read_at"]
            )
            report.count("reading progress created")
            continue
        opened_at = min(progress.opened_at, entry["opened_at"])
        read_at = min(
            (moment for moment in (progress.read_at, entry["read_at"]) if moment), default=None
        )
        if (opened_at, read_at) != (progress.opened_at, progress.read_at):
            progress.opened_at, progress.read_at = opened_at, read_at
            progress.save(update_fields=["opened_at", "read_at"])
            report.count("reading progress merged")
        else:
            report.count("reading progress already here")


def _restore_attempt(entry: dict, people: dict, policies: dict, report: RestoreReport) -> None:
    attempt = entry["existing"]
    policy = policies.get(entry["policy"])
    if attempt is None:
        attempt = Attempt.objects.create(
            student=people[entry["student"]],
            unit=entry["unit"],
            is_practice=entry["is_practice"],
            policy=policy,
            due_at=entry["due_at"],
            item_ids=[item.pk for item in entry["items"]],
            seed=entry["seed"],
            started_at=entry["started_at"],
            finished_at=entry["finished_at"],
            item_count=entry["item_count"],
            answered_count=entry["answered_count"],
            points=entry["points"],
        )
        created = Response.objects.bulk_create(
            Response(attempt=attempt, **response) for response in entry["responses"]
        )
        report.count("attempts created")
        report.count("responses created", len(created))
        return
    # The same attempt, exported twice: the first answer to an item counts, as when it was
    # taken, so only the items this database has no answer for are added.
    # Rules the attempt lacks here (a file from before they were carried) are taken too.
    answered = set(attempt.responses.values_list("item_id", flat=True))
    missing = [response for response in entry["responses"] if response["item"].pk not in answered]
    finished_at = attempt.finished_at or entry["finished_at"]
    gains_rules = attempt.policy_id is None and policy is not None
    if not missing and finished_at == attempt.finished_at and not gains_rules:
        report.count("attempts already here")
        return
    Response.objects.bulk_create(Response(attempt=attempt, **response) for response in missing)
    attempt.answered_count += len(missing)
    attempt.points += sum(response["score"] for response in missing)
    attempt.finished_at = finished_at
    if gains_rules:
        attempt.policy, attempt.due_at = policy, entry["due_at"]
    attempt.save(update_fields=["answered_count", "points", "finished_at", "policy", "due_at"])
    report.count("attempts merged")
    report.count("responses created", len(missing))
