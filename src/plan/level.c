/* Levels (L-1), warning colours (W-1) and the level rules (L-2). The rules
 * are documented, in the plan's terms, in docs/levels.md. */
#include "plan.h"

#include <stdio.h>
#include <string.h>

static const char *const level_codes[] = {"", "I", "II", "III", "IV"};
static const char *const level_zhs[] = {"待定级", "特别重大", "重大", "较大", "一般"};
static const char *const level_ens[] = {"ungraded", "extraordinarily serious", "serious",
                                        "relatively serious", "general"};

const char *level_code(enum level l)
{
    return (unsigned)l <= LEVEL_IV ? level_codes[l] : "";
}

const char *level_zh(enum level l)
{
    return (unsigned)l <= LEVEL_IV ? level_zhs[l] : level_zhs[0];
}

const char *level_en(enum level l)
{
    return (unsigned)l <= LEVEL_IV ? level_ens[l] : level_ens[0];
}

int level_parse(const char *s, enum level *out)
{
    for (int i = LEVEL_I; i <= LEVEL_IV; i++) {
        if (strcmp(s, level_codes[i]) == 0) {
            *out = (enum level)i;
            return 0;
        }
    }
    return -1;
}

int level_above(enum level a, enum level b)
{
    if (a == LEVEL_NONE)
        return 0;
    return b == LEVEL_NONE || a < b;
}

static const char *const colour_codes[] = {"", "red", "orange", "yellow", "blue"};
static const char *const colour_zhs[] = {"", "红色", "橙色", "黄色", "蓝色"};

const char *colour_code(enum colour c)
{
    return (unsigned)c <= COLOUR_BLUE ? colour_codes[c] : "";
}

const char *colour_zh(enum colour c)
{
    return (unsigned)c <= COLOUR_BLUE ? colour_zhs[c] : "";
}

int colour_parse(const char *s, enum colour *out)
{
    for (int i = COLOUR_RED; i <= COLOUR_BLUE; i++) {
        if (strcmp(s, colour_codes[i]) == 0) {
            *out = (enum colour)i;
            return 0;
        }
    }
    return -1;
}

/* The numbering of levels and colours is the same on purpose: I is red. */
enum colour colour_for_level(enum level l)
{
    return (enum colour)l;
}

enum level level_for_colour(enum colour c)
{
    return (enum level)c;
}

/* ---- assets ------------------------------------------------------------ */

static const char *const kind_codes[] = {"portal", "oa", "server", "database", "domain", "other"};
static const char *const kind_zhs[] = {"门户网站", "OA系统", "服务器", "数据库", "域名", "系统"};
static const char *const importance_codes[] = {"core", "important", "general"};
static const char *const state_codes[] = {"ok", "degraded", "down", "tampered", "leaked", "lost"};

#define PARSE_TABLE(fn, type, table)                                                               \
    int fn(const char *s, type *out)                                                               \
    {                                                                                              \
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {                            \
            if (strcmp(s, table[i]) == 0) {                                                        \
                *out = (type)i;                                                                    \
                return 0;                                                                          \
            }                                                                                      \
        }                                                                                          \
        return -1;                                                                                 \
    }

PARSE_TABLE(asset_kind_parse, enum asset_kind, kind_codes)
PARSE_TABLE(asset_importance_parse, enum asset_importance, importance_codes)
PARSE_TABLE(asset_state_parse, enum asset_state, state_codes)

const char *asset_kind_code(enum asset_kind k)
{
    return (unsigned)k <= ASSET_OTHER ? kind_codes[k] : "other";
}

const char *asset_importance_code(enum asset_importance i)
{
    return (unsigned)i <= IMPORTANCE_GENERAL ? importance_codes[i] : "general";
}

const char *asset_state_code(enum asset_state s)
{
    return (unsigned)s <= STATE_LOST ? state_codes[s] : "ok";
}

/* ---- level rules (L-2) --------------------------------------------------- */

void level_thresholds_default(struct level_thresholds *t)
{
    t->down_long_min = 120;
    t->degraded_long_min = 60;
    t->records_iii = 1000000;
    t->records_ii = 10000000;
    t->records_i = 100000000;
}

/* The portal and the OA system are the systems the plan's levels speak of;
 * an asset marked core counts with them. */
static int is_core(const struct impact_asset *a)
{
    return a->kind == ASSET_PORTAL || a->kind == ASSET_OA || a->importance == IMPORTANCE_CORE;
}

static const char *asset_label(const struct impact_asset *a)
{
    return a->name && a->name[0] ? a->name : kind_zhs[a->kind <= ASSET_OTHER ? a->kind : 5];
}

static struct level_reason *add_reason(struct level_assessment *out, const char *rule,
                                       enum level level)
{
    if (out->n_reasons >= LEVEL_MAX_REASONS)
        return NULL;
    struct level_reason *r = &out->reasons[out->n_reasons++];
    r->rule = rule;
    r->level = level;
    if (level_above(level, out->level) || out->level == LEVEL_NONE)
        out->level = level;
    return r;
}

static void rule_both_down(const struct impact *im, struct level_assessment *out)
{
    const struct impact_asset *portal = NULL, *oa = NULL;
    for (size_t i = 0; i < im->n_assets; i++) {
        const struct impact_asset *a = &im->assets[i];
        if (a->state != STATE_DOWN)
            continue;
        if (a->kind == ASSET_PORTAL)
            portal = a;
        if (a->kind == ASSET_OA)
            oa = a;
    }
    if (!portal || !oa)
        return;
    struct level_reason *r = add_reason(out, "both-core-down", LEVEL_I);
    if (!r)
        return;
    snprintf(r->zh, sizeof(r->zh), "%s和%s均无法提供服务，丧失业务能力（预案第三章：特别重大）",
             asset_label(portal), asset_label(oa));
    snprintf(r->en, sizeof(r->en),
             "%s and %s are both down: the ability to do business is lost (plan §3: I)",
             asset_label(portal), asset_label(oa));
}

