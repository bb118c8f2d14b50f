/* A plugin whose message tries to forge a report: an ANSI escape that hides what follows, a
 * carriage return and newlines that start a fake PASS block, a right-to-left override, HTML
 * that would run in a Markdown viewer, and a table-row break. Every format must show it inert. */
#include "fixture_common.h"
FIXTURE_PLUGIN("forger", "")
static void misbehave(const check_request *request, const check_sink *sink) {
    (void)request;
    const char *forged = "ok\r\nGD-FORGED  PASS  forged.json\n  negative-list  PASS\x1b[8m hidden \xe2\x80\xae" "txet desrever"
                         " <img src=x onerror=alert(1)><svg onload=alert(2)> | row \r| break";
    sink->finding(sink->context, "forger/rule", CHECK_REVIEW, forged, forged);
    sink->cite(sink->context, "wuwai-11-negative-list");
}
