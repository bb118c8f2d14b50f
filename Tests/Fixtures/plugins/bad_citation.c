/* A plugin whose rule cites a clause that is not in the rule data: refused at load. */
#include <stddef.h>
#include "check_plugin.h"
static const char *const citations[] = { "no-such-clause", NULL };
static const check_rule_info rules[] = { { "bad-citation/rule", "坏引用", "Bad citation", "无", "None", citations } };
static int open_plugin(void *c, const check_open_args *a, void **s) { (void)c; (void)a; *s = NULL; return 0; }
static int evaluate(void *s, const check_request *r, const check_sink *k) { (void)s; (void)r; (void)k; return 0; }
static const check_plugin descriptor = { CHECK_ABI_VERSION, sizeof(check_plugin), "bad-citation", "1.0.0", "坏引用", "Bad citation",
    NULL, 1, 0, rules, NULL, open_plugin, evaluate };
const check_plugin *check_plugin_entry(void) { return &descriptor; }
