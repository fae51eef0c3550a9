/* Walking a protected tree safely, and hashing it on every core. */
#include "guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Directories that are the system, not a web root: refused as roots, and
 * nothing beneath the ones marked `tree` either. */
static const struct {
    const char *path;
    int tree;
} refused_roots[] = {
    {"/", 0},          {"/bin", 1},         {"/boot", 1},        {"/dev", 1},
    {"/etc", 1},       {"/lib", 1},         {"/lib32", 1},       {"/lib64", 1},
    {"/libx32", 1},    {"/proc", 1},        {"/run", 1},         {"/sbin", 1},
    {"/sys", 1},       {"/usr/bin", 1},     {"/usr/sbin", 1},    {"/usr/lib", 1},
    {"/usr/lib64", 1}, {"/usr/include", 1}, {"/usr/libexec", 1}, {"/var/lib", 0},
    {"/usr", 0},       {"/var", 0},         {"/home", 0},        {"/opt", 0},
    {"/srv", 0},       {"/tmp", 0},         {"/root", 0},        {"/mnt", 0},
    {"/media", 0},     {"/usr/share", 0},   {"/usr/local", 0},   {"/var/tmp", 0},
};

int guard_root_open(const char *dir, char *abs, size_t cap, int *fd, struct err *e)
{
    char *real = realpath(dir, NULL);
    if (!real)
        return err_errno(e, ERR_INPUT, errno, "cannot resolve %s", dir);
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof(refused_roots) / sizeof(refused_roots[0]); i++) {
        const char *r = refused_roots[i].path;
        size_t n = strlen(r);
        if (strcmp(real, r) == 0 ||
            (refused_roots[i].tree && strncmp(real, r, n) == 0 && real[n] == '/'))
            rc = err_set(e, ERR_INPUT, "refusing to protect %s: it is a system directory", real);
    }
    if (!rc && strlen(real) >= cap)
        rc = err_set(e, ERR_INPUT, "%.200s is too long a path", real);
    if (!rc) {
        strcpy(abs, real);
        *fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (*fd < 0)
            rc = err_errno(e, ERR_INPUT, errno, "cannot open directory %s", real);
    }
    free(real);
    return rc;
}

static void entry_from_stat(struct gentry *g, const struct stat *s)
{
    g->type = S_ISREG(s->st_mode)   ? GT_FILE
              : S_ISDIR(s->st_mode) ? GT_DIR
              : S_ISLNK(s->st_mode) ? GT_LINK
                                    : GT_OTHER;
    g->mode = (uint32_t)(s->st_mode & 07777);
    g->uid = s->st_uid;
    g->gid = s->st_gid;
    g->size = g->type == GT_DIR ? 0 : (uint64_t)s->st_size;
    g->ino = s->st_ino;
    g->nlink = g->type == GT_DIR ? 1 : s->st_nlink;
    g->mtime_ns = (int64_t)s->st_mtim.tv_sec * 1000000000 + s->st_mtim.tv_nsec;
    g->ctime_ns = (int64_t)s->st_ctim.tv_sec * 1000000000 + s->st_ctim.tv_nsec;
}

/* A symlink's target is its content (kept in objects when given). */
static int link_hash(int dfd, const char *name, struct gentry *g, const struct objstore *objects)
{
    char target[GUARD_PATH_MAX];
    ssize_t n = readlinkat(dfd, name, target, sizeof(target));
    if (n < 0 || (size_t)n >= sizeof(target))
        return -1;
    char hex[SHA256_HEX_LEN];
    if (objects && objstore_put(objects, target, (size_t)n, hex, NULL) != 0)
        return -1;
    sha256(target, (size_t)n, g->sha);
    g->has_sha = 1;
    g->size = (uint64_t)n;
    return 0;
}

