/* Triage (W-3, L-2): related events are grouped into proposals, each with the
 * facts its events establish and the level the plan's rules propose; the duty
 * officer accepts, merges, warns from or dismisses them, and settings may
 * decide clear cases automatically. */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who acts when a setting decides. */
static void system_user(struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->role = ROLE_OFFICER;
    snprintf(u->name, sizeof(u->name), "triage");
    snprintf(u->display_name, sizeof(u->display_name), "自动研判");
}

int triage_settings_load(struct store *st, struct triage_settings *t, struct err *e)
{
    int64_t window = 3600, pub = 300, restored = 1, level = 2;
    int rc = setting_int(st, "triage.window_s", window, &window, e);
    if (!rc)
        rc = setting_int(st, "triage.public_after_s", pub, &pub, e);
    if (!rc)
        rc = setting_int(st, "triage.auto_restored", restored, &restored, e);
    if (!rc)
        rc = setting_int(st, "triage.auto_level", level, &level, e);
    t->window_ms = window * 1000;
    t->public_after_ms = pub * 1000;
    t->auto_restored = restored != 0;
    t->auto_level = level >= 1 && level <= 4 ? (enum level)level : LEVEL_NONE;
    return rc;
}

/* ---- facts and assessment ----------------------------------------------- */

/* How much a state weighs when one asset has several. */
static int state_weight(enum asset_state s)
{
    static const int w[] = {[STATE_OK] = 0,   [STATE_DEGRADED] = 1, [STATE_TAMPERED] = 2,
                            [STATE_DOWN] = 3, [STATE_LEAKED] = 4,   [STATE_LOST] = 5};
    return (unsigned)s <= STATE_LOST ? w[s] : 0;
}

struct facts {
    struct impact im;
    char names[IMPACT_MAX_ASSETS][129];
    int64_t since[IMPACT_MAX_ASSETS], cleared_at[IMPACT_MAX_ASSETS];
    int64_t open[IMPACT_MAX_ASSETS];
    int is_cleared;      /* no event still stands */
    int has_tampering;   /* some asset was tampered with */
    int grows_with_time; /* a standing down or degraded state: the level may rise */
};

/* The facts of a proposal's events, at `now`. */
static int facts_load(struct store *st, int64_t pid, int64_t now, const struct triage_settings *ts,
                      struct facts *f, struct err *e)
{
    memset(f, 0, sizeof(*f));
    f->is_cleared = 1;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT asset, state, since, events, open, coalesce(cleared_at, 0) "
                         "FROM proposal_assets WHERE proposal_id = ? ORDER BY asset, state",
                         "I", pid);
    if (rc)
        return rc;
    while ((rc = store_step(st, q, e)) == 1) {
        const char *name = store_col_text(q, 0), *state_s = store_col_text(q, 1);
        int64_t since = sqlite3_column_int64(q, 2), events = sqlite3_column_int64(q, 3),
                open = sqlite3_column_int64(q, 4), cleared = sqlite3_column_int64(q, 5);
        if (open > 0)
            f->is_cleared = 0;
        enum asset_state state = STATE_OK;
        if (*state_s && asset_state_parse(state_s, &state) != 0)
            state = STATE_OK;
        if (state == STATE_TAMPERED) {
            f->im.pages_tampered += events;
            f->has_tampering = 1;
        }
        if (!*name)
            continue;
        size_t i = 0;
        while (i < f->im.n_assets && strcmp(f->names[i], name) != 0)
            i++;
        if (i == f->im.n_assets) {
            if (i == IMPACT_MAX_ASSETS)
                continue;
            f->im.n_assets++;
            snprintf(f->names[i], sizeof f->names[i], "%s", name);
            f->im.assets[i].name = f->names[i];
            f->im.assets[i].state = STATE_OK;
            f->since[i] = since;
        }
        struct impact_asset *a = &f->im.assets[i];
        if (state_weight(state) < state_weight(a->state) ||
            (state == STATE_OK && a->state == STATE_OK && since >= f->since[i]))
            continue;
        a->state = state;
        f->since[i] = since;
        f->open[i] = open;
        f->cleared_at[i] = open > 0 ? 0 : cleared;
        int64_t until = open > 0 ? now : cleared;
        a->duration_min = until > since ? (until - since) / PLAN_MINUTE_MS : 0;
    }
    store_finish(q);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < f->im.n_assets; i++) {
        struct impact_asset *a = &f->im.assets[i];
        rc = asset_profile(st, a->name, &a->kind, &a->importance, e);
        if (rc < 0)
            return rc;
        if (a->state == STATE_TAMPERED && a->kind == ASSET_PORTAL) {
            /* the public sees a tampered portal unless it was put right at once */
            int64_t until = f->open[i] ? now : f->cleared_at[i];
            if (until - f->since[i] >= ts->public_after_ms)
                f->im.is_public = 1;
        }
        if (f->open[i] && (a->state == STATE_DOWN || a->state == STATE_DEGRADED))
            f->grows_with_time = 1;
    }
    return 0;
}

