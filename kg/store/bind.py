"""Where a server listens: the ``--bind HOST:PORT`` of ``kg serve``, checked before anything starts."""

from __future__ import annotations

import os
import socket
import sys

from kg.errors import KgError

__all__ = ["DEFAULT_BIND", "check_port_free", "parse_bind"]

DEFAULT_BIND = "127.0.0.1:7878"


def parse_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT`` as (host, port).

    Raises:
        KgError: not HOST:PORT with a port from 1 to 65535.

    >>> parse_bind("127.0.0.1:7878")
    ('127.0.0.1', 7878)
    """
    host, sep, port_text = bind.rpartition(":")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise KgError(f"--bind {bind!r}: write it as HOST:PORT with a port from 1 to 65535, e.g. {DEFAULT_BIND}")
    return host, int(port_text)


def check_port_free(host: str, port: int, bind: str) -> None:
    """Fail early, with a clear message, when nothing can listen on ``bind``.

    Raises:
        KgError: the host is unknown or the port taken.
    """
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise KgError(f"--bind {bind}: unknown host {host!r} ({error.strerror}) - use an IP address such as "
                      f"127.0.0.1") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        if sys.platform != "win32":
            # as uvicorn does: lingering TIME_WAIT connections are no conflict
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
            probe.listen()
        except OSError as error:
            reason = os.strerror(error.errno) if error.errno else str(error)
            raise KgError(f"cannot listen on {bind}: {reason} - pass --bind HOST:PORT with a free port") from None
