"""Facts about the incoming request that several parts of the app need."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest, *args) -> str:
    """The caller's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies.

    Extra positional arguments are accepted because django-axes calls this with
    (request, credentials).
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "") or ""


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:400]
