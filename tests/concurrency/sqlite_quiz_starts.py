"""Many students start and hand in a quiz at once against one SQLite file, each in its own
thread and connection, as gunicorn's workers would. Prints a JSON summary.

usage: python tests/concurrency/sqlite_quiz_starts.py DB_FILE {immediate|deferred}
"""

import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{sys.argv[1]}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["FAST_PASSWORD_HASHER"] = "1"

import django  # noqa: E402
from django.conf import settings  # noqa: E402

if sys.argv[2] == "deferred":  # SQLite's own default, for comparison
    del settings.DATABASES["default"]["OPTIONS"]["transaction_mode"]
settings.DATABASES["default"]["OPTIONS"]["timeout"] = 5
settings.ALLOWED_HOSTS = ["testserver"]
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from courseware.course_file import load, read_course_file  # noqa: E402
from courseware.models import Unit  # noqa: E402
from quizzes.models import Attempt  # noqa: E402

STUDENTS, ROUNDS = 16, 3

call_command("migrate", verbosity=0)
load(read_course_file(ROOT / "tests" / "fixtures" / "mini_course.json"))
unit = Unit.objects.order_by("order").first()
users = [get_user_model().objects.create_user(f"s{n}", password="x") for n in range(STUDENTS)]
connection.close()

start_url = f"/quiz/units/{unit.slug}/start/"
statuses: list[int] = []
errors: list[str] = []
barrier = threading.Barrier(STUDENTS)


def student(user):
    client = Client(raise_request_exception=True)
    client.force_login(user)
    barrier.wait()
    try:
        for _round in range(ROUNDS):
            response = client.post(start_url)
            statuses.append(response.status_code)
            attempt_url = response.get("Location", "")
            if attempt_url.startswith("/quiz/attempts/"):
                statuses.append(client.post(attempt_url + "finish/", {"confirm": "1"}).status_code)
    except Exception as error:  # noqa: BLE001 - the summary reports every kind
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        from django.db import connection as own

        own.close()


threads = [threading.Thread(target=student, args=(user,)) for user in users]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(
    json.dumps(
        {
            "statuses": sorted(set(statuses)),
            "errors": errors,
            "attempts": Attempt.objects.count(),
        }
    )
)
