"""python -m rootsim.forkserver: endpoints for test harnesses, forked from one warm process.

Starting `python -m rootsim` costs about a second of CPU (importing moto, building its
service apps, loading botocore's models on the first calls), and the acceptance tests
start one endpoint per test.  This process pays that once: it imports everything, serves
one warm-up round of calls to itself, resets, and then forks a fresh endpoint per request.
Each endpoint is still its own process with its own port, state and pid, exactly as
`python -m rootsim` would be: nothing is shared between two tests.

Protocol (one unix socket, its path in the ready line):

* ready line on stdout: {"socket": "/tmp/rootsim-fork-.../sock", "pid": 4242}; the server
  stops on SIGTERM/SIGINT and, with --exit-on-stdin-close, when its stdin reaches end of file
  (the harness went away);
* a client connects and sends one JSON line, {"env": {"NAME": "value" or null}} (environment
  changes for this endpoint, e.g. ROOTSIM_ACCOUNT_SHAPE; may be {}), and gets one line back:
  the endpoint's ready line (the same JSON as `python -m rootsim` prints, with its pid), or
  {"error": "..."};
* the endpoint serves until the client closes the connection (or shuts down its writing
  side), then exits; closing happens by itself when the client process dies.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import selectors
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from typing import Any

from .server import RootSimApp, RootSimServer
from .state import default_account_shape

REGION = "us-east-1"
MAX_REQUEST = 65536


def warm_up() -> RootSimApp:
    """Serves one round of typical calls (seed, every service, a root session) to this
    process, then resets: what moto and botocore build lazily on first use is built here,
    once, and every forked endpoint inherits it.  Returns the app the endpoints reuse."""
    import boto3
    import botocore.config

    from . import scenario

    server = RootSimServer(region=REGION).start()
    try:
        scenario.seed(WARM_UP_SCENARIO, server.endpoint, REGION)
        creds = server.credentials
        session = boto3.session.Session()
        config = botocore.config.Config(retries={"total_max_attempts": 1},
                                        s3={"addressing_style": "path"})

        def client(service: str, keys: dict[str, str]) -> Any:
            return session.client(service, endpoint_url=server.endpoint, region_name=REGION,
                                  aws_access_key_id=keys["AccessKeyId"],
                                  aws_secret_access_key=keys["SecretAccessKey"],
                                  aws_session_token=keys.get("SessionToken"), config=config)

        mgmt = {"AccessKeyId": creds["access_key_id"], "SecretAccessKey": creds["secret_access_key"]}
        clients = [client(s, mgmt) for s in ("sts", "organizations", "iam", "s3", "sqs")]
        sts, orgs, iam, s3, sqs = clients
        sts.get_caller_identity()
        orgs.describe_organization()
        orgs.list_accounts()
        orgs.describe_account(AccountId="111111111111")
        orgs.list_roots()
        iam.list_organizations_features()
        s3.list_buckets()
        sqs.list_queues()
        session_keys = sts.assume_root(
            TargetPrincipal="111111111111",
            TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"},
        )["Credentials"]
        root_iam = client("iam", session_keys)
        clients.append(root_iam)
        root_iam.get_account_summary()
        root_iam.list_access_keys()
        root_iam.list_mfa_devices()
        for c in clients:
            c.close()
    finally:
        server.stop()
        scenario.reset_all()
    app = server.app
    if app is None:
        raise RuntimeError("the warm-up server built no app")
    return app


WARM_UP_SCENARIO: dict[str, Any] = {
    "organization": {"feature_set": "ALL"},
    "trusted_access": ["iam.amazonaws.com"],
    "delegated_administrators": ["222222222222"],
    "features": ["RootCredentialsManagement", "RootSessions"],
    "accounts": [
        {"id": "111111111111", "name": "dev",
         "root_credentials": {"password": True, "access_keys": 1, "mfa_devices": 1},
         "buckets": [{"name": "warm-up-bucket", "policy": "deny-all"}],
         "queues": [{"name": "warm-up-queue", "policy": "deny-all"}]},
        {"id": "222222222222", "name": "security"},
    ],
}


def _wait_for_single_thread(timeout: float = 10.0) -> None:
    """fork() copies only the calling thread: the warm-up's request threads must be gone."""
    deadline = time.monotonic() + timeout
    while threading.active_count() > 1:
        if time.monotonic() > deadline:
            names = [t.name for t in threading.enumerate()]
            raise RuntimeError(f"threads still running after the warm-up: {names}")
        time.sleep(0.01)


