/*
 * The real-time guard: inotify over the whole tree, restoration from the
 * protected store, evidence of every unauthorised version, publishing windows
 * and accepted changes, and (lock mode) fanotify refusals.
 *
 * inotify is used directly rather than through libuv's fs events: the guard
 * needs the queue-overflow signal and per-directory watch descriptors, which
 * uv_fs_event hides.
 */
#include "guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WATCH_MASK                                                                                 \
    (IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM |              \
     IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_EXCL_UNLINK | IN_ONLYDIR)
#define CTL_MASK     (IN_CLOSE_WRITE | IN_MOVED_TO)
#define EVIDENCE_MAX ((uint64_t)100 << 20)
#define PENDING_MAX  65536
/* alert-only: a file is looked at once it has been quiet this long (a writer
 * that truncates and then writes is seen finished, not emptied), and at the
 * latest this long after its first event */
#define SETTLE_MS     200
#define SETTLE_MAX_MS 2000
#define SETTLE_CAP    4096

struct wdir {
    int wd;
    char *path; /* relative directory */
};

/* A changed file already put right whose evidence is still to be kept. */
struct later {
    char *rel;
    int fd; /* the changed version, held open */
    char name[NAME_MAX + 1];
    unsigned kinds;
    unsigned char before[SHA256_LEN];
    int has_before, ok;
    const char *action;
    int64_t detected_ms, detected_us, restored_us;
};
#define LATER_MAX   256
#define ALERTED_MAX 1024

/* alert-only: a file with events, waiting for its writer to finish */
struct settling {
    char *rel;
    int64_t first_ms, first_us, due_ms;
};

struct guard {
    char root[GUARD_PATH_MAX];
    int root_fd;
    char state[GUARD_PATH_MAX];
    char baseline_file[GUARD_PATH_MAX + 16];
    struct baseline base;
    struct objstore objects;
    struct guard_opts o;
    struct webshell_rules *rules;
    int lock_fd, ino_fd, fan_fd;
    int ctl_wd, req_wd;
    struct wdir *w;
    size_t nw, capw;
    int stop_pipe[2];
    _Atomic int64_t publish_until; /* read by the lock thread too */
    pthread_t fan_thread;
    int fan_stop[2];
    int fan_started;
    /* lock mode: inodes an allowed program opened for writing, with when
     * that stops counting; its changes to them are accepted, not reverted */
    pthread_mutex_t authorised_lock;
    struct {
        uint64_t ino;
        int64_t until_ms;
    } authorised[256];
    int nauthorised;
    char publish_actor[128];
    int base_dirty;
    int64_t next_recheck;
    int64_t detected_ms; /* when the batch being handled was seen */
    int64_t detected_us;
    int64_t restored_us; /* when the change being handled was put right */
    struct later later[LATER_MAX];
    int nlater;
    unsigned char alerted[ALERTED_MAX][SHA256_LEN]; /* alert-only: differences reported */
    int nalerted, alerted_next;
    /* the evidence thread and its queue */
    pthread_t ev_thread;
    int ev_started, ev_stop;
    pthread_mutex_t ev_lock;
    pthread_cond_t ev_cond;
    struct later *evq;
    size_t evq_n, evq_cap;
    char *pending[PENDING_MAX]; /* paths to look at, deduplicated per batch */
    size_t npending;
    int overflow;
    struct settling *settle; /* alert-only: files waiting to be quiet */
    size_t nsettle;
};

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int guard_mode_parse(const char *s, enum guard_mode *out)
{
    if (strcmp(s, "restore") == 0)
        *out = GUARD_RESTORE;
    else if (strcmp(s, "alert-only") == 0)
        *out = GUARD_ALERT_ONLY;
    else if (strcmp(s, "lock") == 0)
        *out = GUARD_LOCK;
    else
        return -1;
    return 0;
}

const char *guard_mode_name(enum guard_mode m)
{
    return m == GUARD_ALERT_ONLY ? "alert-only" : m == GUARD_LOCK ? "lock" : "restore";
}

/* ---- state directory ---------------------------------------------------- */

int guard_state_dir(const char *data_dir, const char *root, char *out, size_t cap, int create,
                    struct err *e)
{
    unsigned char d[SHA256_LEN];
    char hex[SHA256_HEX_LEN];
    sha256(root, strlen(root), d);
    hex_encode(d, SHA256_LEN, hex);
    char guard_dir[GUARD_PATH_MAX];
    if ((size_t)snprintf(guard_dir, sizeof(guard_dir), "%s/guard", data_dir) >= sizeof(guard_dir) ||
        (size_t)snprintf(out, cap, "%s/%.16s", guard_dir, hex) >= cap)
        return err_set(e, ERR_INPUT, "data directory %.200s is too long a path", data_dir);
    if (!create)
        return fs_exists(out) ? 0
                              : err_set(e, ERR_NOTFOUND, "%s is not guarded in %s", root, data_dir);
    char req[GUARD_PATH_MAX + 16];
    snprintf(req, sizeof(req), "%s/requests", out);
    int rc = fs_mkdirs(guard_dir, 0700, e);
    if (!rc)
        rc = fs_mkdir(out, 0700, e);
    if (!rc)
        rc = fs_mkdir(req, 0700, e);
    if (!rc) {
        char rootline[GUARD_PATH_MAX + 2];
        snprintf(rootline, sizeof(rootline), "%s\n", root);
        rc = fs_write_atomic(out, "root", rootline, strlen(rootline), 0600, 0, e);
    }
    return rc;
}

/* ---- events ------------------------------------------------------------- */

/* Splits webshell_explain's "RULE\nWHY" in place; returns WHY or NULL. */
static char *split_why(char *rule)
{
    char *nl = strchr(rule, '\n');
    if (nl)
        *nl++ = 0;
    return nl;
}

static void emit(struct guard *g, const char *path, const char *category, const char *action,
                 unsigned kinds, const unsigned char *before, int has_before,
                 const unsigned char *after, int has_after, const char *rule, const char *process,
                 int restored)
{
    if (!g->o.on_event)
        return;
    char name[WEBSHELL_WHY_MAX];
    const char *why = NULL;
    if (rule) {
        snprintf(name, sizeof(name), "%s", rule);
        why = split_why(name);
        rule = name;
    }
    char b[SHA256_HEX_LEN] = "", a[SHA256_HEX_LEN] = "";
    if (has_before)
        hex_encode(before, SHA256_LEN, b);
    if (has_after)
        hex_encode(after, SHA256_LEN, a);
    struct guard_event ev = {
        .root = g->root,
        .path = path,
        .category = category,
        .action = action,
        .kinds = kinds,
        .before_sha = b,
        .after_sha = a,
        .webshell_rule = rule,
        .webshell_why = why,
        .process = process,
        .detected_ms = g->detected_ms,
        .latency_us = restored ? (g->restored_us > g->detected_us ? g->restored_us : mono_us()) -
                                     g->detected_us
                               : -1,
    };
    g->o.on_event(g->o.ctx, &ev);
}

/* ---- watches ------------------------------------------------------------ */

static const char *wd_path(struct guard *g, int wd)
{
    for (size_t i = 0; i < g->nw; i++)
        if (g->w[i].wd == wd)
            return g->w[i].path;
    return NULL;
}

static void wd_forget(struct guard *g, int wd)
{
    for (size_t i = 0; i < g->nw; i++)
        if (g->w[i].wd == wd) {
            free(g->w[i].path);
            g->w[i] = g->w[--g->nw];
            return;
        }
}

static int fan_mark(struct guard *g, int dfd);

/* Watches one directory of the tree (opened beneath the root, so a symlink
 * planted in its place is never followed). */
static int watch_dir(struct guard *g, const char *rel, struct err *e)
{
    int dfd = strcmp(rel, ".") == 0 ? fcntl(g->root_fd, F_DUPFD_CLOEXEC, 0)
                                    : fs_open_beneath(g->root_fd, rel, O_RDONLY | O_DIRECTORY, 0);
    if (dfd < 0)
        return 0; /* gone or replaced: the change itself is handled elsewhere */
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dfd);
    int wd = inotify_add_watch(g->ino_fd, proc, WATCH_MASK);
    if (g->fan_fd >= 0)
        fan_mark(g, dfd);
    close(dfd);
    if (wd < 0) {
        if (errno == ENOSPC)
            return err_set(e, ERR_TOOBIG,
                           "cannot watch %s/%s: the inotify watch limit is reached (raise "
                           "fs.inotify.max_user_watches)",
                           g->root, rel);
        return 0;
    }
    for (size_t i = 0; i < g->nw; i++)
        if (g->w[i].wd == wd) { /* the same directory again, perhaps renamed */
            char *p = strdup(rel);
            if (!p)
                return err_set(e, ERR_NOMEM, "out of memory");
            free(g->w[i].path);
            g->w[i].path = p;
            return 0;
        }
    if (g->nw == g->capw) {
        size_t cap = g->capw ? g->capw * 2 : 256;
        struct wdir *v = realloc(g->w, cap * sizeof(*v));
        if (!v)
            return err_set(e, ERR_NOMEM, "out of memory for watches");
        g->w = v;
        g->capw = cap;
    }
    g->w[g->nw].wd = wd;
    g->w[g->nw].path = strdup(rel);
    if (!g->w[g->nw].path)
        return err_set(e, ERR_NOMEM, "out of memory");
    g->nw++;
    return 0;
}