/* Splits rel into its parent (opened beneath root) and last component. */
static int open_parent(int root_fd, const char *rel, const char **name)
{
    const char *slash = strrchr(rel, '/');
    if (!slash) {
        *name = rel;
        return fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
    }
    char parent[GUARD_PATH_MAX];
    size_t n = (size_t)(slash - rel);
    if (n >= sizeof(parent)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(parent, rel, n);
    parent[n] = 0;
    *name = slash + 1;
    return fs_open_beneath(root_fd, parent, O_RDONLY | O_DIRECTORY, 0);
}

/* Fills g from the path as it is now, without reading a file's content.
 * ENOENT when it is gone. */
int guard_restat(int root_fd, struct gentry *g)
{
    if (strcmp(g->path, ".") == 0) {
        struct stat s;
        if (fstat(root_fd, &s) != 0)
            return -1;
        entry_from_stat(g, &s);
        g->has_sha = 0;
        return 0;
    }
    const char *name;
    int dfd = open_parent(root_fd, g->path, &name);
    if (dfd < 0)
        return -1;
    struct stat s;
    int rc = fstatat(dfd, name, &s, AT_SYMLINK_NOFOLLOW);
    if (rc == 0) {
        entry_from_stat(g, &s);
        g->has_sha = 0;
        if (g->type == GT_LINK)
            link_hash(dfd, name, g, NULL);
    }
    int saved = errno;
    close(dfd);
    errno = saved;
    return rc;
}

/* On the stack: a heap block this large would be mapped and unmapped for
 * every file. */
#define HASH_CHUNK (128 * 1024)

/* Whether the file still is what g says (its walk or restat), so that what
 * was read is its content as of that stat. */
static int same_as_entry(const struct gentry *g, const struct stat *s)
{
    struct gentry now = *g;
    entry_from_stat(&now, s);
    return now.type == GT_FILE && now.ino == g->ino && now.size == g->size &&
           now.mtime_ns == g->mtime_ns && now.ctime_ns == g->ctime_ns;
}

/* Reads and hashes the open file fd (storing it in objects when given and
 * not larger than max_file) and fstats it afterwards into after. */
static int hash_fd(int fd, struct gentry *g, const struct objstore *objects, uint64_t max_file,
                   struct stat *after, struct err *e)
{
    int rc = 0;
    if (objects && g->size <= max_file) {
        char hex[SHA256_HEX_LEN];
        rc = objstore_put_fd(objects, fd, max_file, hex, NULL, e);
        if (!rc)
            rc = hex_decode(hex, g->sha, SHA256_LEN) ? err_set(e, ERR_INTERNAL, "bad hex") : 0;
    } else {
        struct sha256_ctx c;
        char chunk[HASH_CHUNK];
        uint64_t total = 0;
        rc = sha256_init(&c) ? err_set(e, ERR_NOMEM, "out of memory") : 0;
        while (!rc) {
            /* Up to the known size; a file that grew shows in its fstat. */
            size_t want = g->size - total < HASH_CHUNK && g->size > total
                              ? (size_t)(g->size - total)
                              : HASH_CHUNK;
            ssize_t k = total >= g->size && total > 0 ? 0 : read(fd, chunk, want);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0) {
                rc = err_errno(e, ERR_IO, errno, "cannot read %s", g->path);
                sha256_release(&c);
                break;
            }
            if (k == 0 ||
                (total += (uint64_t)k, sha256_update(&c, chunk, (size_t)k), total == g->size)) {
                sha256_final(&c, g->sha);
                break;
            }
        }
    }
    if (!rc && fstat(fd, after) != 0)
        rc = err_errno(e, ERR_IO, errno, "cannot stat %s", g->path);
    return rc;
}

