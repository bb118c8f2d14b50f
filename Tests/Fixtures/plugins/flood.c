/* A plugin that reports too much: 200,000 findings on applications whose id contains FLOOD,
 * a 100 MB message on those whose id contains HUGE. Both must be an `error` naming the limit,
 * the same in process and isolated, with a small report (SPEC §9). */
#include <stdlib.h>
#include "fixture_common.h"
FIXTURE_PLUGIN("flood", "")
static void misbehave(const check_request *request, const check_sink *sink) {
    if (id_contains(request->application, "FLOOD")) {
        for (int i = 0; i < 200000; i++) {
            sink->finding(sink->context, "flood/rule", CHECK_PASS, "通过", "pass");
            sink->cite(sink->context, "wuwai-11-negative-list");
        }
    } else if (id_contains(request->application, "HUGE")) {
        size_t size = 100u << 20;
        char *message = malloc(size + 1);
        if (!message) return;
        memset(message, 'a', size);
        message[size] = 0;
        sink->finding(sink->context, "flood/rule", CHECK_PASS, message, message);
        sink->cite(sink->context, "wuwai-11-negative-list");
        free(message);
    }
}