static json_t *facts_json(const struct facts *f)
{
    json_t *assets = json_array();
    for (size_t i = 0; i < f->im.n_assets; i++) {
        const struct impact_asset *a = &f->im.assets[i];
        char since[TIME_ISO_LEN], cleared[TIME_ISO_LEN];
        time_format_utc(f->since[i], since);
        time_format_utc(f->cleared_at[i], cleared);
        json_array_append_new(assets,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:s?}", "name",
                                        a->name, "kind", asset_kind_code(a->kind), "importance",
                                        asset_importance_code(a->importance), "state",
                                        asset_state_code(a->state), "since", since, "minutes",
                                        (json_int_t)a->duration_min, "standing", f->open[i] > 0,
                                        "cleared_at", f->cleared_at[i] ? cleared : NULL));
    }
    return json_pack("{s:o, s:I, s:b, s:b}", "assets", assets, "tampered",
                     (json_int_t)f->im.pages_tampered, "public", f->im.is_public, "cleared",
                     f->is_cleared);
}

static json_t *reasons_json(const struct level_assessment *a)
{
    json_t *r = json_array();
    for (size_t i = 0; i < a->n_reasons; i++)
        json_array_append_new(r, json_pack("{s:s, s:s, s:s, s:s}", "rule", a->reasons[i].rule,
                                           "level", level_code(a->reasons[i].level), "zh",
                                           a->reasons[i].zh, "en", a->reasons[i].en));
    return r;
}

/* Assesses a proposal again; writes its previous and new level. */
static int assess(struct store *st, int64_t pid, int64_t now, const struct triage_settings *ts,
                  struct facts *f, struct level_assessment *a, enum level *before, struct err *e)
{
    struct level_thresholds t;
    int rc = level_thresholds_load(st, &t, e);
    if (!rc)
        rc = facts_load(st, pid, now, ts, f, e);
    if (rc)
        return rc;
    level_assess(&f->im, &t, a);
    sqlite3_stmt *q;
    rc = store_query(st, e, &q, "SELECT level FROM proposals WHERE id = ?", "I", pid);
    *before = LEVEL_IV;
    if (!rc && (rc = store_step(st, q, e)) == 1 && level_parse(store_col_text(q, 0), before) != 0)
        *before = LEVEL_IV;
    store_finish(q);
    if (rc < 0)
        return rc;
    json_t *fj = facts_json(f), *rj = reasons_json(a);
    char *facts = json_dumps(fj, JSON_COMPACT), *reasons = json_dumps(rj, JSON_COMPACT);
    json_decref(fj);
    json_decref(rj);
    rc = store_exec(st, e,
                    "UPDATE proposals SET level = ?, reasons = ?, facts = ?, is_cleared = ?, "
                    "updated_at = ? WHERE id = ?",
                    "sssiII", level_code(a->level), reasons ? reasons : "[]", facts ? facts : "{}",
                    f->is_cleared, now, pid);
    free(facts);
    free(reasons);
    return rc;
}

/* An accepted proposal whose level rose tells its incident (L-2). */
static int incident_follow(struct store *st, int64_t pid, const struct facts *f, struct err *e)
{
    char ref[INCIDENT_REF_LEN] = "";
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT i.ref FROM proposals p JOIN incidents i ON i.id = p.incident_id "
                         "WHERE p.id = ? AND p.status = 'accepted' "
                         "AND i.status NOT IN ('closed', 'assessed')",
                         "I", pid);
    if (!rc && (rc = store_step(st, q, e)) == 1)
        snprintf(ref, sizeof ref, "%s", store_col_text(q, 0));
    store_finish(q);
    if (rc < 0 || !ref[0])
        return rc < 0 ? rc : 0;
    struct user sys;
    system_user(&sys);
    struct level_assessment a;
    return incident_assess(st, &sys, ref, &f->im, &a, e);
}

/* The open (or accepted, its incident open) proposal a new event joins. */
static int find_proposal(struct store *st, const char *group, int64_t since, int64_t *pid,
                         struct err *e)
{
    *pid = 0;
    sqlite3_stmt *q;
    int rc =
        store_query(st, e, &q,
                    "SELECT p.id FROM proposals p LEFT JOIN incidents i ON i.id = p.incident_id "
                    "WHERE p.group_key = ? AND p.last_seen >= ? AND (p.status = 'open' OR "
                    "(p.status = 'accepted' AND i.status NOT IN ('closed', 'assessed'))) "
                    "ORDER BY p.id DESC LIMIT 1",
                    "sI", group, since);
    if (!rc && (rc = store_step(st, q, e)) == 1)
        *pid = sqlite3_column_int64(q, 0);
    store_finish(q);
    return rc < 0 ? rc : 0;
}

static int is_core_asset(struct store *st, const char *name, int *out, struct err *e)
{
    enum asset_kind kind;
    enum asset_importance importance;
    int rc = asset_profile(st, name, &kind, &importance, e);
    *out = rc >= 0 && (kind == ASSET_PORTAL || kind == ASSET_OA || importance == IMPORTANCE_CORE);
    return rc < 0 ? rc : 0;
}

