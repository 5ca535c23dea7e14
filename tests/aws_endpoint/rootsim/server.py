"""The endpoint process: moto's WSGI dispatcher plus the /_rootsim control API on one port."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Response

from . import auth, patches, scenario
from .auth import MANAGEMENT_ACCESS_KEY_ID, MANAGEMENT_SECRET_ACCESS_KEY
from .control import PREFIX, ControlApp

__all__ = ["MANAGEMENT_ACCESS_KEY_ID", "MANAGEMENT_SECRET_ACCESS_KEY", "RootSimApp", "RootSimServer"]


class Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which service answers a host: moto lists its package
    directory and tries a few hundred URL patterns for that on every request (about a fifth
    of the endpoint's CPU in the acceptance tests), and the answer depends on the host alone."""

    def __init__(self, create_app: Any) -> None:
        super().__init__(create_app)
        self._backend_for_host: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        # Called with self.lock held (get_application).
        if host not in self._backend_for_host:
            self._backend_for_host[host] = super().get_backend_for_host(host)
        return self._backend_for_host[host]


class RootSimApp:
    def __init__(self, control: ControlApp) -> None:
        self.control = control
        self.moto = Dispatcher(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == PREFIX or path.startswith(PREFIX + "/"):
            return self.control(environ, start_response)
        if path.rstrip("/") == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
            scenario.reset_all()  # moto's own reset must clear rootsim's state too
            body = json.dumps({"status": "ok"}).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        refused = auth.check(environ)  # unknown access key or wrong secret, as AWS refuses them
        if refused is not None:
            status, headers, text = refused
            auth.read_body(environ)  # drain it, so a kept-alive connection stays in step
            # werkzeug's Response leaves the body out of answers to HEAD, as S3 does
            return Response(text, status=status, headers=headers)(environ, start_response)
        return self.moto(environ, start_response)


class RootSimServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, region: str = "us-east-1",
                 verbose: bool = False) -> None:
        self.host = host
        self.port = port
        self.region = region
        self.verbose = verbose
        self.app: RootSimApp | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def credentials(self) -> dict[str, str]:
        return {"access_key_id": MANAGEMENT_ACCESS_KEY_ID,
                "secret_access_key": MANAGEMENT_SECRET_ACCESS_KEY,
                "management_account_id": DEFAULT_ACCOUNT_ID}

    def start(self, app: RootSimApp | None = None) -> "RootSimServer":
        """Serves `app` (a new one when None; the fork server passes its warmed-up one,
        whose moto service apps are built already)."""
        patches.install()
        if not self.verbose:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        if app is None:
            app = RootSimApp(ControlApp(self.region, self.credentials))
        self.app = app
        self._server = make_server(self.host, self.port, app, threaded=True,
                                   request_handler=MotoRequestHandler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="rootsim", daemon=True)
        self._thread.start()
        return self

    @property
    def endpoint(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    def info(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "region": self.region, **self.credentials,
                "control": self.endpoint + PREFIX}

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
