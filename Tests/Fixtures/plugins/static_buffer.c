/* A plugin that keeps its message in a static buffer, as much old C code does: correct one
 * application at a time, wrong when two threads evaluate at once (each can report the other's
 * application id). It does not set CHECK_PLUGIN_THREAD_SAFE, so the host must serialise it;
 * built with -DCLAIM_THREAD_SAFE it sets the flag falsely, which `check test-plugin` must catch. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include "check_plugin.h"

#ifdef CLAIM_THREAD_SAFE
#define FIXTURE_FLAGS CHECK_PLUGIN_THREAD_SAFE
#else
#define FIXTURE_FLAGS 0u
#endif

static const char *const citations[] = { "wuwai-11-negative-list", NULL };
static const check_rule_info rules[] = {
    { "static-buffer/rule", "测试夹具", "Fixture", "测试用", "For tests", citations } };
static char message[300];

static int fixture_open(void *c, const check_open_args *a, void **s) { (void)c; (void)a; *s = NULL; return 0; }

static int fixture_evaluate(void *state, const check_request *request, const check_sink *sink) {
    (void)state;
    const check_document *doc = request->application;
    const check_node *root = &doc->nodes[0];
    const char *id = "";
    size_t length = 0;
    uint32_t child = 1;
    for (uint32_t i = 0; i < root->count; i++) {
        const check_node *c = &doc->nodes[child];
        if (c->key_length == 2 && memcmp(doc->text + c->key_offset, "id", 2) == 0 && c->kind == CHECK_STRING) {
            id = doc->text + c->text_offset;
            length = c->text_length < 200 ? c->text_length : 200;
        }
        child = c->end;
    }
    snprintf(message, sizeof message, "application %.*s", (int)length, id);
    for (int i = 0; i < 50; i++) sched_yield();  /* widens the window another thread writes in */
    sink->finding(sink->context, "static-buffer/rule", CHECK_PASS, message, message);
    sink->cite(sink->context, "wuwai-11-negative-list");
    return 0;
}

static const check_plugin descriptor = {
    .abi_version = CHECK_ABI_VERSION, .struct_size = sizeof(check_plugin), .id = "static-buffer",
    .version = "1.0.0", .title_zh = "测试夹具", .title_en = "Fixture", .datasets = NULL, .rule_count = 1,
    .flags = FIXTURE_FLAGS, .rules = rules, .context = NULL, .open = fixture_open, .evaluate = fixture_evaluate };

const check_plugin *check_plugin_entry(void) { return &descriptor; }
