/* Event intake: check, normalise, deduplicate, store. */
#include "events.h"

#include <stdio.h>
#include <string.h>

static int check_text(const char *what, const char *s, size_t max, int required, struct err *e)
{
    if (!s || !*s)
        return required ? err_set(e, ERR_USAGE, "%s is required", what) : 0;
    size_t n = strlen(s);
    if (n > max)
        return err_set(e, ERR_INPUT, "%s is longer than %zu bytes", what, max);
    if (!text_is_clean(s, n))
        return err_set(e, ERR_INPUT, "%s is not one line of UTF-8 text", what);
    return 0;
}

int event_check(const struct user *as, const struct event_new *in, struct err *e)
{
    if (resp_allow(as, ACT_EVENT_SUBMIT, e))
        return ERR_DENIED;
    const struct category *cat;
    const struct subcategory *sub;
    int rc = check_text("source", in->source, 160, 1, e);
    if (!rc && (!in->category || category_parse(in->category, &cat, &sub) != 0))
        rc = err_set(e, ERR_INPUT, "category '%.60s' is not a category of the plan",
                     in->category ? in->category : "");
    if (!rc)
        rc = check_text("asset", in->asset, 128, 0, e);
    if (!rc)
        rc = check_text("summary", in->summary, 1024, 1, e);
    if (!rc)
        rc = check_text("fingerprint", in->fingerprint, 256, 0, e);
    if (!rc && in->details && !json_is_object(in->details))
        rc = err_set(e, ERR_INPUT, "details must be an object");
    enum asset_state state;
    if (!rc && in->state && *in->state && asset_state_parse(in->state, &state) != 0)
        rc =
            err_set(e, ERR_INPUT,
                    "state '%.40s' is not ok, degraded, down, tampered, leaked or lost", in->state);
    if (!rc)
        rc = check_text("link", in->link, 256, 0, e);
    int64_t now = time_now_ms();
    if (!rc && in->occurred_at && (in->occurred_at < 0 || in->occurred_at > now + PLAN_HOUR_MS))
        rc = err_set(e, ERR_INPUT, "time lies in the future");
    if (!rc && in->evidence) {
        if (!json_is_array(in->evidence) || json_array_size(in->evidence) > EVENT_EVIDENCE_MAX)
            rc = err_set(e, ERR_INPUT, "evidence must be an array of at most %d references",
                         EVENT_EVIDENCE_MAX);
        size_t i;
        const json_t *v;
        json_array_foreach(in->evidence, i, v)
        {
            if (rc)
                break;
            if (!json_is_string(v))
                rc = err_set(e, ERR_INPUT, "evidence[%zu] is not a string", i);
            else
                rc = check_text("an evidence reference", json_string_value(v), 512, 1, e);
        }
    }
    return rc;
}

/* The state an event implies for its asset when it names none. */
static const char *implied_state(const struct category *cat, const struct subcategory *sub)
{
    const char *s = sub ? sub->code : "";
    if (strcmp(cat->code, "information-destruction") == 0)
        return strcmp(s, "leak") == 0 || strcmp(s, "theft") == 0 ? "leaked"
               : strcmp(s, "loss") == 0                          ? "lost"
               : strcmp(s, "tampering") == 0                     ? "tampered"
                                                                 : "";
    if (strcmp(cat->code, "content-security") == 0)
        return "tampered"; /* harmful words or hidden links put on the site */
    if (strcmp(cat->code, "harmful-program") == 0 &&
        (strcmp(s, "webshell") == 0 || strcmp(s, "web-malicious-code") == 0))
        return "tampered";
    return "";
}

