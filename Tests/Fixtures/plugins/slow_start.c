/* A plugin whose constructor takes 100 s (a stand-in for one that hangs while loading). Its
 * start-up must be bound by --plugin-timeout, not a fixed 30 s (SPEC §9). */
#include <unistd.h>
#include "fixture_common.h"
__attribute__((constructor)) static void slow(void) { sleep(100); }
FIXTURE_PLUGIN("slow-start", "")
static void misbehave(const check_request *request, const check_sink *sink) { (void)request; (void)sink; }
