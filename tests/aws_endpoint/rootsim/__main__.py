"""python -m rootsim: start the endpoint, print one JSON line when ready, serve until told to stop."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from . import scenario
from .server import RootSimServer
from .state import default_account_shape


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rootsim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0 = a free port)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--exit-on-stdin-close", action="store_true",
                        help="stop when stdin reaches end of file (the spawning process went away)")
    parser.add_argument("--seed-demo", action="store_true",
                        help="seed the demo scenario (see README) before reporting ready")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    try:
        default_account_shape()  # ROOTSIM_ACCOUNT_SHAPE=2024|2025|2026, checked before anything starts
    except ValueError as exc:
        print(f"rootsim: {exc}", file=sys.stderr)
        return 2

    if os.environ.pop("MOTO_ACCOUNT_ID", None) is not None:
        print("rootsim: ignoring MOTO_ACCOUNT_ID (it would pin every request to one account)",
              file=sys.stderr)

    ready_out = sys.stdout
    sys.stdout = sys.stderr  # moto prints diagnostics; stdout carries only the ready line

    server = RootSimServer(args.host, args.port, args.region, args.verbose).start()
    info = server.info()
    if args.seed_demo:
        seeded = scenario.seed(scenario.DEMO_SCENARIO, server.endpoint, args.region)
        info["demo"] = {account: {"role": data["role"], "access_key_id": data["admin"]["access_key_id"],
                                  "secret_access_key": data["admin"]["secret_access_key"]}
                        for account, data in seeded["accounts"].items()}
    info["pid"] = os.getpid()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_on_stdin_close:
        def watch_stdin() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except (OSError, ValueError):
                pass
            stop.set()
        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()

    ready_out.write(json.dumps(info) + "\n")
    ready_out.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