/* Core systems down at the same time are one emergency, whatever each
 * detector saw (the portal and the OA system both down is level I): an outage
 * of a core asset joins the proposal of another core asset's standing outage. */
static int find_outage(struct store *st, const char *asset, int64_t drill, int64_t *pid,
                       struct err *e)
{
    *pid = 0;
    int core = 0;
    int rc = is_core_asset(st, asset, &core, e);
    if (rc || !core)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT p.id, a.asset FROM proposals p "
                     "JOIN proposal_assets a ON a.proposal_id = p.id "
                     "LEFT JOIN incidents i ON i.id = p.incident_id "
                     "WHERE a.state = 'down' AND a.open > 0 AND a.asset NOT IN ('', ?) AND "
                     "coalesce(p.drill_id, 0) = ? AND "
                     "(p.status = 'open' OR (p.status = 'accepted' AND "
                     "i.status NOT IN ('closed', 'assessed'))) ORDER BY p.id DESC LIMIT 16",
                     "sI", asset, drill);
    if (rc)
        return rc;
    int64_t ids[16];
    char names[16][129];
    int n = 0;
    while (n < 16 && (rc = store_step(st, q, e)) == 1) {
        ids[n] = sqlite3_column_int64(q, 0);
        snprintf(names[n++], sizeof names[0], "%s", store_col_text(q, 1));
    }
    store_finish(q);
    for (int i = 0; rc >= 0 && i < n && !*pid; i++) {
        rc = is_core_asset(st, names[i], &core, e);
        if (rc >= 0 && core)
            *pid = ids[i];
    }
    return rc < 0 ? rc : 0;
}

int triage_event(struct store *st, int64_t event_id, enum triage_change change, struct err *e)
{
    int64_t now = time_now_ms();
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT asset, category, coalesce(subcategory, ''), link, state, "
                         "coalesce(occurred_at, first_seen), coalesce(cleared_at, 0), "
                         "coalesce(proposal_id, 0), summary, coalesce(drill_id, 0) FROM events "
                         "WHERE id = ?",
                         "I", event_id);
    if (rc)
        return rc;
    if ((rc = store_step(st, q, e)) != 1) {
        store_finish(q);
        return rc < 0 ? rc : err_set(e, ERR_INTERNAL, "event %lld vanished", (long long)event_id);
    }
    char asset[129], category[160], link[257], state[16], summary[1025];
    snprintf(asset, sizeof asset, "%s", store_col_text(q, 0));
    snprintf(category, sizeof category, "%s%s%s", store_col_text(q, 1),
             *store_col_text(q, 2) ? "/" : "", store_col_text(q, 2));
    snprintf(link, sizeof link, "%s", store_col_text(q, 3));
    snprintf(state, sizeof state, "%s", store_col_text(q, 4));
    int64_t occurred = sqlite3_column_int64(q, 5), cleared = sqlite3_column_int64(q, 6),
            pid = sqlite3_column_int64(q, 7);
    snprintf(summary, sizeof summary, "%s", store_col_text(q, 8));
    /* a drill's events group only among themselves */
    int64_t drill = sqlite3_column_int64(q, 9);
    char group[600], dg[32] = "";
    if (drill)
        snprintf(dg, sizeof dg, "drill:%lld\n", (long long)drill);
    if (link[0])
        snprintf(group, sizeof group, "%slink\n%s", dg, link);
    else
        snprintf(group, sizeof group, "%sasset\n%s\n%s", dg, asset, store_col_text(q, 1));
    store_finish(q);

    if (change == TRIAGE_REPEAT || (change != TRIAGE_NEW && !pid)) {
        /* the same event again: only the counts move */
        return pid ? store_exec(st, e,
                                "UPDATE proposals SET reports = reports + 1, last_seen = ? "
                                "WHERE id = ?",
                                "II", now, pid)
                   : 0;
    }
    struct triage_settings ts;
    rc = triage_settings_load(st, &ts, e);
    if (rc)
        return rc;
    if (change == TRIAGE_NEW) {
        if (strcmp(state, "down") == 0 && !cleared && asset[0])
            rc = find_outage(st, asset, drill, &pid, e);
        if (!rc && !pid)
            rc = find_proposal(st, group, now - ts.window_ms, &pid, e);
        if (!rc && !pid) {
            rc =
                store_exec(st, e,
                           "INSERT INTO proposals (group_key, asset, category, title, level, "
                           "first_seen, last_seen, created_at, updated_at, drill_id) "
                           "VALUES (?, ?, ?, ?, 'IV', ?, ?, ?, ?, ?)",
                           "ssssIIIIT", group, asset, category, summary, now, now, now, now, drill);
            pid = store_last_id(st);
        }
        if (!rc)
            rc = store_exec(st, e, "UPDATE events SET proposal_id = ? WHERE id = ?", "II", pid,
                            event_id);
        if (!rc)
            rc = store_exec(st, e,
                            "UPDATE proposals SET events = events + 1, reports = reports + 1, "
                            "last_seen = ? WHERE id = ?",
                            "II", now, pid);
        if (!rc)
            rc = store_exec(st, e,
                            "INSERT INTO proposal_assets (proposal_id, asset, state, since, "
                            "events, open, cleared_at) VALUES (?, ?, ?, ?, 1, ?, ?) "
                            "ON CONFLICT (proposal_id, asset, state) DO UPDATE SET "
                            "since = min(since, excluded.since), events = events + 1, "
                            "open = open + excluded.open, "
                            "cleared_at = coalesce(excluded.cleared_at, cleared_at)",
                            "IssIiT", pid, asset, state, occurred, cleared ? 0 : 1, cleared);
    } else {
        int cleared_now = change == TRIAGE_CLEARED;
        rc = store_exec(st, e,
                        "UPDATE proposal_assets SET open = max(open + ?, 0), "
                        "cleared_at = CASE WHEN ? THEN ? ELSE cleared_at END "
                        "WHERE proposal_id = ? AND asset = ? AND state = ?",
                        "iiIIss", cleared_now ? -1 : 1, cleared_now, now, pid, asset, state);
        if (!rc)
            rc = store_exec(st, e,
                            "UPDATE proposals SET reports = reports + 1, last_seen = ? "
                            "WHERE id = ?",
                            "II", now, pid);
    }
    struct facts f;
    struct level_assessment a;
    enum level before;
    if (!rc)
        rc = assess(st, pid, now, &ts, &f, &a, &before, e);
    if (!rc && level_above(a.level, before))
        rc = incident_follow(st, pid, &f, e);
    return rc;
}

