/*
 * investor-shares: an example check plugin written in C, against check_plugin.h only.
 *
 * Rule investor-shares/total: the investors' sharePercent values must add up to 100 %, since
 * the negative list's shareholding conditions (中方控股, 中方股比不低于34% ...) are computed
 * from them. Pass when they do, exactly (shares are decimals: 99.99 or 100.01 is not 100); review
 * when a share is missing or the total is not 100.
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

/* Shares are exact decimals (SPEC §3): the number's source text, not its double, is read into
 * billionths of a per cent (nine digits after the point; a share of at most 100 fits easily).
 * Returns 0 and sets *out, or -1 when the text has an exponent or more than nine decimals. */
#define SCALE 1000000000LL
static int read_share(const check_document *doc, uint32_t node, long long *out) {
    const char *text = (const char *)doc->text + doc->nodes[node].text_offset;
    uint32_t length = doc->nodes[node].text_length, i = 0;
    long long whole = 0, fraction = 0, unit = SCALE;
    int negative = length > 0 && text[0] == '-';
    if (negative) i++;
    for (; i < length && text[i] >= '0' && text[i] <= '9'; i++) {
        whole = whole * 10 + (text[i] - '0');
        if (whole > 1000000) return -1;
    }
    if (i < length && text[i] == '.') {
        for (i++; i < length && text[i] >= '0' && text[i] <= '9'; i++) {
            if (unit == 1) { if (text[i] != '0') return -1; continue; }
            unit /= 10;
            fraction += (text[i] - '0') * unit;
        }
    }
    if (i != length) return -1; /* an exponent: not handled by this small example */
    *out = (negative ? -1 : 1) * (whole * SCALE + fraction);
    return 0;
}

/* Writes `value` (billionths of a per cent) as a decimal without trailing zeros, e.g. "99.99". */
static void format_share(long long value, char *buffer, size_t size) {
    long long whole = value / SCALE, fraction = value % SCALE;
    if (fraction < 0) fraction = -fraction;
    if (fraction == 0) { snprintf(buffer, size, "%lld", whole); return; }
    char digits[16];
    snprintf(digits, sizeof digits, "%09lld", fraction);
    for (int end = 8; end > 0 && digits[end] == '0'; end--) digits[end] = 0;
    snprintf(buffer, size, "%lld.%s", whole, digits);
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

    long long total = 0;
    int missing = 0, inexact = 0;
    uint32_t shares[64];
    uint32_t share_count = 0;
    uint32_t child = investors + 1;
    for (uint32_t i = 0; i < doc->nodes[investors].count; i++) {
        uint32_t share = member(doc, child, "sharePercent");
        if (share == CHECK_NONE || doc->nodes[share].kind != CHECK_NUMBER) {
            missing++;
        } else {
            long long value;
            if (read_share(doc, share, &value) == 0) total += value; else inexact++;
            if (share_count < 64) shares[share_count++] = share;
        }
        child = doc->nodes[child].end;
    }

    char zh[512], en[512], value[64], shown[48];
    format_share(total, shown, sizeof shown);
    uint32_t verdict;
    if (inexact > 0) {
        verdict = CHECK_REVIEW;
        snprintf(zh, sizeof zh, "有 %d 个投资方的持股比例超过九位小数或以指数形式书写，本插件无法精确合计；请人工核对。", inexact);
        snprintf(en, sizeof en, "%d investor(s) declare a share with more than nine decimals or an exponent, which this plugin cannot total exactly; check by hand.", inexact);
    } else if (missing > 0) {
        verdict = CHECK_REVIEW;
        snprintf(zh, sizeof zh, "有 %d 个投资方未申报持股比例（sharePercent），无法核对股权结构；请补充。", missing);
        snprintf(en, sizeof en, "%d investor(s) declare no sharePercent, so the shareholding cannot be checked; add them.", missing);
    } else if (total == 100 * SCALE) {
        verdict = CHECK_PASS;
        snprintf(zh, sizeof zh, "各投资方持股比例合计为100%%。");
        snprintf(en, sizeof en, "The investors' shares add up to 100%%.");
    } else {
        verdict = CHECK_REVIEW;
        snprintf(zh, sizeof zh, "各投资方持股比例合计为 %s%%，不是100%%；负面清单的股权条件依据这些比例计算，请核对后更正。", shown);
        snprintf(en, sizeof en, "The investors' shares add up to %s%%, not 100%%; the negative list's shareholding conditions are computed from them, so check and correct them.", shown);
    }
    /* Only the languages the host will report are needed (0: a host older than the field,
     * which wants both); the other may be NULL. Both are built above because snprintf is cheap. */
    uint32_t languages = request->message_languages ? request->message_languages : CHECK_MESSAGE_ZH | CHECK_MESSAGE_EN;
    sink->finding(sink->context, "investor-shares/total", verdict,
                  (languages & CHECK_MESSAGE_ZH) ? zh : NULL, (languages & CHECK_MESSAGE_EN) ? en : NULL);
    for (uint32_t i = 0; i < share_count; i++) sink->evidence(sink->context, shares[i]);
    snprintf(value, sizeof value, "%s%%", shown);
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
    .flags = CHECK_PLUGIN_THREAD_SAFE, /* evaluate keeps everything on its own stack */
    .rules = rules,
    .context = NULL,
    .open = open_plugin,
    .evaluate = evaluate,
};

const check_plugin *check_plugin_entry(void) { return &descriptor; }
