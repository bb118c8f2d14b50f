/* A plugin whose message changes while the host reads it: a thread it starts in `open` rewrites
 * one byte of the message, over and over, between a letter and a control character (ESC). The
 * host must report what it checked: a message copied, then checked — never checked in the
 * plugin's memory and then copied, which let a raw control byte into a JSON report. */
#include <pthread.h>
#include "fixture_common.h"

static char message[64] = "a message that changes under the host";
static volatile int running = 1;

static void *flip(void *unused) {
    (void)unused;
    /* Each state held for a few hundred nanoseconds: long enough to be seen, short enough to
     * change between two reads of one call. */
    volatile char *byte = &message[2];  /* volatile: neither store may be optimised away */
    while (running) {
        *byte = 0x1B;
        for (volatile int spin = 0; spin < 200; spin++) {}
        *byte = 'm';
        for (volatile int spin = 0; spin < 200; spin++) {}
    }
    return NULL;
}

static int flipper_open(void *c, const check_open_args *a, void **s) {
    (void)c; (void)a; *s = NULL;
    pthread_t thread;
    if (pthread_create(&thread, NULL, flip, NULL) != 0) return 1;
    pthread_detach(thread);
    return 0;
}

static int fixture_evaluate(void *state, const check_request *request, const check_sink *sink) {
    (void)state; (void)request;
    sink->finding(sink->context, "flipper/rule", CHECK_PASS, message, message);
    sink->cite(sink->context, "wuwai-11-negative-list");
    return 0;
}

FIXTURE_DESCRIPTOR("flipper", 0, flipper_open, fixture_evaluate)