/* ---- lock mode: fanotify refuses writes outside the allow-list ---------- */

static int fan_mark(struct guard *g, int dfd)
{
    return fanotify_mark(g->fan_fd, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_EVENT_ON_CHILD, dfd, NULL);
}

/* Whether thread tid is opening for writing: it is blocked inside the open
 * call while we decide, so its arguments are in /proc/<tid>/syscall. */
static int opening_for_write(pid_t tid)
{
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, line, sizeof(line) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    line[n] = 0;
    unsigned long long a[7] = {0};
    long nr = -1;
    if (sscanf(line, "%ld %llx %llx %llx %llx %llx %llx", &nr, &a[0], &a[1], &a[2], &a[3], &a[4],
               &a[5]) < 3)
        return 0;
    unsigned long long flags = 0;
#ifdef SYS_open
    if (nr == SYS_open)
        flags = a[1];
#endif
#ifdef SYS_creat
    if (nr == SYS_creat)
        return 1;
#endif
    if (nr == SYS_openat)
        flags = a[2];
    if (nr == SYS_openat2) {
        uint64_t f = 0;
        struct iovec local = {&f, sizeof(f)}, remote = {(void *)(uintptr_t)a[2], sizeof(f)};
        if (syscall(SYS_process_vm_readv, tid, &local, 1, &remote, 1, 0) != sizeof(f))
            return 1; /* cannot tell: refuse, it is not on the allow-list */
        flags = f;
    }
    return (flags & (O_WRONLY | O_RDWR | O_TRUNC | O_APPEND | O_CREAT)) != 0;
}

static int is_authorised(struct guard *g, uint64_t ino)
{
    int64_t now = time_now_ms();
    int found = 0;
    pthread_mutex_lock(&g->authorised_lock);
    for (int k = 0; k < g->nauthorised && !found; k++)
        found = g->authorised[k].ino == ino && g->authorised[k].until_ms > now;
    pthread_mutex_unlock(&g->authorised_lock);
    return found;
}

/* Whether tid is one of this process's threads (they restore and hash). */
static int own_thread(pid_t tid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
    return access(path, F_OK) == 0;
}

static int exe_allowed(struct guard *g, pid_t pid, char *exe, size_t cap)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, exe, cap - 1);
    exe[n > 0 ? n : 0] = 0;
    if (n <= 0)
        return 0;
    for (int i = 0; i < g->o.nallow; i++)
        if (strcmp(exe, g->o.allow[i]) == 0)
            return 1;
    return 0;
}

static void handle_fanotify(struct guard *g)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
    ssize_t n = read(g->fan_fd, buf, sizeof(buf));
    if (n <= 0)
        return;
    int64_t now = time_now_ms();
    for (struct fanotify_event_metadata *m = (void *)buf; FAN_EVENT_OK(m, n);
         m = FAN_EVENT_NEXT(m, n)) {
        if (m->vers != FANOTIFY_METADATA_VERSION || m->fd < 0)
            continue;
        int allow = 1;
        char exe[GUARD_PATH_MAX] = "";
        if ((m->mask & FAN_OPEN_PERM) && !own_thread(m->pid) && now >= g->publish_until &&
            opening_for_write(m->pid)) {
            /* FAN_REPORT_TID gives the thread; its process's exe is the same. */
            allow = exe_allowed(g, m->pid, exe, sizeof(exe));
        }
        if (allow && exe[0]) {
            /* An allowed writer: remember the inode so the change is kept. */
            struct stat st;
            if (fstat(m->fd, &st) == 0) {
                pthread_mutex_lock(&g->authorised_lock);
                int k = 0;
                while (k < g->nauthorised && g->authorised[k].ino != st.st_ino &&
                       g->authorised[k].until_ms > now)
                    k++;
                if (k < 256) {
                    g->authorised[k].ino = st.st_ino;
                    g->authorised[k].until_ms = now + 60000;
                    if (k == g->nauthorised)
                        g->nauthorised++;
                }
                pthread_mutex_unlock(&g->authorised_lock);
            }
        }
        struct fanotify_response r = {.fd = m->fd, .response = allow ? FAN_ALLOW : FAN_DENY};
        if (write(g->fan_fd, &r, sizeof(r)) != sizeof(r))
            log_warn("guard %s: cannot answer a permission request", g->root);
        if (!allow) {
            char link[64], target[GUARD_PATH_MAX];
            snprintf(link, sizeof(link), "/proc/self/fd/%d", m->fd);
            ssize_t k = readlink(link, target, sizeof(target) - 1);
            target[k > 0 ? k : 0] = 0;
            size_t rl = strlen(g->root);
            const char *rel =
                strncmp(target, g->root, rl) == 0 && target[rl] == '/' ? target + rl + 1 : target;
            char who[GUARD_PATH_MAX + 32];
            snprintf(who, sizeof(who), "%s (pid %d)", exe[0] ? exe : "?", (int)m->pid);
            if (g->o.on_event) {
                struct guard_event ev = {.root = g->root,
                                         .path = rel,
                                         .category = "information-destruction/tampering",
                                         .action = "refused",
                                         .kinds = GC_CONTENT,
                                         .before_sha = "",
                                         .after_sha = "",
                                         .process = who,
                                         .detected_ms = now,
                                         .latency_us = -1};
                g->o.on_event(g->o.ctx, &ev);
            }
        }
        close(m->fd);
    }
}

/* Permission events are answered on a thread of their own: the guard's main
 * thread opens protected files itself (hashing, restoring), and would wait
 * forever for an answer only it could give. */
