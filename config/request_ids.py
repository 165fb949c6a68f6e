"""A request id on every request and on every log line written while serving it.

nginx passes its own ``$request_id`` as ``X-Request-ID`` (docs/deploy.md), so one id follows
a request from the proxy's access log to the app's log; without the header the app makes one.
The id is sent back in the response, so a student's screenshot of an error page can be
matched with the log.
"""

import logging
import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from outside: a proxy's id, never anything that could forge a log line.
ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if ACCEPTABLE_ID.fullmatch(offered) else uuid.uuid4().hex
        request.id = request_id
        # Not reset on the way out: Django logs a 4xx/5xx after the middleware has returned,
        # and that line needs the id too. The next request on this thread sets its own.
        current_request_id.set(request_id)
        response = self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record):
        record.request_id = current_request_id.get()
        return True