int guard_hash_file(int root_fd, struct gentry *g, const struct objstore *objects,
                    uint64_t max_file, struct err *e)
{
    /* Four system calls a file: open, read (to the size known from the
     * walk), fstat, close. The fstat after the read proves the content is
     * that of the stat the walk took; when not, the file is read again. */
    static __thread int noatime_denied;
    for (int attempt = 0; attempt < 4; attempt++) {
        int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
        int fd = fs_open_beneath(root_fd, g->path, flags | (noatime_denied ? 0 : O_NOATIME), 0);
        if (fd < 0 && errno == EPERM && !noatime_denied) {
            noatime_denied = 1;
            fd = fs_open_beneath(root_fd, g->path, flags, 0);
        }
        if (fd < 0) {
            int saved = errno;
            /* Replaced by something that is not a file, or gone: take what is there. */
            if (saved == ELOOP || saved == ENOENT || saved == ENXIO || saved == ENOTDIR) {
                if (guard_restat(root_fd, g) == 0 && g->type != GT_FILE)
                    return 0;
                if (saved == ENOENT && errno == ENOENT)
                    return err_set(e, ERR_NOTFOUND, "%s vanished while it was scanned", g->path);
            }
            g->has_sha = 0;
            return err_errno(e, ERR_IO, saved, "cannot read %s", g->path);
        }
        struct stat after;
        int rc = hash_fd(fd, g, objects, max_file, &after, e);
        close(fd);
        if (rc == ERR_TOOBIG) { /* grew past the bound while read: try again unstored */
            err_clear(e);
            objects = NULL;
            continue;
        }
        if (rc) {
            g->has_sha = 0;
            return rc;
        }
        if (!S_ISREG(after.st_mode)) {
            guard_restat(root_fd, g);
            return 0;
        }
        int same = same_as_entry(g, &after);
        entry_from_stat(g, &after);
        g->has_sha = 1;
        if (same)
            return 0;
        /* Changed since its stat or while being read: read it again. */
    }
    return 0; /* still changing: the last reading stands, the next check sees the rest */
}

/* The record getdents64 fills (the kernel's layout). */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* ---- the walk ----------------------------------------------------------- */

/* Directories near the top are handed to whichever walker is free; below
 * WALK_SPLIT_DEPTH each walker goes down on its own. */
#define WALK_SPLIT_DEPTH 2

struct walk_item {
    char *path;
    int depth;
};

struct walk_queue {
    pthread_mutex_t lock;
    pthread_cond_t more;
    struct walk_item *v;
    size_t n, cap;
    int pending; /* queued or being walked */
    int failed;
    atomic_uint_fast64_t seen, read; /* entries and bytes so far, for the progress line */
    atomic_int done;
};

struct walk {
    const struct objstore *objects;
    struct baseline *out;
    struct scan_stats *stats;
    char path[GUARD_PATH_MAX];
    struct err *e;
    struct walk_queue *q; /* NULL: walk everything here */
    const struct scan_opts *o;
    /* Small files read whole into one of three buffers and hashed two at a
     * time (sha256_mb holds at most two, so one is always free to read the
     * next into); used where the CPU has the SHA extensions. */
    struct sha256_mb mb;
    struct walk_read {
        unsigned char *p; /* WALK_HASH_MAX bytes, allocated when first used */
        size_t entry;     /* the file's index in out */
        int busy;         /* read, and waiting for its hash */
    } reads[3];
};

/* Files up to this size are read by the walker that finds them, through the
 * directory it has open; larger ones are left to the hashing threads. */
#define WALK_HASH_MAX ((uint64_t)1 << 20)

/* Whether a re-check settles unchanged files against a previous baseline. */
static int against_previous(const struct scan_opts *o)
{
    return (o->previous || o->previous_file) && !o->full;
}

/* The file of g was hashed by the walk: settled, and counted. */
static void walk_settled(struct walk *w, struct gentry *g)
{
    g->has_sha = 1;
    g->dirty = 0;
    w->stats->hashed++;
    w->stats->bytes_hashed += g->size;
    if (w->q)
        atomic_fetch_add_explicit(&w->q->read, g->size, memory_order_relaxed);
}

/* A hash from sha256_mb for the file read into r. */
static void walk_hashed(void *ctx, void *tag, const unsigned char digest[SHA256_LEN])
{
    struct walk *w = ctx;
    struct walk_read *r = tag;
    struct gentry *g = &w->out->v[r->entry];
    memcpy(g->sha, digest, SHA256_LEN);
    r->busy = 0;
    walk_settled(w, g);
}