static void rule_core_state(const struct impact *im, const struct level_thresholds *t,
                            struct level_assessment *out)
{
    for (size_t i = 0; i < im->n_assets; i++) {
        const struct impact_asset *a = &im->assets[i];
        if (!is_core(a))
            continue;
        const char *n = asset_label(a);
        long long min = (long long)a->duration_min;
        struct level_reason *r = NULL;
        if (a->state == STATE_DOWN && a->duration_min >= t->down_long_min) {
            if ((r = add_reason(out, "core-down-long", LEVEL_II))) {
                snprintf(r->zh, sizeof(r->zh),
                         "%s中断 %lld 分钟（不少于 %lld 分钟），业务能力受到极大影响"
                         "（预案第三章：重大）",
                         n, min, (long long)t->down_long_min);
                snprintf(r->en, sizeof(r->en),
                         "%s down for %lld min (at least %lld): business capability greatly "
                         "affected (plan §3: II)",
                         n, min, (long long)t->down_long_min);
            }
        } else if (a->state == STATE_DOWN) {
            if ((r = add_reason(out, "core-down", LEVEL_III))) {
                snprintf(r->zh, sizeof(r->zh),
                         "%s中断 %lld 分钟，工作效率明显受到影响（预案第三章：较大）", n, min);
                snprintf(r->en, sizeof(r->en),
                         "%s interrupted for %lld min: efficiency clearly affected (plan §3: III)",
                         n, min);
            }
        } else if (a->state == STATE_DEGRADED && a->duration_min >= t->degraded_long_min) {
            if ((r = add_reason(out, "core-degraded-long", LEVEL_III))) {
                snprintf(r->zh, sizeof(r->zh),
                         "%s部分功能受损 %lld 分钟（不少于 %lld 分钟），工作效率明显受到影响"
                         "（预案第三章：较大）",
                         n, min, (long long)t->degraded_long_min);
                snprintf(r->en, sizeof(r->en),
                         "%s degraded for %lld min (at least %lld): efficiency clearly affected "
                         "(plan §3: III)",
                         n, min, (long long)t->degraded_long_min);
            }
        } else if (a->state == STATE_TAMPERED && im->is_public) {
            if ((r = add_reason(out, "core-tampered-public", LEVEL_III))) {
                snprintf(r->zh, sizeof(r->zh),
                         "%s被篡改且公众可见，造成较大损失和影响（预案第三章：较大）", n);
                snprintf(r->en, sizeof(r->en),
                         "%s tampered with and visible to the public (plan §3: III)", n);
            }
        } else if (a->state == STATE_LEAKED || a->state == STATE_LOST) {
            if ((r = add_reason(out, "core-data-compromised", LEVEL_III))) {
                snprintf(r->zh, sizeof(r->zh), "%s数据%s，造成较大损失（预案第三章：较大）", n,
                         a->state == STATE_LEAKED ? "泄露" : "丢失");
                snprintf(r->en, sizeof(r->en), "data of %s %s (plan §3: III)", n,
                         a->state == STATE_LEAKED ? "leaked" : "lost");
            }
        }
    }
}

static void rule_records(const struct impact *im, const struct level_thresholds *t,
                         struct level_assessment *out)
{
    static const struct {
        const char *rule;
        enum level level;
    } steps[] = {{"records-i", LEVEL_I}, {"records-ii", LEVEL_II}, {"records-iii", LEVEL_III}};
    int64_t limits[] = {t->records_i, t->records_ii, t->records_iii};
    for (size_t i = 0; i < 3; i++) {
        if (im->personal_records < limits[i])
            continue;
        struct level_reason *r = add_reason(out, steps[i].rule, steps[i].level);
        if (!r)
            return;
        snprintf(r->zh, sizeof(r->zh),
                 "个人信息泄露或丢失 %lld 条，达到 %lld 条的%s级门槛（国家网络安全事件分级）",
                 (long long)im->personal_records, (long long)limits[i], level_code(steps[i].level));
        snprintf(r->en, sizeof(r->en),
                 "%lld personal records leaked or lost, at least the level %s threshold of %lld "
                 "(national grading)",
                 (long long)im->personal_records, level_code(steps[i].level), (long long)limits[i]);
        return; /* the highest step reached is enough */
    }
}

void level_assess(const struct impact *im, const struct level_thresholds *t,
                  struct level_assessment *out)
{
    memset(out, 0, sizeof(*out));
    rule_both_down(im, out);
    rule_core_state(im, t, out);
    rule_records(im, t, out);
    if (out->n_reasons > 0)
        return;
    int any = im->personal_records > 0 || im->pages_tampered > 0;
    for (size_t i = 0; i < im->n_assets; i++)
        any |= im->assets[i].state != STATE_OK;
    struct level_reason *r = add_reason(out, any ? "some-impact" : "no-impact-facts", LEVEL_IV);
    if (any) {
        snprintf(r->zh, sizeof(r->zh),
                 "对门户网站和OA系统造成威胁或一定影响，未达到较大及以上标准（预案第三章：一般）");
        snprintf(r->en, sizeof(r->en),
                 "a threat or some impact, below the level III rules (plan §3: IV)");
    } else {
        snprintf(r->zh, sizeof(r->zh), "尚无影响事实，暂按一般事件处理，待研判");
        snprintf(r->en, sizeof(r->en), "no impact facts yet: general (IV) until assessed");
    }
}
