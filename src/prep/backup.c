/* Backups (G-2, H-4): jobs, runs and archives. A run writes an archive
 * (archive.c), reads it back in full before counting it as good, copies it to
 * the second destination, and drops archives beyond the job's retention. The
 * database records every run, good or not, so a failed backup shows as due. */
#include "archive.h"
#include "prep_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define JOB_COLUMNS                                                                                \
    "j.id, j.name, j.kind, coalesce(j.path, ''), coalesce(j.command, ''), j.dest, "                \
    "coalesce(j.copy_dest, ''), coalesce(j.key_file, ''), coalesce(j.asset, ''), j.on_incident, "  \
    "j.interval_s, j.keep, j.enabled "

struct job {
    int64_t id, interval_s, keep;
    int on_incident, enabled, is_self;
    char name[65], path[PATH_MAX], command[1024], dest[PATH_MAX], copy_dest[PATH_MAX],
        key_file[PATH_MAX], asset[129];
};

static void job_from(sqlite3_stmt *q, struct job *j)
{
    memset(j, 0, sizeof *j);
    j->id = sqlite3_column_int64(q, 0);
    snprintf(j->name, sizeof j->name, "%s", store_col_text(q, 1));
    j->is_self = strcmp(store_col_text(q, 2), "self") == 0;
    snprintf(j->path, sizeof j->path, "%s", store_col_text(q, 3));
    snprintf(j->command, sizeof j->command, "%s", store_col_text(q, 4));
    snprintf(j->dest, sizeof j->dest, "%s", store_col_text(q, 5));
    snprintf(j->copy_dest, sizeof j->copy_dest, "%s", store_col_text(q, 6));
    snprintf(j->key_file, sizeof j->key_file, "%s", store_col_text(q, 7));
    snprintf(j->asset, sizeof j->asset, "%s", store_col_text(q, 8));
    j->on_incident = sqlite3_column_int(q, 9);
    j->interval_s = sqlite3_column_int64(q, 10);
    j->keep = sqlite3_column_int64(q, 11);
    j->enabled = sqlite3_column_int(q, 12);
}

static int job_load(struct store *st, const char *name, int64_t id, struct job *j, struct err *e)
{
    sqlite3_stmt *q;
    int rc = name
                 ? store_query(st, e, &q, "SELECT " JOB_COLUMNS "FROM backup_jobs j WHERE name = ?",
                               "s", name)
                 : store_query(st, e, &q, "SELECT " JOB_COLUMNS "FROM backup_jobs j WHERE id = ?",
                               "I", id);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1)
        job_from(q, j);
    store_finish(q);
    if (rc == 0)
        return name ? err_set(e, ERR_NOTFOUND, "no backup job '%.64s' (see tocsin backup list)",
                              name)
                    : err_set(e, ERR_NOTFOUND, "no backup job %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

/* Where the job's archives go: its destination, else <data>/backups. */
static void job_dest(const struct store *st, const struct job *j, char out[PATH_MAX])
{
    if (j->dest[0])
        snprintf(out, PATH_MAX, "%s", j->dest);
    else
        snprintf(out, PATH_MAX, "%s/backups", st->dir);
}

static int job_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || s[0] == '-' || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return 0;
    return 1;
}

/* An absolute path to a directory, or NULL/empty when optional. */
static int dir_arg(const char *what, const char *p, int required, struct err *e)
{
    if (!p || !*p)
        return required ? err_set(e, ERR_USAGE, "%s is required", what) : 0;
    int rc = prep_text(what, p, PATH_MAX - 64, 1, 0, e);
    if (!rc && p[0] != '/')
        rc = err_set(e, ERR_INPUT, "%s must be an absolute path, not '%.200s'", what, p);
    return rc;
}

/* The directories a backup must never take as its source. */
static int system_dir(const char *p)
{
    static const char *const sys[] = {"/",      "/bin",  "/boot", "/dev", "/etc", "/lib",
                                      "/lib64", "/proc", "/sbin", "/sys", "/usr", NULL};
    char real[PATH_MAX];
    const char *r = realpath(p, real) ? real : p;
    for (size_t i = 0; sys[i]; i++)
        if (strcmp(r, sys[i]) == 0)
            return 1;
    return 0;
}

