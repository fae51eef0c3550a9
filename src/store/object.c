/* The content-addressed object store: objects/<2 hex>/<64 hex>, a zstd frame
 * of content whose SHA-256 is the name. Writes are atomic; every read is
 * verified, so a damaged object is reported and never returned. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#define OBJ_CHUNK (128 * 1024)
#define OBJ_LEVEL 3

int objstore_hex_valid(const char *hex)
{
    for (int i = 0; i < 64; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return 0;
    return hex[64] == '\0';
}

/* A temporary file is renamed into place seconds after it is made; one
 * untouched for a day was left by a writer that died (a crash, a kill, a
 * full disk) and is removed when the store is next opened. A day, not less:
 * another process may be writing into the store at the same time. */
#define OBJ_TMP_STALE_S   (24 * 3600)
#define OBJ_TMP_SWEEP_MAX 100000 /* entries looked at, at most, per opening */

/* Removes the stale regular files directly in dfd (closed here), and those
 * one level down when depth allows; never follows a symlink. */
static void sweep_tmp(int dfd, int depth, time_t now, unsigned *looked, unsigned *removed)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL && *looked < OBJ_TMP_SWEEP_MAX) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        (*looked)++;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth > 0) {
            int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                sweep_tmp(sub, depth - 1, now, looked, removed);
        } else if (S_ISREG(st.st_mode) && now - st.st_mtime > OBJ_TMP_STALE_S &&
                   unlinkat(dirfd(d), de->d_name, 0) == 0) {
            (*removed)++;
        }
    }
    closedir(d);
}

/* The stale temporary files of tmp/ and its per-thread directories. */
static void objstore_sweep(const char *tmp)
{
    int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return;
    unsigned looked = 0, removed = 0;
    sweep_tmp(dfd, 1, time(NULL), &looked, &removed);
    if (removed)
        log_info("removed %u temporary files older than a day from %s", removed, tmp);
}

