/* The audit chain. Each entry stores
 *     hash = SHA-256(previous hash || canonical bytes of the entry)
 * where the first entry's previous hash is 64 zeros, and audit_head records the
 * newest entry, so that editing, inserting, reordering or removing entries is
 * found by audit_verify. */
#include "store.h"

#include <stdio.h>
#include <string.h>

#define AUDIT_GENESIS     "0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_MAX_DETAILS (256 * 1024)

/* Canonical bytes: a version tag, then each field as a netstring
 * ("<len>:<bytes>,"), so that no two different entries share bytes. */
int audit_canonical(int64_t id, int64_t at, const char *actor, const char *action,
                    const char *object, const char *details, struct buf *out)
{
    const char *fields[] = {actor, action, object, details};
    int rc = buf_addf(out, "tocsin-audit-v1\n%lld,%lld,", (long long)id, (long long)at);
    for (size_t i = 0; !rc && i < sizeof(fields) / sizeof(fields[0]); i++)
        rc = buf_addf(out, "%zu:%s,", strlen(fields[i]), fields[i]);
    return rc;
}

static int entry_hash(const char *prev_hex, int64_t id, int64_t at, const char *actor,
                      const char *action, const char *object, const char *details,
                      char out[SHA256_HEX_LEN])
{
    struct buf b;
    buf_init(&b, AUDIT_MAX_DETAILS + 4096);
    int rc = buf_adds(&b, prev_hex);
    if (!rc)
        rc = audit_canonical(id, at, actor, action, object, details, &b);
    if (rc) {
        buf_release(&b);
        return rc;
    }
    unsigned char digest[SHA256_LEN];
    rc = sha256(b.p, b.len, digest);
    buf_release(&b);
    if (!rc)
        hex_encode(digest, SHA256_LEN, out);
    return rc;
}

int audit_append(struct store *st, const char *actor, const char *action, const char *object,
                 const json_t *details, struct err *e)
{
    if (!store_in_transaction(st))
        return err_set(e, ERR_INTERNAL, "audit entry '%s' written outside a transaction", action);
    struct buf canon;
    buf_init(&canon, AUDIT_MAX_DETAILS);
    json_t *empty = NULL;
    if (!details)
        details = empty = json_object();
    int rc = json_canonical(details, &canon);
    json_decref(empty);
    if (rc) {
        buf_release(&canon);
        return err_set(e, rc, "audit details for '%s' are too large", action);
    }

    char prev[SHA256_HEX_LEN] = AUDIT_GENESIS;
    int64_t last_id = 0;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q, "SELECT last_id, hash FROM audit_head WHERE one = 1", "");
    if (rc)
        goto out;
    rc = store_step(st, q, e);
    if (rc == 1) {
        last_id = sqlite3_column_int64(q, 0);
        snprintf(prev, sizeof(prev), "%s", store_col_text(q, 1));
        rc = 0;
    }
    store_finish(q);
    if (rc)
        goto out;

    int64_t id = last_id + 1, at = time_now_ms();
    char hash[SHA256_HEX_LEN];
    rc = entry_hash(prev, id, at, actor, action, object, buf_str(&canon), hash);
    if (rc) {
        rc = err_set(e, rc, "cannot hash audit entry '%s'", action);
        goto out;
    }
    rc = store_exec(st, e,
                    "INSERT INTO audit (id, at, actor, action, object, details, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    "IIssssss", id, at, actor, action, object, buf_str(&canon), prev, hash);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO audit_head (one, last_id, hash) VALUES (1, ?, ?) "
                        "ON CONFLICT (one) DO UPDATE SET last_id = excluded.last_id, "
                        "hash = excluded.hash",
                        "Is", id, hash);
out:
    buf_release(&canon);
    return rc;
}

int audit_append_take(struct store *st, const char *actor, const char *action, const char *object,
                      json_t *details, struct err *e)
{
    int rc = audit_append(st, actor, action, object, details, e);
    json_decref(details);
    return rc;
}

static int broken(struct audit_report *r, int64_t id, const char *fmt, const char *a)
{
    r->bad_id = id;
    snprintf(r->reason, sizeof(r->reason), fmt, a);
    return 1;
}

int audit_verify(struct store *st, struct audit_report *r, struct err *e)
{
    memset(r, 0, sizeof(*r));
    char prev[SHA256_HEX_LEN] = AUDIT_GENESIS;
    int64_t expect_id = 1;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, at, actor, action, object, details, prev_hash, hash "
                         "FROM audit ORDER BY id",
                         "");
    if (rc)
        return rc;
    while ((rc = store_step(st, q, e)) == 1) {
        int64_t id = sqlite3_column_int64(q, 0);
        if (id != expect_id) {
            rc = broken(r, expect_id, "entry is missing%s (removed from the chain)", "");
            break;
        }
        if (strcmp(store_col_text(q, 6), prev) != 0) {
            rc = broken(r, id, "its link to the previous entry is wrong%s", "");
            break;
        }
        char hash[SHA256_HEX_LEN];
        rc = entry_hash(prev, id, sqlite3_column_int64(q, 1), store_col_text(q, 2),
                        store_col_text(q, 3), store_col_text(q, 4), store_col_text(q, 5), hash);
        if (rc) {
            rc = err_set(e, rc, "cannot hash audit entry %lld", (long long)id);
            break;
        }
        if (strcmp(hash, store_col_text(q, 7)) != 0) {
            rc = broken(r, id, "its content does not match its hash%s (entry altered)", "");
            break;
        }
        memcpy(prev, hash, sizeof(prev));
        r->entries++;
        expect_id++;
    }
    store_finish(q);
    if (rc != 0)
        return rc;

    int64_t head_id = 0;
    char head_hash[SHA256_HEX_LEN] = AUDIT_GENESIS;
    rc = store_query(st, e, &q, "SELECT last_id, hash FROM audit_head WHERE one = 1", "");
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        head_id = sqlite3_column_int64(q, 0);
        snprintf(head_hash, sizeof(head_hash), "%s", store_col_text(q, 1));
        rc = 0;
    }
    store_finish(q);
    if (rc < 0)
        return rc;
    if (head_id > r->entries)
        return broken(r, r->entries + 1, "entry is missing%s (entries removed from the end)", "");
    if (head_id < r->entries)
        return broken(r, head_id + 1, "entry was added%s behind the chain's back", "");
    if (strcmp(head_hash, prev) != 0)
        return broken(r, head_id, "it does not match the recorded head of the chain%s", "");
    return 0;
}