static int check_fields(const struct backup_job_new *in, int is_new, struct err *e)
{
    int rc = 0;
    if (is_new && !job_name_ok(in->name))
        rc = err_set(e, ERR_INPUT,
                     "the job name '%.64s' must be 1 to 64 letters, digits, '-', '_' or '.'",
                     in->name ? in->name : "");
    if (!rc && is_new && !!(in->path && *in->path) == !!(in->command && *in->command))
        rc = err_set(e, ERR_USAGE, "a backup job keeps either --path DIR or --command CMD");
    if (!rc)
        rc = dir_arg("--path", in->path, 0, e);
    if (!rc && in->path && *in->path && system_dir(in->path))
        rc = err_set(e, ERR_INPUT, "%s is a system directory; back up the data it holds", in->path);
    if (!rc && in->command && *in->command)
        rc = prep_text("--command", in->command, 1000, 1, 0, e);
    if (!rc)
        rc = dir_arg("--dest", in->dest, is_new, e);
    if (!rc)
        rc = dir_arg("--copy", in->copy_dest, 0, e);
    if (!rc && in->key_file && *in->key_file) {
        unsigned char key[BK_KEY_LEN];
        char id[BK_KEY_ID_LEN];
        rc = dir_arg("--key", in->key_file, 0, e);
        if (!rc)
            rc = bk_key_load(in->key_file, key, id, e);
        sodium_memzero(key, sizeof key);
    }
    if (!rc && in->asset && *in->asset)
        rc = prep_text("--asset", in->asset, 128, 1, 0, e);
    if (!rc && in->interval_s != BACKUP_UNSET &&
        (in->interval_s < 0 || (in->interval_s > 0 && in->interval_s < 60) ||
         in->interval_s > 366LL * 86400))
        rc = err_set(e, ERR_INPUT, "--every must be 0 (by hand only) or 1 minute to 366 days");
    if (!rc && in->keep != BACKUP_UNSET && (in->keep < 1 || in->keep > 1000))
        rc = err_set(e, ERR_INPUT, "--keep must be 1 to 1000 archives");
    return rc;
}

static json_t *job_audit(const struct backup_job_new *in)
{
    json_t *o = json_object();
    if (in->path)
        json_object_set_new(o, "path", json_string(in->path));
    if (in->command)
        json_object_set_new(o, "command", json_true()); /* may name credentials: not logged */
    if (in->dest)
        json_object_set_new(o, "dest", json_string(in->dest));
    if (in->copy_dest)
        json_object_set_new(o, "copy", json_string(in->copy_dest));
    if (in->key_file)
        json_object_set_new(o, "sealed", json_boolean(*in->key_file));
    if (in->asset)
        json_object_set_new(o, "asset", json_string(in->asset));
    if (in->interval_s != BACKUP_UNSET)
        json_object_set_new(o, "every_s", json_integer(in->interval_s));
    if (in->keep != BACKUP_UNSET)
        json_object_set_new(o, "keep", json_integer(in->keep));
    if (in->on_incident >= 0)
        json_object_set_new(o, "on_incident", json_boolean(in->on_incident));
    if (in->enabled >= 0)
        json_object_set_new(o, "enabled", json_boolean(in->enabled));
    return o;
}

