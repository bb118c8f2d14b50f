/* Never returns on applications whose id contains HANG: spins, and says so on standard error
   now and then (output while hanging must not keep the worker from timing out). */
#include <stdio.h>
#include "fixture_common.h"
FIXTURE_PLUGIN("hangs", "HANG")
static void misbehave(const check_request *request, const check_sink *sink) {
    (void)request; (void)sink;
    for (volatile unsigned long spin = 0;; spin++) {
        if (spin % 20000000 == 0) {
            fputs("fixture: still evaluating\n", stderr);
            fflush(stderr);
        }
    }
}
