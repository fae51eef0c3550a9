/* Drills (P-3, G-4): a plan in the forms of GB/T 38645-2020 with a scenario
 * script whose timed injections are fed, once the drill starts, through the
 * real intake and triage — marked as the drill's, so they group only among
 * themselves and their incidents and warnings are drills (never reported
 * upward, told only to the participants). The report reads what people did
 * from the records the response left, and compares it with the plan's
 * deadlines; findings become actions with an owner and a deadline. */
#include "../events/events.h"
#include "prep_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const forms[] = {"tabletop", "hands-on", "demonstration", NULL};
static const char *const scopes[] = {"single", "joint", NULL};
static const char *const kinds[] = {"comprehensive", "special", NULL};
static const char *const forms_zh[] = {"桌面推演", "实战演练", "示范演练"};
static const char *const kinds_zh[] = {"综合演练", "专项演练"};

static int one_of(const char *s, const char *const *list)
{
    for (int i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return i;
    return -1;
}

/* ---- the scenario script --------------------------------------------------- */

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* The next whitespace-separated word of [p, end) into out (at most cap-1 bytes). */
static const char *word(const char *p, const char *end, char *out, size_t cap, int *too_long)
{
    p = skip_space(p, end);
    size_t n = 0;
    *too_long = 0;
    while (p < end && *p != ' ' && *p != '\t') {
        if (n + 1 < cap)
            out[n++] = *p;
        else
            *too_long = 1;
        p++;
    }
    out[n] = '\0';
    return p;
}

int drill_script_parse(const char *text, size_t len, struct drill_step *steps, int max, int *n,
                       struct err *e)
{
    *n = 0;
    if (len > DRILL_SCRIPT_MAX)
        return err_set(e, ERR_TOOBIG, "the script is larger than %d bytes", DRILL_SCRIPT_MAX);
    if (!utf8_valid(text, len))
        return err_set(e, ERR_INPUT, "the script is not UTF-8 text");
    const char *p = text, *end = text + len;
    for (int line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        if (le > p && le[-1] == '\r')
            le--;
        const char *s = skip_space(p, le);
        p = next;
        if (s == le || *s == '#')
            continue;
        if (le - s > 2048)
            return err_set(e, ERR_INPUT, "script line %d is longer than 2048 bytes", line);
        if (*n >= max)
            return err_set(e, ERR_INPUT, "the script has more than %d injections", max);
        struct drill_step *st = &steps[*n];
        memset(st, 0, sizeof *st);
        char at[32], state[16];
        int long_word = 0, lw;
        s = word(s, le, at, sizeof at, &lw);
        long_word |= lw;
        s = word(s, le, st->asset, sizeof st->asset, &lw);
        long_word |= lw;
        s = word(s, le, st->category, sizeof st->category, &lw);
        long_word |= lw;
        s = word(s, le, state, sizeof state, &lw);
        long_word |= lw;
        s = skip_space(s, le);
        if (long_word)
            return err_set(e, ERR_INPUT, "script line %d: a field is too long", line);
        /* T+0, T+90s, T+5m, T+1h */
        char *num_end;
        long long v = (at[0] == 'T' && at[1] == '+') ? strtoll(at + 2, &num_end, 10) : -1;
        long long unit = v < 0 || num_end == at + 2               ? 0
                         : !*num_end || strcmp(num_end, "s") == 0 ? 1
                         : strcmp(num_end, "m") == 0              ? 60
                         : strcmp(num_end, "h") == 0              ? 3600
                                                                  : 0;
        if (!unit || v > 24 * 3600 || v * unit > 24 * 3600)
            return err_set(e, ERR_INPUT,
                           "script line %d: '%.20s' is not a time like T+0, T+90s, T+5m, T+1h "
                           "(at most a day)",
                           line, at);
        st->offset_s = v * unit;
        if (!st->asset[0] || !st->category[0] || !state[0] || s == le)
            return err_set(e, ERR_INPUT,
                           "script line %d: want 'T+TIME ASSET|- CATEGORY STATE|- WHAT HAPPENS'",
                           line);
        if (strcmp(st->asset, "-") == 0)
            st->asset[0] = '\0';
        const struct category *cat;
        const struct subcategory *sub;
        if (category_parse(st->category, &cat, &sub) != 0)
            return err_set(e, ERR_INPUT, "script line %d: '%.60s' is not a plan category", line,
                           st->category);
        enum asset_state as;
        if (strcmp(state, "-") != 0 && asset_state_parse(state, &as) != 0)
            return err_set(e, ERR_INPUT, "script line %d: '%.15s' is not an asset state", line,
                           state);
        snprintf(st->state, sizeof st->state, "%s", strcmp(state, "-") ? state : "");
        size_t sl = (size_t)(le - s);
        if (sl >= sizeof st->summary || !text_is_clean(s, sl))
            return err_set(e, ERR_INPUT,
                           "script line %d: what happens is not one line of up to "
                           "%zu bytes",
                           line, sizeof st->summary - 1);
        memcpy(st->summary, s, sl);
        st->summary[sl] = '\0';
        (*n)++;
    }
    if (*n == 0)
        return err_set(e, ERR_INPUT, "the script has no injection");
    return 0;
}

/* ---- plans ---------------------------------------------------------------------- */

int drill_add(struct store *st, const struct user *as, const struct drill_new *in,
              char ref[DRILL_REF_LEN], struct err *e)
{
    int rc = resp_allow(as, ACT_DRILL_MANAGE, e);
    if (!rc)
        rc = prep_text("the title", in->title, 256, 1, 0, e);
    if (!rc && (one_of(in->form, forms) < 0 || one_of(in->scope, scopes) < 0 ||
                one_of(in->kind, kinds) < 0))
        rc = err_set(e, ERR_USAGE,
                     "a drill's form is tabletop, hands-on or demonstration; its "
                     "scope single or joint; its kind comprehensive or special");
    if (!rc && !in->planned_at)
        rc = err_set(e, ERR_USAGE, "a drill needs its planned time");
    if (!rc && (in->n_participants < 1 || in->n_participants > DRILL_PARTICIPANTS_MAX))
        rc = err_set(e, ERR_USAGE, "a drill has 1 to %d participants", DRILL_PARTICIPANTS_MAX);
    struct drill_step *steps = NULL;
    int n = 0;
    if (!rc && !(steps = calloc(DRILL_STEPS_MAX, sizeof *steps)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc)
        rc = drill_script_parse(in->script ? in->script : "", in->script ? strlen(in->script) : 0,
                                steps, DRILL_STEPS_MAX, &n, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc) {
        free(steps);
        return rc;
    }
    int64_t seq = 0, now = time_now_ms();
    rc = store_query_int(st, e, &seq, "SELECT coalesce(max(id), 0) + 1 FROM drills", "");
    snprintf(ref, DRILL_REF_LEN, "DRL-%04lld", (long long)seq);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO drills (ref, title, form, scope, kind, planned_at, script, "
                        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "sssssIssI", ref, in->title, in->form, in->scope, in->kind, in->planned_at,
                        in->script, as->name, now);
    int64_t id = store_last_id(st);
    for (size_t i = 0; !rc && i < in->n_participants; i++) {
        struct user u;
        rc = actor_load(st, in->participants[i], &u, e);
        if (!rc)
            rc = store_exec(st, e,
                            "INSERT OR IGNORE INTO drill_participants (drill_id, user_name) "
                            "VALUES (?, ?)",
                            "Is", id, u.name);
    }
    for (int i = 0; !rc && i < n; i++)
        rc = store_exec(st, e,
                        "INSERT INTO drill_injections (drill_id, pos, offset_s, asset, category, "
                        "state, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "IiIssss", id, i + 1, steps[i].offset_s, steps[i].asset, steps[i].category,
                        steps[i].state, steps[i].summary);
    free(steps);
    if (!rc)
        rc = audit_append_take(st, as->name, "drill.add", ref,
                               json_pack("{s:s, s:s, s:s, s:s, s:i}", "title", in->title, "form",
                                         in->form, "scope", in->scope, "kind", in->kind,
                                         "injections", n),
                               e);
    return prep_finish(st, rc, e);
}

static int drill_id_of(struct store *st, const char *ref, char status[16], int64_t *id,
                       struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT id, status FROM drills WHERE ref = ?", "s", ref);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        *id = sqlite3_column_int64(q, 0);
        snprintf(status, 16, "%s", store_col_text(q, 1));
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "no drill %.20s", ref);
    }
    store_finish(q);
    return rc;
}

