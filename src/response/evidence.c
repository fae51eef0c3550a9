/* The evidence locker (H-5): files and notes kept in the object store with
 * their SHA-256, who added them, and a custody trail of every later access. */
#include "response_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int custody(struct store *st, int64_t evidence_id, const char *actor, const char *action,
                   const char *detail, struct err *e)
{
    return store_exec(st, e,
                      "INSERT INTO custody (evidence_id, at, actor, action, detail) "
                      "VALUES (?, ?, ?, ?, ?)",
                      "IIsss", evidence_id, time_now_ms(), actor, action, detail);
}

static int evidence_record(struct store *st, const struct user *as, const struct incident_row *row,
                           const char *kind, const char *name, const char *hex, uint64_t size,
                           const char *note, int64_t *id, struct err *e)
{
    int rc = store_exec(st, e,
                        "INSERT INTO evidence (incident_id, kind, name, sha256, size, note, "
                        "added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        "IsssIssI", row->id, kind, name, hex, (int64_t)size, note ? note : "",
                        as->name, time_now_ms());
    if (rc)
        return rc;
    *id = store_last_id(st);
    rc = custody(st, *id, as->name, "added", hex, e);
    if (!rc)
        rc = timeline_add(st, row->id, as->name, "evidence", e, "保全证据 #%lld：%s（SHA-256 %s）",
                          (long long)*id, name, hex);
    if (!rc)
        rc = audit_append_take(st, as->name, "evidence.add", row->ref,
                               json_pack("{s:I, s:s, s:s, s:s, s:I}", "evidence", (json_int_t)*id,
                                         "kind", kind, "name", name, "sha256", hex, "size",
                                         (json_int_t)size),
                               e);
    return rc;
}

/* The file's own name, without any directory, for the record. */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

int evidence_add_file(struct store *st, const struct user *as, const char *ref, const char *path,
                      const char *note, int64_t *id, struct err *e)
{
    return evidence_add_file_named(st, as, ref, path, base_name(path), note, id, e);
}