def _read_request(conn: socket.socket) -> dict[str, Any]:
    conn.settimeout(10)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise ValueError("request line too long")
    request = json.loads(data or b"{}")
    if not isinstance(request, dict):
        raise ValueError("the request must be a JSON object")
    return request


def _send(conn: socket.socket, data: dict[str, Any]) -> None:
    conn.sendall((json.dumps(data) + "\n").encode())


def _serve_forked(conn: socket.socket, app: RootSimApp) -> int:
    """In the forked child: apply the request, start the endpoint, report, serve until EOF."""
    try:
        request = _read_request(conn)
        for name, value in dict(request.get("env") or {}).items():
            if value is None:
                os.environ.pop(str(name), None)
            else:
                os.environ[str(name)] = str(value)
        default_account_shape()  # ROOTSIM_ACCOUNT_SHAPE is checked before anything starts
    except (OSError, ValueError) as exc:
        _send(conn, {"error": f"rootsim: {exc}"})
        return 2
    # Identifiers must differ between endpoints as between separately started processes.
    random.seed()
    from moto.moto_api._internal import mock_random
    mock_random.seed()
    server = RootSimServer(region=REGION).start(app)
    info = server.info()
    info["pid"] = os.getpid()
    _send(conn, info)
    conn.settimeout(None)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass
    return 0


def serve(watch_stdin: bool) -> int:
    os.environ.pop("MOTO_ACCOUNT_ID", None)  # it would pin every request to one account
    try:
        default_account_shape()
    except ValueError as exc:
        print(f"rootsim: {exc}", file=sys.stderr)
        return 2
    ready_out = sys.stdout
    sys.stdout = sys.stderr  # moto prints diagnostics; stdout carries only the ready line
    app = warm_up()
    _wait_for_single_thread()

    directory = tempfile.mkdtemp(prefix="rootsim-fork-")
    path = os.path.join(directory, "sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    selector = selectors.PollSelector()  # epoll refuses a regular file or /dev/null as stdin
    selector.register(listener, selectors.EVENT_READ, "accept")
    if watch_stdin:
        selector.register(sys.stdin.buffer, selectors.EVENT_READ, "stdin")
    stop: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # endpoints are reaped by the kernel
    gc.collect()
    gc.freeze()  # the children's collections then leave the inherited objects (and pages) alone

    ready_out.write(json.dumps({"socket": path, "pid": os.getpid()}) + "\n")
    ready_out.flush()
    # Nothing else may reach the harness's pipe, which it stops reading after this line.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    try:
        while not stop:
            for key, _ in selector.select(timeout=0.5):
                if key.data == "stdin":
                    if not os.read(sys.stdin.buffer.fileno(), 4096):
                        stop.append(True)
                    continue
                conn, _ = listener.accept()
                if os.fork() == 0:
                    code = 1
                    try:
                        selector.close()
                        listener.close()
                        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                            signal.signal(sig, signal.SIG_DFL)
                        code = _serve_forked(conn, app)
                    except BaseException as exc:  # noqa: BLE001 - reported to the client
                        try:
                            _send(conn, {"error": f"rootsim: {type(exc).__name__}: {exc}"})
                        except OSError:
                            pass
                    finally:
                        os._exit(code)
                conn.close()
    finally:
        listener.close()
        shutil.rmtree(directory, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rootsim.forkserver", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exit-on-stdin-close", action="store_true",
                        help="stop when stdin reaches end of file (the spawning process went away)")
    return serve(parser.parse_args(argv).exit_on_stdin_close)


if __name__ == "__main__":
    sys.exit(main())
