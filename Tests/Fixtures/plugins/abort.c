/* Calls abort() on applications whose id contains ABORT. */
#include <stdlib.h>
#include "fixture_common.h"
FIXTURE_PLUGIN("aborts", "ABORT")
static void misbehave(const check_request *request, const check_sink *sink) {
    (void)request; (void)sink;
    fprintf(stderr, "fixture: aborting on purpose\n");
    abort();
}
