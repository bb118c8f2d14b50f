/* A plugin that loads fine but breaks the contract while evaluating: an undeclared rule, an
 * out-of-range evidence node, an unknown citation, a NULL message in a language the host
 * asked for, messages that are not UTF-8 or empty, and evidence after a refused finding. The
 * host must turn this into `error`, keeping the one finding reported correctly. */
#include <stddef.h>
#include "check_plugin.h"
static const char *const citations[] = { "wuwai-11-negative-list", NULL };
static const check_rule_info rules[] = { { "misbehaving/rule", "违约", "Misbehaving", "无", "None", citations } };
static int open_plugin(void *c, const check_open_args *a, void **s) { (void)c; (void)a; *s = NULL; return 0; }
static int evaluate(void *s, const check_request *r, const check_sink *k) {
    (void)s;
    k->finding(k->context, "misbehaving/undeclared", CHECK_PASS, "通过", "pass");
    k->finding(k->context, "misbehaving/rule", CHECK_PASS, "通过", "pass");
    k->evidence(k->context, r->application->node_count + 5);
    k->cite(k->context, "no-such-clause");
    k->cite(k->context, "wuwai-11-negative-list");
    k->cite(k->context, "wuwai-11-negative-list");
    k->finding(k->context, "misbehaving/rule", CHECK_PASS, "通过", r->message_languages & CHECK_MESSAGE_EN ? NULL : "pass");
    k->finding(k->context, "misbehaving/rule", CHECK_PASS, "\xE9\x80", "pa\xC3\x28ss");
    k->evidence(k->context, 0);
    k->finding(k->context, "misbehaving/rule", CHECK_PASS, "", "");
    return 0;
}
static const check_plugin descriptor = { CHECK_ABI_VERSION, sizeof(check_plugin), "misbehaving", "1.0.0", "违约", "Misbehaving",
    NULL, 1, 0, rules, NULL, open_plugin, evaluate };
const check_plugin *check_plugin_entry(void) { return &descriptor; }