int backup_job_add(struct store *st, const struct user *as, const struct backup_job_new *in,
                   struct err *e)
{
    int rc = resp_allow(as, ACT_BACKUP_MANAGE, e);
    if (!rc)
        rc = check_fields(in, 1, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t now = time_now_ms(), n = 0;
    rc = store_query_int(st, e, &n, "SELECT count(*) FROM backup_jobs WHERE name = ?", "s",
                         in->name);
    if (!rc && n)
        rc = err_set(e, ERR_EXISTS, "a backup job '%s' exists already", in->name);
    if (!rc)
        rc = store_exec(
            st, e,
            "INSERT INTO backup_jobs (name, kind, path, command, dest, copy_dest, key_file, "
            "asset, on_incident, interval_s, keep, enabled, created_by, created_at, updated_at) "
            "VALUES (?, 'files', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            "sssssssiIIsII", in->name, in->path && *in->path ? in->path : NULL,
            in->command && *in->command ? in->command : NULL, in->dest,
            in->copy_dest && *in->copy_dest ? in->copy_dest : NULL,
            in->key_file && *in->key_file ? in->key_file : NULL,
            in->asset && *in->asset ? in->asset : NULL, in->on_incident > 0,
            in->interval_s == BACKUP_UNSET ? (int64_t)86400 : in->interval_s,
            in->keep == BACKUP_UNSET ? (int64_t)7 : in->keep, as->name, now, now);
    if (!rc)
        rc = audit_append_take(st, as->name, "backup.add", in->name, job_audit(in), e);
    return prep_finish(st, rc, e);
}

int backup_job_edit(struct store *st, const struct user *as, const char *name,
                    const struct backup_job_new *in, struct err *e)
{
    int rc = resp_allow(as, ACT_BACKUP_MANAGE, e);
    if (!rc)
        rc = check_fields(in, 0, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    struct job j;
    rc = job_load(st, name, 0, &j, e);
    if (!rc && j.is_self && (in->path || in->command))
        rc = err_set(e, ERR_INPUT,
                     "the job '%s' keeps tocsin's own data; it has no --path or "
                     "--command",
                     name);
        /* each field given replaces the stored one; "" clears an optional one */
#define SET_TEXT(col, v)                                                                           \
    if (!rc && (v))                                                                                \
    rc = store_exec(st, e, "UPDATE backup_jobs SET " col " = ? WHERE id = ?", "sI",                \
                    *(v) ? (v) : NULL, j.id)
    SET_TEXT("path", in->path);
    SET_TEXT("command", in->command);
    SET_TEXT("copy_dest", in->copy_dest);
    SET_TEXT("key_file", in->key_file);
    SET_TEXT("asset", in->asset);
#undef SET_TEXT
    if (!rc && in->dest)
        rc =
            store_exec(st, e, "UPDATE backup_jobs SET dest = ? WHERE id = ?", "sI", in->dest, j.id);
    if (!rc && in->interval_s != BACKUP_UNSET)
        rc = store_exec(st, e, "UPDATE backup_jobs SET interval_s = ? WHERE id = ?", "II",
                        in->interval_s, j.id);
    if (!rc && in->keep != BACKUP_UNSET)
        rc =
            store_exec(st, e, "UPDATE backup_jobs SET keep = ? WHERE id = ?", "II", in->keep, j.id);
    if (!rc && in->on_incident >= 0)
        rc = store_exec(st, e, "UPDATE backup_jobs SET on_incident = ? WHERE id = ?", "iI",
                        in->on_incident, j.id);
    if (!rc && in->enabled >= 0)
        rc = store_exec(st, e, "UPDATE backup_jobs SET enabled = ? WHERE id = ?", "iI", in->enabled,
                        j.id);
    if (!rc)
        rc = store_exec(st, e, "UPDATE backup_jobs SET updated_at = ? WHERE id = ?", "II",
                        time_now_ms(), j.id);
    if (!rc)
        rc = audit_append_take(st, as->name, "backup.edit", name, job_audit(in), e);
    return prep_finish(st, rc, e);
}

/* ---- listing --------------------------------------------------------------- */

#define RUN_COLUMNS                                                                                \
    "id, state, reason, actor, queued_at, coalesce(started_at, 0), coalesce(finished_at, 0), "     \
    "coalesce(verified_at, 0), coalesce(path, ''), coalesce(sha256, ''), coalesce(size, 0), "      \
    "coalesce(files, 0), coalesce(bytes, 0), coalesce(changed, 0), coalesce(key_id, ''), "         \
    "coalesce(copy_path, ''), coalesce(copy_state, ''), coalesce(error, ''), "                     \
    "(SELECT ref FROM incidents WHERE id = incident_id) "

static json_t *run_row(sqlite3_stmt *q)
{
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s, "
        "s:s, s:s?}",
        "id", (json_int_t)sqlite3_column_int64(q, 0), "state", store_col_text(q, 1), "reason",
        store_col_text(q, 2), "actor", store_col_text(q, 3), "queued_at",
        prep_time_json(sqlite3_column_int64(q, 4)), "started_at",
        prep_time_json(sqlite3_column_int64(q, 5)), "finished_at",
        prep_time_json(sqlite3_column_int64(q, 6)), "verified_at",
        prep_time_json(sqlite3_column_int64(q, 7)), "path", store_col_text(q, 8), "sha256",
        store_col_text(q, 9), "size", (json_int_t)sqlite3_column_int64(q, 10), "files",
        (json_int_t)sqlite3_column_int64(q, 11), "bytes", (json_int_t)sqlite3_column_int64(q, 12),
        "changed", (json_int_t)sqlite3_column_int64(q, 13), "key_id", store_col_text(q, 14),
        "copy_path", store_col_text(q, 15), "copy_state", store_col_text(q, 16), "error",
        store_col_text(q, 17), "incident", (const char *)sqlite3_column_text(q, 18));
}

static json_t *job_json(const struct store *st, const struct job *j)
{
    char dest[PATH_MAX];
    job_dest(st, j, dest);
    return json_pack("{s:s, s:s, s:s?, s:b, s:s, s:s?, s:b, s:s?, s:b, s:I, s:I, s:b}", "name",
                     j->name, "kind", j->is_self ? "self" : "files", "path",
                     j->path[0] ? j->path : NULL, "command", j->command[0] != '\0', "dest", dest,
                     "copy", j->copy_dest[0] ? j->copy_dest : NULL, "sealed",
                     j->key_file[0] != '\0', "asset", j->asset[0] ? j->asset : NULL, "on_incident",
                     j->on_incident, "every_s", (json_int_t)j->interval_s, "keep",
                     (json_int_t)j->keep, "enabled", j->enabled);
}

int backup_list_json(struct store *st, const struct user *as, json_t **out, struct err *e)
{
    int rc = resp_allow(as, ACT_BACKUP_READ, e);
    sqlite3_stmt *q;
    if (!rc)
        rc = store_query(st, e, &q, "SELECT " JOB_COLUMNS "FROM backup_jobs j ORDER BY j.name", "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        struct job j;
        job_from(q, &j);
        json_t *o = job_json(st, &j);
        sqlite3_stmt *r;
        int rr = store_query(st, e, &r,
                             "SELECT " RUN_COLUMNS "FROM backup_runs WHERE job_id = ? AND state "
                             "NOT IN ('queued', 'running', 'expired') ORDER BY id DESC LIMIT 1",
                             "I", j.id);
        if (!rr && (rr = store_step(st, r, e)) == 1)
            json_object_set_new(o, "last", run_row(r));
        if (!rr || rr == 1)
            store_finish(r);
        int64_t good = 0;
        if (rr >= 0)
            rr = store_query_int(st, e, &good,
                                 "SELECT coalesce(max(finished_at), 0) FROM backup_runs WHERE "
                                 "job_id = ? AND state = 'good'",
                                 "I", j.id);
        json_object_set_new(o, "last_good", prep_time_json(good));
        json_array_append_new(items, o);
        if (rr < 0) {
            rc = rr;
            break;
        }
    }
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int backup_show_json(struct store *st, const struct user *as, const char *name, json_t **out,
                     struct err *e)
{
    int rc = resp_allow(as, ACT_BACKUP_READ, e);
    struct job j;
    if (!rc)
        rc = job_load(st, name, 0, &j, e);
    sqlite3_stmt *q;
    if (!rc)
        rc = store_query(st, e, &q,
                         "SELECT " RUN_COLUMNS "FROM backup_runs WHERE job_id = ? ORDER BY id "
                         "DESC LIMIT 200",
                         "I", j.id);
    if (rc)
        return rc;
    json_t *o = job_json(st, &j), *runs = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(runs, run_row(q));
    store_finish(q);
    json_object_set_new(o, "archives", runs);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* ---- running --------------------------------------------------------------- */

int backup_queue(struct store *st, const char *actor, const char *name, const char *reason,
                 int64_t *run_id, struct err *e)
{
    struct job j;
    int rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t busy = 0;
    rc = job_load(st, name, 0, &j, e);
    if (!rc && !j.enabled)
        rc = err_set(e, ERR_CONFLICT, "the backup job '%s' is disabled", name);
    if (!rc)
        rc = store_query_int(st, e, &busy,
                             "SELECT coalesce(max(id), 0) FROM backup_runs WHERE job_id = ? AND "
                             "state = 'queued'",
                             "I", j.id);
    if (!rc && busy) { /* one queued run is enough */
        *run_id = busy;
        return prep_finish(st, rc, e);
    }
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO backup_runs (job_id, state, reason, actor, queued_at) "
                        "VALUES (?, 'queued', ?, ?, ?)",
                        "IssI", j.id, reason, actor, time_now_ms());
    if (!rc)
        *run_id = store_last_id(st);
    if (!rc)
        rc = audit_append_take(
            st, actor, "backup.queue", name,
            json_pack("{s:I, s:s}", "archive", (json_int_t)*run_id, "reason", reason), e);
    return prep_finish(st, rc, e);
}

int backup_queue_incident(struct store *st, int64_t incident_id, const char *incident_ref,
                          const char *asset, int *queued, struct err *e)
{
    char reason[96];
    snprintf(reason, sizeof reason, "incident %s", incident_ref);
    int rc = store_exec(st, e,
                        "INSERT INTO backup_runs (job_id, state, reason, incident_id, actor, "
                        "queued_at) SELECT id, 'queued', ?, ?, 'triage', ? FROM backup_jobs j "
                        "WHERE enabled = 1 AND on_incident = 1 AND asset = ? AND NOT EXISTS "
                        "(SELECT 1 FROM backup_runs r WHERE r.job_id = j.id AND r.state = "
                        "'queued')",
                        "sIIs", reason, incident_id, time_now_ms(), asset);
    if (!rc)
        *queued += store_changes(st);
    return rc;
}

int backup_schedule(struct store *st, int64_t now, struct err *e)
{
    /* a scheduled job is due once its interval has passed since its last run started
     * (or since it was made); never two queued runs of a job */
    return store_exec(st, e,
                      "INSERT INTO backup_runs (job_id, state, reason, actor, queued_at) "
                      "SELECT j.id, 'queued', 'schedule', 'system', ?1 FROM backup_jobs j "
                      "WHERE j.enabled = 1 AND j.interval_s > 0 AND NOT EXISTS (SELECT 1 FROM "
                      "backup_runs r WHERE r.job_id = j.id AND r.state IN ('queued', 'running')) "
                      "AND coalesce((SELECT max(coalesce(started_at, queued_at)) FROM "
                      "backup_runs r WHERE r.job_id = j.id), j.created_at - j.interval_s * 1000) "
                      "+ j.interval_s * 1000 <= ?1",
                      "I", now);
}

int backup_next_queued(struct store *st, int64_t *run_id, struct err *e)
{
    return store_query_int(
        st, e, run_id, "SELECT coalesce(min(id), 0) FROM backup_runs WHERE state = 'queued'", "");
}

int backup_recover(struct store *st, struct err *e)
{
    /* a run still marked running was cut short by a stop or a crash; its
     * temporary file was never renamed into place */
    return store_exec(st, e,
                      "UPDATE backup_runs SET state = 'failed', finished_at = ?, error = "
                      "'interrupted: tocsin stopped before the archive was complete' "
                      "WHERE state = 'running'",
                      "I", time_now_ms());
}

/* Runs the job's dump command with its output going straight into out;
 * the command's exit status decides. */
static int run_dump(const struct job *j, int out, int errfd, struct err *e)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, errfd, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    char *argv[] = {"/bin/sh", "-c", (char *)j->command, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return err_errno(e, ERR_IO, rc, "cannot start the dump command of '%s'", j->name);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return err_errno(e, ERR_IO, errno, "cannot wait for the dump command");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    char tail[301] = "";
    off_t end = lseek(errfd, 0, SEEK_END);
    if (end > 0) {
        off_t from = end > 300 ? end - 300 : 0;
        ssize_t n = pread(errfd, tail, 300, from);
        tail[n > 0 ? n : 0] = '\0';
        for (char *p = tail; *p; p++)
            if (*p == '\n' || *p == '\r' || (unsigned char)*p < 0x20)
                *p = ' ';
    }
    if (WIFSIGNALED(status))
        return err_set(e, ERR_IO, "the dump command of '%s' was killed by signal %d: %s", j->name,
                       WTERMSIG(status), tail);
    return err_set(e, ERR_IO, "the dump command of '%s' exited with status %d: %s", j->name,
                   WEXITSTATUS(status), tail);
}

/* An unnamed file in dir that vanishes when closed. */
static int scratch_fd(const char *dir, struct err *e)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.tmp-XXXXXX", dir);
    fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot create a scratch file in %s", dir);
    unlink(path);
    return fd;
}

/* A consistent copy of the database through SQLite's online backup. */
static int snapshot_db(struct store *st, const char *dir, int *fd_out, struct err *e)
{
    char path[PATH_MAX];
    unsigned char rnd[6];
    char rhex[13];
    fs_random(rnd, sizeof rnd);
    hex_encode(rnd, sizeof rnd, rhex);
    if ((size_t)snprintf(path, sizeof path, "%s/.tmp-%s-tocsin.db", dir, rhex) >= sizeof path)
        return err_set(e, ERR_INPUT, "the path %s is too long", dir);
    sqlite3 *dst = NULL;
    int rc = 0;
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = err_set(e, ERR_IO, "cannot create %s: %s", path, dst ? sqlite3_errmsg(dst) : "?");
    } else {
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", st->db, "main");
        int s = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
        if (b)
            sqlite3_backup_finish(b);
        if (s != SQLITE_DONE)
            rc = err_set(e, ERR_DB, "cannot copy the database: %s", sqlite3_errmsg(dst));
    }
    sqlite3_close(dst);
    if (!rc) {
        *fd_out = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (*fd_out < 0)
            rc = err_errno(e, ERR_IO, errno, "cannot open %s", path);
    }
    unlink(path);
    return rc;
}