/* ---- reading -------------------------------------------------------------- */

#define PROPOSAL_COLUMNS                                                                           \
    "p.id, p.asset, p.category, p.title, p.status, p.level, p.reasons, p.facts, p.events, "        \
    "p.reports, p.is_cleared, p.first_seen, p.last_seen, coalesce(i.ref, ''), "                    \
    "coalesce(w.ref, ''), coalesce(p.decided_by, ''), coalesce(p.decided_at, 0), p.reason, "       \
    "p.is_auto FROM proposals p LEFT JOIN incidents i ON i.id = p.incident_id "                    \
    "LEFT JOIN warnings w ON w.id = p.warning_id "

static json_t *proposal_row_json(sqlite3_stmt *q)
{
    const struct category *cat;
    const struct subcategory *sub;
    const char *code = store_col_text(q, 2);
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:b, s:o, s:o, s:b}", "id",
        (json_int_t)sqlite3_column_int64(q, 0), "asset", store_col_text(q, 1), "category", code,
        "title", store_col_text(q, 3), "status", store_col_text(q, 4), "level",
        store_col_text(q, 5), "colour", "", "reasons", json_loads(store_col_text(q, 6), 0, NULL),
        "facts", json_loads(store_col_text(q, 7), 0, NULL), "events",
        (json_int_t)sqlite3_column_int64(q, 8), "reports", (json_int_t)sqlite3_column_int64(q, 9),
        "cleared", sqlite3_column_int(q, 10), "first_seen",
        json_time_utc(sqlite3_column_int64(q, 11)), "last_seen",
        json_time_utc(sqlite3_column_int64(q, 12)), "auto", sqlite3_column_int(q, 18));
    if (!o)
        return json_object();
    enum level l;
    if (level_parse(store_col_text(q, 5), &l) == 0)
        json_object_set_new(o, "colour", json_string(colour_code(colour_for_level(l))));
    if (category_parse(code, &cat, &sub) == 0) {
        char zh[200];
        snprintf(zh, sizeof zh, "%s%s%s", cat->zh, sub ? "/" : "", sub ? sub->zh : "");
        json_object_set_new(o, "category_zh", json_string(zh));
    }
    if (*store_col_text(q, 13))
        json_object_set_new(o, "incident", json_string(store_col_text(q, 13)));
    if (*store_col_text(q, 14))
        json_object_set_new(o, "warning", json_string(store_col_text(q, 14)));
    if (*store_col_text(q, 15)) {
        json_object_set_new(o, "decided_by", json_string(store_col_text(q, 15)));
        json_object_set_new(o, "decided_at", json_time_utc(sqlite3_column_int64(q, 16)));
        json_object_set_new(o, "reason", json_string(store_col_text(q, 17)));
    }
    return o;
}

static int check_status(const char *status, struct err *e)
{
    static const char *const ok[] = {"open", "accepted", "warned", "dismissed", NULL};
    for (int i = 0; ok[i]; i++)
        if (strcmp(status, ok[i]) == 0)
            return 0;
    return err_set(e, ERR_INPUT, "status '%.30s' is not open, accepted, warned or dismissed",
                   status);
}