/* planned → running (started_at) → finished (finished_at) */
static int drill_move(struct store *st, const struct user *as, const char *ref, const char *from,
                      const char *to, const char *action, struct err *e)
{
    int rc = resp_allow(as, ACT_DRILL_MANAGE, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    char status[16];
    int64_t id = 0, now = time_now_ms();
    int starting = strcmp(to, "running") == 0;
    rc = drill_id_of(st, ref, status, &id, e);
    if (!rc && strcmp(status, from) != 0)
        rc = err_set(e, ERR_CONFLICT, "drill %s is %s, not %s", ref, status, from);
    if (!rc)
        rc = store_exec(st, e,
                        starting ? "UPDATE drills SET status = ?, started_at = ? WHERE id = ?"
                                 : "UPDATE drills SET status = ?, finished_at = ? WHERE id = ?",
                        "sII", to, now, id);
    if (!rc)
        rc = audit_append(st, as->name, action, ref, NULL, e);
    return prep_finish(st, rc, e);
}

int drill_start(struct store *st, const struct user *as, const char *ref, struct err *e)
{
    int rc = drill_move(st, as, ref, "planned", "running", "drill.start", e);
    /* what is due at T+0 goes in at once */
    int fed = 0;
    while (!rc && fed < DRILL_STEPS_MAX && (rc = drill_tick(st, time_now_ms(), e)) == 1)
        fed++, rc = 0;
    return rc < 0 ? rc : 0;
}

int drill_finish(struct store *st, const struct user *as, const char *ref, struct err *e)
{
    return drill_move(st, as, ref, "running", "finished", "drill.finish", e);
}

int drill_tick(struct store *st, int64_t now, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT j.id, d.id, d.ref, j.pos, j.asset, j.category, j.state, "
                         "j.summary FROM drill_injections j JOIN drills d ON d.id = j.drill_id "
                         "WHERE d.status = 'running' AND j.injected_at IS NULL AND "
                         "d.started_at + j.offset_s * 1000 <= ? ORDER BY d.id, j.offset_s, j.pos "
                         "LIMIT 1",
                         "I", now);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc != 1) {
        store_finish(q);
        return rc;
    }
    int64_t jid = sqlite3_column_int64(q, 0), did = sqlite3_column_int64(q, 1);
    int pos = sqlite3_column_int(q, 3);
    char ref[DRILL_REF_LEN], asset[129], category[160], state[16], summary[600], source[40], fp[24];
    snprintf(ref, sizeof ref, "%s", store_col_text(q, 2));
    snprintf(asset, sizeof asset, "%s", store_col_text(q, 4));
    snprintf(category, sizeof category, "%s", store_col_text(q, 5));
    snprintf(state, sizeof state, "%s", store_col_text(q, 6));
    snprintf(summary, sizeof summary, "【演练】%s", store_col_text(q, 7));
    store_finish(q);
    snprintf(source, sizeof source, "drill:%s", ref);
    snprintf(fp, sizeof fp, "step:%d", pos);
    struct user sys = {.role = ROLE_OFFICER};
    snprintf(sys.name, sizeof sys.name, "drill");
    json_t *details = json_pack("{s:s, s:i}", "drill", ref, "step", pos);
    struct event_new ev = {.source = source,
                           .category = category,
                           .asset = asset[0] ? asset : NULL,
                           .summary = summary,
                           .fingerprint = fp,
                           .details = details,
                           .state = state[0] ? state : NULL,
                           .drill_id = did};
    int64_t event_id = 0, count = 0;
    rc = event_check(&sys, &ev, e);
    if (!rc)
        rc = store_begin(st, e);
    if (!rc) {
        rc = event_store(st, &sys, &ev, &event_id, &count, e);
        if (!rc)
            rc = store_exec(
                st, e, "UPDATE drill_injections SET injected_at = ?, event_id = ? WHERE id = ?",
                "III", now, event_id, jid);
        rc = prep_finish(st, rc, e);
    }
    json_decref(details);
    /* one at a time: the next call takes the next */
    return rc ? rc : 1;
}

