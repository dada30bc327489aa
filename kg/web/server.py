"""``kg serve``: the web app (:func:`kg.web.app.create_app`) served by uvicorn until Ctrl+C or SIGTERM.

The embedded store is opened read-only by default (:class:`~kg.store.embedded.EmbeddedStore` holds
kg's shared reader lock for as long as it is open), so writers such as ``kg ingest`` refuse while the
app serves and other readers share the store; ``--read-write`` opens it to write, alone.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from kg.errors import KgError
from kg.query.saved import list_queries
from kg.store.bind import DEFAULT_BIND, check_port_free, parse_bind
from kg.store.embedded import EmbeddedStore
from kg.store.endpoint import EndpointStore
from kg.web.app import create_app

__all__ = ["serve"]


class _Server(uvicorn.Server):
    """uvicorn, telling when it listens, and taking Ctrl+C / SIGTERM as the way to stop (not re-raised
    once it has stopped, so that ``kg serve`` exits 0)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_ready()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True


def serve(store: Path | None = None, endpoint: str | None = None, *, bind: str = DEFAULT_BIND,
          read_write: bool = False, tiles: str | None = None, on_ready: Callable[[str], None] | None = None) -> int:
    """Serve the workbench over ``store`` (or the SPARQL ``endpoint``) on ``bind`` (``HOST:PORT``)
    until Ctrl+C or SIGTERM; ``on_ready`` gets the base URL (``http://HOST:PORT/``) once it listens.

    Returns 0 when stopped that way.

    Raises:
        KgError: a bad or busy address, or an endpoint that does not answer.
        StoreError: no store at ``store``, or another process holds it (the message names it).
    """
    host, port = parse_bind(bind)
    target: EmbeddedStore | EndpointStore
    if endpoint is not None:
        target = EndpointStore(endpoint)
    else:
        if store is None:
            raise KgError("give the store to serve with --store PATH, or a SPARQL endpoint with --endpoint URL")
        target = EmbeddedStore(Path(store), create=False, read_only=not read_write)
    try:
        check_port_free(host, port, bind)
        app = create_app(target.store if isinstance(target, EmbeddedStore) else target, read_write=read_write,
                         tiles=tiles)
        if app.state.windows is not None:  # a read-only store: the forms' first pages are worked out ahead
            app.state.windows.warm(app.state.source, list_queries())
        url = f"http://{host}:{port}/"
        config = uvicorn.Config(app, host=host.strip("[]"), port=port, log_level="warning", access_log=False,
                                lifespan="off", server_header=False)
        server = _Server(config, lambda: on_ready(url) if on_ready is not None else None)
        try:
            server.run()
        except SystemExit:  # uvicorn's answer to a port taken since the check
            raise KgError(f"cannot listen on {bind}: address already in use - pass --bind HOST:PORT with a "
                          "free port") from None
        return 0
    finally:
        target.close()