/* Copies the archive to the second destination, atomically (synced, then
 * renamed), checking that the bytes copied hash to the archive's recorded
 * SHA-256. */
static int copy_archive(const char *src, const char *dir, const char *name, const char *sha,
                        char out[PATH_MAX], struct err *e)
{
    int rc = fs_mkdirs(dir, 0700, e);
    if (rc)
        return rc;
    char tmp[PATH_MAX];
    if ((size_t)snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX ||
        (size_t)snprintf(tmp, sizeof tmp, "%s/.tmp-copy-%s", dir, name) >= sizeof tmp)
        return err_set(e, ERR_INPUT, "the copy's path in %s is too long", dir);
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    struct sha256_ctx h;
    enum { COPY_BUF = 1 << 20 };
    unsigned char *b = in < 0 || fd < 0 ? NULL : malloc(COPY_BUF);
    if (!b || sha256_init(&h) != 0) {
        rc = b ? err_set(e, ERR_INTERNAL, "cannot start SHA-256")
               : err_errno(e, ERR_IO, errno, "cannot copy the archive to %s", dir);
        free(b);
        if (in >= 0)
            close(in);
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return rc;
    }
    ssize_t n;
    while (!rc && (n = read(in, b, COPY_BUF)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || fs_write_all(fd, b, (size_t)n) != 0)
            rc = err_errno(e, ERR_IO, errno, "cannot copy the archive to %s", dir);
        else
            sha256_update(&h, b, (size_t)n);
    }
    free(b);
    unsigned char md[SHA256_LEN];
    char hex[65];
    sha256_final(&h, md);
    hex_encode(md, sizeof md, hex);
    if (!rc && fsync(fd) != 0)
        rc = err_errno(e, ERR_IO, errno, "cannot copy the archive to %s", dir);
    close(in);
    close(fd);
    if (!rc && strcmp(hex, sha) != 0)
        rc = err_set(e, ERR_DAMAGED, "the archive changed while being copied to %s", dir);
    if (!rc && rename(tmp, out) != 0)
        rc = err_errno(e, ERR_IO, errno, "cannot put the copy in place in %s", dir);
    if (rc)
        unlink(tmp);
    else
        fs_fsync_dir(dir, NULL);
    return rc;
}