/* ---- listing, the report ------------------------------------------------------------ */

#define DRILL_COLUMNS                                                                              \
    "id, ref, title, form, scope, kind, planned_at, status, coalesce(started_at, 0), "             \
    "coalesce(finished_at, 0), created_by "

static json_t *drill_row(sqlite3_stmt *q)
{
    int f = one_of(store_col_text(q, 3), forms), k = one_of(store_col_text(q, 5), kinds);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s}", "ref", store_col_text(q, 1),
        "title", store_col_text(q, 2), "form", store_col_text(q, 3), "form_zh",
        f >= 0 ? forms_zh[f] : "", "scope", store_col_text(q, 4), "kind", store_col_text(q, 5),
        "kind_zh", k >= 0 ? kinds_zh[k] : "", "planned_at",
        prep_time_json(sqlite3_column_int64(q, 6)), "status", store_col_text(q, 7), "started_at",
        prep_time_json(sqlite3_column_int64(q, 8)), "finished_at",
        prep_time_json(sqlite3_column_int64(q, 9)), "created_by", store_col_text(q, 10));
}

int drill_list_json(struct store *st, const struct user *as, json_t **out, struct err *e)
{
    int rc = resp_allow(as, ACT_DRILL_READ, e);
    sqlite3_stmt *q;
    if (!rc)
        rc = store_query(st, e, &q, "SELECT " DRILL_COLUMNS "FROM drills ORDER BY id DESC", "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(items, drill_row(q));
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

/* A step people took: when, how long after the first injection, and the
 * plan's deadline for it when it has one. */
static void add_step(json_t *steps, const char *what, const char *object, int64_t at, int64_t t0,
                     int64_t deadline_ms)
{
    if (!at)
        return;
    json_t *s = json_pack("{s:s, s:s, s:o, s:I}", "step", what, "object", object, "at",
                          prep_time_json(at), "after_s", (json_int_t)((at - t0) / 1000));
    if (deadline_ms > 0) {
        json_object_set_new(s, "deadline_s", json_integer(deadline_ms / 1000));
        json_object_set_new(s, "met", json_boolean(at - t0 <= deadline_ms));
    }
    json_array_append_new(steps, s);
}

int drill_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                    struct err *e)
{
    int rc = resp_allow(as, ACT_DRILL_READ, e);
    sqlite3_stmt *q;
    if (!rc)
        rc = store_query(st, e, &q, "SELECT " DRILL_COLUMNS "FROM drills WHERE ref = ?", "s", ref);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc != 1) {
        store_finish(q);
        return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "no drill %.20s", ref);
    }
    int64_t id = sqlite3_column_int64(q, 0), started = sqlite3_column_int64(q, 8);
    json_t *o = drill_row(q);
    store_finish(q);
    json_t *people = json_array(), *inj = json_array(), *steps = json_array(),
           *findings = json_array();
    json_object_set_new(o, "participants", people);
    json_object_set_new(o, "injections", inj);
    json_object_set_new(o, "steps", steps);
    json_object_set_new(o, "findings", findings);
    rc = store_query(st, e, &q,
                     "SELECT user_name FROM drill_participants WHERE drill_id = ? ORDER BY "
                     "user_name",
                     "I", id);
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1)
        json_array_append_new(people, json_string(store_col_text(q, 0)));
    if (rc >= 0)
        store_finish(q);
    int64_t t0 = 0;
    if (rc >= 0)
        rc = store_query(st, e, &q,
                         "SELECT pos, offset_s, asset, category, state, summary, "
                         "coalesce(injected_at, 0), coalesce(event_id, 0) FROM drill_injections "
                         "WHERE drill_id = ? ORDER BY offset_s, pos",
                         "I", id);
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        int64_t at = sqlite3_column_int64(q, 6);
        if (at && (!t0 || at < t0))
            t0 = at;
        json_array_append_new(
            inj,
            json_pack("{s:i, s:I, s:s, s:s, s:s, s:s, s:o, s:I}", "step", sqlite3_column_int(q, 0),
                      "offset_s", (json_int_t)sqlite3_column_int64(q, 1), "asset",
                      store_col_text(q, 2), "category", store_col_text(q, 3), "state",
                      store_col_text(q, 4), "summary", store_col_text(q, 5), "injected_at",
                      prep_time_json(at), "event", (json_int_t)sqlite3_column_int64(q, 7)));
    }
    if (rc >= 0)
        store_finish(q);
    if (!t0)
        t0 = started;
    /* what people did, from what the response recorded; the deadlines are the
     * plan's: taking a report in hand (O-3), acknowledging a serious incident
     * before it escalates (H-1), the first report to the city, which needs the
     * level (W-4) */
    int64_t ack = 0, city = 0, esc = 0;
    if (rc >= 0)
        rc = deadline_ms(st, DL_ACK_REPORT, &ack, e);
    if (rc >= 0)
        rc = deadline_ms(st, DL_CITY_OFFICE, &city, e);
    if (rc >= 0)
        rc = deadline_ms(st, DL_ESCALATION, &esc, e);
    if (rc >= 0)
        rc = store_query(
            st, e, &q,
            "SELECT 'proposal', '#' || p.id, p.created_at, 0 FROM proposals p WHERE p.drill_id = "
            "?1 "
            "UNION ALL SELECT 'triaged', '#' || p.id, p.decided_at, 0 FROM proposals p WHERE "
            "p.drill_id = ?1 AND p.decided_at IS NOT NULL "
            "UNION ALL SELECT 'incident opened', i.ref, i.created_at, ?2 FROM incidents i WHERE "
            "i.drill_id = ?1 "
            "UNION ALL SELECT 'acknowledged', i.ref, i.acknowledged_at, ?4 FROM incidents i "
            "WHERE i.drill_id = ?1 AND i.acknowledged_at IS NOT NULL "
            "UNION ALL SELECT 'level set', i.ref, (SELECT min(t.at) FROM timeline t WHERE "
            "t.incident_id = i.id AND t.kind = 'level'), ?3 FROM incidents i WHERE i.drill_id = ?1 "
            "UNION ALL SELECT 'upward report drafted', i.ref, (SELECT min(r.drafted_at) FROM "
            "drill_reports r WHERE r.incident_id = i.id), ?3 FROM incidents i WHERE i.drill_id = "
            "?1 "
            "UNION ALL SELECT 'warning drafted', w.ref, w.created_at, 0 FROM warnings w WHERE "
            "w.drill_id = ?1 "
            "UNION ALL SELECT 'warning approved', w.ref, a.decided_at, 0 FROM warnings w JOIN "
            "approvals a ON a.kind = 'warning' AND a.object_id = w.id AND a.status = 'approved' "
            "WHERE w.drill_id = ?1 "
            "UNION ALL SELECT 'warning published', w.ref, w.published_at, 0 FROM warnings w WHERE "
            "w.drill_id = ?1 AND w.published_at IS NOT NULL "
            "UNION ALL SELECT 'restored', i.ref, (SELECT min(t.at) FROM timeline t WHERE "
            "t.incident_id = i.id AND t.kind = 'status' AND t.text LIKE '%→ 已恢复%'), 0 FROM "
            "incidents i WHERE i.drill_id = ?1 "
            "ORDER BY 3",
            "IIII", id, ack, city, esc);
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1)
        add_step(steps, store_col_text(q, 0), store_col_text(q, 1), sqlite3_column_int64(q, 2), t0,
                 sqlite3_column_int64(q, 3));
    if (rc >= 0)
        store_finish(q);
    json_t *reports = json_array();
    json_object_set_new(o, "practice_reports", reports);
    if (rc >= 0)
        rc = store_query(st, e, &q,
                         "SELECT r.id, i.ref, r.recipient, r.text, r.drafted_by, r.drafted_at FROM "
                         "drill_reports r JOIN incidents i ON i.id = r.incident_id WHERE "
                         "r.drill_id = ? ORDER BY r.id",
                         "I", id);
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1)
        json_array_append_new(reports, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id",
                                                 (json_int_t)sqlite3_column_int64(q, 0), "incident",
                                                 store_col_text(q, 1), "recipient",
                                                 store_col_text(q, 2), "text", store_col_text(q, 3),
                                                 "drafted_by", store_col_text(q, 4), "drafted_at",
                                                 prep_time_json(sqlite3_column_int64(q, 5))));
    if (rc >= 0)
        store_finish(q);
    if (rc >= 0)
        rc = store_query(st, e, &q,
                         "SELECT id, text, department, due_at, coalesce(done_at, 0), "
                         "coalesce(done_by, '') FROM drill_findings WHERE drill_id = ? ORDER BY id",
                         "I", id);
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1)
        json_array_append_new(findings,
                              json_pack("{s:I, s:s, s:s, s:o, s:o, s:s}", "id",
                                        (json_int_t)sqlite3_column_int64(q, 0), "text",
                                        store_col_text(q, 1), "department", store_col_text(q, 2),
                                        "due_at", prep_time_json(sqlite3_column_int64(q, 3)),
                                        "done_at", prep_time_json(sqlite3_column_int64(q, 4)),
                                        "done_by", store_col_text(q, 5)));
    if (rc >= 0)
        store_finish(q);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

