"""Run the viewer app with uvicorn: in the foreground (``serve``) or in a thread (tests)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

from hoplon.errors import InputError


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError("--port", f"cannot listen on {host}:{port}: {exc}") from None
    sock.listen(64)
    return sock


class ViewerServer:
    """The viewer served from a background thread; ``url`` is known once started.

    Use as a context manager: ``with ViewerServer(app) as server: ... server.url``.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        import uvicorn

        self._sock = bind(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self, timeout_s: float = 10.0) -> ViewerServer:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the viewer server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5.0)
        self._sock.close()

    def __enter__(self) -> ViewerServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    run_dir: str | Path, host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True
) -> None:
    """Serve ``run_dir`` until interrupted (Ctrl-C); optionally open a browser tab."""
    from hoplon.viewer.app import create_app
    from hoplon.viewer.cesium import require_cesium_build

    app = create_app(run_dir, require_cesium_build())
    server = ViewerServer(app, host, port)
    print(f"Hoplon viewer on {server.url} (Ctrl-C to stop)", flush=True)
    server.start()
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        while server._thread.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
