/* A well-behaved plugin that needs a library of its own (libcheck-test-dependency.so, found
 * through DT_RUNPATH $ORIGIN): that library must be checked like the plugin (SPEC §9). */
#include "fixture_common.h"
int marker_dependency_value(void);
FIXTURE_PLUGIN("uses-dependency", "never")
static void misbehave(const check_request *request, const check_sink *sink) {
    (void)request; (void)sink;
    (void)marker_dependency_value();
}