static void *fan_main(void *arg)
{
    struct guard *g = arg;
    for (;;) {
        struct pollfd p[2] = {{.fd = g->fan_stop[0], .events = POLLIN},
                              {.fd = g->fan_fd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents & POLLIN)
            break;
        if (p[1].revents & POLLIN)
            handle_fanotify(g);
    }
    return NULL;
}

/* ---- restoring ---------------------------------------------------------- */

static int open_parent(struct guard *g, const char *rel, char *name, size_t cap)
{
    const char *slash = strrchr(rel, '/');
    if (!slash) {
        snprintf(name, cap, "%s", rel);
        return fcntl(g->root_fd, F_DUPFD_CLOEXEC, 0);
    }
    char parent[GUARD_PATH_MAX];
    size_t n = (size_t)(slash - rel);
    memcpy(parent, rel, n);
    parent[n] = 0;
    snprintf(name, cap, "%s", slash + 1);
    return fs_open_beneath(g->root_fd, parent, O_RDONLY | O_DIRECTORY, 0);
}

static void fix_owner_mode(int fd, const struct gentry *b)
{
    struct stat s;
    if (fstat(fd, &s) != 0)
        return;
    if ((s.st_uid != b->uid || s.st_gid != b->gid) && fchown(fd, b->uid, b->gid) != 0)
        log_debug("cannot restore the owner: %s", strerror(errno));
    if ((s.st_mode & 07777) != b->mode && fchmod(fd, b->mode) != 0)
        log_debug("cannot restore the mode: %s", strerror(errno));
}

/* Refreshes the baseline's stat fields of path from the restored object, so
 * that the next re-check need not read it again. */
static void refresh_stat(struct guard *g, const char *rel)
{
    struct gentry *b = baseline_find(&g->base, rel);
    if (!b)
        return;
    struct gentry now = *b;
    if (guard_restat(g->root_fd, &now) == 0 && now.type == b->type) {
        b->ino = now.ino;
        b->mtime_ns = now.mtime_ns;
        b->ctime_ns = now.ctime_ns;
        b->nlink = now.nlink;
    }
}

static int restore_subtree(struct guard *g, const char *rel, int depth);

/* Puts back one baseline entry (a directory with everything beneath it). */
static int restore_entry(struct guard *g, const struct gentry *b0, int depth)
{
    struct gentry b = *b0;
    char path[GUARD_PATH_MAX];
    snprintf(path, sizeof(path), "%s", b0->path);
    b.path = path;
    if (strcmp(path, ".") == 0) {
        fix_owner_mode(g->root_fd, &b);
        return restore_subtree(g, path, depth);
    }
    char name[NAME_MAX + 1];
    int pfd = open_parent(g, path, name, sizeof(name));
    if (pfd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == ENOENT || errno == EXDEV) &&
        depth < GUARD_DEPTH_MAX) {
        /* The parent was removed or replaced (by a symlink, say): put it back
         * first, which brings this entry back with it. */
        char parent[GUARD_PATH_MAX];
        snprintf(parent, sizeof(parent), "%s", path);
        char *slash = strrchr(parent, '/');
        if (slash)
            *slash = 0;
        const struct gentry *pb = baseline_find(&g->base, parent);
        if (!pb)
            return -1;
        struct gentry pcopy = *pb;
        char pbuf[GUARD_PATH_MAX];
        snprintf(pbuf, sizeof(pbuf), "%s", pb->path);
        pcopy.path = pbuf;
        char pname[NAME_MAX + 1];
        int ppfd = open_parent(g, pbuf, pname, sizeof(pname));
        if (ppfd >= 0) {
            struct stat s;
            if (fstatat(ppfd, pname, &s, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(s.st_mode)) {
                char ev[SHA256_HEX_LEN];
                if (S_ISREG(s.st_mode)) {
                    int fd = openat(ppfd, pname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
                    if (fd >= 0) {
                        objstore_put_fd(&g->objects, fd, EVIDENCE_MAX, ev, NULL, NULL);
                        close(fd);
                    }
                }
                fs_remove_tree(ppfd, pname, GUARD_DEPTH_MAX);
                emit(g, pbuf, "information-destruction/tampering",
                     g->o.mode == GUARD_ALERT_ONLY ? "alerted" : "restored", GC_TYPE, NULL, 0, NULL,
                     0, NULL, NULL, 1);
            }
            close(ppfd);
        }
        return restore_entry(g, &pcopy, depth + 1);
    }
    if (pfd < 0)
        return -1;
    int rc = 0;
    struct stat cur;
    int exists = fstatat(pfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0;
    if (b.type == GT_DIR) {
        if (exists && !S_ISDIR(cur.st_mode))
            fs_remove_tree(pfd, name, GUARD_DEPTH_MAX), exists = 0;
        if (!exists && mkdirat(pfd, name, 0700) != 0 && errno != EEXIST)
            rc = -1;
        int dfd = rc ? -1 : openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd >= 0) {
            fix_owner_mode(dfd, &b);
            close(dfd);
            struct err e = {0};
            if (!exists)
                watch_dir(g, path, &e);
            rc = restore_subtree(g, path, depth);
        } else {
            rc = -1;
        }
    } else if (b.type == GT_FILE || b.type == GT_LINK) {
        char hex[SHA256_HEX_LEN], tmp[64];
        hex_encode(b.sha, SHA256_LEN, hex);
        struct buf content;
        struct err e = {0};
        if (!b.has_sha ||
            objstore_get(&g->objects, hex, (size_t)(g->o.max_file ? g->o.max_file : EVIDENCE_MAX),
                         &content, &e) != 0) {
            log_warn("guard %s: cannot restore %s: %s", g->root, path,
                     b.has_sha ? e.msg : "it was unreadable when protected");
            close(pfd);
            return -1;
        }
        unsigned char rnd[8];
        char rhex[17];
        fs_random(rnd, sizeof(rnd));
        hex_encode(rnd, sizeof(rnd), rhex);
        snprintf(tmp, sizeof(tmp), ".tocsin-restore-%s", rhex);
        if (b.type == GT_FILE) {
            int fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (fd < 0 || fs_write_all(fd, content.p ? content.p : "", content.len) != 0) {
                rc = -1;
            } else {
                fix_owner_mode(fd, &b);
                struct timespec ts[2] = {{0, UTIME_OMIT},
                                         {b.mtime_ns / 1000000000, b.mtime_ns % 1000000000}};
                futimens(fd, ts);
                if (fsync(fd) != 0)
                    rc = -1;
            }
            if (fd >= 0)
                close(fd);
        } else {
            char target[GUARD_PATH_MAX];
            size_t tl = content.len < sizeof(target) - 1 ? content.len : sizeof(target) - 1;
            memcpy(target, content.p ? content.p : "", tl);
            target[tl] = 0;
            if (symlinkat(target, pfd, tmp) != 0)
                rc = -1;
            else if (fchownat(pfd, tmp, b.uid, b.gid, AT_SYMLINK_NOFOLLOW) != 0)
                log_debug("cannot restore a symlink's owner");
        }
        buf_release(&content);
        if (!rc && exists && S_ISDIR(cur.st_mode))
            fs_remove_tree(pfd, name, GUARD_DEPTH_MAX); /* a directory took its place */
        if (!rc && renameat(pfd, tmp, pfd, name) != 0)
            rc = -1;
        if (rc)
            unlinkat(pfd, tmp, 0);
        else
            fsync(pfd);
    }
    close(pfd);
    if (!rc)
        refresh_stat(g, path);
    return rc;
}

/* Restores every baseline entry beneath rel that is missing or wrong. */
static int restore_subtree(struct guard *g, const char *rel, int depth)
{
    int top = strcmp(rel, ".") == 0;
    size_t len = strlen(rel);
    /* Collect the children first: restoring refreshes entries in place. */
    size_t cap = 64, n = 0;
    char **kids = malloc(cap * sizeof(*kids));
    for (size_t i = 0; kids && i < g->base.n; i++) {
        const char *p = g->base.v[i].path;
        const char *rest =
            top ? p : (strncmp(p, rel, len) == 0 && p[len] == '/' ? p + len + 1 : NULL);
        if (!rest || !*rest || strcmp(p, ".") == 0 || strchr(rest, '/'))
            continue;
        if (n == cap) {
            char **k2 = realloc(kids, (cap *= 2) * sizeof(*kids));
            if (!k2)
                break;
            kids = k2;
        }
        kids[n++] = strdup(p);
    }
    int rc = kids ? 0 : -1;
    for (size_t i = 0; i < n; i++) {
        const struct gentry *b = kids[i] ? baseline_find(&g->base, kids[i]) : NULL;
        struct gentry now = {.path = kids[i]};
        if (b && (guard_restat(g->root_fd, &now) != 0 || now.type != b->type ||
                  now.mode != b->mode || (b->type == GT_LINK && memcmp(now.sha, b->sha, 32)) ||
                  (b->type == GT_FILE && (now.size != b->size || now.mtime_ns != b->mtime_ns)) ||
                  b->type == GT_DIR)) {
            struct gentry copy = *b;
            if (restore_entry(g, &copy, depth + 1) != 0)
                rc = -1;
        }
        free(kids[i]);
    }
    free(kids);
    return rc;
}

/* ---- handling one path -------------------------------------------------- */

/* Keeps what fd holds (a file's changed version) in the object store and
 * scans it for webshells. The file may already be gone from the tree: the
 * guard restores first and reads the evidence through fd afterwards. */
static int evidence_from_fd(struct guard *g, int fd, const char *name, const char *rel,
                            unsigned char *sha, char *rule, size_t rule_cap)
{
    struct buf data;
    buf_init(&data, (size_t)EVIDENCE_MAX);
    int big = fs_read_fd(fd, &data) == ERR_TOOBIG;
    int rc = 0;
    if (!big) {
        char hex[SHA256_HEX_LEN];
        rc = objstore_put(&g->objects, data.p ? data.p : "", data.len, hex, NULL);
        if (!rc && sha)
            hex_decode(hex, sha, SHA256_LEN);
        struct webshell_result r;
        if (!rc && g->rules && !rule[0] &&
            webshell_scan(g->rules, name, data.p ? data.p : "", data.len, &r, NULL) == 0 && r.n > 0)
            webshell_explain(&r, rule, rule_cap);
    } else {
        log_warn("guard %s: %s is larger than %llu bytes; not kept as evidence", g->root, rel,
                 (unsigned long long)EVIDENCE_MAX);
    }
    buf_release(&data);
    return rc;
}

/* Keeps the current version of rel (a file, or every file beneath a
 * directory) as evidence; writes the file's hash into sha. The first webshell
 * rule that matches any of it goes into rule. */
static int keep_evidence(struct guard *g, int pfd, const char *name, const char *rel,
                         unsigned char *sha, char *rule, size_t rule_cap, int depth)
{
    struct stat s;
    if (fstatat(pfd, name, &s, AT_SYMLINK_NOFOLLOW) != 0)
        return -1;
    if (S_ISREG(s.st_mode)) {
        int fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            return -1;
        int rc = evidence_from_fd(g, fd, name, rel, sha, rule, rule_cap);
        close(fd);
        return rc;
    }
    if (S_ISLNK(s.st_mode)) {
        char target[GUARD_PATH_MAX];
        ssize_t n = readlinkat(pfd, name, target, sizeof(target));
        char hex[SHA256_HEX_LEN];
        if (n < 0 || objstore_put(&g->objects, target, (size_t)n, hex, NULL) != 0)
            return -1;
        if (sha)
            hex_decode(hex, sha, SHA256_LEN);
        return 0;
    }
    if (S_ISDIR(s.st_mode) && depth < GUARD_DEPTH_MAX) {
        int dfd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!d) {
            if (dfd >= 0)
                close(dfd);
            return -1;
        }
        for (struct dirent *de; (de = readdir(d));) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char sub[GUARD_PATH_MAX];
            snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name);
            keep_evidence(g, dirfd(d), de->d_name, sub, NULL, rule, rule_cap, depth + 1);
        }
        closedir(d);
    }
    return 0;
}

