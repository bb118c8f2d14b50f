/* On applications whose id contains FORK: forks a child that sleeps for ten minutes holding
 * every descriptor the worker has (its pipes to the host among them), writes the child's pid
 * to the file named by FORK_PID_FILE, then crashes. The host must report the crash as a crash
 * (not a time-out) and kill the child with the worker's process group (SPEC §9). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <unistd.h>
#include "fixture_common.h"
FIXTURE_PLUGIN("fork-and-crash", "FORK")
static void misbehave(const check_request *request, const check_sink *sink) {
    (void)request; (void)sink;
    pid_t child = fork();
    if (child == 0) {
        sleep(600);
        _exit(0);
    }
    const char *file = getenv("FORK_PID_FILE");
    if (file) {
        FILE *out = fopen(file, "w");
        if (out) { fprintf(out, "%d\n", (int)child); fclose(out); }
    }
    volatile int *volatile null = NULL;
    *null = 1;
}