/* Keeps the newest `keep` good archives; older archives (good or not) lose
 * their files and become expired. */
static int retention(struct store *st, const struct job *j, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, coalesce(path, ''), coalesce(copy_path, '') FROM "
                         "backup_runs WHERE job_id = ?1 AND state IN ('good', 'failed', "
                         "'damaged') AND id < (SELECT coalesce(min(id), 0) FROM (SELECT id FROM "
                         "backup_runs WHERE job_id = ?1 AND state = 'good' ORDER BY id DESC "
                         "LIMIT ?2))",
                         "II", j->id, j->keep);
    if (rc)
        return rc;
    int64_t ids[256];
    int n = 0;
    while (n < 256 && (rc = store_step(st, q, e)) == 1) {
        const char *p = store_col_text(q, 1), *c = store_col_text(q, 2);
        if (*p && unlink(p) != 0 && errno != ENOENT)
            log_warn("backup %s: cannot remove the expired archive %s: %s", j->name, p,
                     strerror(errno));
        if (*c && unlink(c) != 0 && errno != ENOENT)
            log_warn("backup %s: cannot remove the expired copy %s: %s", j->name, c,
                     strerror(errno));
        ids[n++] = sqlite3_column_int64(q, 0);
    }
    store_finish(q);
    if (rc < 0)
        return rc;
    rc = store_begin(st, e);
    for (int i = 0; !rc && i < n; i++)
        rc =
            store_exec(st, e, "UPDATE backup_runs SET state = 'expired' WHERE id = ?", "I", ids[i]);
    if (!rc && n)
        rc = audit_append_take(st, "system", "backup.expire", j->name,
                               json_pack("{s:i, s:I}", "archives", n, "keep", (json_int_t)j->keep),
                               e);
    return rc ? (store_rollback(st), rc) : store_commit(st, e);
}

