/* Dereferences NULL on applications whose id contains CRASH. */
#include "fixture_common.h"
FIXTURE_PLUGIN("segfault", "CRASH")
static void misbehave(const check_request *request, const check_sink *sink) {
    (void)request; (void)sink;
    /* Volatile pointer and pointee: the compiler can neither see the NULL nor drop the store. */
    volatile int *volatile null = NULL;
    *null = 1;
}
