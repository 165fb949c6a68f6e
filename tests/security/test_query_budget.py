"""Every page stays within ten queries (issue #6's budget), for everyone who may open it.

It walks the same URL table as the access-control test, so a new page is covered as soon as
docs/security.md lists it. That the counts do not grow with the class or the course is shown
page by page in the apps' own query tests.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .access_table import ADMIN_ROW, concrete_url, read_table, url_values
from .conftest import ROLES

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 10

CASES = [
    (row, role)
    for row in read_table()
    if row.route != ADMIN_ROW and row.method == "GET"
    for role in ROLES
    if row.outcomes[role] == "200"
]


@pytest.mark.parametrize(
    ("row", "role"), CASES, ids=[f"{row.route} · {role}" for row, role in CASES]
)
def test_every_page_runs_at_most_ten_queries(world, row, role):
    client = world.client_for(role)
    url = concrete_url(row.route, url_values(world))
    client.get(url)  # the first visit may fill caches and record reading progress
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= QUERY_BUDGET, "\n".join(q["sql"][:160] for q in queries)
