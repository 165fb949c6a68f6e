"""Settings of the benchmark's gunicorn only: the app's own, with the floors' URLs added.

``bench/run.py`` starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.settings``; nothing in
production reads this module, and ``config.urls`` never includes ``bench.urls``
(``tests/test_bench_floors.py``).
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The reading page's body as the benchmark fetched it (bench/out/response-reading.html):
# floor (a′) returns these bytes.
BENCH_READING_BODY = os.environ.get("BENCH_READING_BODY", "")