int objstore_init(struct objstore *os, const char *data_dir, int create, struct err *e)
{
    os->defer_sync = 0;
    if ((size_t)snprintf(os->dir, sizeof(os->dir), "%s/objects", data_dir) >= sizeof(os->dir))
        return err_set(e, ERR_INPUT, "data directory path %.100s… is too long", data_dir);
    char tmp[STORE_PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s/tmp", os->dir);
    int rc = 0;
    if (create) {
        rc = fs_mkdir(os->dir, 0700, e);
    } else {
        struct stat st;
        if (stat(os->dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return err_set(e, ERR_NOTFOUND, "object store %s is missing", os->dir);
    }
    if (!rc)
        rc = fs_mkdir(tmp, 0700, e);
    if (!rc)
        objstore_sweep(tmp);
    return rc;
}

static void obj_path(const struct objstore *os, const char *hex, char *out, size_t n)
{
    snprintf(out, n, "%s/%.2s/%s", os->dir, hex, hex);
}

/* Per thread, kept from object to object: a compression context and the
 * two buffers. Made anew for every object they cost more than compressing a
 * small file (a tree's first load is tens of thousands of them). Freed when
 * the thread ends; the pointer in thread-local storage keeps the main
 * thread's reachable until exit. */
struct obj_tls {
    ZSTD_CCtx *cctx;
    unsigned char *out;        /* ZSTD_CStreamOutSize() bytes */
    char *chunk;               /* OBJ_CHUNK bytes */
    unsigned slot;             /* this thread's directory of temporary files: tmp/<slot> */
    char made[STORE_PATH_MAX]; /* the store whose tmp/<slot> exists */
};

static pthread_key_t tls_key;
static atomic_uint tls_slots;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static __thread struct obj_tls *tls;

static void tls_free(void *p)
{
    struct obj_tls *t = p;
    ZSTD_freeCCtx(t->cctx);
    free(t->out);
    free(t->chunk);
    free(t);
    tls = NULL;
}

static void tls_key_init(void)
{
    pthread_key_create(&tls_key, tls_free);
}

static struct obj_tls *tls_get(void)
{
    if (tls)
        return tls;
    pthread_once(&tls_once, tls_key_init);
    struct obj_tls *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->slot = atomic_fetch_add(&tls_slots, 1) % 64;
    t->cctx = ZSTD_createCCtx();
    t->out = malloc(ZSTD_CStreamOutSize());
    t->chunk = malloc(OBJ_CHUNK);
    if (!t->cctx || !t->out || !t->chunk || pthread_setspecific(tls_key, t) != 0) {
        tls_free(t);
        return NULL;
    }
    tls = t;
    return t;
}

/* Streaming compression into a temporary file, hashing the plain bytes. */
struct obj_writer {
    const struct objstore *os;
    ZSTD_CCtx *cctx;
    struct sha256_ctx sha;
    int fd;
    char tmp[STORE_PATH_MAX + 64];
    unsigned char *out;
    uint64_t size;
};

static int writer_open(struct obj_writer *w, const struct objstore *os, struct err *e)
{
    memset(w, 0, sizeof(*w));
    w->os = os;
    w->fd = -1;
    unsigned char rnd[8];
    char rhex[17];
    fs_random(rnd, sizeof(rnd));
    hex_encode(rnd, sizeof(rnd), rhex);
    struct obj_tls *t = tls_get();
    if (!t || sha256_init(&w->sha) != 0)
        return err_set(e, ERR_NOMEM, "out of memory writing to %s", os->dir);
    /* Each thread its own directory of temporary files: threads creating
     * files in one directory queue on its lock (a tree's first load spent
     * a third of its time there). */
    if (strcmp(t->made, os->dir) != 0) {
        snprintf(w->tmp, sizeof(w->tmp), "%s/tmp/%u", os->dir, t->slot);
        if (mkdir(w->tmp, 0700) != 0 && errno != EEXIST) {
            int saved = errno;
            sha256_release(&w->sha);
            return err_errno(e, ERR_IO, saved, "cannot create %s", w->tmp);
        }
        snprintf(t->made, sizeof(t->made), "%s", os->dir);
    }
    snprintf(w->tmp, sizeof(w->tmp), "%s/tmp/%u/%s", os->dir, t->slot, rhex);
    w->cctx = t->cctx;
    w->out = t->out;
    /* A frame left unfinished by an earlier failure is dropped. */
    ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, OBJ_LEVEL);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w->fd < 0) {
        int saved = errno;
        sha256_release(&w->sha);
        return err_errno(e, ERR_IO, saved, "cannot create %s", w->tmp);
    }
    return 0;
}

static void writer_abort(struct obj_writer *w)
{
    if (w->fd >= 0) {
        close(w->fd);
        unlink(w->tmp);
    }
    sha256_release(&w->sha);
    w->fd = -1;
    w->cctx = NULL;
    w->out = NULL;
}

static int writer_feed(struct obj_writer *w, const void *p, size_t n, int last, struct err *e)
{
    ZSTD_inBuffer in = {p, n, 0};
    sha256_update(&w->sha, p, n);
    w->size += n;
    for (;;) {
        ZSTD_outBuffer out = {w->out, ZSTD_CStreamOutSize(), 0};
        size_t left = ZSTD_compressStream2(w->cctx, &out, &in, last ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left))
            return err_set(e, ERR_INTERNAL, "cannot compress into %s: %s", w->tmp,
                           ZSTD_getErrorName(left));
        if (out.pos && fs_write_all(w->fd, w->out, out.pos) != 0)
            return err_errno(e, ERR_IO, errno, "cannot write %s", w->tmp);
        if (last ? left == 0 : in.pos == in.size)
            return 0;
    }
}