/* Reads the open file fd whole (g->size bytes, as the walk found it) into a
 * free buffer and fstats it after; the buffer's index when what was read is
 * the content of that stat, else -1 (the hashing threads read it again). */
static int read_whole(struct walk *w, int fd, const struct gentry *g)
{
    struct walk_read *r = NULL;
    for (int i = 0; i < 3 && !r; i++)
        if (!w->reads[i].busy)
            r = &w->reads[i];
    if (!r || (!r->p && !(r->p = malloc(WALK_HASH_MAX))))
        return -1;
    size_t got = 0, want = (size_t)g->size;
    while (got < want) {
        ssize_t k = read(fd, r->p + got, want - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    struct stat after;
    if (fstat(fd, &after) != 0 || !same_as_entry(g, &after))
        return -1;
    return (int)(r - w->reads);
}

/* A regular file found by the walk: small, and with no previous baseline to
 * settle it against, it is hashed here; else it stays dirty, for the merge
 * with the previous baseline and then the hashing threads. Returns the
 * buffer its content waits in to be hashed once it has its entry, or -1. */
static int walk_file(struct walk *w, int dfd, const char *name, struct gentry *g)
{
    const struct scan_opts *o = w->o;
    g->dirty = 1;
    if (!o || against_previous(o) || g->size > WALK_HASH_MAX)
        return -1;
    static __thread int noatime = -1; /* O_NOATIME needs the owner or root */
    if (noatime < 0)
        noatime = geteuid() == 0 ? O_NOATIME : 0;
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | noatime);
    if (fd < 0)
        return -1; /* the hashing threads try again, and say why */
    if (!o->objects && w->mb.hw) {
        int slot = read_whole(w, fd, g);
        close(fd);
        return slot;
    }
    struct stat after;
    struct err e = {0};
    uint64_t max = o->max_file ? o->max_file : ((uint64_t)100 << 20);
    int rc = hash_fd(fd, g, o->objects, max, &after, &e);
    close(fd);
    if (!rc && same_as_entry(g, &after))
        walk_settled(w, g);
    return -1;
}

static int queue_push(struct walk_queue *q, const char *path, int depth)
{
    char *copy = strdup(path);
    pthread_mutex_lock(&q->lock);
    if (copy && q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        struct walk_item *v = realloc(q->v, cap * sizeof(*v));
        if (v) {
            q->v = v;
            q->cap = cap;
        }
    }
    int ok = copy && q->n < q->cap;
    if (ok) {
        q->v[q->n++] = (struct walk_item){copy, depth};
        q->pending++;
        pthread_cond_signal(&q->more);
    }
    pthread_mutex_unlock(&q->lock);
    if (!ok)
        free(copy);
    return ok ? 0 : -1;
}

static int walk_dir(struct walk *w, int dfd, size_t len, int depth);

/* One entry of the directory dfd (whose path is w->path[0..len)). */
static int walk_entry(struct walk *w, int dfd, const char *name, size_t len, int depth)
{
    int rc = 0;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    size_t nl = strlen(name), plen = len ? len + 1 + nl : nl;
    if (plen >= sizeof(w->path)) {
        w->stats->skipped++;
        log_warn("skipping a name in %s: the path is longer than %d bytes", w->path,
                 GUARD_PATH_MAX);
        return 0;
    }
    struct stat s;
    if (fstatat(dfd, name, &s, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return 0; /* gone since it was listed */
        return err_errno(w->e, ERR_IO, errno, "cannot stat an entry of %s", w->path);
    }
    if (len)
        w->path[len] = '/';
    memcpy(w->path + (len ? len + 1 : 0), name, nl + 1);
    struct gentry g = {.path = w->path, .path_len = (uint32_t)plen};
    entry_from_stat(&g, &s);
    if (g.type == GT_LINK && link_hash(dfd, name, &g, w->objects) != 0)
        g.has_sha = 0;
    int slot = g.type == GT_FILE ? walk_file(w, dfd, name, &g) : -1;
    rc = baseline_add(w->out, &g, w->e);
    if (slot >= 0) {
        struct walk_read *r = &w->reads[slot];
        r->entry = w->out->n - 1;
        r->busy = !rc;
        if (!rc)
            sha256_mb_add(&w->mb, r->p, (size_t)g.size, r); /* cannot fail: hw */
    }
    w->stats->entries++;
    if (w->q)
        atomic_fetch_add_explicit(&w->q->seen, 1, memory_order_relaxed);
    if (!rc && g.type == GT_DIR && w->q && depth < WALK_SPLIT_DEPTH) {
        if (queue_push(w->q, w->path, depth + 1) != 0)
            rc = err_set(w->e, ERR_NOMEM, "out of memory");
    } else if (!rc && g.type == GT_DIR) {
        int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)) {
            /* replaced since its stat: the next check sees what it became */
        } else if (sub < 0) {
            rc = err_errno(w->e, ERR_IO, errno, "cannot open directory %s", w->path);
        } else {
            rc = walk_dir(w, sub, plen, depth + 1);
        }
    }
    w->path[len] = 0;
    return rc;
}