static int accept_path(struct guard *g, const char *rel, const char *actor);

static void handle_path(struct guard *g, const char *rel)
{
    if (strlen(rel) >= GUARD_PATH_MAX)
        return;
    if (time_now_ms() < g->publish_until) {
        accept_path(g, rel, g->publish_actor);
        return;
    }
    const struct gentry *bp = baseline_find(&g->base, rel);
    struct gentry b = {0}, now = {.path = rel, .path_len = (uint32_t)strlen(rel)};
    char bpath[GUARD_PATH_MAX];
    if (bp) {
        b = *bp;
        snprintf(bpath, sizeof(bpath), "%s", bp->path);
        b.path = bpath;
    }
    int gone = guard_restat(g->root_fd, &now) != 0;
    if (gone && errno != ENOENT && errno != ELOOP && errno != ENOTDIR && errno != EXDEV)
        return;
    if (gone && !bp)
        return;
    if (g->fan_started && !gone && now.type == GT_FILE) {
        /* A file created by an allowed writer shows here before its open's
         * permission event is answered: give the lock thread a moment. */
        int ok = is_authorised(g, now.ino);
        if (!ok && time_now_ms() - now.ctime_ns / 1000000 < 50) {
            nanosleep(&(struct timespec){0, 5000000}, NULL);
            ok = is_authorised(g, now.ino);
        }
        if (ok) {
            accept_path(g, rel, "allowed writer");
            return;
        }
    }
    unsigned kinds = 0;
    int keep = 0; /* the current version is to be kept as evidence */
    if (!bp) {
        kinds = GC_ADDED;
        keep = 1;
    } else if (gone) {
        /* A parent replaced by a symlink looks like this too. */
        kinds = GC_REMOVED;
    } else if (now.type != b.type) {
        kinds = GC_TYPE;
        keep = 1;
    } else {
        if (now.type == GT_FILE) {
            int same_stat = now.size == b.size && now.ino == b.ino && now.mtime_ns == b.mtime_ns &&
                            now.ctime_ns == b.ctime_ns;
            if (!same_stat && now.size != b.size) {
                kinds |= GC_CONTENT; /* no need to read it to know */
                keep = 1;
            } else if (!same_stat) {
                struct gentry h = now;
                if (guard_hash_file(g->root_fd, &h, NULL, UINT64_MAX, NULL) == 0 &&
                    h.type == GT_FILE) {
                    now = h;
                    if (!h.has_sha || memcmp(h.sha, b.sha, SHA256_LEN) != 0 || h.size != b.size)
                        kinds |= GC_CONTENT, keep = 1;
                }
            }
            if (now.nlink > b.nlink)
                kinds |= GC_LINKS;
        } else if (now.type == GT_LINK && memcmp(now.sha, b.sha, SHA256_LEN) != 0) {
            kinds |= GC_CONTENT;
            keep = 1;
        }
        if (now.mode != b.mode)
            kinds |= GC_MODE;
        if (now.uid != b.uid || now.gid != b.gid)
            kinds |= GC_OWNER;
        if (!kinds) {
            /* Only times or the inode moved (a touch, our own restore): the
             * baseline learns them, so re-checks need not read the file. */
            struct gentry *live = baseline_find(&g->base, rel);
            if (live && now.type != GT_DIR) {
                live->ino = now.ino;
                live->mtime_ns = now.mtime_ns;
                live->ctime_ns = now.ctime_ns;
                live->nlink = now.nlink;
            }
            return;
        }
    }

    unsigned char after[SHA256_LEN] = {0};
    int has_after = 0;
    char rule[WEBSHELL_WHY_MAX] = "";
    /* Contain first: a changed file is held open and put right at once; its
     * content becomes evidence afterwards, read through the open file. */
    int held = -1;
    char name[NAME_MAX + 1];
    if (keep) {
        int pfd = open_parent(g, rel, name, sizeof(name));
        if (pfd >= 0) {
            if (now.type == GT_FILE)
                held = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
            if (held < 0)
                has_after = keep_evidence(g, pfd, name, rel, after, rule, sizeof(rule), 0) == 0 &&
                            now.type != GT_DIR;
            if (g->o.mode != GUARD_ALERT_ONLY && (kinds & (GC_ADDED | GC_TYPE)))
                fs_remove_tree(pfd, name, GUARD_DEPTH_MAX);
            close(pfd);
        }
    }
    g->restored_us = mono_us();
    if (g->o.mode == GUARD_ALERT_ONLY && held >= 0) {
        has_after = evidence_from_fd(g, held, name, rel, after, rule, sizeof(rule)) == 0;
        close(held);
        held = -1;
    }
    const char *category =
        rule[0] ? "harmful-program/webshell" : "information-destruction/tampering";
    if (g->o.mode == GUARD_ALERT_ONLY) {
        if ((kinds & GC_ADDED) && now.type == GT_DIR) {
            struct err e = {0};
            watch_dir(g, rel, &e);
        }
        /* The same difference is reported once, not at every re-check. */
        char key[GUARD_PATH_MAX + 80];
        unsigned char d[SHA256_LEN];
        int kl = snprintf(key, sizeof(key), "%s\n%u\n%u\n%o", rel, kinds, now.type, now.mode);
        struct sha256_ctx c;
        if (sha256_init(&c) == 0) {
            sha256_update(&c, key, (size_t)kl);
            sha256_update(&c, after, SHA256_LEN);
            sha256_final(&c, d);
            for (int i = 0; i < g->nalerted; i++)
                if (memcmp(g->alerted[i], d, SHA256_LEN) == 0)
                    return;
            memcpy(g->alerted[g->nalerted < ALERTED_MAX ? g->nalerted++
                                                        : g->alerted_next++ % ALERTED_MAX],
                   d, SHA256_LEN);
        }
        emit(g, rel, category, "alerted", kinds, b.sha, bp && b.has_sha, after, has_after,
             rule[0] ? rule : NULL, NULL, 0);
        return;
    }
    int ok = 1;
    if (bp) {
        if (kinds & (GC_CONTENT | GC_REMOVED | GC_TYPE | GC_LINKS)) {
            /* A second try covers a parent removed while the first ran: it
             * then restores the parent, and this with it. */
            ok = restore_entry(g, &b, 0) == 0 || restore_entry(g, &b, 0) == 0;
        } else {
            /* Only mode or owner: put them back in place. */
            int fd = strcmp(rel, ".") == 0
                         ? fcntl(g->root_fd, F_DUPFD_CLOEXEC, 0)
                         : fs_open_beneath(g->root_fd, rel,
                                           (b.type == GT_DIR ? O_RDONLY | O_DIRECTORY : O_PATH) |
                                               O_NOFOLLOW,
                                           0);
            if (fd >= 0 && b.type != GT_DIR && b.type != GT_LINK) {
                /* fchmod needs a real descriptor, not O_PATH. */
                char proc[64];
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                if (chmod(proc, b.mode) != 0 && (kinds & GC_MODE))
                    ok = 0;
                if ((kinds & GC_OWNER) && chown(proc, b.uid, b.gid) != 0)
                    ok = 0;
            } else if (fd >= 0) {
                fix_owner_mode(fd, &b);
            } else {
                ok = 0;
            }
            if (fd >= 0)
                close(fd);
            refresh_stat(g, rel);
        }
    }
    g->restored_us = mono_us();
    struct later *l = held >= 0 && g->nlater < LATER_MAX ? &g->later[g->nlater] : NULL;
    if (l && (l->rel = strdup(rel)) != NULL) {
        /* The evidence is read after the whole batch is put right. */
        g->nlater++;
        l->fd = held;
        snprintf(l->name, sizeof(l->name), "%s", name);
        l->kinds = kinds;
        memcpy(l->before, b.sha, SHA256_LEN);
        l->has_before = bp && b.has_sha;
        l->action = !ok ? "failed" : bp ? "restored" : "removed";
        l->ok = ok;
        l->detected_us = g->detected_us;
        l->detected_ms = g->detected_ms;
        l->restored_us = g->restored_us;
        return;
    }
    if (held >= 0) {
        has_after = evidence_from_fd(g, held, name, rel, after, rule, sizeof(rule)) == 0;
        close(held);
        category = rule[0] ? "harmful-program/webshell" : "information-destruction/tampering";
    }
    emit(g, rel, category,
         !ok  ? "failed"
         : bp ? "restored"
              : "removed",
         kinds, b.sha, bp && b.has_sha, after, has_after, rule[0] ? rule : NULL, NULL, ok);
}