static int load_key(const struct job *j, unsigned char key[BK_KEY_LEN], char id[BK_KEY_ID_LEN],
                    struct err *e)
{
    if (!j->key_file[0])
        return 0;
    return bk_key_load(j->key_file, key, id, e);
}

/* Writes the archive of run id; fills path and stats. */
static int write_archive(struct store *st, const struct job *j, int64_t id, const char *dest,
                         const unsigned char *key, const char *kid, const volatile int *stop,
                         char path[PATH_MAX], struct bk_result *res, struct err *e)
{
    char name[160], stamp[20];
    time_t secs = (time_t)(time_now_ms() / 1000);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime_r(&secs, &tm));
    snprintf(name, sizeof name, "%s-%s-%lld.tar.zst%s", j->name, stamp, (long long)id,
             key ? ".sealed" : "");
    if ((size_t)snprintf(path, PATH_MAX, "%s/%s", dest, name) >= PATH_MAX)
        return err_set(e, ERR_INPUT, "the archive's path in %s is too long", dest);
    int64_t level = 3, threads = 2;
    int rc = setting_int(st, "backup.zstd_level", 3, &level, e);
    if (!rc)
        rc = setting_int(st, "backup.threads", 2, &threads, e);
    if (rc)
        return rc;
    struct bk_writer *w;
    rc = bk_writer_open(&w, dest, name, key, kid,
                        (int)(level < 1    ? 1
                              : level > 19 ? 19
                                           : level),
                        (int)(threads < 0    ? 0
                              : threads > 64 ? 64
                                             : threads),
                        1, stop, e);
    if (rc)
        return rc;
    struct stat sb;
    if (stat(dest, &sb) == 0)
        bk_writer_skip(w, sb.st_dev, sb.st_ino);
    if (j->copy_dest[0] && stat(j->copy_dest, &sb) == 0)
        bk_writer_skip(w, sb.st_dev, sb.st_ino);
    if (j->is_self) {
        static const char *const leave_out[] = {
            "tocsin.db", "tocsin.db-wal", "tocsin.db-shm", "tocsin.db-journal", "backups", NULL};
        int fd = -1;
        rc = bk_add_tree(w, st->dir, "files/", leave_out, e);
        if (!rc)
            rc = snapshot_db(st, dest, &fd, e);
        if (!rc)
            rc = bk_add_fd(w, fd, "files/tocsin.db", e);
        if (fd >= 0)
            close(fd);
    } else if (j->path[0]) {
        rc = bk_add_tree(w, j->path, "files/", NULL, e);
    } else {
        int out = scratch_fd(dest, e), errfd = out < 0 ? -1 : scratch_fd(dest, e);
        char entry[128];
        snprintf(entry, sizeof entry, "files/%s.dump", j->name);
        rc = out < 0 ? out : errfd < 0 ? errfd : run_dump(j, out, errfd, e);
        if (!rc)
            rc = bk_add_fd(w, out, entry, e);
        if (out >= 0)
            close(out);
        if (errfd >= 0)
            close(errfd);
    }
    if (rc) {
        bk_writer_abort(w);
        return rc;
    }
    return bk_writer_commit(w, &res->st, res, e);
}

