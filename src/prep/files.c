/* Files kept with preparedness records: evidence of a security check run,
 * a training's materials, a plan version's document (the first one given
 * becomes the version's document). The content goes to the object store
 * first and the record follows in one transaction, so a record never names
 * a missing object; a file is given back only after its hash is checked. */
#include "prep_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *code;
    enum action add;
} owners[PREP_FILE_OWNER_COUNT] = {
    [PREP_FILE_CHECK_RUN] = {"check-run", ACT_CHECK_RUN},
    [PREP_FILE_TRAINING] = {"training", ACT_TRAINING_MANAGE},
    [PREP_FILE_PLAN] = {"plan", ACT_PLAN_REVISE},
};

const char *prep_file_owner_code(enum prep_file_owner o)
{
    return (unsigned)o < PREP_FILE_OWNER_COUNT ? owners[o].code : "";
}

/* That the record a file is for exists. */
static int owner_exists(struct store *st, enum prep_file_owner o, const char *ref, struct err *e)
{
    static const char *const sql[PREP_FILE_OWNER_COUNT] = {
        [PREP_FILE_CHECK_RUN] = "SELECT count(*) FROM check_runs WHERE CAST(id AS TEXT) = ?",
        [PREP_FILE_TRAINING] = "SELECT count(*) FROM trainings WHERE ref = ?",
        [PREP_FILE_PLAN] = "SELECT count(*) FROM plan_versions WHERE version = ?",
    };
    int64_t n = 0;
    int rc = store_query_int(st, e, &n, sql[o], "s", ref);
    if (!rc && n == 0)
        rc = err_set(e, ERR_NOTFOUND, "there is no %s %.64s",
                     o == PREP_FILE_CHECK_RUN  ? "check run"
                     : o == PREP_FILE_TRAINING ? "training"
                                               : "plan version",
                     ref);
    return rc;
}

int prep_file_add(struct store *st, const struct user *as, enum prep_file_owner o, const char *ref,
                  const char *path, const char *name, const char *note, int64_t *id, struct err *e)
{
    if ((unsigned)o >= PREP_FILE_OWNER_COUNT)
        return err_set(e, ERR_INTERNAL, "no such owner of files");
    int rc = resp_allow(as, owners[o].add, e);
    if (!rc)
        rc = prep_text("the file name", name, 255, 1, 0, e);
    if (!rc && (strchr(name, '/') || strchr(name, '\\') || strcmp(name, ".") == 0 ||
                strcmp(name, "..") == 0))
        rc = err_set(e, ERR_INPUT, "the file name '%.60s' may not be a path", name);
    if (!rc)
        rc = prep_text("the note", note, 1024, 0, 1, e);
    if (!rc)
        rc = prep_text("the reference", ref, 64, 1, 0, e);
    if (!rc)
        rc = owner_exists(st, o, ref, e);
    if (rc)
        return rc;
    char hex[SHA256_HEX_LEN];
    uint64_t size = 0;
    rc = objstore_put_path(&st->objects, "the file", path, PREP_FILE_MAX, hex, &size, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = store_exec(st, e,
                    "INSERT INTO prep_files (owner, ref, name, object, size, note, added_by, "
                    "added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    "ssssIssT", owners[o].code, ref, name, hex, (int64_t)size, note ? note : "",
                    as->name, time_now_ms());
    *id = rc ? 0 : store_last_id(st);
    /* a plan version's first file is its document */
    if (!rc && o == PREP_FILE_PLAN)
        rc = store_exec(st, e,
                        "UPDATE plan_versions SET document = ? WHERE version = ? AND document = ''",
                        "ss", hex, ref);
    char object[96];
    snprintf(object, sizeof(object), "%s:%s", owners[o].code, ref);
    if (!rc)
        rc = audit_append_take(st, as->name, "file.add", object,
                               json_pack("{s:I, s:s, s:s, s:I}", "file", (json_int_t)*id, "name",
                                         name, "sha256", hex, "size", (json_int_t)size),
                               e);
    return prep_finish(st, rc, e);
}

int prep_files_json(struct store *st, enum prep_file_owner o, const char *ref, json_t **out,
                    struct err *e)
{
    sqlite3_stmt *q = NULL;
    int rc = store_query(st, e, &q,
                         "SELECT id, name, object, size, note, added_by, added_at FROM prep_files "
                         "WHERE owner = ? AND ref = ? ORDER BY id",
                         "ss", prep_file_owner_code(o), ref);
    json_t *a = json_array();
    while (!rc && (rc = store_step(st, q, e)) == 1) {
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:o}", "id",
                                           (json_int_t)sqlite3_column_int64(q, 0), "name",
                                           store_col_text(q, 1), "sha256", store_col_text(q, 2),
                                           "size", (json_int_t)sqlite3_column_int64(q, 3), "note",
                                           store_col_text(q, 4), "added_by", store_col_text(q, 5),
                                           "added_at", prep_time_json(sqlite3_column_int64(q, 6))));
        rc = 0;
    }
    store_finish(q);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

int prep_file_export(struct store *st, const struct user *as, int64_t id, const char *dest,
                     char *name, size_t name_cap, struct err *e)
{
    (void)as; /* the records files belong to are read by every signed-in user */
    sqlite3_stmt *q = NULL;
    char hex[SHA256_HEX_LEN] = "";
    int rc = store_query(st, e, &q, "SELECT name, object FROM prep_files WHERE id = ?", "I", id);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        snprintf(name, name_cap, "%s", store_col_text(q, 0));
        snprintf(hex, sizeof(hex), "%s", store_col_text(q, 1));
        rc = 0;
    } else if (rc == 0)
        rc = err_set(e, ERR_NOTFOUND, "there is no file %lld", (long long)id);
    store_finish(q);
    if (rc)
        return rc;
    return objstore_export(&st->objects, hex, PREP_FILE_MAX, dest, e);
}