int proposal_list_json(struct store *st, const struct user *as, const char *status, int limit,
                       int64_t before_id, json_t **out, struct err *e)
{
    int rc = resp_allow(as, ACT_EVENT_READ, e);
    if (!rc && status)
        rc = check_status(status, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT " PROPOSAL_COLUMNS "WHERE (?1 = 0 OR p.id < ?1) "
                     "AND (?2 IS NULL OR p.status = ?2) ORDER BY p.id DESC LIMIT ?3",
                     "Isi", before_id, status, limit);
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(items, proposal_row_json(q));
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int proposal_show_json(struct store *st, const struct user *as, int64_t id, json_t **out,
                       struct err *e)
{
    int rc = resp_allow(as, ACT_EVENT_READ, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q, "SELECT " PROPOSAL_COLUMNS "WHERE p.id = ?", "I", id);
    if (rc)
        return rc;
    if ((rc = store_step(st, q, e)) != 1) {
        store_finish(q);
        return rc < 0 ? rc
                      : err_set(e, ERR_NOTFOUND, "proposal %lld does not exist", (long long)id);
    }
    json_t *o = proposal_row_json(q);
    store_finish(q);
    rc = store_query(st, e, &q,
                     "SELECT id, source, category, coalesce(subcategory, ''), asset, summary, "
                     "count, coalesce(occurred_at, first_seen), last_seen, state, "
                     "coalesce(cleared_at, 0), evidence FROM events WHERE proposal_id = ? "
                     "ORDER BY id DESC LIMIT 200",
                     "I", id);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *events = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        char cat[160];
        snprintf(cat, sizeof cat, "%s%s%s", store_col_text(q, 2), *store_col_text(q, 3) ? "/" : "",
                 store_col_text(q, 3));
        json_array_append_new(
            events,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:s, s:o, s:o}", "id",
                      (json_int_t)sqlite3_column_int64(q, 0), "source", store_col_text(q, 1),
                      "category", cat, "asset", store_col_text(q, 4), "summary",
                      store_col_text(q, 5), "count", (json_int_t)sqlite3_column_int64(q, 6),
                      "occurred_at", json_time_utc(sqlite3_column_int64(q, 7)), "last_seen",
                      json_time_utc(sqlite3_column_int64(q, 8)), "state", store_col_text(q, 9),
                      "cleared_at", json_time_utc(sqlite3_column_int64(q, 10)), "evidence",
                      json_loads(store_col_text(q, 11), 0, NULL)));
    }
    store_finish(q);
    if (rc < 0) {
        json_decref(o);
        json_decref(events);
        return rc;
    }
    json_object_set_new(o, "event_list", events);
    *out = o;
    return 0;
}

/* ---- deciding ------------------------------------------------------------- */

struct proposal_row {
    int64_t id;
    char status[16], category[160], title[1025], asset[129];
    enum level level;
    char reason_zh[256];
    int64_t first_occurred;
    int64_t drill_id; /* 0: real */
};

static int proposal_load(struct store *st, int64_t id, struct proposal_row *p, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT status, category, title, asset, level, "
                         "coalesce(json_extract(reasons, '$[0].zh'), ''), "
                         "(SELECT min(since) FROM proposal_assets WHERE proposal_id = p.id), "
                         "coalesce(drill_id, 0) FROM proposals p WHERE id = ?",
                         "I", id);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        p->id = id;
        snprintf(p->status, sizeof p->status, "%s", store_col_text(q, 0));
        snprintf(p->category, sizeof p->category, "%s", store_col_text(q, 1));
        snprintf(p->title, sizeof p->title, "%s", store_col_text(q, 2));
        snprintf(p->asset, sizeof p->asset, "%s", store_col_text(q, 3));
        if (level_parse(store_col_text(q, 4), &p->level) != 0)
            p->level = LEVEL_IV;
        snprintf(p->reason_zh, sizeof p->reason_zh, "%s", store_col_text(q, 5));
        p->first_occurred = sqlite3_column_int64(q, 6);
        p->drill_id = sqlite3_column_int64(q, 7);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "proposal %lld does not exist", (long long)id);
    }
    store_finish(q);
    return rc;
}

static int must_be_open(const struct proposal_row *p, struct err *e)
{
    if (strcmp(p->status, "open") == 0)
        return 0;
    return err_set(e, ERR_CONFLICT, "proposal %lld is %s already", (long long)p->id, p->status);
}

/* The objects its events point at become the incident's evidence, and a note
 * lists the events themselves (H-5). */
