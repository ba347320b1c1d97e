"""What a failed request means to a technician: one line, the cause and a remedy.

``cannot connect to 127.0.0.1:8099 (connection refused) — is the content server up? check
api.url`` instead of requests' ``HTTPConnectionPool(host=…): Max retries exceeded …``;
``HTTP 401: the server refused this device's token — check api.token_file`` instead of a
bare status. Used by the sync client for its errors and by ``kiosk doctor``.
"""
from __future__ import annotations

import errno
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Problem:
    """What went wrong (``what``) and what to do about it (``remedy``, may be empty)."""

    what: str
    remedy: str = ""

    def line(self, attempts: int = 1) -> str:
        tried = f" after {attempts} attempts" if attempts > 1 else ""
        return f"{self.what}{tried}" + (f" — {self.remedy}" if self.remedy else "")


def host_port(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or "?"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps: requests → urllib3 (``reason``) → the socket error."""
    out: list[BaseException] = []
    stack: list[object] = [exc]
    while stack and len(out) < 20:
        e = stack.pop(0)
        if not isinstance(e, BaseException) or any(e is seen for seen in out):
            continue
        out.append(e)
        stack += [getattr(e, "reason", None), e.__cause__, e.__context__, *e.args]
    return out


def _first(causes: list[BaseException], kind: type[BaseException] | tuple[type[BaseException], ...],
           ) -> BaseException | None:
    return next((c for c in causes if isinstance(c, kind)), None)


def network_problem(url: str, exc: BaseException, connect_timeout_s: float | None = None,
                    read_timeout_s: float | None = None) -> Problem:
    """The one line for a request to ``url`` that failed with ``exc`` (requests or urllib3)."""
    import urllib3  # here: the config's URL check (api_url_problem) runs in the player too

    causes = _causes(exc)
    where = host_port(url)
    host = urlsplit(url).hostname or where

    def seconds(value: float | None) -> str:
        return f" within {value:g} s" if value else ""

    tls = _first(causes, (ssl.SSLError, urllib3.exceptions.SSLError))
    if tls is not None:
        reason = _short(tls)
        if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate" in reason.lower():
            return Problem(f"TLS error with {host}: {reason}",
                           "check the device's clock; for a town CA set api.ca_bundle")
        return Problem(f"TLS error with {host}: {reason}", "check api.url (https on the right port?)")
    if _first(causes, urllib3.exceptions.ProxyError) is not None:
        return Problem(f"cannot reach {where} through the proxy ({_short(causes[-1])})",
                       "check the HTTPS_PROXY / HTTP_PROXY settings of the service")
    if _first(causes, (socket.gaierror, urllib3.exceptions.NameResolutionError)) is not None:
        return Problem(f"cannot resolve {host} (unknown host name)",
                       "check api.url and the device's DNS (resolvectl query HOST)")
    if _first(causes, ConnectionRefusedError) is not None:
        return Problem(f"cannot connect to {where} (connection refused)",
                       "is the content server up? check api.url")
    if _first(causes, urllib3.exceptions.ConnectTimeoutError) is not None:
        return Problem(f"cannot connect to {where} (no answer{seconds(connect_timeout_s)})",
                       "check the network, the firewall and api.url")
    oserr = next((c for c in causes if isinstance(c, OSError)), None)
    if oserr is not None and oserr.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
        return Problem(f"cannot connect to {where} ({oserr.strerror or 'network unreachable'})",
                       "check the device's network connection (ip route; is the cable or Wi-Fi up?)")
    if _first(causes, (urllib3.exceptions.ReadTimeoutError, socket.timeout, TimeoutError)) is not None:
        return Problem(f"{where} did not answer{seconds(read_timeout_s)}",
                       "the content server is slow or stuck; the device tries again at its next poll")
    if _first(causes, (ConnectionResetError, BrokenPipeError, urllib3.exceptions.ProtocolError)) is not None:
        return Problem(f"{where} closed the connection ({_short(causes[-1])})",
                       "the device tries again (and resumes) at its next poll")
    return Problem(f"{where}: {type(causes[-1]).__name__}: {_short(causes[-1])}")


def http_problem(url: str, status: int, has_token: bool, manifest: bool = True) -> Problem:
    """The one line for an HTTP error status answered for ``url``."""
    if status == 401:
        if not has_token:
            return Problem(f"{url}: HTTP 401: the server wants a token and this device has none",
                           "set api.token_file (kiosk provision --token-file FILE)")
        return Problem(f"{url}: HTTP 401: the server refused this device's token", "check api.token_file")
    if status == 403:
        return Problem(f"{url}: HTTP 403: the server does not let this device in",
                       "check api.token_file and that the server knows this device's id")
    if status in (404, 410) and manifest:
        return Problem(f"{url}: HTTP {status}: no manifest at this address",
                       "check api.url: the API's base URL, without /v1/")
    if status in (404, 410):
        return Problem(f"{url}: HTTP {status}: the server does not have this file",
                       "publish the content again (the served tree is incomplete)")
    if status >= 500:
        return Problem(f"{url}: HTTP {status}: the content server failed",
                       "ask its administrators; the device tries again at its next poll")
    return Problem(f"{url}: HTTP {status}", "check api.url")


def api_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a content API's base URL (None when it can), with the fix."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        if "://" not in text and text and not text.startswith("/") and " " not in text:
            return f"{url!r} has no scheme: write https://{text.removeprefix('//')} (http:// for a server without TLS)"
        return f"{url!r} is not an http(s) URL"
    path = parts.path.rstrip("/")
    for tail in ("/v1/manifest.json", "/manifest.json", "/v1"):
        if path.endswith(tail):
            base = f"{parts.scheme}://{parts.netloc}{path[: -len(tail)]}"
            return f"{url!r} ends in {tail}: give the API's base URL, {base} (the device adds /v1/manifest.json)"
    if parts.query or parts.fragment:
        return f"{url!r}: a base URL takes no ?query or #fragment"
    return None


def _short(e: BaseException) -> str:
    # requests and urllib3 put the whole URL and pool repr in their messages; keep a line short
    if isinstance(e, OSError) and e.strerror:
        return e.strerror[:160]
    return (str(e).splitlines() or [type(e).__name__])[0][:160]