/* Keeps the evidence of what a batch put right, then reports it. */
/* The evidence thread: keeps what the event thread put right, then reports
 * it, so that its writes and fsyncs never stand before the next restore. */
static void *evidence_main(void *arg)
{
    struct guard *g = arg;
    for (;;) {
        pthread_mutex_lock(&g->ev_lock);
        while (g->evq_n == 0 && !g->ev_stop)
            pthread_cond_wait(&g->ev_cond, &g->ev_lock);
        if (g->evq_n == 0) {
            pthread_mutex_unlock(&g->ev_lock);
            break;
        }
        struct later *items = g->evq;
        size_t n = g->evq_n;
        g->evq = NULL;
        g->evq_n = g->evq_cap = 0;
        pthread_mutex_unlock(&g->ev_lock);
        /* The writer may still be writing (the guard acts on the file's
         * creation or truncation): wait until the held files stay the same
         * for 3 ms, at most 60 ms; while one is empty, as a file is between
         * its truncation and its first write, for 100 ms, at most 500 ms. */
        int64_t start = mono_us(), quiet_since = start, quiet = 3000, most = 60000;
        uint64_t sig = 0;
        while (mono_us() - start < most && mono_us() - quiet_since < quiet) {
            uint64_t now = 0;
            int empty = 0;
            for (size_t i = 0; i < n; i++) {
                struct stat st;
                if (fstat(items[i].fd, &st) == 0) {
                    now =
                        now * 1000003u + (uint64_t)st.st_size * 31u + (uint64_t)st.st_mtim.tv_nsec;
                    empty |= st.st_size == 0;
                }
            }
            quiet = empty ? 100000 : 3000;
            most = empty ? 500000 : 60000;
            if (now != sig) {
                sig = now;
                quiet_since = mono_us();
            }
            nanosleep(&(struct timespec){0, 500000}, NULL);
        }
        for (size_t i = 0; i < n; i++) {
            struct later *l = &items[i];
            unsigned char after[SHA256_LEN] = {0};
            char rule[WEBSHELL_WHY_MAX] = "", b[SHA256_HEX_LEN] = "", a[SHA256_HEX_LEN] = "";
            int has_after =
                evidence_from_fd(g, l->fd, l->name, l->rel, after, rule, sizeof(rule)) == 0;
            close(l->fd);
            const char *why = split_why(rule);
            if (l->has_before)
                hex_encode(l->before, SHA256_LEN, b);
            if (has_after)
                hex_encode(after, SHA256_LEN, a);
            struct guard_event ev = {
                .root = g->root,
                .path = l->rel,
                .category =
                    rule[0] ? "harmful-program/webshell" : "information-destruction/tampering",
                .action = l->action,
                .kinds = l->kinds,
                .before_sha = b,
                .after_sha = a,
                .webshell_rule = rule[0] ? rule : NULL,
                .webshell_why = why,
                .detected_ms = l->detected_ms,
                .latency_us = l->ok ? l->restored_us - l->detected_us : -1,
            };
            if (g->o.on_event)
                g->o.on_event(g->o.ctx, &ev);
            free(l->rel);
        }
        free(items);
    }
    return NULL;
}

/* Hands what this batch put right to the evidence thread. */
static void finish_later(struct guard *g)
{
    if (g->nlater == 0)
        return;
    pthread_mutex_lock(&g->ev_lock);
    if (g->evq_n + (size_t)g->nlater > g->evq_cap) {
        size_t cap = g->evq_n + (size_t)g->nlater + 64;
        struct later *v = realloc(g->evq, cap * sizeof(*v));
        if (v) {
            g->evq = v;
            g->evq_cap = cap;
        }
    }
    int i = 0;
    for (; i < g->nlater && g->evq_n < g->evq_cap; i++)
        g->evq[g->evq_n++] = g->later[i];
    pthread_cond_signal(&g->ev_cond);
    pthread_mutex_unlock(&g->ev_lock);
    for (; i < g->nlater; i++) { /* out of memory: no evidence, still a report */
        close(g->later[i].fd);
        free(g->later[i].rel);
    }
    g->nlater = 0;
}

/* ---- accepting ---------------------------------------------------------- */

/* Takes what rel is now into the baseline (and its content into the store);
 * a directory brings everything beneath it; a path that is gone leaves. */
static int accept_path(struct guard *g, const char *rel, const char *actor)
{
    (void)actor;
    struct gentry now = {.path = rel, .path_len = (uint32_t)strlen(rel)};
    const struct gentry *was = baseline_find(&g->base, rel);
    unsigned char before[SHA256_LEN] = {0};
    int had = was && was->has_sha;
    if (had)
        memcpy(before, was->sha, SHA256_LEN);
    struct err e = {0};
    int rc = 0;
    if (guard_restat(g->root_fd, &now) != 0) {
        if (!was)
            return 0;
        baseline_remove(&g->base, rel);
        g->base_dirty = 1;
        emit(g, rel, NULL, "accepted", GC_REMOVED, before, had, NULL, 0, NULL, NULL, 0);
        return 0;
    }
    if (now.type == GT_FILE) {
        rc = guard_hash_file(g->root_fd, &now, &g->objects,
                             g->o.max_file ? g->o.max_file : EVIDENCE_MAX, &e);
        now.path = rel;
        now.path_len = (uint32_t)strlen(rel);
    } else if (now.type == GT_LINK) {
        char name[NAME_MAX + 1], target[GUARD_PATH_MAX], hex[SHA256_HEX_LEN];
        int pfd = open_parent(g, rel, name, sizeof(name));
        ssize_t n = pfd >= 0 ? readlinkat(pfd, name, target, sizeof(target)) : -1;
        if (pfd >= 0)
            close(pfd);
        rc = n < 0 || objstore_put(&g->objects, target, (size_t)n, hex, &e) != 0 ? -1 : 0;
    }
    if (rc)
        return rc;
    if (was && was->type == GT_DIR && now.type != GT_DIR)
        baseline_remove(&g->base, rel);
    if (baseline_set(&g->base, &now, &e) != 0)
        return -1;
    if (now.type == GT_DIR) {
        /* Everything beneath it, as it is now. */
        int dfd = strcmp(rel, ".") == 0
                      ? openat(g->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                      : fs_open_beneath(g->root_fd, rel, O_RDONLY | O_DIRECTORY, 0);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!d && dfd >= 0)
            close(dfd);
        char **names = NULL;
        size_t n = 0, cap = 0;
        for (struct dirent *de; d && (de = readdir(d));) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                char **v = realloc(names, cap * sizeof(*v));
                if (!v)
                    break;
                names = v;
            }
            char sub[GUARD_PATH_MAX];
            snprintf(sub, sizeof(sub), "%s%s%s", strcmp(rel, ".") == 0 ? "" : rel,
                     strcmp(rel, ".") == 0 ? "" : "/", de->d_name);
            names[n++] = strdup(sub);
        }
        if (d)
            closedir(d);
        watch_dir(g, rel, &e);
        /* Entries of the baseline beneath it that are gone now leave it. */
        for (size_t i = 0; i < n; i++) {
            if (names[i])
                accept_path(g, names[i], actor);
            free(names[i]);
        }
        free(names);
    }
    g->base_dirty = 1;
    int same = had && now.has_sha && memcmp(before, now.sha, SHA256_LEN) == 0;
    if (now.type != GT_DIR && !same)
        emit(g, rel, NULL, "accepted", was ? GC_CONTENT : GC_ADDED, before, had, now.sha,
             now.has_sha, NULL, NULL, 0);
    return 0;
}