int event_store(struct store *st, const struct user *as, const struct event_new *in, int64_t *id,
                int64_t *count, struct err *e)
{
    const struct category *cat;
    const struct subcategory *sub;
    if (category_parse(in->category, &cat, &sub) != 0)
        return err_set(e, ERR_INPUT, "category '%.60s' is not a category of the plan",
                       in->category);
    struct buf details;
    buf_init(&details, EVENT_DETAILS_MAX);
    json_t *empty = json_object();
    int rc = json_canonical(in->details ? in->details : empty, &details);
    json_decref(empty);
    if (rc) {
        buf_release(&details);
        return err_set(e, ERR_TOOBIG, "details are larger than %d bytes", EVENT_DETAILS_MAX);
    }
    /* The fingerprint is namespaced by its source; without one, the same source,
     * category, asset and summary are the same event. */
    char key[400];
    if (in->fingerprint && *in->fingerprint) {
        snprintf(key, sizeof(key), "%s:%s", in->source, in->fingerprint);
    } else {
        struct buf k;
        unsigned char d[SHA256_LEN];
        char fp[SHA256_HEX_LEN];
        buf_init(&k, 4096);
        buf_addf(&k, "%s\n%s\n%s\n%s", in->source, in->category, in->asset ? in->asset : "",
                 in->summary);
        sha256(buf_str(&k), k.len, d);
        hex_encode(d, SHA256_LEN, fp);
        buf_release(&k);
        snprintf(key, sizeof(key), "%s:%s", in->source, fp);
    }
    struct buf evidence;
    buf_init(&evidence, 16 * 1024);
    json_t *none = json_array();
    json_canonical(in->evidence ? in->evidence : none, &evidence);
    json_decref(none);
    const char *state = in->state && *in->state ? in->state : implied_state(cat, sub);
    int64_t now = time_now_ms(), occurred = in->occurred_at ? in->occurred_at : now;
    int64_t cleared = 0;
    int existed = 0;
    sqlite3_stmt *q = NULL;
    rc = store_query(st, e, &q,
                     "SELECT id, count, coalesce(cleared_at, 0) FROM events "
                     "WHERE fingerprint = ?",
                     "s", key);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        existed = 1;
        *id = sqlite3_column_int64(q, 0);
        *count = sqlite3_column_int64(q, 1) + 1;
        cleared = sqlite3_column_int64(q, 2);
        rc = 0;
    }
    store_finish(q);
    enum triage_change change = TRIAGE_NEW;
    if (!rc && !existed) {
        rc = store_exec(st, e,
                        "INSERT INTO events (source, category, subcategory, asset, summary, "
                        "fingerprint, details, first_seen, last_seen, submitted_by, occurred_at, "
                        "state, link, evidence, cleared_at, drill_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "sssssssIIsIsssTT", in->source, cat->code, sub ? sub->code : NULL,
                        in->asset ? in->asset : "", in->summary, key, buf_str(&details), now, now,
                        as->name, occurred, state, in->link ? in->link : "", buf_str(&evidence),
                        in->is_resolved ? now : (int64_t)0, in->drill_id);
        *id = store_last_id(st);
        *count = 1;
    } else if (!rc && in->is_resolved) {
        /* The clearing report keeps what the event said and adds its own. */
        change = cleared ? TRIAGE_REPEAT : TRIAGE_CLEARED;
        rc = store_exec(st, e,
                        "UPDATE events SET count = count + 1, last_seen = ?, "
                        "cleared_at = coalesce(cleared_at, ?), "
                        "details = json_set(details, '$.cleared', json(?)) WHERE id = ?",
                        "IIsI", now, now, buf_str(&details), *id);
    } else if (!rc) {
        change = cleared ? TRIAGE_REFIRED : TRIAGE_REPEAT;
        rc = store_exec(st, e,
                        "UPDATE events SET count = count + 1, last_seen = ?, summary = ?, "
                        "details = ?, cleared_at = NULL WHERE id = ?",
                        "IssI", now, in->summary, buf_str(&details), *id);
    }
    buf_release(&details);
    buf_release(&evidence);
    if (!rc)
        rc = triage_event(st, *id, change, e);
    /* A new event is a change worth the audit log; a repeat only counts. */
    if (!rc && *count == 1) {
        char obj[32];
        snprintf(obj, sizeof(obj), "event:%lld", (long long)*id);
        rc = audit_append_take(
            st, as->name, "event.submit", obj,
            json_pack("{s:s, s:s}", "source", in->source, "category", in->category), e);
    }
    return rc;
}

int event_submit(struct store *st, const struct user *as, const struct event_new *in, int64_t *id,
                 int64_t *count, struct err *e)
{
    int rc = event_check(as, in, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = event_store(st, as, in, id, count, e);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, e);
}

int event_list_json(struct store *st, const struct user *as, int limit, int64_t before_id,
                    json_t **out, struct err *e)
{
    if (resp_allow(as, ACT_EVENT_READ, e))
        return ERR_DENIED;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, source, category, coalesce(subcategory, ''), asset, summary, "
                         "count, first_seen, last_seen, coalesce(occurred_at, first_seen), state, "
                         "coalesce(cleared_at, 0), coalesce(proposal_id, 0) FROM events "
                         "WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
                         "IIi", before_id, before_id, limit);
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        char first[TIME_ISO_LEN], last[TIME_ISO_LEN], occurred[TIME_ISO_LEN], cleared[TIME_ISO_LEN],
            category[160];
        time_format_utc(sqlite3_column_int64(q, 7), first);
        time_format_utc(sqlite3_column_int64(q, 8), last);
        time_format_utc(sqlite3_column_int64(q, 9), occurred);
        int64_t cl = sqlite3_column_int64(q, 11), pid = sqlite3_column_int64(q, 12);
        time_format_utc(cl, cleared);
        snprintf(category, sizeof(category), "%s%s%s", store_col_text(q, 2),
                 *store_col_text(q, 3) ? "/" : "", store_col_text(q, 3));
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s?, s:o}", "id",
                             (json_int_t)sqlite3_column_int64(q, 0), "source", store_col_text(q, 1),
                             "category", category, "asset", store_col_text(q, 4), "summary",
                             store_col_text(q, 5), "count", (json_int_t)sqlite3_column_int64(q, 6),
                             "first_seen", first, "last_seen", last, "occurred_at", occurred,
                             "state", store_col_text(q, 10), "cleared_at", cl ? cleared : NULL,
                             "proposal", pid ? json_integer(pid) : json_null()));
    }
    store_finish(q);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}