static int writer_commit(struct obj_writer *w, char hex[SHA256_HEX_LEN], struct err *e)
{
    unsigned char digest[SHA256_LEN];
    int rc = writer_feed(w, "", 0, 1, e);
    if (rc)
        goto out;
    if (!w->os->defer_sync && fsync(w->fd) != 0) {
        rc = err_errno(e, ERR_IO, errno, "cannot sync %s", w->tmp);
        goto out;
    }
    sha256_final(&w->sha, digest);
    hex_encode(digest, SHA256_LEN, hex);

    char sub[STORE_PATH_MAX + 8], dst[STORE_PATH_MAX + 80];
    snprintf(sub, sizeof(sub), "%s/%.2s", w->os->dir, hex);
    obj_path(w->os, hex, dst, sizeof(dst));
    rc = fs_mkdir(sub, 0700, e);
    if (rc)
        goto out;
    if (fs_exists(dst) && objstore_verify(w->os, hex, NULL, NULL) == 0)
        goto out; /* deduplicated: the good copy stays */
    if (rename(w->tmp, dst) != 0) {
        rc = err_errno(e, ERR_IO, errno, "cannot put object %s in place", dst);
        goto out;
    }
    if (!w->os->defer_sync)
        rc = fs_fsync_dir(sub, e);
out:
    writer_abort(w);
    return rc;
}

int objstore_sync(const struct objstore *os, struct err *e)
{
    int fd = open(os->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot open %s", os->dir);
    /* One flush of the file system for thousands of objects, where each
     * object's own fsync and its directory's cost a disk flush apiece. */
    int rc = syncfs(fd) != 0 ? err_errno(e, ERR_IO, errno, "cannot sync %s", os->dir) : 0;
    close(fd);
    return rc;
}

int objstore_put(const struct objstore *os, const void *p, size_t n, char hex[SHA256_HEX_LEN],
                 struct err *e)
{
    struct obj_writer w;
    int rc = writer_open(&w, os, e);
    if (rc)
        return rc;
    rc = writer_feed(&w, p, n, 0, e);
    if (rc) {
        writer_abort(&w);
        return rc;
    }
    return writer_commit(&w, hex, e);
}

int objstore_put_path(const struct objstore *os, const char *what, const char *path, uint64_t max,
                      char hex[SHA256_HEX_LEN], uint64_t *size, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot open %s %s", what, path);
    struct stat sb;
    int rc;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        rc = err_set(e, ERR_INPUT, "%s %s is not a regular file", what, path);
    else
        rc = objstore_put_fd(os, fd, max, hex, size, e);
    close(fd);
    return rc;
}

int objstore_export(const struct objstore *os, const char *hex, uint64_t max, const char *dest,
                    struct err *e)
{
    struct buf content;
    int rc = objstore_get(os, hex, (size_t)max, &content, e);
    if (rc)
        return rc;
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        buf_release(&content);
        return err_errno(e, ERR_IO, errno, "cannot create %s (it must not exist yet)", dest);
    }
    int wr_ok = fs_write_all(fd, content.p ? content.p : "", content.len) == 0 && fsync(fd) == 0;
    close(fd);
    buf_release(&content);
    if (!wr_ok) {
        unlink(dest);
        return err_errno(e, ERR_IO, errno, "cannot write %s", dest);
    }
    return 0;
}

int objstore_put_fd(const struct objstore *os, int fd, uint64_t max, char hex[SHA256_HEX_LEN],
                    uint64_t *size, struct err *e)
{
    struct obj_writer w;
    int rc = writer_open(&w, os, e);
    if (rc)
        return rc;
    char *chunk = tls->chunk; /* writer_open made it */
    for (;;) {
        ssize_t k = read(fd, chunk, OBJ_CHUNK);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = err_errno(e, ERR_IO, errno, "cannot read the input for the object store");
            break;
        }
        if (k == 0)
            break;
        if (w.size + (uint64_t)k > max) {
            rc = err_set(e, ERR_TOOBIG, "input is larger than %llu bytes", (unsigned long long)max);
            break;
        }
        rc = writer_feed(&w, chunk, (size_t)k, 0, e);
        if (rc)
            break;
    }
    if (rc) {
        writer_abort(&w);
        return rc;
    }
    if (size)
        *size = w.size;
    return writer_commit(&w, hex, e);
}

