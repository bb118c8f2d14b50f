/* On applications whose id contains GARBAGE: prints junk to standard output (which must not
 * corrupt the worker protocol), then reports garbage through the sink: invalid UTF-8, an
 * impossible verdict, an out-of-range node, an unknown citation, NULL strings. */
#include "fixture_common.h"
FIXTURE_PLUGIN("garbage", "GARBAGE")
static void misbehave(const check_request *request, const check_sink *sink) {
    printf("CKRS\x01\x02junk that looks like a frame header\n");
    fflush(stdout);
    sink->finding(sink->context, "garbage/rule", 99, "\xff\xfe not utf-8", NULL);
    sink->evidence(sink->context, request->application->node_count + 1000);
    sink->evidence_absent(sink->context, NULL);
    sink->cite(sink->context, "no-such-clause");
    sink->finding(sink->context, NULL, CHECK_FAIL, "x", "y");
}
