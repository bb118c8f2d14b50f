/*
 * investor-shares: an example check plugin written in C, against check_plugin.h only.
 *
 * Rule investor-shares/total: the investors' sharePercent values must add up to 100 %, since
 * the negative list's shareholding conditions (中方控股, 中方股比不低于34% ...) are computed
 * from them. Pass when they do; review when a share is missing or the total is not 100.
 *
 * It reads the application through the document tape the host parsed (no JSON parsing here)
 * and reports through the host's sink. Build: see build.sh; it is never loaded by default.
 */
#include <stdio.h>
#include <string.h>
#include "check_plugin.h"

static const char *const citations[] = { "wuwai-11-negative-list", NULL };

static const check_rule_info rules[] = {
    { "investor-shares/total", "投资方持股比例合计", "Investor shares add up",
      "各投资方 sharePercent 合计应为100%；缺失或合计不为100%时需人工审核。",
      "The investors' sharePercent values should add up to 100 %; review when one is missing or the total is not 100.",
      citations },
};

static const char *const no_datasets[] = { NULL };

/* The member `name` of object node `object`, or CHECK_NONE. */
static uint32_t member(const check_document *doc, uint32_t object, const char *name) {
    const check_node *node = &doc->nodes[object];
    if (node->kind != CHECK_OBJECT) return CHECK_NONE;
    size_t length = strlen(name);
    uint32_t child = object + 1;
    for (uint32_t i = 0; i < node->count; i++) {
        const check_node *c = &doc->nodes[child];
        if (c->key_length == length && memcmp(doc->text + c->key_offset, name, length) == 0) return child;
        child = c->end;
    }
    return CHECK_NONE;
}

static int open_plugin(void *context, const check_open_args *args, void **state) {
    (void)context; (void)args;
    *state = NULL; /* no state: the rule needs no rule data */
    return 0;
}

static int evaluate(void *state, const check_request *request, const check_sink *sink) {
    (void)state;
    const check_document *doc = request->application;
    uint32_t investors = member(doc, 0, "investors");
    if (investors == CHECK_NONE || doc->nodes[investors].kind != CHECK_ARRAY) return 1;

    double total = 0;
    int missing = 0;
    uint32_t shares[64];
    uint32_t share_count = 0;
    uint32_t child = investors + 1;
    for (uint32_t i = 0; i < doc->nodes[investors].count; i++) {
        uint32_t share = member(doc, child, "sharePercent");
        if (share == CHECK_NONE || doc->nodes[share].kind != CHECK_NUMBER) {
            missing++;
        } else {
            total += doc->nodes[share].number;
            if (share_count < 64) shares[share_count++] = share;
        }
        child = doc->nodes[child].end;
    }

    char zh[512], en[512], value[64];
    uint32_t verdict;
    if (missing > 0) {
        verdict = CHECK_REVIEW;
        snprintf(zh, sizeof zh, "有 %d 个投资方未申报持股比例（sharePercent），无法核对股权结构；请补充。", missing);
        snprintf(en, sizeof en, "%d investor(s) declare no sharePercent, so the shareholding cannot be checked; add them.", missing);
    } else if (total > 99.99 && total < 100.01) {
        verdict = CHECK_PASS;
        snprintf(zh, sizeof zh, "各投资方持股比例合计为100%%。");
        snprintf(en, sizeof en, "The investors' shares add up to 100%%.");
    } else {
        verdict = CHECK_REVIEW;
        snprintf(zh, sizeof zh, "各投资方持股比例合计为 %.2f%%，不是100%%；负面清单的股权条件依据这些比例计算，请核对后更正。", total);
        snprintf(en, sizeof en, "The investors' shares add up to %.2f%%, not 100%%; the negative list's shareholding conditions are computed from them, so check and correct them.", total);
    }
    /* Only the languages the host will report are needed (0: a host older than the field,
     * which wants both); the other may be NULL. Both are built above because snprintf is cheap. */
    uint32_t languages = request->message_languages ? request->message_languages : CHECK_MESSAGE_ZH | CHECK_MESSAGE_EN;
    sink->finding(sink->context, "investor-shares/total", verdict,
                  (languages & CHECK_MESSAGE_ZH) ? zh : NULL, (languages & CHECK_MESSAGE_EN) ? en : NULL);
    for (uint32_t i = 0; i < share_count; i++) sink->evidence(sink->context, shares[i]);
    snprintf(value, sizeof value, "%.2f%%", total);
    sink->evidence_derived(sink->context, "total of sharePercent", value);
    sink->cite(sink->context, "wuwai-11-negative-list");
    return 0;
}

static const check_plugin descriptor = {
    .abi_version = CHECK_ABI_VERSION,
    .struct_size = sizeof(check_plugin),
    .id = "investor-shares",
    .version = "1.0.0",
    .title_zh = "投资方持股比例核对（C 语言示例插件）",
    .title_en = "Investor shares (example plugin in C)",
    .datasets = no_datasets,
    .rule_count = 1,
    .rules = rules,
    .context = NULL,
    .open = open_plugin,
    .evaluate = evaluate,
};

const check_plugin *check_plugin_entry(void) { return &descriptor; }
