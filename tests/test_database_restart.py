"""The first request after PostgreSQL restarts (or drops the app's connections) is served:
a kept connection is checked before use (CONN_HEALTH_CHECKS) and replaced if it died.

Requests go through Django's own WSGI handler in this thread, as gunicorn's sync worker does
(the test client and the live server both skip the connection handling under test).
"""

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="cuts a PostgreSQL connection"),
]


def serve(path: str) -> int:
    environ = RequestFactory().get(path).environ
    statuses = []
    body = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    body.close()  # request_finished: where Django decides whether to keep the connection
    return int(statuses[0].split()[0])


def test_the_first_request_after_the_connection_is_cut_is_served(mini_course, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    assert serve("/") == 200
    kept = connection.connection
    assert kept is not None  # CONN_MAX_AGE keeps it for the next request
    # What a database restart does: the server ends the backend under the app's feet.
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in {"host", "port", "user", "dbname"}},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [kept.info.backend_pid])
    assert serve("/") == 200
    assert connection.connection is not kept