int backup_execute(struct store *st, int64_t run_id, const volatile int *stop,
                   struct bk_result *res, struct err *e)
{
    memset(res, 0, sizeof *res);
    struct job j;
    int64_t job_id = 0;
    int rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = store_query_int(st, e, &job_id,
                         "SELECT coalesce(max(job_id), 0) FROM backup_runs WHERE id = ? AND "
                         "state = 'queued'",
                         "I", run_id);
    if (!rc && !job_id)
        rc = err_set(e, ERR_CONFLICT, "archive %lld is not waiting to run", (long long)run_id);
    if (!rc)
        rc = job_load(st, NULL, job_id, &j, e);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE backup_runs SET state = 'running', started_at = ? WHERE id = ?",
                        "II", time_now_ms(), run_id);
    rc = prep_finish(st, rc, e);
    if (rc)
        return rc;

    char dest[PATH_MAX], path[PATH_MAX] = "", copy[PATH_MAX] = "", kid[BK_KEY_ID_LEN] = "";
    unsigned char key[BK_KEY_LEN];
    job_dest(st, &j, dest);
    rc = fs_mkdirs(dest, 0700, e);
    if (!rc)
        rc = load_key(&j, key, kid, e);
    if (!rc)
        rc = write_archive(st, &j, run_id, dest, kid[0] ? key : NULL, kid, stop, path, res, e);
    /* read back as it was written: only a whole archive was renamed into place */
    int64_t verified = !rc && !res->damaged ? time_now_ms() : 0;
    struct err ce = {0};
    const char *copy_state = NULL;
    if (verified && j.copy_dest[0]) {
        const char *base = strrchr(path, '/') + 1;
        copy_state =
            copy_archive(path, j.copy_dest, base, res->st.sha256, copy, &ce) ? "failed" : "good";
        if (ce.code) {
            log_warn("backup %s: %s", j.name, ce.msg);
            copy[0] = '\0';
        }
    }
    sodium_memzero(key, sizeof key);
    const char *state = rc ? "failed" : res->damaged ? "damaged" : "good";
    const char *error = rc ? e->msg : res->damaged ? res->why : ce.code ? ce.msg : NULL;
    struct err ue = {0};
    int urc = store_begin(st, &ue);
    if (!urc)
        urc = store_exec(st, &ue,
                         "UPDATE backup_runs SET state = ?, finished_at = ?, verified_at = ?, "
                         "path = ?, sha256 = ?, size = ?, files = ?, bytes = ?, changed = ?, "
                         "key_id = ?, copy_path = ?, copy_state = ?, error = ? WHERE id = ?",
                         "sITssIIIIssssI", state, time_now_ms(), verified,
                         rc || res->damaged ? NULL : path, rc ? NULL : res->st.sha256,
                         (int64_t)res->st.size, (int64_t)res->st.files, (int64_t)res->st.bytes,
                         (int64_t)res->st.changed, kid[0] ? kid : NULL, copy[0] ? copy : NULL,
                         copy_state, error, run_id);
    if (!urc)
        urc = audit_append_take(
            st, "system", "backup.run", j.name,
            json_pack("{s:I, s:s, s:I, s:I, s:s?, s:s?}", "archive", (json_int_t)run_id, "state",
                      state, "files", (json_int_t)res->st.files, "bytes", (json_int_t)res->st.bytes,
                      "sha256", rc ? NULL : res->st.sha256, "error", error),
            &ue);
    urc = urc ? (store_rollback(st), urc) : store_commit(st, &ue);
    if (!urc && !rc && !res->damaged)
        urc = retention(st, &j, &ue);
    if (urc && !rc) {
        *e = ue;
        rc = urc;
    }
    return rc;
}