static int walk_dir(struct walk *w, int dfd, size_t len, int depth)
{
    if (depth > GUARD_DEPTH_MAX) {
        /* Deeper trees are left out, not fatal: one planted deep tree must
         * not stop the protection of everything else. */
        close(dfd);
        w->stats->skipped++;
        log_warn("skipping %s: nested deeper than %d levels", w->path, GUARD_DEPTH_MAX);
        return 0;
    }
    /* getdents64 directly: readdir's fdopendir costs two more system calls a
     * directory, and a web root can have tens of thousands of them. */
    int rc = 0;
    char dbuf[8192] __attribute__((aligned(8)));
    for (;;) {
        long nread = syscall(SYS_getdents64, dfd, dbuf, sizeof(dbuf));
        if (nread < 0 && errno == EINTR)
            continue;
        if (nread < 0) {
            rc = err_errno(w->e, ERR_IO, errno, "cannot list %s", w->path);
            break;
        }
        if (nread == 0)
            break;
        for (long off = 0; !rc && off < nread;) {
            struct linux_dirent64 *de = (struct linux_dirent64 *)(dbuf + off);
            off += de->d_reclen;
            rc = walk_entry(w, dfd, de->d_name, len, depth);
        }
        if (rc)
            break;
    }
    close(dfd);
    return rc;
}

struct walker {
    struct walk w;
    struct baseline out;
    struct scan_stats stats;
    struct err err;
    int root_fd;
    pthread_t thread;
};

/* Takes directories from the queue until none is left and none is being
 * walked (which could add more). */
static void *walker_main(void *arg)
{
    struct walker *k = arg;
    struct walk_queue *q = k->w.q;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        while (q->n == 0 && q->pending > 0 && !q->failed)
            pthread_cond_wait(&q->more, &q->lock);
        if (q->n == 0 || q->failed) {
            pthread_cond_broadcast(&q->more);
            pthread_mutex_unlock(&q->lock);
            break;
        }
        /* The root is opened anew, not duplicated: a duplicate shares the
         * listing position, and the next walk would find it at the end. */
        struct walk_item it = q->v[--q->n];
        pthread_mutex_unlock(&q->lock);
        int rc = 0;
        size_t len = strlen(it.path);
        int dfd = it.path[0] ? fs_open_beneath(k->root_fd, it.path, O_RDONLY | O_DIRECTORY, 0)
                             : openat(k->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (len < sizeof(k->w.path))
            memcpy(k->w.path, it.path, len + 1);
        if (dfd < 0 && it.path[0] &&
            (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EXDEV)) {
            /* replaced since it was listed: the next check sees what it became */
        } else if (dfd < 0) {
            rc = err_errno(&k->err, ERR_IO, errno, "cannot open directory %s", it.path);
        } else {
            rc = walk_dir(&k->w, dfd, len, it.depth);
        }
        free(it.path);
        pthread_mutex_lock(&q->lock);
        q->pending--;
        if (rc)
            q->failed = 1;
        if (q->pending == 0 || rc)
            pthread_cond_broadcast(&q->more);
        pthread_mutex_unlock(&q->lock);
    }
    sha256_mb_flush(&k->w.mb);
    for (int i = 0; i < 3; i++)
        free(k->w.reads[i].p);
    /* Each walker sorts its own share, on its own core; the shares are
     * merged after. */
    baseline_sort(&k->out);
    return NULL;
}

