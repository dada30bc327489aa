"""How kg talks to a SPARQL endpoint over HTTP, whatever the server: credentials (from the URL, the
environment or ``~/.netrc``, never shown), the timeout (``KG_ENDPOINT_TIMEOUT``), and which failures are
tried again, how soon, and which end a load (:class:`~kg.errors.EndpointUnavailable`).
"""

from __future__ import annotations

import http.client
import logging
import netrc
import os
import re
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, Unauthorized
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from kg.errors import EndpointError, EndpointUnavailable
from kg.names import counted

log = logging.getLogger(__name__)
T = TypeVar("T")
_ERRNO = re.compile(r"\[Errno -?\d+\] [^'\")>]*")
_TRANSIENT = ("40001", "SR172", "deadlock", "timed out", "Temporary")
TIMEOUT_VARIABLE = "KG_ENDPOINT_TIMEOUT"
DEFAULT_TIMEOUT = 120.0
MAX_RETRY_AFTER = 60.0  # a server asking for longer is reported instead of waited for
_FIRST_DELAY = 0.25  # connection retries wait 0.25 + 0.5 + 1 + 2 s: a restart gets a few seconds, no more
_CREDENTIALS_FIX = ("give the credentials of an account allowed to do it: user:password@ in the endpoint URL, "
                    "KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD, or ~/.netrc")


