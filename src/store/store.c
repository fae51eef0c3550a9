/* The database connection, migrations and typed queries. */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Generated from migrations/NNNN_*.sql by scripts/embed-sql.sh. */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};
extern const struct store_migration store_migrations[];
extern const int store_migrations_count;

int store_schema_latest(void)
{
    return store_migrations_count;
}

static int db_error(struct store *st, struct err *e, int rc, const char *what)
{
    int code = ERR_DB;
    if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
        code = ERR_DAMAGED;
    else if (rc == SQLITE_CONSTRAINT)
        code = ERR_EXISTS;
    else if (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN || rc == SQLITE_IOERR ||
             rc == SQLITE_FULL || rc == SQLITE_PERM)
        code = ERR_IO;
    return err_set(e, code, "%s %s: %s", what, st->db_path,
                   st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
}

static int bind_all(struct store *st, sqlite3_stmt *stmt, const char *types, va_list ap,
                    struct err *e)
{
    int n = sqlite3_bind_parameter_count(stmt);
    if ((int)strlen(types) != n)
        return err_set(e, ERR_INTERNAL, "statement has %d parameters, %zu types given: %s", n,
                       strlen(types), sqlite3_sql(stmt));
    for (int i = 0; i < n; i++) {
        int rc;
        switch (types[i]) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(stmt, i + 1, s, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(stmt, i + 1);
            break;
        }
        case 'i':
            rc = sqlite3_bind_int64(stmt, i + 1, va_arg(ap, int));
            break;
        case 'I':
            rc = sqlite3_bind_int64(stmt, i + 1, va_arg(ap, int64_t));
            break;
        case 'd':
            rc = sqlite3_bind_double(stmt, i + 1, va_arg(ap, double));
            break;
        case 'T': {
            int64_t t = va_arg(ap, int64_t);
            rc = t ? sqlite3_bind_int64(stmt, i + 1, t) : sqlite3_bind_null(stmt, i + 1);
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t len = va_arg(ap, size_t);
            rc = sqlite3_bind_blob64(stmt, i + 1, p, len, SQLITE_TRANSIENT);
            break;
        }
        case 'n':
            rc = sqlite3_bind_null(stmt, i + 1);
            break;
        default:
            return err_set(e, ERR_INTERNAL, "unknown bind type '%c'", types[i]);
        }
        if (rc != SQLITE_OK)
            return db_error(st, e, rc, "cannot bind a value in");
    }
    return 0;
}

/* Open stores, so that store_finish can find the cache of a statement; the
 * store this thread used last is looked at first, without the lock. */
static struct store *open_stores;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct store *thread_last;

/* A cached statement for sql, or NULL. Statements are kept per store by the
 * text they came from; one in use (a query inside a loop over the same
 * query) is not handed out twice, a fresh one is prepared instead. */
static struct store_cached *cache_slot(struct store *st, const char *sql, int *is_new)
{
    size_t h = (size_t)(uintptr_t)sql;
    h ^= h >> 7;
    for (int i = 0; i < 4; i++) {
        struct store_cached *c = &st->cache[(h + (size_t)i) % STORE_STMT_CACHE];
        if (c->stmt && !c->is_busy && (c->sql == sql || strcmp(sqlite3_sql(c->stmt), sql) == 0)) {
            *is_new = 0;
            return c;
        }
        if (!c->stmt) {
            *is_new = 1;
            return c;
        }
    }
    return NULL;
}

static int vquery(struct store *st, struct err *e, sqlite3_stmt **out, const char *sql,
                  const char *types, va_list ap)
{
    sqlite3_stmt *stmt = NULL;
    *out = NULL; /* so that store_finish is always safe to call */
    int is_new = 1;
    struct store_cached *c = cache_slot(st, sql, &is_new);
    int rc = SQLITE_OK;
    if (c && !is_new)
        stmt = c->stmt;
    else
        rc = sqlite3_prepare_v3(st->db, sql, -1, c ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, NULL);
    if (rc != SQLITE_OK)
        return db_error(st, e, rc, "cannot prepare a query on");
    if (c) {
        c->sql = sql;
        c->stmt = stmt;
        c->is_busy = 1;
    }
    thread_last = st;
    rc = bind_all(st, stmt, types, ap, e);
    if (rc) {
        store_finish(stmt);
        return rc;
    }
    *out = stmt;
    return 0;
}

int store_query(struct store *st, struct err *e, sqlite3_stmt **out, const char *sql,
                const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = vquery(st, e, out, sql, types, ap);
    va_end(ap);
    return rc;
}

int store_step(struct store *st, sqlite3_stmt *stmt, struct err *e)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_error(st, e, rc, "query failed on");
}

