/* The whole story of an incident as JSON, and the incident list. */
#include "response_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *time_json(int64_t ms)
{
    if (!ms)
        return json_null();
    char s[TIME_ISO_LEN];
    time_format_utc(ms, s);
    return json_string(s);
}

/* Runs a query bound to the incident id and turns each row into an object
 * with the given keys; columns named "*_at" are times. */
static int rows_json(struct store *st, int64_t id, const char *sql, const char *const *keys,
                     json_t **out, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, sql, "I", id);
    if (rc)
        return rc;
    json_t *arr = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        json_t *o = json_object();
        for (int i = 0; keys[i]; i++) {
            size_t n = strlen(keys[i]);
            json_t *v;
            if (strcmp(keys[i], "at") == 0 || (n > 3 && strcmp(keys[i] + n - 3, "_at") == 0))
                v = time_json(sqlite3_column_int64(q, i));
            else if (sqlite3_column_type(q, i) == SQLITE_INTEGER)
                v = json_integer(sqlite3_column_int64(q, i));
            else if (sqlite3_column_type(q, i) == SQLITE_NULL)
                v = json_null();
            else
                v = json_string(store_col_text(q, i));
            json_object_set_new(o, keys[i], v ? v : json_null());
        }
        json_array_append_new(arr, o);
    }
    store_finish(q);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

static const char *const timeline_keys[] = {"at", "actor", "kind", "text", NULL};
static const char *const task_keys[] = {
    "id",     "code",      "title",   "clause",  "owner_role", "department", "assignee",
    "due_at", "mandatory", "done_at", "done_by", "note",       NULL};
static const char *const evidence_keys[] = {"id",   "kind",     "name",     "sha256", "size",
                                            "note", "added_by", "added_at", NULL};
static const char *const report_keys[] = {"id",      "recipient", "kind",    "due_at",
                                          "sent_at", "sent_by",   "sent_to", "sent_via",
                                          "late",    "text",      NULL};
static const char *const statement_keys[] = {"id",          "text",        "status",
                                             "approval_id", "created_by",  "created_at",
                                             "released_at", "released_by", NULL};
static const char *const custody_keys[] = {"evidence", "at", "actor", "action", "detail", NULL};

