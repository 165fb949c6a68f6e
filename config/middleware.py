import gzip
import secrets

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from courseware.simplified import LANGUAGE, simplified_display

# Everything the app loads comes from its own origin: classrooms are often offline and no
# page may make a third-party request. Inline scripts are never allowed; the admin's inline
# style attributes are, which is why style-src keeps 'unsafe-inline'.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class PrivateResponsesMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in user.

    What a signed-in user sees (their answers, a class's grid, a CSV of every answer) must
    stay out of shared caches and of the browser's disk and back-button cache on a shared
    classroom computer. Visitors' pages are the same for everyone and keep their headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Set by AuthenticationMiddleware further in; absent if an earlier one answered.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class ContentSecurityPolicyMiddleware:
    """The headers every response carries: the policy above and its companions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if not settings.DEBUG:
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's GZipMiddleware at the level of ``settings.GZIP_LEVEL`` (0: off).

    Django always compresses at level 6. The BREACH padding of Django's own is kept: a random
    number of bytes in the gzip header's file name field.
    """

    def __init__(self, get_response):
        if not settings.GZIP_LEVEL:
            raise MiddlewareNotUsed
        super().__init__(get_response)
        self.level = settings.GZIP_LEVEL

    def process_response(self, request, response):
        if response.streaming:
            return super().process_response(request, response)
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = self.compress(response.content)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response

    def compress(self, content: bytes) -> bytes:
        compressed = gzip.compress(content, compresslevel=self.level, mtime=0)
        header = bytearray(compressed[:10])
        header[3] = gzip.FNAME
        padding = b"a" * secrets.randbelow(self.max_random_bytes) + b"\x00"
        return bytes(header) + padding + compressed[10:]


class SimplifiedContentMiddleware:
    """A ``zh-hans`` reader's page shows the course's Chinese in Simplified characters
    (``courseware.simplified``). After LocaleMiddleware, which decides the language; the admin
    keeps the Traditional original that it edits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if get_language() != LANGUAGE or request.path.startswith("/admin/"):
            return self.get_response(request)
        with simplified_display():
            return self.get_response(request)
