"""Where course content is cached: each process's own memory, keyed by content version.

Every key holds ``Course.content_version``, read from the database with the page's own
queries and changed by every course load and admin edit (``Course.objects
.mark_content_changed``) to a value it never had (from the clock, so not even a restored
backup brings one back), so a process never serves an old version and app servers need not
share this cache. Templates name it too: ``{% cache … using="content" %}``.
"""

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

CONTENT_CACHE = "content"
# Content changes only with a load or an edit, which changes the keys: the timeout only
# bounds how long a retired version occupies memory.
CONTENT_TIMEOUT = 86400


def content_cache():
    return caches[CONTENT_CACHE]


class SharedObjectsCache(LocMemCache):
    """``LocMemCache`` without the pickling: a value is kept as it is and handed out as it is.

    The content cache holds what no request changes (the reading order's units, quiz items
    with their choices, rendered fragments), and every page reads it: unpickling a unit list or
    an item with its prefetched rows cost a few hundred microseconds a request. The price is a
    rule: a caller must not change what it gets (a change would reach every later request of
    the process); ``tests/courseware/test_content_cache.py`` checks the pages keep it.
    """

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                raise ValueError(f"Key '{key}' not found")
            value = self._cache[key] + delta
            self._cache[key] = value
            self._cache.move_to_end(key, last=False)
        return value
