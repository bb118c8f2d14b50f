/* Shared by the misbehaving fixtures: a plugin that passes every application, except that it
 * calls misbehave() when the application's id contains MARKER. */
#include <stdio.h>
#include <string.h>
#include "check_plugin.h"

static const char *const fixture_citations[] = { "wuwai-11-negative-list", NULL };

/* The root member "id" of the application (not NUL-terminated; `*length` bytes), or "" with
 * length 0 if it has none. */
static const char *application_id(const check_document *doc, size_t *length) {
    const check_node *root = &doc->nodes[0];
    uint32_t child = 1;
    for (uint32_t i = 0; i < root->count; i++) {
        const check_node *c = &doc->nodes[child];
        if (c->key_length == 2 && memcmp(doc->text + c->key_offset, "id", 2) == 0 && c->kind == CHECK_STRING) {
            *length = c->text_length;
            return (const char *)doc->text + c->text_offset;
        }
        child = c->end;
    }
    *length = 0;
    return "";
}

/* Whether the root member "id" of the application contains `marker`. */
static int id_contains(const check_document *doc, const char *marker) {
    size_t length;
    const char *text = application_id(doc, &length);
    char id[256];
    size_t n = length < 255 ? length : 255;
    memcpy(id, text, n);
    id[n] = 0;
    return strstr(id, marker) != NULL;
}

static int fixture_open(void *c, const check_open_args *a, void **s) { (void)c; (void)a; *s = NULL; return 0; }

/* The descriptor of a fixture with one rule, ID "/rule", and its entry point. */
#define FIXTURE_DESCRIPTOR(ID, FLAGS, OPEN, EVALUATE)                                               \
    static const check_rule_info fixture_rules[] = {                                               \
        { ID "/rule", "测试夹具", "Fixture", "测试用", "For tests", fixture_citations } };           \
    static const check_plugin fixture_descriptor = { CHECK_ABI_VERSION, sizeof(check_plugin), ID,  \
        "1.0.0", "测试夹具", "Fixture", NULL, 1, FLAGS, fixture_rules, NULL, OPEN, EVALUATE };       \
    const check_plugin *check_plugin_entry(void) { return &fixture_descriptor; }

#define FIXTURE_PLUGIN(ID, MARKER)                                                                  \
    static void misbehave(const check_request *request, const check_sink *sink);                   \
    static int fixture_evaluate(void *s, const check_request *r, const check_sink *k) {            \
        (void)s;                                                                                   \
        if (id_contains(r->application, MARKER)) misbehave(r, k);                                  \
        k->finding(k->context, ID "/rule", CHECK_PASS, "通过", "pass");                             \
        k->cite(k->context, "wuwai-11-negative-list");                                             \
        return 0;                                                                                  \
    }                                                                                              \
    FIXTURE_DESCRIPTOR(ID, 0, fixture_open, fixture_evaluate)