/* Decompresses and hashes an object; appends the content to out when out is
 * not NULL. */
static int obj_read(const struct objstore *os, const char *hex, size_t max, struct buf *out,
                    uint64_t *size, struct err *e)
{
    if (!objstore_hex_valid(hex))
        return err_set(e, ERR_INPUT, "'%.70s' is not an object name (64 lowercase hex digits)",
                       hex);
    char path[STORE_PATH_MAX + 80];
    obj_path(os, hex, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? err_set(e, ERR_NOTFOUND, "object %s is missing", hex)
                               : err_errno(e, ERR_IO, errno, "cannot open object %s", path);
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    size_t in_cap = ZSTD_DStreamInSize(), out_cap = ZSTD_DStreamOutSize();
    unsigned char *inb = malloc(in_cap), *outb = malloc(out_cap);
    struct sha256_ctx sha = {0};
    int rc = 0, frame_done = 0;
    uint64_t total = 0;
    if (!dctx || !inb || !outb || sha256_init(&sha) != 0) {
        rc = err_set(e, ERR_NOMEM, "out of memory reading object %s", hex);
        goto out;
    }
    for (;;) {
        ssize_t k = read(fd, inb, in_cap);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = err_errno(e, ERR_IO, errno, "cannot read object %s", path);
            goto out;
        }
        if (k == 0)
            break;
        if (frame_done) {
            rc = err_set(e, ERR_DAMAGED, "object %s is damaged: bytes after its end", hex);
            goto out;
        }
        ZSTD_inBuffer in = {inb, (size_t)k, 0};
        while (in.pos < in.size) {
            ZSTD_outBuffer ob = {outb, out_cap, 0};
            size_t r = ZSTD_decompressStream(dctx, &ob, &in);
            if (ZSTD_isError(r)) {
                rc = err_set(e, ERR_DAMAGED, "object %s is damaged: %s", hex, ZSTD_getErrorName(r));
                goto out;
            }
            total += ob.pos;
            if (total > max) {
                rc = err_set(e, ERR_TOOBIG, "object %s is larger than %zu bytes", hex, max);
                goto out;
            }
            sha256_update(&sha, outb, ob.pos);
            if (out && ob.pos && buf_add(out, outb, ob.pos) != 0) {
                rc = err_set(e, ERR_NOMEM, "out of memory reading object %s", hex);
                goto out;
            }
            if (r == 0) {
                frame_done = 1;
                if (in.pos < in.size) {
                    rc = err_set(e, ERR_DAMAGED, "object %s is damaged: bytes after its end", hex);
                    goto out;
                }
            }
        }
    }
    if (!frame_done) {
        rc = err_set(e, ERR_DAMAGED, "object %s is damaged: it is truncated", hex);
        goto out;
    }
    unsigned char digest[SHA256_LEN];
    char got[SHA256_HEX_LEN];
    sha256_final(&sha, digest);
    hex_encode(digest, SHA256_LEN, got);
    if (strcmp(got, hex) != 0) {
        rc = err_set(e, ERR_DAMAGED, "object %s is damaged: its content hashes to %s", hex, got);
        goto out;
    }
    if (size)
        *size = total;
out:
    sha256_release(&sha);
    ZSTD_freeDCtx(dctx);
    free(inb);
    free(outb);
    close(fd);
    return rc;
}

int objstore_get(const struct objstore *os, const char *hex, size_t max, struct buf *out,
                 struct err *e)
{
    buf_init(out, max);
    int rc = obj_read(os, hex, max, out, NULL, e);
    if (rc)
        buf_release(out);
    else if (!out->p)
        buf_add(out, "", 0);
    return rc;
}

int objstore_verify(const struct objstore *os, const char *hex, uint64_t *size, struct err *e)
{
    return obj_read(os, hex, (size_t)-1, NULL, size, e);
}
