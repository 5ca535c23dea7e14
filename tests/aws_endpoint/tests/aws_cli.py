"""Runs the real aws CLI (awscli's own `main`) in a child process forked from the test process.

Each `aws` process spends about 0.5 of its 0.75 CPU seconds importing awscli and its botocore
before it sends a request, and the endpoint tests run the CLI about seventy times. Here the imports happen once, in
the test process; every command then runs in a fresh fork of it, with exactly the environment
and arguments given, its own stdout and stderr, and its exit status, as a separate `aws` process
would: nothing one command does reaches the next or the tests. Where fork is unavailable
(ROOTSIM_CLI_FORK=0, or not POSIX) the CLI runs as a plain subprocess.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import traceback

FORK = hasattr(os, "fork") and os.environ.get("ROOTSIM_CLI_FORK", "1") != "0"

if FORK:
    # Every module a command imports: the driver, and the built-in plugin (awscli.handlers, which
    # imports every customization) that create_clidriver loads. Importing is all that is shared.
    # Importing awscli adds its data directory to AWS_DATA_PATH; the test process's boto3 must
    # not see it (each command's child sets it as the `aws` process would).
    _data_path = os.environ.get("AWS_DATA_PATH")
    import awscli
    import awscli.clidriver
    import awscli.handlers  # noqa: F401
    if _data_path is None:
        os.environ.pop("AWS_DATA_PATH", None)
    else:
        os.environ["AWS_DATA_PATH"] = _data_path


def run(aws_script: str, args: list[str], env: dict[str, str],
        timeout: float) -> subprocess.CompletedProcess[str]:
    """`aws ARGS` with ENV, as `subprocess.run(..., capture_output=True, text=True)` returns it."""
    if not FORK:
        return subprocess.run([aws_script, *args], env=env, capture_output=True, text=True,
                              timeout=timeout)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(args, env, out.fileno(), err.fileno())  # never returns
        status = _wait(pid, timeout, args)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(
            ["aws", *args], os.waitstatus_to_exitcode(status),
            out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def _child(args: list[str], env: dict[str, str], out_fd: int, err_fd: int) -> None:
    code = 255
    try:
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        # pytest replaced these with its capture objects; the CLI must write to the real fds.
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8")
        sys.stdin = io.TextIOWrapper(io.FileIO(os.open(os.devnull, os.O_RDONLY), "r"))
        os.environ.clear()
        os.environ.update(env)
        if os.environ.get("LC_CTYPE", "") == "UTF-8":
            os.environ["LC_CTYPE"] = "en_US.UTF-8"
        # What importing awscli does to the environment: its data directory joins the search path.
        data_path = [os.path.expanduser(os.path.expandvars(path))
                     for path in env["AWS_DATA_PATH"].split(os.pathsep)] if "AWS_DATA_PATH" in env else []
        data_path.append(os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), "data"))
        os.environ["AWS_DATA_PATH"] = os.pathsep.join(data_path)
        sys.argv = ["aws", *args]
        driver = awscli.clidriver.create_clidriver()
        code = driver.main(args)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001 - the child reports anything and exits, like a process
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _wait(pid: int, timeout: float, args: list[str]) -> int:
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(["aws", *args], timeout)
        time.sleep(delay)
        delay = min(delay * 2, 0.02)
