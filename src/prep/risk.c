/* Risk assessments (P-1): per asset, threats on the 5×5 likelihood × impact
 * matrix with their treatment and owner, and the next review; earlier
 * assessments are kept. */
#include "prep_int.h"

#include <stdio.h>
#include <string.h>

static const char *const level_codes[] = {"low", "medium", "high", "extreme"};
static const char *const level_zhs[] = {"低", "中", "高", "极高"};

enum risk_level risk_level_of(int likelihood, int impact)
{
    int score = likelihood * impact;
    return score <= 4    ? RISK_LOW
           : score <= 9  ? RISK_MEDIUM
           : score <= 16 ? RISK_HIGH
                         : RISK_EXTREME;
}

const char *risk_level_code(enum risk_level l)
{
    return (unsigned)l <= RISK_EXTREME ? level_codes[l] : "low";
}

const char *risk_level_zh(enum risk_level l)
{
    return (unsigned)l <= RISK_EXTREME ? level_zhs[l] : "低";
}

int risk_assess(struct store *st, const struct user *as, const struct risk_assessment_new *in,
                char ref[RISK_REF_LEN], struct err *e)
{
    int rc = resp_allow(as, ACT_RISK_ASSESS, e);
    if (!rc)
        rc = prep_text("the asset", in->asset, 128, 1, 0, e);
    if (!rc && in->note && *in->note &&
        (strlen(in->note) > 8192 || !utf8_valid(in->note, strlen(in->note))))
        rc = err_set(e, ERR_INPUT, "the note is not UTF-8 text of at most 8192 bytes");
    if (!rc && (in->n_threats == 0 || in->n_threats > RISK_THREATS_MAX))
        rc = err_set(e, ERR_USAGE, "an assessment names 1 to %d threats", RISK_THREATS_MAX);
    for (size_t i = 0; !rc && i < in->n_threats; i++) {
        const struct risk_threat *t = &in->threats[i];
        char what[64];
        snprintf(what, sizeof what, "threat %zu", i + 1);
        rc = prep_text(what, t->threat, 512, 1, 0, e);
        if (!rc && (t->likelihood < 1 || t->likelihood > 5 || t->impact < 1 || t->impact > 5))
            rc = err_set(e, ERR_INPUT, "threat %zu: likelihood and impact are 1 to 5", i + 1);
        snprintf(what, sizeof what, "threat %zu's treatment", i + 1);
        if (!rc)
            rc = prep_text(what, t->treatment, 1024, 1, 0, e);
        snprintf(what, sizeof what, "threat %zu's owner", i + 1);
        if (!rc)
            rc = prep_text(what, t->owner, 128, 1, 0, e);
    }
    int64_t now = time_now_ms();
    if (!rc && in->next_review_at <= now)
        rc = err_set(e, ERR_INPUT, "the next review must lie in the future");
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t seq = 0;
    rc = store_query_int(st, e, &seq, "SELECT coalesce(max(id), 0) + 1 FROM risk_assessments", "");
    snprintf(ref, RISK_REF_LEN, "RSK-%04lld", (long long)seq);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO risk_assessments (ref, asset, note, next_review_at, "
                        "assessed_by, assessed_at) VALUES (?, ?, ?, ?, ?, ?)",
                        "sssIsI", ref, in->asset, in->note ? in->note : "", in->next_review_at,
                        as->name, now);
    int64_t id = store_last_id(st);
    enum risk_level worst = RISK_LOW;
    for (size_t i = 0; !rc && i < in->n_threats; i++) {
        const struct risk_threat *t = &in->threats[i];
        enum risk_level l = risk_level_of(t->likelihood, t->impact);
        if (l > worst)
            worst = l;
        rc = store_exec(st, e,
                        "INSERT INTO risks (assessment_id, threat, likelihood, impact, level, "
                        "treatment, owner) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "Isiisss", id, t->threat, t->likelihood, t->impact, risk_level_code(l),
                        t->treatment, t->owner);
    }
    if (!rc)
        rc = audit_append_take(st, as->name, "risk.assess", ref,
                               json_pack("{s:s, s:i, s:s}", "asset", in->asset, "threats",
                                         (int)in->n_threats, "worst", risk_level_code(worst)),
                               e);
    return prep_finish(st, rc, e);
}

/* An assessment's row (id, ref, asset, note, next_review_at, assessed_by,
 * assessed_at) with its threats and its worst risk. */
static int assessment_json(struct store *st, sqlite3_stmt *q, json_t **out, struct err *e)
{
    int64_t id = sqlite3_column_int64(q, 0);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:o, s:s, s:o}", "ref", store_col_text(q, 1), "asset",
                  store_col_text(q, 2), "note", store_col_text(q, 3), "next_review",
                  prep_time_json(sqlite3_column_int64(q, 4)), "assessed_by", store_col_text(q, 5),
                  "assessed_at", prep_time_json(sqlite3_column_int64(q, 6)));
    sqlite3_stmt *r;
    int rc = store_query(st, e, &r,
                         "SELECT threat, likelihood, impact, level, treatment, owner FROM risks "
                         "WHERE assessment_id = ? ORDER BY likelihood * impact DESC, id",
                         "I", id);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *threats = json_array();
    enum risk_level worst = RISK_LOW;
    while ((rc = store_step(st, r, e)) == 1) {
        int l = sqlite3_column_int(r, 1), i = sqlite3_column_int(r, 2);
        enum risk_level lv = risk_level_of(l, i);
        if (lv > worst)
            worst = lv;
        json_array_append_new(
            threats, json_pack("{s:s, s:i, s:i, s:i, s:s, s:s, s:s, s:s}", "threat",
                               store_col_text(r, 0), "likelihood", l, "impact", i, "score", l * i,
                               "level", risk_level_code(lv), "level_zh", risk_level_zh(lv),
                               "treatment", store_col_text(r, 4), "owner", store_col_text(r, 5)));
    }
    store_finish(r);
    if (rc < 0) {
        json_decref(o);
        json_decref(threats);
        return rc;
    }
    json_object_set_new(o, "threats", threats);
    json_object_set_new(o, "worst", json_string(risk_level_code(worst)));
    *out = o;
    return 0;
}

#define RISK_COLUMNS                                                                               \
    "id, ref, asset, note, next_review_at, assessed_by, assessed_at FROM risk_assessments "

int risk_list_json(struct store *st, const struct user *as, const char *asset, json_t **out,
                   struct err *e)
{
    (void)as; /* every signed-in role may read the assessments */
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT " RISK_COLUMNS "WHERE (?1 IS NULL AND id IN (SELECT max(id) FROM "
                         "risk_assessments GROUP BY asset)) OR asset = ?1 ORDER BY asset, id DESC",
                         "s", asset);
    if (rc)
        return rc;
    json_t *items = json_array();
    while (!rc && (rc = store_step(st, q, e)) == 1) {
        json_t *o = NULL;
        rc = assessment_json(st, q, &o, e);
        if (!rc)
            json_array_append_new(items, o);
    }
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int risk_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                   struct err *e)
{
    (void)as;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " RISK_COLUMNS "WHERE ref = ?", "s", ref);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1)
        rc = assessment_json(st, q, out, e);
    else if (rc == 0)
        rc = err_set(e, ERR_NOTFOUND, "no risk assessment %.20s", ref);
    store_finish(q);
    return rc;
}
