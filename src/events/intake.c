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
    if (!permission_allows(as->role, ACT_EVENT_SUBMIT))
        return err_set(e, ERR_DENIED, "user %s (role %s) may not %s", as->name,
                       role_info(as->role)->code, action_info(ACT_EVENT_SUBMIT)->en);
    const struct category *cat;
    const struct subcategory *sub;
    int rc = check_text("source", in->source, 64, 1, e);
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
    return rc;
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
    int64_t now = time_now_ms();
    rc = store_exec(st, e,
                    "INSERT INTO events (source, category, subcategory, asset, summary, "
                    "fingerprint, details, first_seen, last_seen, submitted_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO "
                    "UPDATE SET count = count + 1, last_seen = excluded.last_seen, "
                    "summary = excluded.summary, details = excluded.details",
                    "sssssssIIs", in->source, cat->code, sub ? sub->code : NULL,
                    in->asset ? in->asset : "", in->summary, key, buf_str(&details), now, now,
                    as->name);
    buf_release(&details);
    sqlite3_stmt *q = NULL;
    if (!rc)
        rc = store_query(st, e, &q, "SELECT id, count FROM events WHERE fingerprint = ?", "s", key);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        *id = sqlite3_column_int64(q, 0);
        *count = sqlite3_column_int64(q, 1);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_INTERNAL, "event vanished after it was stored");
    }
    store_finish(q);
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
    if (!permission_allows(as->role, ACT_EVENT_READ))
        return err_set(e, ERR_DENIED, "user %s (role %s) may not %s", as->name,
                       role_info(as->role)->code, action_info(ACT_EVENT_READ)->en);
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, source, category, coalesce(subcategory, ''), asset, summary, "
                         "count, first_seen, last_seen FROM events WHERE (? = 0 OR id < ?) "
                         "ORDER BY id DESC LIMIT ?",
                         "IIi", before_id, before_id, limit);
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        char first[TIME_ISO_LEN], last[TIME_ISO_LEN], category[160];
        time_format_utc(sqlite3_column_int64(q, 7), first);
        time_format_utc(sqlite3_column_int64(q, 8), last);
        snprintf(category, sizeof(category), "%s%s%s", store_col_text(q, 2),
                 *store_col_text(q, 3) ? "/" : "", store_col_text(q, 3));
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "id",
                             (json_int_t)sqlite3_column_int64(q, 0), "source", store_col_text(q, 1),
                             "category", category, "asset", store_col_text(q, 4), "summary",
                             store_col_text(q, 5), "count", (json_int_t)sqlite3_column_int64(q, 6),
                             "first_seen", first, "last_seen", last));
    }
    store_finish(q);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}
