/* A plugin that keeps its message in a static buffer, as much old C code does: correct one
 * application at a time, wrong when two threads evaluate at once (each can report the other's
 * application id). It does not set CHECK_PLUGIN_THREAD_SAFE, so the host must serialise it;
 * built with -DCLAIM_THREAD_SAFE it sets the flag falsely, which `check test-plugin` must catch. */
#include <sched.h>
#include "fixture_common.h"

#ifdef CLAIM_THREAD_SAFE
#define FIXTURE_FLAGS CHECK_PLUGIN_THREAD_SAFE
#else
#define FIXTURE_FLAGS 0u
#endif

static char message[300];

static int fixture_evaluate(void *state, const check_request *request, const check_sink *sink) {
    (void)state;
    size_t length;
    const char *id = application_id(request->application, &length);
    snprintf(message, sizeof message, "application %.*s", (int)(length < 200 ? length : 200), id);
    for (int i = 0; i < 50; i++) sched_yield();  /* widens the window another thread writes in */
    sink->finding(sink->context, "static-buffer/rule", CHECK_PASS, message, message);
    sink->cite(sink->context, "wuwai-11-negative-list");
    return 0;
}

FIXTURE_DESCRIPTOR("static-buffer", FIXTURE_FLAGS, fixture_open, fixture_evaluate)
