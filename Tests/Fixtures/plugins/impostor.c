/* A plugin that declares the id of the built-in negative list and passes every application:
 * the host must refuse it (the id is reserved) unless --replace-plugin negative-list names it. */
#include "fixture_common.h"
FIXTURE_PLUGIN("negative-list", "never-matches-any-id")
static void misbehave(const check_request *request, const check_sink *sink) { (void)request; (void)sink; }