/* ---- control files ------------------------------------------------------ */

static void read_publish(struct guard *g)
{
    char file[GUARD_PATH_MAX + 16];
    snprintf(file, sizeof(file), "%s/publish", g->state);
    struct buf b;
    struct err e = {0};
    g->publish_until = 0;
    if (fs_read_file(file, 4096, &b, &e) != 0)
        return;
    long long until = 0;
    char actor[128] = "";
    if (sscanf(buf_str(&b), "%lld %127s", &until, actor) >= 1) {
        g->publish_until = until;
        snprintf(g->publish_actor, sizeof(g->publish_actor), "%s", actor);
    }
    buf_release(&b);
}

static int flush_baseline(struct guard *g, struct err *e)
{
    if (!g->base_dirty)
        return 0;
    int rc = baseline_write(&g->base, g->baseline_file, e);
    if (!rc)
        g->base_dirty = 0;
    return rc;
}

/* Handles the accept requests waiting in <state>/requests. */
static void process_requests(struct guard *g)
{
    char dir[GUARD_PATH_MAX + 16];
    snprintf(dir, sizeof(dir), "%s/requests", g->state);
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *de; (de = readdir(d));) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".req") != 0)
            continue;
        char req[GUARD_PATH_MAX + 300], done[GUARD_PATH_MAX + 300];
        snprintf(req, sizeof(req), "%s/%s", dir, de->d_name);
        snprintf(done, sizeof(done), "%s/%.*s.done", dir, (int)(l - 4), de->d_name);
        struct buf text, out;
        struct err e = {0};
        if (fs_read_file(req, 1 << 20, &text, &e) != 0)
            continue;
        buf_init(&out, (size_t)4 << 20);
        char actor[128] = "?";
        int bad = 0, total = 0;
        for (char *line = text.p, *nl; line && *line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            if (nl)
                *nl = 0;
            char rel[GUARD_PATH_MAX];
            size_t rl;
            if (strncmp(line, "actor ", 6) == 0) {
                snprintf(actor, sizeof(actor), "%s", line + 6);
            } else if (strncmp(line, "path ", 5) == 0 &&
                       guard_unescape(line + 5, strlen(line + 5), rel, sizeof(rel), &rl) == 0) {
                total++;
                int rc = accept_path(g, rel, actor);
                bad += rc != 0;
                buf_addf(&out, "%s %s\n", rc ? "failed" : "accepted", line + 5);
            }
        }
        if (flush_baseline(g, &e) != 0)
            bad = total;
        buf_release(&text);
        char head[64];
        snprintf(head, sizeof(head), "%s %d\n", bad ? "failed" : "ok", total - bad);
        struct buf all;
        buf_init(&all, (size_t)4 << 20);
        buf_adds(&all, head);
        buf_add(&all, out.p ? out.p : "", out.len);
        char name[300];
        snprintf(name, sizeof(name), "%.*s.done", (int)(l - 4), de->d_name);
        fs_write_atomic(dir, name, all.p, all.len, 0600, 0, &e);
        unlink(req);
        buf_release(&all);
        buf_release(&out);
    }
    closedir(d);
}

/* ---- open, run, close --------------------------------------------------- */

