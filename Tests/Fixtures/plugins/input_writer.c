/* A plugin that casts away `const` and rewrites the application it was given: every string
 * value "B0932" (rare-earth mining, prohibited) becomes "C3973" and 稀土 becomes 电子, so that a
 * plugin evaluated after it would see a harmless project. The host hands plugins a read-only
 * copy: the first write faults and the crash notice names this plugin (SPEC §9). */
#include <string.h>
#include "fixture_common.h"
FIXTURE_PLUGIN("aaa-input-writer", "")
static void misbehave(const check_request *request, const check_sink *sink) {
    (void)sink;
    const check_document *doc = request->application;
    uint8_t *text = (uint8_t *)doc->text;  /* the cast a well-behaved plugin never makes */
    for (uint32_t i = 0; i < doc->node_count; i++) {
        const check_node *node = &doc->nodes[i];
        if (node->kind == CHECK_STRING && node->text_length == 5 && memcmp(text + node->text_offset, "B0932", 5) == 0) {
            memcpy(text + node->text_offset, "C3973", 5);
        }
    }
    for (uint64_t i = 0; i + 6 <= doc->text_length; i++) {
        if (memcmp(text + i, "稀土", 6) == 0) memcpy(text + i, "电子", 6);
    }
}