static int attach_evidence(struct store *st, const struct user *as, int64_t pid, const char *ref,
                           struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, source, coalesce(occurred_at, first_seen), summary, count, "
                         "evidence FROM events WHERE proposal_id = ? ORDER BY id LIMIT 100",
                         "I", pid);
    if (rc)
        return rc;
    struct buf note;
    buf_init(&note, 64 * 1024);
    char objects[32][SHA256_HEX_LEN];
    int n_objects = 0;
    buf_addf(&note, "研判建议 #%lld 的事件：\n", (long long)pid);
    while ((rc = store_step(st, q, e)) == 1) {
        char at[TIME_ISO_LEN];
        time_format_utc(sqlite3_column_int64(q, 2), at);
        buf_addf(&note, "#%lld %s %s ×%lld：%.300s\n", (long long)sqlite3_column_int64(q, 0), at,
                 store_col_text(q, 1), (long long)sqlite3_column_int64(q, 4), store_col_text(q, 3));
        json_t *refs = json_loads(store_col_text(q, 5), 0, NULL);
        size_t i;
        json_t *v;
        json_array_foreach(refs, i, v)
        {
            const char *s = json_string_value(v);
            if (s && strncmp(s, "sha256:", 7) == 0 && objstore_hex_valid(s + 7) && n_objects < 32) {
                int seen = 0;
                for (int k = 0; k < n_objects; k++)
                    seen |= strcmp(objects[k], s + 7) == 0;
                if (!seen)
                    snprintf(objects[n_objects++], SHA256_HEX_LEN, "%s", s + 7);
            } else if (s) {
                buf_addf(&note, "    %.500s\n", s);
            }
        }
        json_decref(refs);
    }
    store_finish(q);
    if (rc < 0) {
        buf_release(&note);
        return rc;
    }
    /* the objects first, so that the note can name one the store lacks */
    for (int k = 0; k < n_objects; k++) {
        char name[96];
        snprintf(name, sizeof name, "object-%.16s", objects[k]);
        struct err oe = {0};
        if (evidence_add_object(st, as, ref, objects[k], name, "由检测器保存", &oe) == 0)
            continue;
        if (oe.code != ERR_NOTFOUND && oe.code != ERR_IO) {
            buf_release(&note);
            return err_set(e, oe.code, "%s", oe.msg);
        }
        buf_addf(&note, "    sha256:%s（对象库中没有，未能保全）\n", objects[k]);
    }
    int64_t id;
    rc = evidence_add_note(st, as, ref, buf_str(&note), &id, e);
    buf_release(&note);
    return rc;
}

static int decide(struct store *st, const struct user *as, int64_t pid, const char *status,
                  const char *incident_ref, const char *warning_ref, const char *reason,
                  int is_auto, struct err *e)
{
    int rc = store_exec(
        st, e,
        "UPDATE proposals SET status = ?, "
        "incident_id = coalesce((SELECT id FROM incidents WHERE ref = ?), incident_id), "
        "warning_id = coalesce((SELECT id FROM warnings WHERE ref = ?), warning_id), "
        "decided_by = ?, decided_at = ?, reason = ?, is_auto = ?, updated_at = ? WHERE id = ?",
        "ssssIsiII", status, incident_ref, warning_ref, as->name, time_now_ms(),
        reason ? reason : "", is_auto, time_now_ms(), pid);
    char obj[40];
    snprintf(obj, sizeof obj, "proposal:%lld", (long long)pid);
    if (!rc)
        rc = audit_append_take(st, as->name, "proposal.decide", obj,
                               json_pack("{s:s, s:s?, s:s?, s:s?, s:b}", "status", status,
                                         "incident", incident_ref, "warning", warning_ref, "reason",
                                         reason, "auto", is_auto),
                               e);
    return rc;
}

static int accept(struct store *st, const struct user *as, int64_t id, const char *into_ref,
                  enum level level, const char *reason, int is_auto, int contained,
                  char ref[INCIDENT_REF_LEN], struct err *e)
{
    int rc = resp_allow(as, ACT_TRIAGE, e);
    if (!rc && level != LEVEL_NONE && (!reason || !*reason) && !is_auto)
        rc = err_set(e, ERR_USAGE, "a level other than the proposed one needs a reason");
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    struct proposal_row p;
    struct triage_settings ts;
    struct facts f;
    struct level_assessment a;
    enum level before;
    rc = proposal_load(st, id, &p, e);
    if (!rc)
        rc = must_be_open(&p, e);
    if (!rc)
        rc = triage_settings_load(st, &ts, e);
    if (!rc)
        rc = assess(st, id, time_now_ms(), &ts, &f, &a, &before, e);
    const char *assets[IMPACT_MAX_ASSETS];
    for (size_t i = 0; !rc && i < f.im.n_assets; i++)
        assets[i] = f.names[i];
    char what[1200];
    snprintf(what, sizeof what, "研判建议 #%lld：%.1000s", (long long)id, p.title);
    int64_t into_drill = 0;
    if (!rc && into_ref)
        rc = store_query_int(st, e, &into_drill,
                             "SELECT coalesce(max(coalesce(drill_id, 0)), 0) FROM incidents "
                             "WHERE ref = ?",
                             "s", into_ref);
    if (!rc && into_ref && into_drill != p.drill_id)
        rc = err_set(e, ERR_CONFLICT, "a drill's proposal and a real incident never mix");
    if (!rc && into_ref) {
        snprintf(ref, INCIDENT_REF_LEN, "%s", into_ref);
        rc = incident_merge(st, as, ref, what, assets, f.im.n_assets, e);
        struct level_assessment ia;
        if (!rc)
            rc = incident_assess(st, as, ref, &f.im, &ia, e);
    } else if (!rc) {
        char lr[600];
        snprintf(lr, sizeof lr, "%s%s", is_auto ? "按设置自动启动：" : "接受研判建议：",
                 reason && *reason && !is_auto ? reason : a.reasons[0].zh);
        struct incident_new in = {
            .title = p.title,
            .category = p.category,
            .n_assets = f.im.n_assets,
            .level = level != LEVEL_NONE ? level : a.level,
            .level_reason = lr,
            .impact = &f.im,
            .started_at =
                p.first_occurred && p.first_occurred <= time_now_ms() ? p.first_occurred : 0,
            .is_automatic = is_auto,
            .is_drill = p.drill_id != 0};
        memcpy(in.assets, assets, f.im.n_assets * sizeof(assets[0]));
        rc = incident_open(st, as, &in, ref, e);
        if (!rc && p.drill_id)
            rc = store_exec(st, e, "UPDATE incidents SET drill_id = ? WHERE ref = ?", "Is",
                            p.drill_id, ref);
        if (!rc && contained) {
            rc = incident_set_status(st, as, ref, INC_RESPONDING, "篡改已被自动恢复", 0, e);
            if (!rc)
                rc = incident_set_status(st, as, ref, INC_CONTAINED, "篡改已被自动恢复", 0, e);
        }
    }
    if (!rc)
        rc = attach_evidence(st, as, id, ref, e);
    if (!rc)
        rc = decide(st, as, id, "accepted", ref, NULL, reason, is_auto, e);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, e);
}