void store_finish(sqlite3_stmt *stmt)
{
    if (!stmt)
        return;
    sqlite3 *db = sqlite3_db_handle(stmt);
    struct store *last = thread_last;
    if (last && last->db == db) {
        for (int i = 0; i < STORE_STMT_CACHE; i++) {
            if (last->cache[i].stmt == stmt) {
                sqlite3_reset(stmt);
                sqlite3_clear_bindings(stmt);
                last->cache[i].is_busy = 0;
                return;
            }
        }
        sqlite3_finalize(stmt);
        return;
    }
    pthread_mutex_lock(&open_lock);
    for (struct store *st = open_stores; st; st = st->next_open) {
        if (st->db != db)
            continue;
        for (int i = 0; i < STORE_STMT_CACHE; i++) {
            if (st->cache[i].stmt == stmt) {
                sqlite3_reset(stmt);
                sqlite3_clear_bindings(stmt);
                st->cache[i].is_busy = 0;
                pthread_mutex_unlock(&open_lock);
                return;
            }
        }
    }
    pthread_mutex_unlock(&open_lock);
    sqlite3_finalize(stmt);
}

int store_exec(struct store *st, struct err *e, const char *sql, const char *types, ...)
{
    sqlite3_stmt *stmt;
    va_list ap;
    va_start(ap, types);
    int rc = vquery(st, e, &stmt, sql, types, ap);
    va_end(ap);
    if (rc)
        return rc;
    do
        rc = store_step(st, stmt, e);
    while (rc == 1);
    store_finish(stmt);
    return rc;
}

int store_query_int(struct store *st, struct err *e, int64_t *out, const char *sql,
                    const char *types, ...)
{
    sqlite3_stmt *stmt;
    va_list ap;
    va_start(ap, types);
    int rc = vquery(st, e, &stmt, sql, types, ap);
    va_end(ap);
    if (rc)
        return rc;
    rc = store_step(st, stmt, e);
    if (rc == 1) {
        *out = sqlite3_column_int64(stmt, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = ERR_NOTFOUND;
    }
    store_finish(stmt);
    return rc;
}

int64_t store_last_id(struct store *st)
{
    return sqlite3_last_insert_rowid(st->db);
}

int store_changes(struct store *st)
{
    return sqlite3_changes(st->db);
}

const char *store_col_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    return s ? (const char *)s : "";
}

int store_begin(struct store *st, struct err *e)
{
    /* Inside a transaction, a savepoint: the callee's work commits or rolls
     * back with its own result, and becomes durable with the caller's. */
    if (st->depth > 0 && store_in_transaction(st)) {
        int rc = store_exec(st, e, "SAVEPOINT nested", "");
        if (!rc)
            st->depth++;
        return rc;
    }
    int rc = store_exec(st, e, "BEGIN IMMEDIATE", "");
    st->depth = rc ? 0 : 1;
    return rc;
}

int store_commit(struct store *st, struct err *e)
{
    if (st->depth > 1) {
        int rc = store_exec(st, e, "RELEASE nested", "");
        if (rc)
            store_rollback(st);
        else
            st->depth--;
        return rc;
    }
    int rc = store_exec(st, e, "COMMIT", "");
    if (rc)
        store_rollback(st);
    st->depth = 0;
    return rc;
}

