/*
 * store — the data directory: the SQLite database (connection, numbered
 * migrations, typed queries), the content-addressed object store and the
 * hash-chained audit log.
 *
 * All SQL is a string literal in the calling code; values reach it only as
 * bound parameters, described by a type string (see store_exec). Rows are read
 * with sqlite3_column_*() on the statement store_query hands out.
 *
 * Ownership: parameters are borrowed; store_open hands out a store that
 * store_close frees; store_query hands out a statement that store_finish frees.
 *
 * Threads: a store is used by one thread at a time, and closed by the thread
 * that used it last or after that thread has ended (store_finish remembers,
 * per thread, the store it used last).
 */
#ifndef TOCSIN_STORE_H
#define TOCSIN_STORE_H

#include <sqlite3.h>

#include "../core/core.h"

#define STORE_PATH_MAX 1024

/* The object store: objects/<2 hex>/<64 hex>, each a zstd frame of the
 * content whose SHA-256 is the name. Usable without a database. */
struct objstore {
    char dir[STORE_PATH_MAX]; /* .../objects */
    /* A bulk load (a tree's first baseline): objects are not synced one by
     * one but all at once by objstore_sync, before anything refers to them. */
    int defer_sync;
};

#define STORE_STMT_CACHE 128

struct store_cached {
    const char *sql; /* the literal it was prepared from */
    sqlite3_stmt *stmt;
    int is_busy; /* handed out and not yet finished */
};

struct store {
    sqlite3 *db;
    uint64_t serial;                             /* unique among the stores this process opened */
    struct store_cached cache[STORE_STMT_CACHE]; /* prepared statements kept for reuse */
    struct store *next_open;                     /* the list of open stores */
    char dir[STORE_PATH_MAX];                    /* the data directory */
    char db_path[STORE_PATH_MAX];                /* dir/tocsin.db */
    struct objstore objects;
    int depth; /* store_begin calls not yet committed or rolled back */
};

enum store_flags {
    STORE_CREATE = 1 /* create the database and objects/ (tocsin init only) */
};

/* Opens (or with STORE_CREATE creates) the data directory's database and
 * applies pending migrations. Refuses a database newer than this binary. */
int store_open(struct store **out, const char *dir, int flags, struct err *e);
void store_close(struct store *st);
/* The schema version this binary creates and understands. */
int store_schema_latest(void);
int store_schema_version(struct store *st, struct err *e);

/* Write transactions are IMMEDIATE, so that two processes never interleave
 * (the audit chain relies on it). A begin inside a transaction opens a
 * savepoint, so that one change can be made of others (a proposal accepted
 * into a new incident), each committing or rolling back as a whole. */
int store_begin(struct store *st, struct err *e);
int store_commit(struct store *st, struct err *e);
void store_rollback(struct store *st);
int store_in_transaction(struct store *st);

/*
 * Typed statements. `types` has one letter per `?` in sql:
 *   s  const char *   text (NULL binds NULL)
 *   i  int            integer
 *   I  int64_t        integer
 *   T  int64_t        a time in ms; 0 binds NULL (not yet happened)
 *   d  double         real
 *   b  const void *, size_t   blob
 *   n  (nothing)      NULL
 */
int store_exec(struct store *st, struct err *e, const char *sql, const char *types, ...);
/* Prepares and binds; the caller steps with store_step and frees with
 * store_finish. */
int store_query(struct store *st, struct err *e, sqlite3_stmt **out, const char *sql,
                const char *types, ...);
/* 1 when a row is ready, 0 when done, negative on error. */
int store_step(struct store *st, sqlite3_stmt *stmt, struct err *e);
void store_finish(sqlite3_stmt *stmt);
/* The first column of the first row as an integer; ERR_NOTFOUND without a row. */
int store_query_int(struct store *st, struct err *e, int64_t *out, const char *sql,
                    const char *types, ...);
int64_t store_last_id(struct store *st);
int store_changes(struct store *st);
/* A column as text, "" for NULL. */
const char *store_col_text(sqlite3_stmt *stmt, int col);

/* A number that changes whenever the database may have changed: a write by
 * this connection or a commit by any other. Equal numbers mean equal data,
 * so a result computed under one may be reused while it stays the same. */
int store_generation(struct store *st, uint64_t *out, struct err *e);

/* Settings and facts kept in the meta table. */
int store_meta_set(struct store *st, const char *key, const char *value, struct err *e);
int store_meta_get(struct store *st, const char *key, struct buf *out, struct err *e);

/* ---- object store ------------------------------------------------------ */

#define OBJECT_MAX_DEFAULT ((size_t)1 << 30)

int objstore_init(struct objstore *os, const char *data_dir, int create, struct err *e);
/* Makes every object written so far durable (syncfs of the store's file
 * system): after a bulk load with defer_sync, before the record that refers
 * to the objects is written. */
int objstore_sync(const struct objstore *os, struct err *e);
/* Stores p[0..n) and writes its SHA-256 in hex into hex. An object already
 * present is kept, unless it is damaged, in which case it is replaced. */
int objstore_put(const struct objstore *os, const void *p, size_t n, char hex[SHA256_HEX_LEN],
                 struct err *e);
/* Puts the regular file at path (never followed through a symlink) into the
 * store, at most max bytes; errors name it as what ("evidence file"). */
int objstore_put_path(const struct objstore *os, const char *what, const char *path, uint64_t max,
                      char hex[SHA256_HEX_LEN], uint64_t *size, struct err *e);
/* Streams fd into the store, at most max bytes (ERR_TOOBIG beyond). */
int objstore_put_fd(const struct objstore *os, int fd, uint64_t max, char hex[SHA256_HEX_LEN],
                    uint64_t *size, struct err *e);
/* Reads an object into out (at most max bytes), verifying its hash:
 * ERR_NOTFOUND when absent, ERR_DAMAGED when it does not match its name. */
int objstore_get(const struct objstore *os, const char *hex, size_t max, struct buf *out,
                 struct err *e);
/* Writes an object, its hash checked, to dest: created (never an existing
 * file, never through a symlink), synced, and removed again on failure. */
int objstore_export(const struct objstore *os, const char *hex, uint64_t max, const char *dest,
                    struct err *e);
/* Re-hashes an object without keeping its contents. */
int objstore_verify(const struct objstore *os, const char *hex, uint64_t *size, struct err *e);
int objstore_hex_valid(const char *hex);

/* ---- audit chain ------------------------------------------------------- */

/* Appends an entry. Must be called inside the transaction that makes the
 * change it records, so that both happen or neither. details may be NULL. */
int audit_append(struct store *st, const char *actor, const char *action, const char *object,
                 const json_t *details, struct err *e);

/* Like audit_append, but takes the details' reference (NULL allowed), so
 * that callers can pass json_pack(...) directly. */
int audit_append_take(struct store *st, const char *actor, const char *action, const char *object,
                      json_t *details, struct err *e);

struct audit_report {
    int64_t entries;  /* entries checked */
    int64_t bad_id;   /* first entry found wrong, 0 when the chain is intact */
    char reason[256]; /* what is wrong with it */
};
/* Walks the chain. Returns 0 when intact, 1 when broken (r says where and why),
 * negative on failure to read. */
int audit_verify(struct store *st, struct audit_report *r, struct err *e);
/* The canonical bytes hashed for one entry (exposed for tests). */
int audit_canonical(int64_t id, int64_t at, const char *actor, const char *action,
                    const char *object, const char *details, struct buf *out);

#endif
