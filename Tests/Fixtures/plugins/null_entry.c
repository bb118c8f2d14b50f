/* A plugin whose entry point returns NULL. */
#include <stddef.h>
const void *check_plugin_entry(void) { return NULL; }