int proposal_accept(struct store *st, const struct user *as, int64_t id, const char *into_ref,
                    enum level level, const char *reason, char ref[INCIDENT_REF_LEN], struct err *e)
{
    if (reason && *reason) {
        if (strlen(reason) > 1024 || !text_is_clean(reason, strlen(reason)))
            return err_set(e, ERR_INPUT, "the reason is not one line of text up to 1024 bytes");
    }
    return accept(st, as, id, into_ref, level, reason, 0, 0, ref, e);
}

/* What a warning of this category asks people to do, until someone writes better. */
static const char *default_measures(const char *category)
{
    if (strncmp(category, "network-attack", 14) == 0)
        return "一、各部门检查本部门系统的访问日志和账号口令，发现异常立即报告领导组办公室；\n"
               "二、暂停非必要的对外服务和远程管理入口，及时修补已知漏洞；\n"
               "三、技术支撑单位加强监测，按预案做好处置准备。";
    if (strncmp(category, "harmful-program", 15) == 0)
        return "一、各部门立即开展病毒和网页后门查杀，更新防护软件特征库；\n"
               "二、不打开来历不明的邮件附件和链接；\n三、发现异常立即断网并报告领导组办公室。";
    if (strncmp(category, "information-destruction", 23) == 0 ||
        strncmp(category, "content-security", 16) == 0)
        return "一、网站管理部门加强网页内容巡查，核对网页文件完整性；\n"
               "二、收紧网站后台账号权限，修改管理口令；\n三、发现篡改立即恢复并保全证据。";
    return "一、各部门加强值守，检查本部门信息系统运行状态；\n"
           "二、发现异常立即报告领导组办公室；\n三、按预案做好应急处置准备。";
}

int proposal_warn(struct store *st, const struct user *as, int64_t id, const struct warning_new *in,
                  char ref[WARNING_REF_LEN], struct err *e)
{
    int rc = resp_allow(as, ACT_TRIAGE, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    struct proposal_row p;
    rc = proposal_load(st, id, &p, e);
    if (!rc && strcmp(p.status, "dismissed") == 0)
        rc = err_set(e, ERR_CONFLICT, "proposal %lld was dismissed", (long long)id);
    char incident[INCIDENT_REF_LEN] = "";
    if (!rc) {
        sqlite3_stmt *q;
        rc = store_query(st, e, &q,
                         "SELECT coalesce(i.ref, '') FROM proposals p "
                         "LEFT JOIN incidents i ON i.id = p.incident_id WHERE p.id = ?",
                         "I", id);
        if (!rc && store_step(st, q, e) == 1)
            snprintf(incident, sizeof incident, "%s", store_col_text(q, 0));
        if (!rc)
            store_finish(q);
    }
    char scope[400], items[1400], issuer[256];
    snprintf(scope, sizeof scope, "%s", p.asset[0] ? p.asset : "本单位门户网站和OA系统");
    snprintf(items, sizeof items, "%.1000s。研判：%.300s", p.title, p.reason_zh);
    struct buf org;
    buf_init(&org, 512);
    if (!rc && store_meta_get(st, "org.name", &org, e) == 0 && org.len)
        snprintf(issuer, sizeof issuer, "%.160s网络与信息安全应急领导小组", buf_str(&org));
    else
        snprintf(issuer, sizeof issuer, "网络与信息安全应急领导小组");
    buf_release(&org);
    struct warning_new w = {
        .colour = in && in->colour ? in->colour : colour_for_level(p.level),
        .category = p.category,
        .scope = in && in->scope ? in->scope : scope,
        .items = in && in->items ? in->items : items,
        .measures = in && in->measures ? in->measures : default_measures(p.category),
        .deadline_at = in && in->deadline_at ? in->deadline_at : time_now_ms() + PLAN_DAY_MS,
        .issuer = in && in->issuer ? in->issuer : issuer,
        .incident = incident[0] ? incident : NULL,
        .is_drill = p.drill_id != 0,
    };
    if (!rc)
        rc = warning_draft(st, as, &w, ref, e);
    if (!rc && p.drill_id)
        rc = store_exec(st, e, "UPDATE warnings SET drill_id = ? WHERE ref = ?", "Is", p.drill_id,
                        ref);
    if (!rc)
        rc = decide(st, as, id, strcmp(p.status, "open") == 0 ? "warned" : p.status, NULL, ref,
                    NULL, 0, e);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, e);
}