static int cpu_count(void);

/* Draws "scanning: N entries" on standard error while the walkers work. */
static void *progress_main(void *arg)
{
    struct walk_queue *q = arg;
    while (!atomic_load(&q->done)) {
        fprintf(stderr, "\rscanning: %llu entries, %llu MiB read",
                (unsigned long long)atomic_load(&q->seen),
                (unsigned long long)(atomic_load(&q->read) >> 20));
        fflush(stderr);
        for (int i = 0; i < 20 && !atomic_load(&q->done); i++)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    fprintf(stderr, "\rscanning: %llu entries, %llu MiB read\n",
            (unsigned long long)atomic_load(&q->seen),
            (unsigned long long)(atomic_load(&q->read) >> 20));
    return NULL;
}

/* Walks the tree on every core into out (which holds the root's entry),
 * sorted; expect: about how many entries there were last time (0: unknown). */
static int walk_tree(int root_fd, const struct scan_opts *o, size_t expect, struct baseline *out,
                     struct scan_stats *stats, struct err *e)
{
    int n = o->workers > 0 ? o->workers : cpu_count();
    if (n > 16)
        n = 16;
    struct walk_queue q = {.lock = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER};
    struct walker *ks = calloc((size_t)n, sizeof(*ks));
    if (!ks)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = queue_push(&q, "", 0) ? err_set(e, ERR_NOMEM, "out of memory") : 0;
    int started = 0;
    for (int i = 0; !rc && i < n; i++) {
        struct walker *k = &ks[i];
        baseline_init(&k->out);
        /* Room for this walker's share of the tree as it was: no regrowing. */
        size_t share = expect ? expect / (size_t)n + expect / 8 + 64 : 0;
        if (share && (k->out.v = malloc(share * sizeof(*k->out.v))) != NULL) {
            k->out.cap = share;
            mem_prefault(k->out.v, share * sizeof(*k->out.v));
        }
        k->root_fd = root_fd;
        k->w = (struct walk){.objects = o->objects,
                             .out = &k->out,
                             .stats = &k->stats,
                             .e = &k->err,
                             .q = &q,
                             .o = o};
        sha256_mb_init(&k->w.mb, walk_hashed, &k->w);
        if (i == 0 || pthread_create(&k->thread, NULL, walker_main, k) == 0)
            started++;
    }
    pthread_t drawer;
    int drawing = !rc && o->progress && pthread_create(&drawer, NULL, progress_main, &q) == 0;
    if (!rc)
        walker_main(&ks[0]);
    for (int i = 1; i < started; i++)
        pthread_join(ks[i].thread, NULL);
    atomic_store(&q.done, 1);
    if (drawing)
        pthread_join(drawer, NULL);
    struct baseline *outs[16];
    for (int i = 0; i < started; i++) {
        if (!rc && ks[i].err.code)
            rc = err_set(e, ks[i].err.code, "%s", ks[i].err.msg);
        outs[i] = &ks[i].out;
    }
    if (!rc)
        rc = baseline_merge(out, outs, (size_t)started, e);
    for (int i = 0; i < started; i++) {
        baseline_free(&ks[i].out);
        stats->entries += ks[i].stats.entries;
        stats->skipped += ks[i].stats.skipped;
        stats->hashed += ks[i].stats.hashed;
        stats->bytes_hashed += ks[i].stats.bytes_hashed;
    }
    for (size_t i = 0; i < q.n; i++)
        free(q.v[i].path);
    free(q.v);
    free(ks);
    return rc;
}

/* Files whose size, inode and times are those of the previous baseline keep
 * its hash: one merge of the two sorted lists, after the walk. */
static void settle_unchanged(struct baseline *now, const struct baseline *was)
{
    size_t j = 0;
    for (size_t i = 0; i < now->n && j < was->n; i++) {
        struct gentry *g = &now->v[i];
        if (g->type != GT_FILE || !g->dirty)
            continue;
        int c = 1;
        while (j < was->n && (c = strcmp(was->v[j].path, g->path)) < 0)
            j++;
        const struct gentry *p = j < was->n && c == 0 ? &was->v[j] : NULL;
        if (p && p->type == GT_FILE && p->has_sha && p->size == g->size && p->ino == g->ino &&
            p->mtime_ns == g->mtime_ns && p->ctime_ns == g->ctime_ns) {
            memcpy(g->sha, p->sha, SHA256_LEN);
            g->has_sha = 1;
            g->dirty = 0;
        }
    }
}

struct previous_read {
    const char *file;
    struct baseline *b;
    struct err err;
    int rc;
};

static void *previous_read_main(void *arg)
{
    struct previous_read *r = arg;
    r->rc = baseline_read(r->b, r->file, &r->err);
    return NULL;
}

/* ---- hashing on every core ---------------------------------------------- */

struct hash_job {
    int root_fd;
    struct baseline *b;
    size_t *dirty_idx; /* indices into b->v */
    size_t ndirty;
    const struct scan_opts *o;
    atomic_size_t next;
    atomic_uint_fast64_t bytes, done, unreadable, unstored;
    atomic_int failed;
    struct err err;
    pthread_mutex_t lock;
};

static void *hash_worker(void *arg)
{
    struct hash_job *j = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->ndirty || atomic_load(&j->failed))
            break;
        struct gentry *g = &j->b->v[j->dirty_idx[i]];
        struct err e = {0};
        uint64_t max = j->o->max_file ? j->o->max_file : ((uint64_t)100 << 20);
        int rc = guard_hash_file(j->root_fd, g, j->o->objects, max, &e);
        if (rc == ERR_IO || rc == ERR_NOTFOUND) {
            /* Unreadable or gone: recorded without a hash, the scan goes on. */
            atomic_fetch_add(&j->unreadable, 1);
            log_warn("%s", e.msg);
        } else if (rc) {
            pthread_mutex_lock(&j->lock);
            if (!atomic_load(&j->failed))
                j->err = e;
            atomic_store(&j->failed, 1);
            pthread_mutex_unlock(&j->lock);
            break;
        }
        if (g->type == GT_FILE && j->o->objects && g->size > max)
            atomic_fetch_add(&j->unstored, 1);
        g->dirty = 0;
        atomic_fetch_add(&j->bytes, g->size);
        atomic_fetch_add(&j->done, 1);
    }
    return NULL;
}

