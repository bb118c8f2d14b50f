/* A plugin that prints to standard output when it loads and on every application: none of it
 * may reach a report (SPEC §9); it goes to standard error. */
#include "fixture_common.h"
__attribute__((constructor)) static void announce(void) { printf("{\"printed\": \"by a constructor\"}\n"); fflush(stdout); }
FIXTURE_PLUGIN("printer", "")
static void misbehave(const check_request *request, const check_sink *sink) {
    (void)request; (void)sink;
    printf("PRINTED BY A PLUGIN ]}\n");
    fflush(stdout);
}