int guard_open(struct guard **out, const char *dir, const struct guard_opts *o, struct err *e)
{
    *out = NULL;
    struct guard *g = calloc(1, sizeof(*g));
    if (!g)
        return err_set(e, ERR_NOMEM, "out of memory");
    g->root_fd = g->lock_fd = g->ino_fd = g->fan_fd = -1;
    g->stop_pipe[0] = g->stop_pipe[1] = -1;
    g->fan_stop[0] = g->fan_stop[1] = -1;
    pthread_mutex_init(&g->authorised_lock, NULL);
    pthread_mutex_init(&g->ev_lock, NULL);
    pthread_cond_init(&g->ev_cond, NULL);
    g->ctl_wd = g->req_wd = -1;
    g->o = *o;
    baseline_init(&g->base);
    int rc = guard_root_open(dir, g->root, sizeof(g->root), &g->root_fd, e);
    if (!rc)
        rc = guard_state_dir(o->data_dir, g->root, g->state, sizeof(g->state), 1, e);
    if (!rc)
        rc = objstore_init(&g->objects, o->data_dir, 1, e);
    if (!rc) {
        char lock[GUARD_PATH_MAX + 16];
        snprintf(lock, sizeof(lock), "%s/lock", g->state);
        g->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (g->lock_fd < 0)
            rc = err_errno(e, ERR_IO, errno, "cannot open %s", lock);
        else if (flock(g->lock_fd, LOCK_EX | LOCK_NB) != 0)
            rc = err_set(e, ERR_CONFLICT, "%s is already guarded by another tocsin process",
                         g->root);
    }
    snprintf(g->baseline_file, sizeof(g->baseline_file), "%s/baseline", g->state);
    if (!rc && fs_exists(g->baseline_file)) {
        rc = baseline_read(&g->base, g->baseline_file, e);
        if (!rc && strcmp(g->base.root, g->root) != 0)
            rc = err_set(e, ERR_INPUT, "%s is the baseline of %s, not of %s", g->baseline_file,
                         g->base.root, g->root);
    } else if (!rc) {
        /* First start: the tree as it is now is what we protect. */
        struct scan_opts so = {.objects = &g->objects,
                               .max_file = o->max_file ? o->max_file : EVIDENCE_MAX};
        struct scan_stats stats;
        g->objects.defer_sync = 1; /* synced once, before the baseline names them */
        rc = guard_scan(g->root_fd, g->root, &so, &g->base, &stats, e);
        g->objects.defer_sync = 0; /* evidence is synced object by object */
        if (!rc)
            rc = objstore_sync(&g->objects, e);
        if (!rc)
            rc = baseline_write(&g->base, g->baseline_file, e);
        if (!rc)
            log_info("guard %s: protected %llu entries (%llu MiB)", g->root,
                     (unsigned long long)stats.entries,
                     (unsigned long long)(stats.bytes_hashed >> 20));
    }
    if (!rc)
        rc = webshell_load(&g->rules, o->rules_dir, e);
    if (!rc)
        rc = webshell_use_clamav(g->rules, o->clamav_dir ? o->clamav_dir : WEBSHELL_CLAMAV_DIR,
                                 o->clamav_dir != NULL, e);
    if (!rc && pipe2(g->stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        rc = err_errno(e, ERR_IO, errno, "cannot create a pipe");
    if (!rc && pthread_create(&g->ev_thread, NULL, evidence_main, g) != 0)
        rc = err_set(e, ERR_INTERNAL, "cannot start the evidence thread");
    g->ev_started = !rc;
    if (rc) {
        guard_close(g);
        return rc;
    }
    read_publish(g);
    *out = g;
    return 0;
}

void guard_close(struct guard *g)
{
    if (!g)
        return;
    struct err e = {0};
    finish_later(g);
    if (g->ev_started) {
        pthread_mutex_lock(&g->ev_lock);
        g->ev_stop = 1;
        pthread_cond_signal(&g->ev_cond);
        pthread_mutex_unlock(&g->ev_lock);
        pthread_join(g->ev_thread, NULL);
    }
    pthread_mutex_destroy(&g->ev_lock);
    pthread_cond_destroy(&g->ev_cond);
    if (g->fan_started) {
        char c = 1;
        if (write(g->fan_stop[1], &c, 1) == 1)
            pthread_join(g->fan_thread, NULL);
    }
    for (int i = 0; i < 2; i++)
        if (g->fan_stop[i] >= 0)
            close(g->fan_stop[i]);
    if (g->base_dirty && flush_baseline(g, &e) != 0)
        log_error("guard %s: %s", g->root, e.msg);
    for (size_t i = 0; i < g->nw; i++)
        free(g->w[i].path);
    free(g->w);
    for (size_t i = 0; i < g->npending; i++)
        free(g->pending[i]);
    for (size_t i = 0; i < g->nsettle; i++)
        free(g->settle[i].rel);
    free(g->settle);
    webshell_free(g->rules);
    baseline_free(&g->base);
    pthread_mutex_destroy(&g->authorised_lock);
    int fds[] = {g->root_fd, g->lock_fd, g->ino_fd, g->fan_fd, g->stop_pipe[0], g->stop_pipe[1]};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(g);
}

void guard_stop(struct guard *g)
{
    if (g && g->stop_pipe[1] >= 0) {
        char c = 1;
        ssize_t k = write(g->stop_pipe[1], &c, 1);
        (void)k;
    }
}

/* The relative path of an event's subject; -1 when it does not fit. */
static int event_path(char *p, size_t cap, const char *dir, const char *name)
{
    int n = strcmp(dir, ".") == 0 ? snprintf(p, cap, "%s", name)
            : name && *name       ? snprintf(p, cap, "%s/%s", dir, name)
                                  : snprintf(p, cap, "%s", dir);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static void pending_add(struct guard *g, const char *dir, const char *name)
{
    char p[GUARD_PATH_MAX];
    if (event_path(p, sizeof(p), dir, name) != 0)
        return;
    for (size_t i = 0; i < g->npending; i++)
        if (strcmp(g->pending[i], p) == 0)
            return;
    if (g->npending == PENDING_MAX) {
        g->overflow = 1; /* too much at once: a full re-check covers it */
        return;
    }
    char *copy = strdup(p);
    if (copy)
        g->pending[g->npending++] = copy;
    else
        g->overflow = 1;
}

/* alert-only: a file's event waits until the file has been quiet for
 * SETTLE_MS, so a report shows what its writer wrote, not a half-written
 * state; a file written without pause is looked at after SETTLE_MAX_MS.
 * -1: too many wait, and the caller handles this one at once. */
static int settle_add(struct guard *g, const char *dir, const char *name)
{
    char p[GUARD_PATH_MAX];
    if (event_path(p, sizeof(p), dir, name) != 0)
        return 0; /* as pending_add: a path too long for the guard */
    int64_t now = time_now_ms();
    for (size_t i = 0; i < g->nsettle; i++) {
        struct settling *s = &g->settle[i];
        if (strcmp(s->rel, p) == 0) {
            int64_t cap = s->first_ms + SETTLE_MAX_MS;
            s->due_ms = now + SETTLE_MS < cap ? now + SETTLE_MS : cap;
            return 0;
        }
    }
    if (g->nsettle == SETTLE_CAP ||
        (!g->settle && !(g->settle = calloc(SETTLE_CAP, sizeof(*g->settle)))))
        return -1;
    char *copy = strdup(p);
    if (!copy)
        return -1;
    g->settle[g->nsettle++] = (struct settling){copy, now, mono_us(), now + SETTLE_MS};
    return 0;
}

/* The earliest time a waiting file is due; INT64_MAX when none waits. */
static int64_t settle_next(const struct guard *g)
{
    int64_t t = INT64_MAX;
    for (size_t i = 0; i < g->nsettle; i++)
        if (g->settle[i].due_ms < t)
            t = g->settle[i].due_ms;
    return t;
}

/* Handles the waiting files that are due (all of them with all set). */
static void settle_run(struct guard *g, int all)
{
    int64_t now = time_now_ms();
    size_t k = 0;
    for (size_t i = 0; i < g->nsettle; i++) {
        struct settling s = g->settle[i];
        if (!all && s.due_ms > now) {
            g->settle[k++] = s;
            continue;
        }
        g->detected_ms = s.first_ms;
        g->detected_us = s.first_us;
        handle_path(g, s.rel);
        free(s.rel);
        if (g->nlater == LATER_MAX)
            finish_later(g);
    }
    g->nsettle = k;
    finish_later(g);
}

/* Compares the whole tree with the baseline and handles every change. */
static int reconcile(struct guard *g, struct err *e)
{
    struct scan_opts so = {.previous = &g->base, .workers = 1};
    struct baseline now;
    struct scan_stats stats;
    int rc = guard_scan(g->root_fd, g->root, &so, &now, &stats, e);
    if (rc)
        return rc;
    struct gchanges ch;
    rc = guard_compare(&g->base, &now, &ch, e);
    if (!rc) {
        /* Paths first, then handle: handling changes the baseline. */
        char **paths = calloc(ch.n ? ch.n : 1, sizeof(*paths));
        size_t n = 0;
        for (size_t i = 0; paths && i < ch.n; i++) {
            const struct gentry *x = ch.v[i].was ? ch.v[i].was : ch.v[i].now;
            /* Beneath an added or removed directory, the directory covers it. */
            if (n && strncmp(x->path, paths[n - 1], strlen(paths[n - 1])) == 0 &&
                x->path[strlen(paths[n - 1])] == '/' && (ch.v[i].kinds & (GC_ADDED | GC_REMOVED)))
                continue;
            /* alert-only: a file being written is reported once it is quiet */
            const struct gentry *is = ch.v[i].now ? ch.v[i].now : x;
            if (g->o.mode == GUARD_ALERT_ONLY && is->type != GT_DIR &&
                settle_add(g, ".", x->path) == 0)
                continue;
            paths[n++] = strdup(x->path);
        }
        gchanges_free(&ch);
        baseline_free(&now);
        int64_t t = time_now_ms(), us = mono_us();
        for (size_t i = 0; i < n; i++) {
            g->detected_ms = t;
            g->detected_us = us;
            if (paths[i])
                handle_path(g, paths[i]);
            free(paths[i]);
            if (g->nlater == LATER_MAX)
                finish_later(g);
        }
        finish_later(g);
        free(paths);
    } else {
        baseline_free(&now);
    }
    return rc;
}

static int watch_all(struct guard *g, struct err *e)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < g->base.n; i++)
        if (g->base.v[i].type == GT_DIR)
            rc = watch_dir(g, g->base.v[i].path, e);
    return rc;
}

static int guard_start(struct guard *g, struct err *e)
{
    g->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (g->ino_fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot start inotify");
    if (g->o.mode == GUARD_LOCK) {
        g->fan_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_TID,
                                  O_RDONLY | O_LARGEFILE | O_CLOEXEC);
        if (g->fan_fd < 0)
            return err_errno(e, ERR_DENIED, errno,
                             "lock mode needs fanotify permission events (run as root)");
        if (pipe2(g->fan_stop, O_CLOEXEC) != 0 ||
            pthread_create(&g->fan_thread, NULL, fan_main, g) != 0)
            return err_set(e, ERR_INTERNAL, "cannot start the lock thread");
        g->fan_started = 1;
    }
    char req[GUARD_PATH_MAX + 16];
    snprintf(req, sizeof(req), "%s/requests", g->state);
    g->ctl_wd = inotify_add_watch(g->ino_fd, g->state, CTL_MASK | IN_ONLYDIR);
    g->req_wd = inotify_add_watch(g->ino_fd, req, CTL_MASK | IN_ONLYDIR);
    /* Watch first, then compare: whatever changes meanwhile is seen by one
     * or the other. */
    int rc = watch_all(g, e);
    if (!rc)
        rc = reconcile(g, e);
    if (!rc)
        rc = flush_baseline(g, e);
    process_requests(g);
    int recheck = g->o.recheck_s > 0 ? g->o.recheck_s : 300;
    g->next_recheck = time_now_ms() + (int64_t)recheck * 1000;
    if (!rc)
        log_info("guard %s: watching %zu directories, mode %s", g->root, g->nw,
                 guard_mode_name(g->o.mode));
    return rc;
}

/* Reads what inotify has and handles it. */
static int guard_events(struct guard *g, struct err *e)
{
    char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
    int ctl = 0;
    g->detected_ms = time_now_ms();
    g->detected_us = mono_us();
    for (;;) {
        ssize_t n = read(g->ino_fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof(*ev) + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                g->overflow = 1;
                continue;
            }
            if (ev->wd == g->ctl_wd || ev->wd == g->req_wd) {
                ctl = 1;
                continue;
            }
            const char *dir = wd_path(g, ev->wd);
            if (!dir)
                continue;
            if (ev->mask & IN_IGNORED) {
                wd_forget(g, ev->wd);
                continue;
            }
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
                pending_add(g, dir, NULL);
                continue;
            }
            if (!ev->len)
                continue;
            /* alert-only waits for a file to be quiet; a new directory is
             * watched at once */
            if (g->o.mode != GUARD_ALERT_ONLY || (ev->mask & IN_ISDIR) ||
                settle_add(g, dir, ev->name) != 0)
                pending_add(g, dir, ev->name);
        }
    }
    int rc = 0;
    if (g->overflow) {
        g->overflow = 0;
        for (size_t i = 0; i < g->npending; i++)
            free(g->pending[i]);
        g->npending = 0;
        log_warn("guard %s: the event queue overflowed; checking the whole tree", g->root);
        rc = reconcile(g, e);
    } else {
        /* Handle in order: a parent before what is beneath it. */
        for (size_t i = 0; i < g->npending; i++) {
            handle_path(g, g->pending[i]);
            free(g->pending[i]);
            if (g->nlater == LATER_MAX)
                finish_later(g);
        }
        g->npending = 0;
        finish_later(g);
    }
    if (ctl) {
        int64_t was = g->publish_until;
        read_publish(g);
        if (g->publish_until != was)
            log_info("guard %s: publishing window %s", g->root,
                     g->publish_until > time_now_ms() ? "open" : "closed");
        process_requests(g);
    }
    return rc;
}