static int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static void draw_progress(struct hash_job *j, uint64_t total_bytes, int final)
{
    uint64_t done = atomic_load(&j->bytes);
    int pct = total_bytes ? (int)(done * 100 / total_bytes) : 100;
    if (pct > 100)
        pct = 100;
    char bar[41];
    memset(bar, '#', (size_t)(pct * 40 / 100));
    memset(bar + pct * 40 / 100, '.', (size_t)(40 - pct * 40 / 100));
    bar[40] = 0;
    fprintf(stderr, "\rhashing [%s] %3d%% %llu/%zu files, %llu MiB%s", bar, pct,
            (unsigned long long)atomic_load(&j->done), j->ndirty, (unsigned long long)(done >> 20),
            final ? "\n" : "");
    fflush(stderr);
}

int guard_scan(int root_fd, const char *root, const struct scan_opts *o, struct baseline *out,
               struct scan_stats *stats, struct err *e)
{
    baseline_init(out);
    memset(stats, 0, sizeof(*stats));
    if (strlen(root) >= sizeof(out->root))
        return err_set(e, ERR_INPUT, "%.200s is too long a path", root);
    strcpy(out->root, root);
    struct stat rs;
    if (fstat(root_fd, &rs) != 0)
        return err_errno(e, ERR_IO, errno, "cannot stat %s", root);
    struct gentry top = {.path = ".", .path_len = 1};
    entry_from_stat(&top, &rs);
    int rc = baseline_add(out, &top, e);
    stats->entries = 1;

