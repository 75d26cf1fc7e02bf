"""The client's address as the outermost trusted reverse proxy saw it.

Behind a proxy every request comes from the proxy's address, which would make the lockout
lock everyone at once and the audit trail name the proxy. Each of TRUSTED_PROXY_COUNT
proxies appends the address it received the request from to X-Forwarded-For, so the entry
that many places from the right is the client's; entries further left are whatever the
client chose to send and are not trusted.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    address = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return address
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < count:
        return address
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return address