static int guard_tick(struct guard *g, struct err *e)
{
    int64_t now = time_now_ms();
    int rc = 0;
    if (g->nsettle > 0 && now >= settle_next(g))
        settle_run(g, 0);
    if (g->nlater > 0)
        finish_later(g);
    if (g->publish_until && now >= g->publish_until) {
        g->publish_until = 0;
        log_info("guard %s: publishing window closed", g->root);
    }
    if (now >= g->next_recheck) {
        rc = reconcile(g, e);
        int recheck = g->o.recheck_s > 0 ? g->o.recheck_s : 300;
        g->next_recheck = now + (int64_t)recheck * 1000;
    }
    if (!rc)
        rc = flush_baseline(g, e);
    return rc;
}

int guard_run_many(struct guard **gs, int n, int stop_fd, struct err *e)
{
    int rc = 0;
    for (int i = 0; !rc && i < n; i++)
        rc = guard_start(gs[i], e);
    struct pollfd *pfd = calloc((size_t)n + 1, sizeof(*pfd));
    if (!pfd)
        return err_set(e, ERR_NOMEM, "out of memory");
    while (!rc) {
        int k = 0;
        pfd[k++] = (struct pollfd){.fd = stop_fd, .events = POLLIN};
        int64_t wait = 1000;
        for (int i = 0; i < n; i++) {
            pfd[k++] = (struct pollfd){.fd = gs[i]->ino_fd, .events = POLLIN};
            int64_t next = gs[i]->next_recheck, due = settle_next(gs[i]);
            int64_t until = (due < next ? due : next) - time_now_ms();
            if (until < wait)
                wait = until < 0 ? 0 : until;
        }
        int r = poll(pfd, (nfds_t)k, (int)wait);
        if (r < 0 && errno != EINTR) {
            rc = err_errno(e, ERR_IO, errno, "poll failed");
            break;
        }
        if (r > 0 && (pfd[0].revents & POLLIN))
            break;
        for (int i = 0; !rc && i < n; i++) {
            if (r > 0 && (pfd[1 + i].revents & POLLIN))
                rc = guard_events(gs[i], e);
            if (!rc)
                rc = guard_tick(gs[i], e);
        }
    }
    free(pfd);
    for (int i = 0; i < n; i++) {
        struct err fe = {0};
        settle_run(gs[i], 1); /* what still waited is reported before the guard stops */
        if (flush_baseline(gs[i], &fe) != 0 && !rc)
            rc = err_set(e, fe.code, "%s", fe.msg);
    }
    return rc;
}

int guard_run(struct guard *g, struct err *e)
{
    return guard_run_many(&g, 1, g->stop_pipe[0], e);
}

/* ---- the command side of accept and publish ----------------------------- */

int guard_locate(const char *data_dir, const char *path, char *state, size_t state_cap, char *rel,
                 size_t rel_cap, struct err *e)
{
    /* The path may be gone (accepting a removal): resolve its parent. */
    char parent[GUARD_PATH_MAX], abs[GUARD_PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", path);
    char *slash = strrchr(parent, '/');
    const char *base = path;
    if (slash && slash[1]) {
        *slash = 0;
        base = slash + 1 - parent + path;
        if (!parent[0])
            strcpy(parent, "/");
    } else if (!slash) {
        strcpy(parent, ".");
    } else {
        base = "";
    }
    char *rp = realpath(parent, NULL);
    if (!rp)
        return err_errno(e, ERR_INPUT, errno, "cannot resolve %s", parent);
    int n = snprintf(abs, sizeof(abs), "%s%s%s", rp, *base ? "/" : "", base);
    free(rp);
    if (n < 0 || (size_t)n >= sizeof(abs))
        return err_set(e, ERR_INPUT, "%.200s is too long a path", path);
    char guard_dir[GUARD_PATH_MAX];
    snprintf(guard_dir, sizeof(guard_dir), "%s/guard", data_dir);
    DIR *d = opendir(guard_dir);
    if (!d)
        return err_set(e, ERR_NOTFOUND, "nothing is guarded in %s", data_dir);
    size_t best = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        char rootf[GUARD_PATH_MAX + 300];
        snprintf(rootf, sizeof(rootf), "%s/%s/root", guard_dir, de->d_name);
        struct buf r;
        struct err fe = {0};
        if (fs_read_file(rootf, GUARD_PATH_MAX + 2, &r, &fe) != 0)
            continue;
        char *root = r.p;
        size_t rl = strcspn(root, "\n");
        root[rl] = 0;
        if (rl > best && strncmp(abs, root, rl) == 0 && (abs[rl] == '/' || abs[rl] == 0)) {
            best = rl;
            snprintf(state, state_cap, "%s/%s", guard_dir, de->d_name);
            snprintf(rel, rel_cap, "%s", abs[rl] ? abs + rl + 1 : ".");
        }
        buf_release(&r);
    }
    closedir(d);
    if (!best)
        return err_set(e, ERR_NOTFOUND, "%s is not inside a directory guarded in %s", abs,
                       data_dir);
    return 0;
}

int guard_accept(const char *data_dir, const char *state, const char **rels, int n,
                 const char *actor, struct err *e)
{
    char dir[GUARD_PATH_MAX + 16], name[64], done[GUARD_PATH_MAX + 80];
    snprintf(dir, sizeof(dir), "%s/requests", state);
    unsigned char rnd[8];
    char rhex[17];
    fs_random(rnd, sizeof(rnd));
    hex_encode(rnd, sizeof(rnd), rhex);
    snprintf(name, sizeof(name), "%s.req", rhex);
    snprintf(done, sizeof(done), "%s/%s.done", dir, rhex);
    struct buf req;
    buf_init(&req, (size_t)4 << 20);
    buf_addf(&req, "actor %s\n", actor);
    for (int i = 0; i < n; i++) {
        buf_adds(&req, "path ");
        guard_escape(rels[i], strlen(rels[i]), &req);
        buf_addc(&req, '\n');
    }
    int rc = fs_write_atomic(dir, name, req.p, req.len, 0600, 1, e);
    buf_release(&req);
    if (rc)
        return rc;
    /* No guard running: do it here, under the same lock. */
    char lock[GUARD_PATH_MAX + 16], rootf[GUARD_PATH_MAX + 16];
    snprintf(lock, sizeof(lock), "%s/lock", state);
    int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) == 0) {
        close(lfd);
        snprintf(rootf, sizeof(rootf), "%s/root", state);
        struct buf r;
        rc = fs_read_file(rootf, GUARD_PATH_MAX + 2, &r, e);
        if (rc)
            return rc;
        r.p[strcspn(r.p, "\n")] = 0;
        struct guard_opts o = {.data_dir = data_dir};
        struct guard *g;
        rc = guard_open(&g, r.p, &o, e);
        buf_release(&r);
        if (rc)
            return rc;
        process_requests(g);
        guard_close(g);
    } else if (lfd >= 0) {
        close(lfd);
    }
    /* Wait for the guard's answer. */
    for (int i = 0; i < 1000 && !fs_exists(done); i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    struct buf ans;
    rc = fs_read_file(done, 1 << 20, &ans, e);
    if (rc)
        return err_reset(e, ERR_IO, "the guard did not answer the accept request within 10 s");
    unlink(done);
    rc = strncmp(ans.p, "ok ", 3) == 0 ? 0 : err_set(e, ERR_IO, "accepting failed: %s", ans.p);
    buf_release(&ans);
    return rc;
}

int guard_publish(const char *state, int64_t until_ms, const char *actor, struct err *e)
{
    char line[256];
    int n = snprintf(line, sizeof(line), "%lld %s\n", (long long)until_ms, actor);
    return fs_write_atomic(state, "publish", line, (size_t)n, 0600, 0, e);
}