    /* The previous baseline is read while the tree is walked: the walk does
     * not need it, only the merge after it. */
    struct previous_read pr = {.file = o->previous_file, .b = o->previous_out};
    pthread_t reader;
    int reading = 0, have_read = !rc && o->previous_file;
    size_t expect = o->previous ? o->previous->n : 0;
    if (have_read) {
        struct stat ps;
        if (stat(o->previous_file, &ps) == 0)
            expect = (size_t)ps.st_size / 160; /* a line is about 160 bytes */
        reading = pthread_create(&reader, NULL, previous_read_main, &pr) == 0;
        if (!reading)
            previous_read_main(&pr);
    }
    if (!rc)
        rc = walk_tree(root_fd, o, expect, out, stats, e);
    if (reading)
        pthread_join(reader, NULL);
    if (have_read && pr.rc) {
        if (!rc)
            *e = pr.err;
        rc = rc ? rc : pr.rc;
        have_read = 0; /* nothing to free */
    }
    if (rc)
        goto fail;
    if (against_previous(o))
        settle_unchanged(out, o->previous_file ? pr.b : o->previous);

    /* What neither the walk nor the merge settled is read by the hashing threads. */
    size_t *dirty_idx = malloc((out->n ? out->n : 1) * sizeof(*dirty_idx));
    if (!dirty_idx) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    size_t ndirty = 0;
    uint64_t total_bytes = 0;
    for (size_t i = 0; i < out->n; i++) {
        struct gentry *g = &out->v[i];
        if (g->type != GT_FILE)
            continue;
        stats->files++;
        if (!g->dirty)
            continue; /* hashed by the walk, or unchanged */
        dirty_idx[ndirty++] = i;
        total_bytes += g->size;
    }

    struct hash_job j = {
        .root_fd = root_fd, .b = out, .dirty_idx = dirty_idx, .ndirty = ndirty, .o = o};
    pthread_mutex_init(&j.lock, NULL);
    int nw = o->workers > 0 ? o->workers : cpu_count();
    if ((size_t)nw > ndirty)
        nw = ndirty ? (int)ndirty : 1;
    pthread_t th[64];
    int started = 0;
    int extra = o->progress && ndirty ? nw : nw - 1; /* with a bar, this thread only draws */
    for (int i = 0; i < extra && i < 64; i++)
        if (pthread_create(&th[started], NULL, hash_worker, &j) == 0)
            started++;
    if (o->progress && ndirty) {
        /* This thread draws the bar while the others hash. */
        if (!started) {
            hash_worker(&j);
        } else {
            while (atomic_load(&j.done) < ndirty && !atomic_load(&j.failed)) {
                draw_progress(&j, total_bytes, 0);
                nanosleep(&(struct timespec){0, 200000000}, NULL);
            }
        }
    } else {
        hash_worker(&j);
    }
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (o->progress && ndirty)
        draw_progress(&j, total_bytes, 1);
    pthread_mutex_destroy(&j.lock);
    free(dirty_idx);
    stats->hashed += atomic_load(&j.done);
    stats->bytes_hashed += atomic_load(&j.bytes);
    stats->unreadable = atomic_load(&j.unreadable);
    stats->skipped += atomic_load(&j.unstored);
    if (atomic_load(&j.failed)) {
        *e = j.err;
        rc = e->code ? e->code : ERR_INTERNAL;
        goto fail;
    }
    return 0;
fail:
    if (have_read)
        baseline_free(pr.b);
    baseline_free(out);
    return rc;
}