int proposal_dismiss(struct store *st, const struct user *as, int64_t id, const char *reason,
                     struct err *e)
{
    int rc = resp_allow(as, ACT_TRIAGE, e);
    if (!rc && (!reason || !*reason))
        rc = err_set(e, ERR_USAGE, "dismissing a proposal needs a reason");
    if (!rc && (strlen(reason) > 1024 || !text_is_clean(reason, strlen(reason))))
        rc = err_set(e, ERR_INPUT, "the reason is not one line of text up to 1024 bytes");
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    struct proposal_row p;
    rc = proposal_load(st, id, &p, e);
    if (!rc)
        rc = must_be_open(&p, e);
    if (!rc)
        rc = decide(st, as, id, "dismissed", NULL, NULL, reason, 0, e);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, e);
}

/* ---- the periodic work ------------------------------------------------------ */

/* Standing outages grow more serious by the minute: their proposals are
 * assessed again, and an accepted one's incident told when its level rose. */
static int reassess_standing(struct store *st, const struct triage_settings *ts, int64_t now,
                             struct err *e)
{
    int64_t ids[256];
    int n = 0;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT DISTINCT p.id FROM proposals p "
                         "JOIN proposal_assets a ON a.proposal_id = p.id "
                         "LEFT JOIN incidents i ON i.id = p.incident_id "
                         "WHERE a.open > 0 AND a.state IN ('down', 'degraded') AND "
                         "(p.status = 'open' OR (p.status = 'accepted' AND "
                         "i.status NOT IN ('closed', 'assessed'))) ORDER BY p.id LIMIT 256",
                         "");
    if (rc)
        return rc;
    while (n < 256 && (rc = store_step(st, q, e)) == 1)
        ids[n++] = sqlite3_column_int64(q, 0);
    store_finish(q);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        struct facts f;
        struct level_assessment a;
        enum level before;
        rc = store_begin(st, e);
        if (!rc)
            rc = assess(st, ids[i], now, ts, &f, &a, &before, e);
        if (!rc && level_above(a.level, before))
            rc = incident_follow(st, ids[i], &f, e);
        if (rc) {
            store_rollback(st);
            return rc;
        }
        rc = store_commit(st, e);
        if (rc)
            return rc;
    }
    return 0;
}

int triage_tick(struct store *st, int reassess, struct err *e)
{
    struct triage_settings ts;
    int rc = triage_settings_load(st, &ts, e);
    int64_t now = time_now_ms();
    if (!rc && reassess)
        rc = reassess_standing(st, &ts, now, e);
    if (rc)
        return rc;
    /* The settings' automatic decisions, oldest first. Levels compare as
     * text: I < II < III < IV. */
    int64_t ids[64];
    int is_restored[64], n = 0;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT id, is_cleared FROM proposals p WHERE status = 'open' AND ("
                     "(?1 AND is_cleared = 1 AND level = 'IV' AND EXISTS (SELECT 1 FROM "
                     "proposal_assets a WHERE a.proposal_id = p.id AND a.state = 'tampered') "
                     "AND NOT EXISTS (SELECT 1 FROM proposal_assets a WHERE a.proposal_id = p.id "
                     "AND a.state NOT IN ('tampered', ''))) "
                     "OR (?2 != '' AND is_cleared = 0 AND level <= ?2)) ORDER BY id LIMIT 64",
                     "is", ts.auto_restored, level_code(ts.auto_level));
    if (rc)
        return rc;
    while (n < 64 && (rc = store_step(st, q, e)) == 1) {
        is_restored[n] = sqlite3_column_int(q, 1);
        ids[n++] = sqlite3_column_int64(q, 0);
    }
    store_finish(q);
    if (rc < 0)
        return rc;
    struct user sys;
    system_user(&sys);
    for (int i = 0; i < n; i++) {
        char ref[INCIDENT_REF_LEN];
        struct err ae = {0};
        rc = accept(st, &sys, ids[i], NULL, LEVEL_NONE,
                    is_restored[i] ? "篡改已被自动发现并恢复" : "研判级别达到自动启动设置", 1,
                    is_restored[i], ref, &ae);
        if (rc)
            log_warn("triage: proposal %lld not opened automatically: %s", (long long)ids[i],
                     ae.msg);
        else
            log_info("triage: proposal %lld opened as %s", (long long)ids[i], ref);
    }
    return 0;
}