/* ---- verifying and restoring ------------------------------------------------ */

/* The archive to read: the given id, else the job's newest good one. */
static int pick(struct store *st, const struct job *j, int64_t archive, int64_t *id,
                char path[PATH_MAX], char sha[65], struct err *e)
{
    sqlite3_stmt *q;
    int rc = archive ? store_query(st, e, &q,
                                   "SELECT id, coalesce(path, ''), coalesce(sha256, ''), state "
                                   "FROM backup_runs WHERE job_id = ? AND id = ?",
                                   "II", j->id, archive)
                     : store_query(st, e, &q,
                                   "SELECT id, coalesce(path, ''), coalesce(sha256, ''), state "
                                   "FROM backup_runs WHERE job_id = ? AND state = 'good' ORDER "
                                   "BY id DESC LIMIT 1",
                                   "I", j->id);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        *id = sqlite3_column_int64(q, 0);
        snprintf(path, PATH_MAX, "%s", store_col_text(q, 1));
        snprintf(sha, 65, "%s", store_col_text(q, 2));
        const char *state = store_col_text(q, 3);
        if (!path[0])
            rc = err_set(e, ERR_NOTFOUND, "archive %lld of '%s' has no file (%s)", (long long)*id,
                         j->name, state);
        else if (strcmp(state, "expired") == 0)
            rc = err_set(e, ERR_NOTFOUND, "archive %lld of '%s' has expired", (long long)*id,
                         j->name);
        else
            rc = 0;
    } else if (rc == 0) {
        rc = archive
                 ? err_set(e, ERR_NOTFOUND, "'%s' has no archive %lld", j->name, (long long)archive)
                 : err_set(e, ERR_NOTFOUND, "'%s' has no good archive yet", j->name);
    }
    store_finish(q);
    return rc;
}

int backup_read(struct store *st, const char *actor, const char *name, int64_t archive,
                const char *to, int64_t *used, struct bk_result *res, struct err *e)
{
    memset(res, 0, sizeof *res);
    struct job j;
    char path[PATH_MAX], sha[65], kid[BK_KEY_ID_LEN] = "";
    unsigned char key[BK_KEY_LEN];
    int rc = job_load(st, name, 0, &j, e);
    if (!rc)
        rc = pick(st, &j, archive, used, path, sha, e);
    if (!rc)
        rc = load_key(&j, key, kid, e);
    if (rc)
        return rc;
    struct bk_read in = {.path = path,
                         .key = kid[0] ? key : NULL,
                         .key_id = kid,
                         .expect_sha256 = sha[0] ? sha : NULL,
                         .to = to};
    rc = bk_read(&in, res, e);
    sodium_memzero(key, sizeof key);
    if (rc)
        return rc;
    int64_t now = time_now_ms();
    rc = store_begin(st, e);
    if (!rc)
        rc = res->damaged ? store_exec(st, e,
                                       "UPDATE backup_runs SET state = 'damaged', error = ? "
                                       "WHERE id = ? AND state = 'good'",
                                       "sI", res->why, *used)
                          : store_exec(st, e, "UPDATE backup_runs SET verified_at = ? WHERE id = ?",
                                       "II", now, *used);
    if (!rc)
        rc = audit_append_take(st, actor, to ? "backup.restore" : "backup.verify", name,
                               json_pack("{s:I, s:b, s:s?, s:s?}", "archive", (json_int_t)*used,
                                         "damaged", res->damaged, "to", to, "why",
                                         res->damaged ? res->why : NULL),
                               e);
    return prep_finish(st, rc, e);
}