int incident_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                       struct err *e)
{
    struct incident_row row;
    int rc = incident_load(st, as, ref, &row, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT i.description, i.level_reason, i.proposal, p.version, "
                     "coalesce(i.acknowledged_at, 0), coalesce((SELECT d.ref FROM drills d "
                     "WHERE d.id = i.drill_id), '') FROM incidents i "
                     "JOIN plan_versions p ON p.id = i.plan_version_id WHERE i.id = ?",
                     "I", row.id);
    if (rc)
        return rc;
    if ((rc = store_step(st, q, e)) != 1) {
        store_finish(q);
        return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "no incident %s", ref);
    }
    const struct category *cat = NULL;
    const struct subcategory *sub = NULL;
    category_parse(row.category, &cat, &sub);
    json_error_t jerr;
    json_t *proposal = json_loads(store_col_text(q, 2), 0, &jerr);
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s?, s:s, s:s?, s:o, s:s, s:s, s:s, "
        "s:s, s:s, s:{s:b, s:b, s:b}, s:s, s:o, s:o, s:o, s:o}",
        "ref", row.ref, "title", row.title, "description", store_col_text(q, 0), "category",
        row.category, "subcategory", row.subcategory[0] ? row.subcategory : NULL, "category_zh",
        cat ? cat->zh : "", "gbt_20986",
        gbt_class_zh(sub   ? sub->gbt
                     : cat ? cat->subs[0].gbt
                           : 0),
        "level_zh", level_zh(row.level), "level",
        row.level != LEVEL_NONE ? level_code(row.level) : NULL, "level_reason",
        store_col_text(q, 1), "proposed_level",
        row.proposed != LEVEL_NONE ? level_code(row.proposed) : NULL, "proposal",
        proposal ? proposal : json_array(), "status", incident_status_code(row.status), "status_zh",
        incident_status_zh(row.status), "owner_department", row.owner_department, "owner_user",
        row.owner_user, "reported_by", row.reported_by, "flags", "sabotage", row.is_sabotage,
        "crime", row.is_crime, "drill", row.is_drill, "plan_version", store_col_text(q, 3),
        "started_at", time_json(row.started_at), "created_at", time_json(row.created_at),
        "acknowledged_at", time_json(sqlite3_column_int64(q, 4)), "closed_at",
        time_json(row.closed_at));
    /* the drill an incident was opened in, for its practice report */
    if (o && store_col_text(q, 5)[0])
        json_object_set_new(o, "drill_ref", json_string(store_col_text(q, 5)));
    store_finish(q);
    if (!o)
        return err_set(e, ERR_INTERNAL, "cannot build the JSON of %s", ref);

    struct {
        const char *key, *sql;
        const char *const *keys;
    } parts[] = {
        {"timeline", "SELECT at, actor, kind, text FROM timeline WHERE incident_id = ? ORDER BY id",
         timeline_keys},
        {"tasks",
         "SELECT id, code, title, clause, owner_role, department, assignee, due_at, "
         "is_mandatory, done_at, done_by, note FROM tasks WHERE incident_id = ? ORDER BY id",
         task_keys},
        {"evidence",
         "SELECT id, kind, name, sha256, size, note, added_by, added_at FROM evidence "
         "WHERE incident_id = ? ORDER BY id",
         evidence_keys},
        {"custody",
         "SELECT c.evidence_id, c.at, c.actor, c.action, c.detail FROM custody c "
         "JOIN evidence v ON v.id = c.evidence_id WHERE v.incident_id = ? ORDER BY c.id",
         custody_keys},
        {"reports",
         "SELECT id, recipient, kind, due_at, sent_at, sent_by, sent_to, sent_via, is_late, text "
         "FROM reports WHERE incident_id = ? ORDER BY id",
         report_keys},
        {"statements",
         "SELECT id, text, status, approval_id, created_by, created_at, released_at, released_by "
         "FROM statements WHERE incident_id = ? ORDER BY id",
         statement_keys},
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        json_t *arr;
        rc = rows_json(st, row.id, parts[i].sql, parts[i].keys, &arr, e);
        if (rc) {
            json_decref(o);
            return rc;
        }
        json_object_set_new(o, parts[i].key, arr);
    }
    json_t *assets;
    static const char *const asset_keys[] = {"name", NULL};
    rc = rows_json(st, row.id, "SELECT asset FROM incident_assets WHERE incident_id = ?",
                   asset_keys, &assets, e);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *names = json_array();
    size_t k;
    json_t *v;
    json_array_foreach(assets, k, v) json_array_append(names, json_object_get(v, "name"));
    json_decref(assets);
    json_object_set_new(o, "assets", names);
    json_t *assessment = NULL;
    struct err ae = {0};
    if (assessment_show_json(st, as, ref, &assessment, &ae) == 0)
        json_object_set_new(o, "assessment", assessment);
    else
        json_object_set_new(o, "assessment", json_null());
    *out = o;
    return 0;
}

/* Pages already written, per thread, reused while the database's generation
 * is unchanged: a dashboard polling the same page costs one small query. */
#define PAGE_CACHE 8

struct page_cached {
    uint64_t store; /* the store's serial: a reopened database is another */
    uint64_t generation;
    char key[400]; /* who sees what, and which page */
    char *text;
    int64_t last_id;
    int count;
};

static __thread struct page_cached page_cache[PAGE_CACHE];
static __thread unsigned page_next;

static int page_query(struct store *st, const struct user *as, const char *status, int open_only,
                      int limit, int64_t before_id, struct buf *out, int64_t *last_id, int *count,
                      struct err *e);

