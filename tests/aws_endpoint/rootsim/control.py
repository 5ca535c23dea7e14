"""HTTP+JSON control API for tests, served under /_rootsim/ on the endpoint's port.

Routes are documented (with curl examples) in tests/aws_endpoint/README.md.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from . import scenario, scp
from .state import STATE

PREFIX = "/_rootsim"


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=1, default=str) + "\n", status=status,
                    content_type="application/json")


def _body(request: Request) -> dict[str, Any]:
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise scenario.ScenarioError("the request body must be a JSON object")
    return data


class ControlApp:
    def __init__(self, region: str, credentials: dict[str, str]) -> None:
        self.region = region
        self.credentials = credentials
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = [
            ("GET", re.compile(r"/health"), self.health),
            ("POST", re.compile(r"/reset"), self.reset),
            ("POST", re.compile(r"/seed"), self.seed),
            ("GET", re.compile(r"/state"), self.state),
            ("GET", re.compile(r"/accounts/(\d{12})"), self.account),
            ("PUT", re.compile(r"/accounts/(\d{12})/root-credentials"), self.put_root_credentials),
            ("GET", re.compile(r"/accounts/(\d{12})/state"), self.account_state),
            ("PUT", re.compile(r"/accounts/(\d{12})/state"), self.put_account_state),
            ("GET", re.compile(r"/policies"), self.policies),
            ("PUT", re.compile(r"/policies"), self.put_policies),
            ("DELETE", re.compile(r"/policies"), self.delete_policies),
            ("GET", re.compile(r"/page-size"), self.page_size),
            ("PUT", re.compile(r"/page-size"), self.put_page_size),
            ("GET", re.compile(r"/calls"), self.calls),
            ("DELETE", re.compile(r"/calls"), self.reset_calls),
            ("GET", re.compile(r"/faults"), self.faults),
            ("POST", re.compile(r"/faults"), self.add_fault),
            ("DELETE", re.compile(r"/faults"), self.clear_faults),
            ("GET", re.compile(r"/sessions"), self.sessions),
            ("POST", re.compile(r"/sessions/expire"), self.expire_sessions),
            ("GET", re.compile(r"/clock"), self.clock),
            ("POST", re.compile(r"/clock"), self.set_clock),
        ]

    def endpoint(self, request: Request) -> str:
        return f"{request.scheme}://{request.host}"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        path = request.path[len(PREFIX):].rstrip("/") or "/"
        allowed = []
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if not match:
                continue
            allowed.append(method)
            if method == request.method:
                try:
                    response = handler(request, *match.groups())
                except (scenario.ScenarioError, ValueError, KeyError, TypeError) as exc:
                    response = _json({"error": type(exc).__name__, "message": str(exc)}, 400)
                except Exception as exc:  # a moto model error while seeding, for example
                    response = _json({"error": type(exc).__name__, "message": str(exc)}, 500)
                return response(environ, start_response)
        if allowed:
            return _json({"error": "MethodNotAllowed", "allowed": allowed}, 405)(environ, start_response)
        return _json({"error": "NotFound", "path": request.path}, 404)(environ, start_response)

    # handlers ----------------------------------------------------------------------------
    def health(self, request: Request) -> Response:
        return _json({"ok": True, "endpoint": self.endpoint(request), "region": self.region,
                      **self.credentials})

    def reset(self, request: Request) -> Response:
        scenario.reset_all()
        return _json({"ok": True})

    def seed(self, request: Request) -> Response:
        return _json(scenario.seed(_body(request), self.endpoint(request), self.region))

    def state(self, request: Request) -> Response:
        return _json(scenario.state_json())

    def account(self, request: Request, account_id: str) -> Response:
        return _json(scenario.account_json(account_id))

    def put_root_credentials(self, request: Request, account_id: str) -> Response:
        root = scenario.root_credentials_from(account_id, _body(request))
        with STATE.lock:
            STATE.root[account_id] = root
        return _json(root.to_json())

    def account_state(self, request: Request, account_id: str) -> Response:
        return _json(scenario.account_state_json(account_id))

    def put_account_state(self, request: Request, account_id: str) -> Response:
        return _json(scenario.put_account_state(account_id, _body(request)))

    def policies(self, request: Request) -> Response:
        with STATE.lock:
            return _json(scp.describe(scp.management_view(request.args.get("account"))))

    def put_policies(self, request: Request) -> Response:
        body = _body(request)
        if request.args.get("account"):
            body["account"] = request.args["account"]
        return _json(scp.put(body))

    def delete_policies(self, request: Request) -> Response:
        """Removes every customer SCP, re-attaches FullAWSAccess everywhere (SCPs stay enabled)."""
        body: dict[str, object] = {"policies": []}
        if request.args.get("account"):
            body["account"] = request.args["account"]
        return _json(scp.put(body))

    def page_size(self, request: Request) -> Response:
        with STATE.lock:
            return _json({"page_size": dict(STATE.page_size)})

    def put_page_size(self, request: Request) -> Response:
        caps = scenario.page_size_from(_body(request))
        with STATE.lock:
            STATE.page_size = caps
        return self.page_size(request)

    def calls(self, request: Request) -> Response:
        return _json(STATE.calls_json())

    def reset_calls(self, request: Request) -> Response:
        STATE.reset_calls()
        return _json({"ok": True})

    def faults(self, request: Request) -> Response:
        with STATE.lock:
            return _json({"faults": [f.to_json() for f in STATE.faults]})

    def add_fault(self, request: Request) -> Response:
        body = _body(request)
        specs = body["faults"] if "faults" in body else [body]
        added = []
        try:
            for spec in specs:
                added.append(STATE.add_fault(spec))
        except Exception:
            with STATE.lock:  # all or nothing
                STATE.faults = [f for f in STATE.faults if f not in added]
            raise
        return _json({"faults": [rule.to_json() for rule in added]})

    def clear_faults(self, request: Request) -> Response:
        with STATE.lock:
            STATE.faults.clear()
        return _json({"ok": True})

    def sessions(self, request: Request) -> Response:
        now = STATE.now()
        with STATE.lock:
            secrets = request.args.get("secrets") == "1"
            return _json({"now": now.isoformat(),
                          "sessions": [s.to_json(now, secrets) for s in STATE.sessions.values()]})

    def expire_sessions(self, request: Request) -> Response:
        now = STATE.now()
        expired = 0
        with STATE.lock:
            for session in STATE.sessions.values():
                if session.expiration > now:
                    session.expiration = now
                    expired += 1
        return _json({"expired": expired})

    def clock(self, request: Request) -> Response:
        return _json({"now": STATE.now().isoformat(), "offset_seconds": STATE.clock_offset})

    def set_clock(self, request: Request) -> Response:
        body = _body(request)
        with STATE.lock:
            if "offset_seconds" in body:
                STATE.clock_offset = float(body["offset_seconds"])
            if "advance_seconds" in body:
                STATE.clock_offset += float(body["advance_seconds"])
        return self.clock(request)