@dataclass(frozen=True)
class Credentials:
    """A user and password for an endpoint; the password is left out of the repr.

    >>> Credentials("analyst", "s3cret")
    Credentials(user='analyst')
    """

    user: str
    password: str = field(repr=False)


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """``url`` without its ``user:password@`` part, and that part (percent-decoded), if any.

    >>> split_credentials("http://analyst:p%40ss@host:8890/sparql")
    ('http://host:8890/sparql', Credentials(user='analyst'))
    >>> split_credentials("http://host/sparql")
    ('http://host/sparql', None)
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), Credentials(unquote(user), unquote(password))


def timeout_from_env() -> float:
    """Seconds to wait for an endpoint's answer: ``KG_ENDPOINT_TIMEOUT``, else 120.

    Raises:
        EndpointError: the variable is set to something that is not a positive number.
    """
    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise EndpointError(f"{TIMEOUT_VARIABLE}={text!r} is not a number of seconds - set it to e.g. 30, or unset "
                            "it for the default of 120")
    return seconds


def credentials(url: str) -> tuple[str, str] | None:
    """``KG_ENDPOINT_USER``/``KG_ENDPOINT_PASSWORD``, else the ``~/.netrc`` entry for the host, else None."""
    user, password = os.environ.get("KG_ENDPOINT_USER"), os.environ.get("KG_ENDPOINT_PASSWORD")
    if user and password is not None:
        return user, password
    try:
        found = netrc.netrc().authenticators(urlsplit(url).hostname or "")
    except (FileNotFoundError, netrc.NetrcParseError):
        return None
    if found and found[0] and found[2] is not None:
        return found[0], found[2]
    return None


def retry(name: str, what: str, call: Callable[[], T], *, retries: int, timeout: float) -> T:
    """``call()``, tried again (by tenacity) after what may pass: connection errors (with backoff, a few seconds
    in all), 502/503/504 and deadlocks (backoff), 429 (after its ``Retry-After``), a timeout (once).

    Raises:
        EndpointUnavailable: no connection after the retries, or HTTP 401/403; the cause of a
            connection failure is kept as ``__cause__``.
        EndpointError: any other failure, or the retries ran out.
    """
    timeouts = 0

    def once(attempt: int) -> T:
        nonlocal timeouts
        delay = _FIRST_DELAY * 2 ** (attempt - 1)
        try:
            return call()
        except Unauthorized:
            error: Exception = HttpStatus(401, "")
        except urllib.error.HTTPError as exc:
            error = HttpStatus(exc.code, read_quietly(exc), exc.headers.get("Retry-After"))
        except HttpStatus as exc:
            error = exc
        except EndPointInternalError as exc:
            if not any(mark in str(exc) for mark in _TRANSIENT):
                raise EndpointError(f"{name}: {what} failed ({short(exc)}) - {hint(exc)}") from None
            raise _Again(exc, delay, short(exc)) from None
        except (OSError, requests.RequestException, http.client.HTTPException) as exc:
            if not _timed_out(exc):
                raise _Again(exc, delay, reason(exc), connection=True) from None
            timeouts += 1
            if timeouts > 1:
                raise EndpointError(f"{name}: {what} timed out twice (no answer within {timeout:g} s) - set "
                                    f"{TIMEOUT_VARIABLE} to more seconds, or lighten the request") from None
            raise _Again(TimeoutError(f"no answer within {timeout:g} s"), delay, f"no answer within {timeout:g} s") \
                from None
        raise _Again(error, _status_wait(name, what, error, delay) if isinstance(error, HttpStatus) else delay,
                     short(error))

    def say(state: RetryCallState) -> None:
        again = _again(state)
        log.warning("%s: %s failed (%s); retrying in %g s", name, what, again.shown, again.wait)

    tries = counted(retries + 1, "try", "tries")
    try:
        for attempt in Retrying(stop=stop_after_attempt(retries + 1), retry=retry_if_exception_type(_Again),
                                wait=lambda state: _again(state).wait, before_sleep=say, reraise=True):
            with attempt:
                return once(attempt.retry_state.attempt_number)
    except _Again as last:
        if last.connection:
            raise EndpointUnavailable(f"{name}: {what} failed: no connection after {tries} "
                                      f"({short(last.shown)}) - is the server up?") from last.error
        raise EndpointError(f"{name}: {what} failed after {tries} ({short(last.error)}) - is the server up?") \
            from None
    raise AssertionError("unreachable")


class _Again(Exception):
    """A failure worth another try: the error, the seconds to wait first, and how to name it in a message."""

    def __init__(self, error: BaseException, wait: float, shown: str, *, connection: bool = False) -> None:
        super().__init__(shown)
        self.error, self.wait, self.shown, self.connection = error, wait, shown, connection


def _again(state: RetryCallState) -> _Again:
    error = state.outcome.exception() if state.outcome is not None else None
    assert isinstance(error, _Again)
    return error


def _status_wait(name: str, what: str, error: HttpStatus, delay: float) -> float:
    """How long to wait before trying a request again that got ``error``; raises when it must not be."""
    status, body = error.status, error.body
    if status == 401:
        raise EndpointUnavailable(f"{name}: {what} refused (HTTP 401) - the endpoint needs credentials: "
                                  f"{_CREDENTIALS_FIX}") from None
    if status in (403, 405) and "read-only" in body.lower():  # Oxigraph's server: 403; kg serve: 405
        raise EndpointUnavailable(f"{name}: {what} refused (HTTP {status}: {short(body)}) - the server "
                                  "is read-only: restart it with --read-write ('kg serve --read-write') "
                                  "to write to it") from None
    if status == 403:
        raise EndpointUnavailable(f"{name}: {what} refused (HTTP 403: {short(body)}) - the account is "
                                  f"not allowed to: {_CREDENTIALS_FIX}") from None
    if status == 429:
        wait = _retry_after(error.retry_after, delay)
        if wait > MAX_RETRY_AFTER:
            raise EndpointError(f"{name}: {what} refused (HTTP 429: too many requests, retry after "
                                f"{wait:.0f} s) - try again later") from None
        return wait
    if status in {502, 503, 504} or (status == 500 and any(m in body for m in _TRANSIENT)):
        return delay
    raise EndpointError(f"{name}: {what} failed (HTTP {status}: {short(body)}) - "
                        f"{hint(Exception(f'HTTP {status} {body[:200]}'))}") from None


class HttpStatus(Exception):
    def __init__(self, status: int, body: str, retry_after: str | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.retry_after = retry_after


def _timed_out(error: BaseException) -> bool:
    if isinstance(error, (TimeoutError, requests.Timeout)):
        return not isinstance(error, requests.ConnectTimeout)  # a connect timeout is no connection
    return isinstance(error, urllib.error.URLError) and isinstance(error.reason, TimeoutError)


def reason(error: BaseException) -> str:
    """What went wrong with a connection, in a few words: the system's error where there is one, without
    the URL and pool details that requests and urllib wrap around it.

    >>> reason(urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")))
    '[Errno 111] Connection refused'
    >>> reason(http.client.RemoteDisconnected("Remote end closed connection without response"))
    'RemoteDisconnected: Remote end closed connection without response'
    """
    system = _ERRNO.search(str(error))
    if system:
        return system.group(0)
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _retry_after(header: str | None, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds, or an HTTP date); ``default`` without one.

    >>> _retry_after("3", 0.5), _retry_after(None, 0.5), _retry_after("soon", 0.5)
    (3.0, 0.5, 0.5)
    """
    if not header:
        return default
    try:
        return float(Retry().parse_retry_after(header))
    except InvalidHeader:
        return default


def read_quietly(error: urllib.error.HTTPError) -> str:
    """The body of an HTTP error response, then closed (it must not leak its socket)."""
    try:
        return error.read().decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        error.close()


def hint(error: Exception) -> str:
    """What to do about an endpoint's refusal, from its message.

    >>> hint(Exception("Virtuoso 42000 Error The estimated execution time 2182 (sec) exceeds the limit of 400"))
    "give the query a parameter, or raise Virtuoso's MaxQueryCostEstimationTime ([SPARQL] in virtuoso.ini)"
    """
    text = str(error)
    if isinstance(error, Unauthorized) or any(code in text for code in ("SR186", "SR619", "HTTP 401", "HTTP 403")):
        return _CREDENTIALS_FIX
    if "estimated execution time" in text:
        return "give the query a parameter, or raise Virtuoso's MaxQueryCostEstimationTime ([SPARQL] in virtuoso.ini)"
    if "SR353" in text:
        # kg pages through ResultSetMaxRows with OFFSET, and a sorted page past MaxSortedTopRows is refused
        return ("give the query a parameter or --limit, or raise Virtuoso's ResultSetMaxRows ([SPARQL]) or "
                "MaxSortedTopRows ([Parameters]) in virtuoso.ini")
    return "check the request and the server log"


def short(error: object, limit: int = 160) -> str:
    """One line of an error, cut short: Virtuoso echoes whole 1 MB queries in its messages."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
