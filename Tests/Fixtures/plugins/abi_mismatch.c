/* A plugin built for a future ABI: the host must refuse it after reading the version only. */
#include <stdint.h>
struct future_descriptor { uint32_t abi_version; uint32_t struct_size; const char *id; };
static const struct future_descriptor descriptor = { 99, sizeof(struct future_descriptor), "from-the-future" };
const void *check_plugin_entry(void) { return &descriptor; }
