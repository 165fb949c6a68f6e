"""Where course content is cached: each process's own memory, keyed by content version.

Every key holds ``Course.content_version``, read from the database with the page's own
queries and changed by every course load and admin edit (``Course.objects
.mark_content_changed``) to a value it never had (from the clock, so not even a restored
backup brings one back), so a process never serves an old version and app servers need not
share this cache. Templates name it too: ``{% cache … using="content" %}``.
"""

from django.core.cache import caches

CONTENT_CACHE = "content"
# Content changes only with a load or an edit, which changes the keys: the timeout only
# bounds how long a retired version occupies memory.
CONTENT_TIMEOUT = 86400


def content_cache():
    return caches[CONTENT_CACHE]