void store_rollback(struct store *st)
{
    if (st->depth > 1 && store_in_transaction(st)) {
        sqlite3_exec(st->db, "ROLLBACK TO nested; RELEASE nested", NULL, NULL, NULL);
        st->depth--;
        return;
    }
    st->depth = 0;
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_in_transaction(struct store *st)
{
    return !sqlite3_get_autocommit(st->db);
}

int store_generation(struct store *st, uint64_t *out, struct err *e)
{
    int64_t version = 0;
    int rc = store_query_int(st, e, &version, "PRAGMA data_version", "");
    if (rc)
        return rc;
    /* data_version counts other connections' commits, total_changes this one's writes. */
    *out = (uint64_t)version << 40 ^ (uint64_t)sqlite3_total_changes64(st->db);
    return 0;
}

int store_meta_set(struct store *st, const char *key, const char *value, struct err *e)
{
    return store_exec(st, e,
                      "INSERT INTO meta (key, value) VALUES (?, ?) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                      "ss", key, value);
}

int store_meta_get(struct store *st, const char *key, struct buf *out, struct err *e)
{
    sqlite3_stmt *stmt;
    int rc = store_query(st, e, &stmt, "SELECT value FROM meta WHERE key = ?", "s", key);
    if (rc)
        return rc;
    rc = store_step(st, stmt, e);
    if (rc == 1)
        rc = buf_adds(out, store_col_text(stmt, 0));
    else if (rc == 0)
        rc = err_set(e, ERR_NOTFOUND, "no setting '%s' in %s", key, st->db_path);
    store_finish(stmt);
    return rc;
}

int store_schema_version(struct store *st, struct err *e)
{
    int64_t v;
    int rc = store_query_int(st, e, &v, "PRAGMA user_version", "");
    return rc ? rc : (int)v;
}

static int migrate(struct store *st, struct err *e)
{
    int have = store_schema_version(st, e);
    if (have < 0)
        return have;
    int latest = store_schema_latest();
    if (have > latest)
        return err_set(e, ERR_VERSION,
                       "database %s has schema version %d, newer than this tocsin %s knows "
                       "(%d); use a newer tocsin",
                       st->db_path, have, TOCSIN_VERSION, latest);
    for (int i = 0; i < store_migrations_count; i++) {
        const struct store_migration *m = &store_migrations[i];
        if (m->version <= have)
            continue;
        int rc = store_begin(st, e);
        if (rc)
            return rc;
        char *msg = NULL;
        /* The migration text is compiled into the binary, never built from data. */
        if (sqlite3_exec(st->db, m->sql, NULL, NULL, &msg) != SQLITE_OK) {
            err_set(e, ERR_DB, "migration %04d_%s failed on %s: %s", m->version, m->name,
                    st->db_path, msg ? msg : "?");
            sqlite3_free(msg);
            store_rollback(st);
            return ERR_DB;
        }
        int now = store_schema_version(st, e);
        if (now != m->version) {
            store_rollback(st);
            return err_set(e, ERR_INTERNAL, "migration %04d_%s left schema version %d", m->version,
                           m->name, now);
        }
        rc = store_commit(st, e);
        if (rc)
            return rc;
        log_info("database %s migrated to schema version %d", st->db_path, m->version);
    }
    return 0;
}

static int set_path(char *out, const char *dir, const char *name, struct err *e)
{
    if ((size_t)snprintf(out, STORE_PATH_MAX, "%s%s%s", dir, name ? "/" : "", name ? name : "") >=
        STORE_PATH_MAX)
        return err_set(e, ERR_INPUT, "data directory path %.100s… is too long", dir);
    return 0;
}

/* Memory statistics cost SQLite a mutex on every allocation; tocsin does not
 * read them. Set once, before SQLite initialises. */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

int store_open(struct store **out, const char *dir, int flags, struct err *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    struct store *st = calloc(1, sizeof(*st));
    if (!st)
        return err_set(e, ERR_NOMEM, "out of memory opening %s", dir);
    static uint64_t serials;
    st->serial = __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
    /* Registered first, so that statements finished during the migrations
     * already find their cache. */
    pthread_mutex_lock(&open_lock);
    st->next_open = open_stores;
    open_stores = st;
    pthread_mutex_unlock(&open_lock);
    int rc = set_path(st->dir, dir, NULL, e);
    if (!rc)
        rc = set_path(st->db_path, dir, "tocsin.db", e);
    if (rc)
        goto fail;
    struct stat sb;
    if (!(flags & STORE_CREATE) && stat(st->db_path, &sb) != 0) {
        rc = errno == ENOENT
                 ? err_set(e, ERR_NOTFOUND,
                           "no tocsin database at %s (create one with 'tocsin init --data %s')",
                           st->db_path, dir)
                 : err_errno(e, ERR_IO, errno, "cannot open database %s", st->db_path);
        goto fail;
    }
    rc = fs_check_writable(dir, e);
    if (rc)
        goto fail;
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (flags & STORE_CREATE)
        oflags |= SQLITE_OPEN_CREATE;
    int src = sqlite3_open_v2(st->db_path, &st->db, oflags, NULL);
    if (src != SQLITE_OK) {
        rc = db_error(st, e, src & 0xff, "cannot open database");
        goto fail;
    }
    if (flags & STORE_CREATE)
        chmod(st->db_path, 0600);
    sqlite3_busy_timeout(st->db, 5000);
    /* journal_mode is the first statement that reads the file, so a file that
     * is not a database fails here with a clear message. */
    src = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    if (src != SQLITE_OK) {
        rc = db_error(st, e, src, "cannot open database");
        goto fail;
    }
    rc = store_exec(st, e, "PRAGMA synchronous = FULL", "");
    if (!rc)
        rc = store_exec(st, e, "PRAGMA foreign_keys = ON", "");
    if (!rc)
        rc = migrate(st, e);
    if (!rc)
        rc = objstore_init(&st->objects, dir, flags & STORE_CREATE, e);
    if (rc)
        goto fail;
    *out = st;
    return 0;
fail:
    store_close(st);
    return rc;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    if (thread_last == st)
        thread_last = NULL;
    pthread_mutex_lock(&open_lock);
    for (struct store **p = &open_stores; *p; p = &(*p)->next_open) {
        if (*p == st) {
            *p = st->next_open;
            break;
        }
    }
    pthread_mutex_unlock(&open_lock);
    for (int i = 0; i < STORE_STMT_CACHE; i++)
        sqlite3_finalize(st->cache[i].stmt);
    if (st->db) {
        store_rollback(st);
        sqlite3_close_v2(st->db);
    }
    free(st);
}
