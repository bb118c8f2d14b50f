/* A plugin that forges evidence: on applications whose id contains ABSENT it says the
 * industry code is missing although the application has one; on the others it reports a
 * value it computed under a label dressed as a path into the application. The host must
 * refuse the first (an `error` finding) and report the second as a labelled computed value,
 * never under "path" (SPEC §9). */
#include "fixture_common.h"
FIXTURE_PLUGIN("evidence-forger", "")
static void misbehave(const check_request *request, const check_sink *sink) {
    sink->finding(sink->context, "evidence-forger/rule", CHECK_REVIEW, "伪造的证据", "forged evidence");
    if (id_contains(request->application, "ABSENT")) {
        sink->evidence_absent(sink->context, "$.project.industries[0].code");
    } else {
        sink->evidence_derived(sink->context, "$.project.industries[0].code", "C3973");
    }
    sink->cite(sink->context, "wuwai-11-negative-list");
}