int incident_list_text(struct store *st, const struct user *as, const char *status, int open_only,
                       int limit, int64_t before_id, struct buf *out, int64_t *last_id, int *count,
                       struct err *e)
{
    uint64_t gen;
    int rc = store_generation(st, &gen, e);
    if (rc)
        return rc;
    int all = permission_allows(as->role, ACT_INCIDENT_READ_ALL);
    char key[400];
    snprintf(key, sizeof(key), "%d|%d|%.40s|%.130s|%.20s|%d|%d|%lld", all, (int)as->role,
             all ? "" : as->name, all ? "" : as->department, status ? status : "", open_only, limit,
             (long long)before_id);
    for (int i = 0; i < PAGE_CACHE; i++) {
        struct page_cached *c = &page_cache[i];
        if (c->text && c->store == st->serial && c->generation == gen && strcmp(c->key, key) == 0) {
            *last_id = c->last_id;
            *count = c->count;
            return buf_adds(out, c->text) ? err_set(e, ERR_TOOBIG, "the page is too large") : 0;
        }
    }
    size_t start = out->len;
    rc = page_query(st, as, status, open_only, limit, before_id, out, last_id, count, e);
    if (rc)
        return rc;
    struct page_cached *c = &page_cache[page_next++ % PAGE_CACHE];
    free(c->text);
    c->text = strdup(buf_str(out) + start);
    c->store = st->serial;
    c->generation = gen;
    snprintf(c->key, sizeof(c->key), "%s", key);
    c->last_id = *last_id;
    c->count = *count;
    return 0;
}

static int page_query(struct store *st, const struct user *as, const char *status, int open_only,
                      int limit, int64_t before_id, struct buf *out, int64_t *last_id, int *count,
                      struct err *e)
{
    enum incident_status want;
    if (status && incident_status_parse(status, &want) != 0)
        return err_set(e, ERR_INPUT, "unknown status '%.30s'", status);
    /* Departments see what they reported and what their department owns;
     * the same rule as incident_visible, in SQL so that a page is one query.
     * The database writes the JSON itself: no tree of objects per row. */
    int all = permission_allows(as->role, ACT_INCIDENT_READ_ALL);
    int none = !all && as->role != ROLE_DEPARTMENT;
    sqlite3_stmt *q;
    int rc = store_query(
        st, e, &q,
        "SELECT coalesce(json_group_array(json_object('id', id, 'ref', ref, 'title', title, "
        "'category', category, 'subcategory', subcategory, 'level', level, 'proposed_level', "
        "proposed_level, 'status', status, 'owner_department', owner_department, 'drill', "
        "json(CASE WHEN is_drill THEN 'true' ELSE 'false' END), 'started_at', "
        "strftime('%Y-%m-%dT%H:%M:%fZ', started_at / 1000.0, 'unixepoch'))), '[]'), "
        "coalesce(min(id), 0), count(*) FROM (SELECT * FROM incidents "
        "WHERE ?8 = 0 AND (?1 = 0 OR id < ?1) AND (?2 IS NULL OR status = ?2) "
        "AND (?3 = 0 OR status NOT IN ('closed', 'assessed')) "
        "AND (?4 = 1 OR reported_by = ?5 OR (?6 <> '' AND (owner_department = ?6 "
        "OR reporter_department = ?6))) ORDER BY id DESC LIMIT ?7)",
        "IsiissIi", before_id, status, open_only, all, as->name, as->department,
        (int64_t)(limit > 0 ? limit : -1), none);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        rc = buf_adds(out, store_col_text(q, 0));
        *last_id = sqlite3_column_int64(q, 1);
        *count = sqlite3_column_int(q, 2);
        if (rc)
            rc = err_set(e, ERR_TOOBIG, "the page of incidents is too large");
    } else if (rc == 0) {
        rc = err_set(e, ERR_INTERNAL, "the incident page query returned no row");
    }
    store_finish(q);
    return rc;
}

int incident_list_json(struct store *st, const struct user *as, const char *status, int open_only,
                       int limit, int64_t before_id, json_t **out, struct err *e)
{
    struct buf b;
    int64_t last;
    int n;
    buf_init(&b, (size_t)64 << 20);
    int rc = incident_list_text(st, as, status, open_only, limit, before_id, &b, &last, &n, e);
    if (!rc) {
        *out = json_loads(buf_str(&b), 0, NULL);
        if (!*out)
            rc = err_set(e, ERR_INTERNAL, "the incident page is not valid JSON");
    }
    buf_release(&b);
    return rc;
}
