/* Never returns on applications whose id contains HANG. */
#include "fixture_common.h"
FIXTURE_PLUGIN("hangs", "HANG")
static void misbehave(const check_request *request, const check_sink *sink) {
    (void)request; (void)sink;
    for (volatile unsigned long spin = 0;; spin++) { }
}