int drill_finding_add(struct store *st, const struct user *as, const char *ref, const char *text,
                      const char *department, int64_t due_at, int64_t *id, struct err *e)
{
    int rc = resp_allow(as, ACT_DRILL_MANAGE, e);
    if (!rc)
        rc = prep_text("the finding", text, 1024, 1, 0, e);
    if (!rc)
        rc = prep_text("--department", department, 128, 1, 0, e);
    if (!rc && due_at <= time_now_ms())
        rc = err_set(e, ERR_INPUT, "a finding's deadline lies in the future");
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    char status[16];
    int64_t did = 0;
    rc = drill_id_of(st, ref, status, &did, e);
    if (!rc && strcmp(status, "planned") == 0)
        rc = err_set(e, ERR_CONFLICT, "drill %s has not been held yet", ref);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO drill_findings (drill_id, text, department, due_at, "
                        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        "IssIsI", did, text, department, due_at, as->name, time_now_ms());
    if (!rc)
        *id = store_last_id(st);
    if (!rc)
        rc = audit_append_take(st, as->name, "drill.finding", ref,
                               json_pack("{s:I, s:s, s:s}", "finding", (json_int_t)*id, "text",
                                         text, "department", department),
                               e);
    return prep_finish(st, rc, e);
}

int drill_report_draft(struct store *st, const struct user *as, const char *ref,
                       const char *incident, const char *text, int64_t *id, struct buf *out,
                       struct err *e)
{
    int rc = resp_allow(as, ACT_DRILL_MANAGE, e);
    if (!rc && text)
        rc = prep_text("the report's text", text, 16384, 1, 1, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    char status[16];
    int64_t did = 0, inc = 0;
    rc = drill_id_of(st, ref, status, &did, e);
    if (!rc && strcmp(status, "planned") == 0)
        rc = err_set(e, ERR_CONFLICT, "drill %s has not started", ref);
    if (!rc &&
        store_query_int(st, NULL, &inc, "SELECT id FROM incidents WHERE ref = ? AND drill_id = ?",
                        "sI", incident, did) != 0)
        rc = err_set(e, ERR_NOTFOUND, "%.40s is not an incident of drill %s", incident, ref);
    /* the template in the official layout, marked as practice, unless written */
    if (!rc && !text)
        rc = report_practice_text(st, as, incident, RCP_CITY_OFFICE, out, e);
    else if (!rc)
        rc = buf_adds(out, text);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO drill_reports (drill_id, incident_id, recipient, text, "
                        "drafted_by, drafted_at) VALUES (?, ?, ?, ?, ?, ?)",
                        "IIsssT", did, inc, recipient_info(RCP_CITY_OFFICE)->code, buf_str(out),
                        as->name, time_now_ms());
    if (!rc)
        *id = store_last_id(st);
    if (!rc)
        rc = audit_append_take(
            st, as->name, "drill.report", ref,
            json_pack("{s:I, s:s}", "report", (json_int_t)*id, "incident", incident), e);
    return prep_finish(st, rc, e);
}

int drill_finding_done(struct store *st, const struct user *as, int64_t id, struct err *e)
{
    int rc = resp_allow(as, ACT_DRILL_MANAGE, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = store_exec(st, e,
                    "UPDATE drill_findings SET done_at = ?, done_by = ? WHERE id = ? AND done_at "
                    "IS NULL",
                    "IsI", time_now_ms(), as->name, id);
    if (!rc && store_changes(st) != 1)
        rc = err_set(e, ERR_CONFLICT, "finding %lld does not exist or is done", (long long)id);
    char obj[32];
    snprintf(obj, sizeof obj, "finding:%lld", (long long)id);
    if (!rc)
        rc = audit_append(st, as->name, "drill.finding-done", obj, NULL, e);
    return prep_finish(st, rc, e);
}
