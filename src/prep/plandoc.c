/* The plan itself: its versions, each with its document kept in the
 * object store, its approver and what caused it; every incident records the
 * version in force when it was opened (src/response/incident.c). */
#include "prep_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLAN_DOC_MAX ((uint64_t)16 << 20)

int plan_revise(struct store *st, const struct user *as, const struct plan_revision *in,
                struct err *e)
{
    int rc = resp_allow(as, ACT_PLAN_REVISE, e);
    if (!rc)
        rc = prep_text("the version", in->version, 64, 1, 0, e);
    if (!rc)
        rc = prep_text("--title", in->title, 256, 1, 0, e);
    if (!rc)
        rc = prep_text("--approved-by", in->approved_by, 128, 1, 0, e);
    if (!rc)
        rc = prep_text("--note", in->note, 4096, 0, 1, e);
    if (!rc && in->effective_at <= 0)
        rc = err_set(e, ERR_USAGE, "--effective (from when it governs) is required");
    if (!rc && in->n_cites > PLAN_CITES_MAX)
        rc = err_set(e, ERR_INPUT, "at most %d citations", PLAN_CITES_MAX);
    json_t *cites = json_array();
    for (size_t i = 0; !rc && i < in->n_cites; i++) {
        rc = prep_text("a citation", in->cites[i], 64, 1, 0, e);
        json_array_append_new(cites, json_string(in->cites[i] ? in->cites[i] : ""));
    }
    char hex[SHA256_HEX_LEN] = "";
    if (!rc && in->document) {
        uint64_t size = 0;
        rc = objstore_put_path(&st->objects, "the plan document", in->document, PLAN_DOC_MAX, hex,
                               &size, e);
    }
    char *cites_s = json_dumps(cites, JSON_COMPACT);
    json_decref(cites);
    if (!rc)
        rc = store_begin(st, e);
    if (rc) {
        free(cites_s);
        return rc;
    }
    int64_t n = 0;
    rc = store_query_int(st, e, &n, "SELECT count(*) FROM plan_versions WHERE version = ?", "s",
                         in->version);
    if (!rc && n)
        rc = err_set(e, ERR_EXISTS, "plan version %s exists already", in->version);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO plan_versions (version, title, effective_at, approved_by, "
                        "note, document, cites, recorded_by, recorded_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "ssIsssssI", in->version, in->title, in->effective_at, in->approved_by,
                        in->note ? in->note : "", hex, cites_s ? cites_s : "[]", as->name,
                        time_now_ms());
    if (!rc)
        rc = audit_append_take(st, as->name, "plan.revise", in->version,
                               json_pack("{s:s, s:s, s:s}", "title", in->title, "approved_by",
                                         in->approved_by, "document", hex),
                               e);
    free(cites_s);
    return prep_finish(st, rc, e);
}

int plan_list_json(struct store *st, const struct user *as, json_t **out, struct err *e)
{
    (void)as;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT version, title, effective_at, approved_by, note, document, cites, "
                         "recorded_by, coalesce(recorded_at, 0), (SELECT count(*) FROM incidents "
                         "i WHERE i.plan_version_id = p.id) FROM plan_versions p "
                         "ORDER BY effective_at DESC, id DESC",
                         "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:o, s:I}", "version",
                      store_col_text(q, 0), "title", store_col_text(q, 1), "effective_at",
                      prep_time_json(sqlite3_column_int64(q, 2)), "approved_by",
                      store_col_text(q, 3), "note", store_col_text(q, 4), "document",
                      store_col_text(q, 5), "cites", json_loads(store_col_text(q, 6), 0, NULL),
                      "recorded_by", store_col_text(q, 7), "recorded_at",
                      prep_time_json(sqlite3_column_int64(q, 8)), "incidents",
                      (json_int_t)sqlite3_column_int64(q, 9)));
    store_finish(q);
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        json_t *files = NULL;
        if (rc >= 0)
            rc = prep_files_json(st, PREP_FILE_PLAN,
                                 json_string_value(json_object_get(v, "version")), &files, e);
        if (files)
            json_object_set_new(v, "files", files);
    }
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}