int evidence_add_file_named(struct store *st, const struct user *as, const char *ref,
                            const char *path, const char *name, const char *note, int64_t *id,
                            struct err *e)
{
    int rc = resp_allow(as, ACT_EVIDENCE_ADD, e);
    if (!rc && note && *note)
        rc = text_check("--note", note, 4096, 1, e);
    if (!rc)
        rc = text_check("the file name", name, 255, 0, e);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_load(st, as, ref, &row, e);
    if (rc)
        return rc;
    /* The content goes to the object store first; the record follows in one
     * transaction. An object without a record is harmless; a record without
     * its object would be a lie. */
    char hex[SHA256_HEX_LEN];
    uint64_t size = 0;
    rc = objstore_put_path(&st->objects, "evidence file", path, EVIDENCE_MAX_BYTES, hex, &size, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = evidence_record(st, as, &row, "file", name, hex, size, note, id, e);
    return resp_finish(st, rc, e);
}

int evidence_add_object(struct store *st, const struct user *as, const char *ref, const char *hex,
                        const char *name, const char *note, struct err *e)
{
    int rc = resp_allow(as, ACT_EVIDENCE_ADD, e);
    if (!rc && !objstore_hex_valid(hex))
        rc = err_set(e, ERR_INPUT, "'%.70s' is not the SHA-256 of an object", hex);
    if (!rc)
        rc = text_check("the evidence name", name, 255, 0, e);
    if (!rc && note && *note)
        rc = text_check("the note", note, 4096, 1, e);
    if (rc)
        return rc;
    uint64_t size = 0;
    rc = objstore_verify(&st->objects, hex, &size, e);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    int64_t have = 0, id;
    rc = store_query_int(st, e, &have,
                         "SELECT count(*) FROM evidence WHERE incident_id = ? AND sha256 = ?", "Is",
                         row.id, hex);
    if (!rc && !have)
        rc = evidence_record(st, as, &row, "file", name, hex, size, note, &id, e);
    return resp_finish(st, rc, e);
}

int evidence_add_note(struct store *st, const struct user *as, const char *ref, const char *text,
                      int64_t *id, struct err *e)
{
    int rc = resp_allow(as, ACT_EVIDENCE_ADD, e);
    if (!rc)
        rc = text_check("the note", text, 65536, 1, e);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_load(st, as, ref, &row, e);
    char hex[SHA256_HEX_LEN];
    if (!rc)
        rc = objstore_put(&st->objects, text, strlen(text), hex, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = evidence_record(st, as, &row, "note", "note", hex, strlen(text), NULL, id, e);
    return resp_finish(st, rc, e);
}

int evidence_verify(struct store *st, const struct user *as, const char *ref, json_t **out,
                    struct err *e)
{
    struct incident_row row;
    int rc = incident_load(st, as, ref, &row, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT id, name, sha256, size FROM evidence WHERE incident_id = ? "
                     "ORDER BY id",
                     "I", row.id);
    json_t *items = json_array();
    int damaged = 0;
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        int64_t id = sqlite3_column_int64(q, 0);
        struct err oe = {0};
        uint64_t size = 0;
        int vr = objstore_verify(&st->objects, store_col_text(q, 2), &size, &oe);
        int ok = vr == 0 && (int64_t)size == sqlite3_column_int64(q, 3);
        if (vr == 0 && !ok)
            snprintf(oe.msg, sizeof(oe.msg), "size %llu differs from the recorded %lld",
                     (unsigned long long)size, (long long)sqlite3_column_int64(q, 3));
        damaged |= !ok;
        json_array_append_new(items,
                              json_pack("{s:I, s:s, s:s, s:b, s:s?}", "id", (json_int_t)id, "name",
                                        store_col_text(q, 1), "sha256", store_col_text(q, 2), "ok",
                                        ok, "problem", ok ? NULL : oe.msg));
        rc = custody(st, id, as->name, ok ? "verified" : "verify-failed", ok ? "" : oe.msg, e);
    }
    store_finish(q);
    if (!rc) {
        rc = audit_append_take(
            st, as->name, "evidence.verify", ref,
            json_pack("{s:I, s:b}", "items", (json_int_t)json_array_size(items), "ok", !damaged),
            e);
    }
    rc = resp_finish(st, rc, e);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return damaged ? 1 : 0;
}

int evidence_export(struct store *st, const struct user *as, const char *ref, int64_t id,
                    const char *dest, const char *detail, char *name, size_t name_len,
                    struct err *e)
{
    int rc = resp_allow(as, ACT_EVIDENCE_EXPORT, e);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_load(st, as, ref, &row, e);
    if (rc)
        return rc;
    char hex[SHA256_HEX_LEN] = "";
    sqlite3_stmt *q;
    rc =
        store_query(st, e, &q, "SELECT sha256, name FROM evidence WHERE id = ? AND incident_id = ?",
                    "II", id, row.id);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        snprintf(hex, sizeof(hex), "%s", store_col_text(q, 0));
        if (name)
            snprintf(name, name_len, "%s", store_col_text(q, 1));
    }
    store_finish(q);
    if (rc == 0)
        return err_set(e, ERR_NOTFOUND, "incident %s has no evidence #%lld", ref, (long long)id);
    if (rc < 0)
        return rc;
    rc = objstore_export(&st->objects, hex, EVIDENCE_MAX_BYTES, dest, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (!rc)
        rc = custody(st, id, as->name, "exported", detail ? detail : dest, e);
    if (!rc) {
        rc = audit_append_take(
            st, as->name, "evidence.export", ref,
            json_pack("{s:I, s:s, s:s}", "evidence", (json_int_t)id, "to", dest, "sha256", hex), e);
    }
    return resp_finish(st, rc, e);
}
