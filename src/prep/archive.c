/*
 * Backup archives: writing (walk → tar → zstd → seal → file) and reading
 * (file → unseal → zstd → tar → hash, and optionally disk). See archive.h.
 *
 * Sealed layout: "TOCSINB1", the key's 8-byte id, the secretstream header,
 * then chunks of BK_CHUNK plaintext bytes (each + its tag); the last chunk is
 * shorter and tagged final, so a truncated archive is told from a whole one.
 */
#include "archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define BK_CHUNK        (1u << 20)
#define BK_SEALED_CHUNK (BK_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)
#define BK_MAGIC        "TOCSINB1"
#define BK_HEADER_LEN   (8 + 8 + crypto_secretstream_xchacha20poly1305_HEADERBYTES)
#define BK_READ_BUF     (256u << 10)
#define BK_SYNC_EVERY   (16u << 20) /* start writeback this often, so the final fsync is short */
#define BK_MAX_DEPTH    256
#define BK_PATH_MAX     4096
#define BK_MANIFEST_MAX (1u << 30)
#define BK_MAX_SKIP     8

/* ---- keys ---------------------------------------------------------------- */

static void key_id(const unsigned char key[BK_KEY_LEN], char id[BK_KEY_ID_LEN])
{
    unsigned char h[8];
    static const unsigned char ctx[] = "tocsin backup key id";
    crypto_generichash(h, sizeof h, key, BK_KEY_LEN, ctx, sizeof ctx - 1);
    hex_encode(h, sizeof h, id);
}

int bk_key_load(const char *file, unsigned char key[BK_KEY_LEN], char id[BK_KEY_ID_LEN],
                struct err *e)
{
    int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_errno(e, ERR_INPUT, errno, "cannot open the key file %s", file);
    struct stat sb;
    char text[80];
    ssize_t n = -1;
    int rc = 0;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        rc = err_set(e, ERR_INPUT, "the key file %s is not a regular file", file);
    else if (sb.st_mode & 077)
        rc =
            err_set(e, ERR_INPUT, "the key file %s may be read by others (mode %04o); chmod 600 it",
                    file, (unsigned)(sb.st_mode & 07777));
    else if ((n = read(fd, text, sizeof text - 1)) < 0)
        rc = err_errno(e, ERR_IO, errno, "cannot read the key file %s", file);
    close(fd);
    if (rc)
        return rc;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        n--;
    text[n] = '\0';
    if (n != 2 * BK_KEY_LEN || hex_decode(text, key, BK_KEY_LEN) != 0)
        rc = err_set(e, ERR_INPUT, "the key file %s does not hold 64 hex digits", file);
    explicit_bzero(text, sizeof text);
    if (!rc)
        key_id(key, id);
    return rc;
}

int bk_key_create(const char *file, struct err *e)
{
    unsigned char key[BK_KEY_LEN];
    char text[2 * BK_KEY_LEN + 2];
    crypto_secretstream_xchacha20poly1305_keygen(key);
    hex_encode(key, sizeof key, text);
    strcat(text, "\n");
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = 0;
    if (fd < 0)
        rc = err_errno(e, errno == EEXIST ? ERR_EXISTS : ERR_IO, errno,
                       "cannot create the key file %s", file);
    else if (fs_write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0)
        rc = err_errno(e, ERR_IO, errno, "cannot write the key file %s", file);
    if (fd >= 0)
        close(fd);
    if (rc && fd >= 0)
        unlink(file);
    explicit_bzero(key, sizeof key);
    explicit_bzero(text, sizeof text);
    return rc;
}

/* ---- the manifest -------------------------------------------------------- */

/* One line: type mode size mtime sha256 path, the path with \\, \t, \n and
 * \r escaped so any name fits on one line. */
static int manifest_line(struct buf *m, char type, unsigned mode, uint64_t size, int64_t mtime,
                         const char *hex, const char *path)
{
    int rc = buf_addf(m, "%c\t%04o\t%llu\t%lld\t%s\t", type, mode & 07777, (unsigned long long)size,
                      (long long)mtime, hex);
    for (const char *p = path; !rc && *p; p++) {
        const char *esc = *p == '\\'   ? "\\\\"
                          : *p == '\t' ? "\\t"
                          : *p == '\n' ? "\\n"
                          : *p == '\r' ? "\\r"
                                       : NULL;
        rc = esc ? buf_adds(m, esc) : buf_addc(m, *p);
    }
    return rc ? rc : buf_addc(m, '\n');
}

static const char manifest_head[] =
    "# tocsin backup manifest 1: type mode size mtime sha256 path\n";

static int damaged(struct bk_result *r, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* ---- writing ------------------------------------------------------------- */

struct bk_writer {
    int fd;
    char dir[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX];
    struct archive *a;
    ZSTD_CCtx *z;
    unsigned char *zout; /* compressed bytes not yet written: at most BK_CHUNK */
    size_t zout_len;
    int sealed;
    crypto_secretstream_xchacha20poly1305_state ss;
    unsigned char *sbuf; /* one sealed chunk */
    struct sha256_ctx hash;
    uint64_t written, synced;
    struct buf manifest;
    unsigned char *rbuf;
    struct bk_stats st;
    struct err io; /* what a callback ran into */
    const volatile int *stop;
    int aborting;
    /* the read-back, following the file as it grows */
    int verifying;
    pthread_t vth;
    struct bk_follow follow;
    unsigned char key[BK_KEY_LEN];
    char key_id[BK_KEY_ID_LEN];
    struct bk_read vin;
    struct bk_result *vres;
    struct err verr;
    int vrc;
    dev_t skip_dev[BK_MAX_SKIP];
    ino_t skip_ino[BK_MAX_SKIP];
    int n_skip;
};

static int out_write(struct bk_writer *w, const void *p, size_t n)
{
    if (fs_write_all(w->fd, p, n) != 0)
        return err_errno(&w->io, ERR_IO, errno, "cannot write the archive in %s", w->dir);
    sha256_update(&w->hash, p, n);
    w->written += n;
    if (w->verifying) {
        pthread_mutex_lock(&w->follow.mu);
        w->follow.written = w->written;
        pthread_cond_broadcast(&w->follow.cv);
        pthread_mutex_unlock(&w->follow.mu);
    }
    if (w->written - w->synced >= BK_SYNC_EVERY) {
        sync_file_range(w->fd, (off64_t)w->synced, (off64_t)(w->written - w->synced),
                        SYNC_FILE_RANGE_WRITE);
        w->synced = w->written;
    }
    return 0;
}

static int flush_chunk(struct bk_writer *w, int final)
{
    int rc = 0;
    if (w->sealed) {
        unsigned long long clen = 0;
        crypto_secretstream_xchacha20poly1305_push(
            &w->ss, w->sbuf, &clen, w->zout, w->zout_len, NULL, 0,
            final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        rc = out_write(w, w->sbuf, (size_t)clen);
    } else if (w->zout_len) {
        rc = out_write(w, w->zout, w->zout_len);
    }
    w->zout_len = 0;
    return rc;
}

static int z_feed(struct bk_writer *w, const void *p, size_t n, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = {p, n, 0};
    for (;;) {
        ZSTD_outBuffer out = {w->zout, BK_CHUNK, w->zout_len};
        size_t left = ZSTD_compressStream2(w->z, &out, &in, mode);
        if (ZSTD_isError(left))
            return err_set(&w->io, ERR_INTERNAL, "zstd: %s", ZSTD_getErrorName(left));
        w->zout_len = out.pos;
        if (w->zout_len == BK_CHUNK && flush_chunk(w, 0) != 0)
            return w->io.code;
        if (mode == ZSTD_e_continue ? in.pos == in.size : left == 0)
            return 0;
    }
}

static la_ssize_t tar_out(struct archive *a, void *ctx, const void *p, size_t n)
{
    struct bk_writer *w = ctx;
    if (w->aborting)
        return -1;
    if (w->stop && *w->stop) {
        err_set(&w->io, ERR_CONFLICT, "stopped before the archive was complete");
        archive_set_error(a, ECANCELED, "stopped");
        return -1;
    }
    if (z_feed(w, p, n, ZSTD_e_continue) != 0) {
        archive_set_error(a, EIO, "%s", w->io.msg);
        return -1;
    }
    return (la_ssize_t)n;
}

/* The writer's error: a callback's if one failed, else libarchive's. */
static int tar_error(struct bk_writer *w, const char *what, struct err *e)
{
    if (w->io.code)
        return err_set(e, w->io.code, "%s", w->io.msg);
    return err_set(e, ERR_IO, "%s: %s", what, archive_error_string(w->a));
}

static void *read_back(void *arg)
{
    struct bk_writer *w = arg;
    w->vrc = bk_read(&w->vin, w->vres, &w->verr);
    return NULL;
}

/* Tells the read-back the file is complete (1) or abandoned (-1), and waits
 * for it. */
static void follow_end(struct bk_writer *w, int how)
{
    if (!w->verifying)
        return;
    pthread_mutex_lock(&w->follow.mu);
    w->follow.done = how;
    pthread_cond_broadcast(&w->follow.cv);
    pthread_mutex_unlock(&w->follow.mu);
    pthread_join(w->vth, NULL);
    w->verifying = 0;
}

int bk_writer_open(struct bk_writer **out, const char *dir, const char *name,
                   const unsigned char *key, const char *key_id_hex, int level, int threads,
                   int verify, const volatile int *stop, struct err *e)
{
    if (sodium_init() < 0)
        return err_set(e, ERR_INTERNAL, "libsodium cannot start");
    struct bk_writer *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(e, ERR_NOMEM, "out of memory");
    w->fd = -1;
    w->stop = stop;
    buf_init(&w->manifest, BK_MANIFEST_MAX);
    int rc = 0;
    unsigned char rnd[6];
    char rhex[13];
    fs_random(rnd, sizeof rnd);
    hex_encode(rnd, sizeof rnd, rhex);
    if (strchr(name, '/') || name[0] == '.' ||
        (size_t)snprintf(w->dir, sizeof w->dir, "%s", dir) >= sizeof w->dir ||
        (size_t)snprintf(w->final, sizeof w->final, "%s/%s", dir, name) >= sizeof w->final ||
        (size_t)snprintf(w->tmp, sizeof w->tmp, "%s/.tmp-%s-%s", dir, rhex, name) >= sizeof w->tmp)
        rc = err_set(e, ERR_INPUT, "the archive name %s/%s is unusable or too long", dir, name);
    if (!rc && (!(w->zout = malloc(BK_CHUNK)) || !(w->rbuf = malloc(BK_READ_BUF)) ||
                (key && !(w->sbuf = malloc(BK_SEALED_CHUNK))) || !(w->z = ZSTD_createCCtx())))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc) {
        ZSTD_CCtx_setParameter(w->z, ZSTD_c_compressionLevel, level);
        ZSTD_CCtx_setParameter(w->z, ZSTD_c_checksumFlag, 1);
        if (threads > 0)
            ZSTD_CCtx_setParameter(w->z, ZSTD_c_nbWorkers,
                                   threads); /* ignored when built without */
        if (sha256_init(&w->hash) != 0)
            rc = err_set(e, ERR_INTERNAL, "cannot start SHA-256");
    }
    if (!rc) {
        w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (w->fd < 0)
            rc = err_errno(e, ERR_IO, errno, "cannot create an archive in %s", dir);
    }
    if (!rc && key) {
        unsigned char head[BK_HEADER_LEN];
        memcpy(head, BK_MAGIC, 8);
        hex_decode(key_id_hex, head + 8, 8);
        w->sealed = 1;
        crypto_secretstream_xchacha20poly1305_init_push(&w->ss, head + 16, key);
        if (out_write(w, head, sizeof head) != 0)
            rc = err_set(e, w->io.code, "%s", w->io.msg);
    }
    if (!rc) {
        w->a = archive_write_new();
        if (!w->a || archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
            /* names are bytes, whatever the locale: no conversion that could fail */
            archive_write_set_format_option(w->a, "pax", "hdrcharset", "BINARY") != ARCHIVE_OK ||
            archive_write_set_bytes_per_block(w->a, 64 * 1024) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
            archive_write_open2(w->a, w, NULL, tar_out, NULL, NULL) != ARCHIVE_OK)
            rc = tar_error(w, "cannot start the archive", e);
    }
    if (!rc)
        rc = buf_adds(&w->manifest, manifest_head);
    if (!rc && verify) {
        if (key) {
            memcpy(w->key, key, BK_KEY_LEN);
            snprintf(w->key_id, sizeof w->key_id, "%s", key_id_hex);
        }
        w->vres = calloc(1, sizeof *w->vres);
        pthread_mutex_init(&w->follow.mu, NULL);
        pthread_cond_init(&w->follow.cv, NULL);
        w->follow.written = w->written;
        w->vin = (struct bk_read){.path = w->tmp,
                                  .key = key ? w->key : NULL,
                                  .key_id = key ? w->key_id : NULL,
                                  .follow = &w->follow,
                                  .stop = stop};
        if (!w->vres)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else if (pthread_create(&w->vth, NULL, read_back, w) != 0)
            rc = err_set(e, ERR_INTERNAL, "cannot start a thread");
        else
            w->verifying = 1;
    }
    if (rc) {
        bk_writer_abort(w);
        return rc;
    }
    *out = w;
    return 0;
}

void bk_writer_skip(struct bk_writer *w, dev_t dev, ino_t ino)
{
    if (w->n_skip < BK_MAX_SKIP) {
        w->skip_dev[w->n_skip] = dev;
        w->skip_ino[w->n_skip++] = ino;
    }
}

static struct archive_entry *entry_for(const char *path, const struct stat *sb)
{
    struct archive_entry *en = archive_entry_new();
    if (!en)
        return NULL;
    archive_entry_set_pathname(en, path);
    archive_entry_set_mode(en, sb->st_mode);
    archive_entry_set_uid(en, sb->st_uid);
    archive_entry_set_gid(en, sb->st_gid);
    archive_entry_set_mtime(en, sb->st_mtim.tv_sec, 0);
    archive_entry_set_size(en, S_ISREG(sb->st_mode) ? sb->st_size : 0);
    return en;
}

/* Writes one regular file's entry and content from fd, hashing what goes in. */
static int add_file(struct bk_writer *w, int fd, const char *path, const struct stat *sb,
                    struct err *e)
{
    struct archive_entry *en = entry_for(path, sb);
    if (!en)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    if (archive_write_header(w->a, en) != ARCHIVE_OK)
        rc = tar_error(w, path, e);
    archive_entry_free(en);
    struct sha256_ctx h;
    if (!rc && sha256_init(&h) != 0)
        rc = err_set(e, ERR_INTERNAL, "cannot start SHA-256");
    if (rc)
        return rc;
    uint64_t left = (uint64_t)sb->st_size;
    while (!rc && left > 0) {
        size_t want = left < BK_READ_BUF ? (size_t)left : BK_READ_BUF;
        ssize_t n = read(fd, w->rbuf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_errno(e, ERR_IO, errno, "cannot read %s", path);
            break;
        }
        if (n == 0) { /* shrank while being read: the entry keeps its size, zero-filled */
            w->st.changed++;
            n = (ssize_t)want;
            memset(w->rbuf, 0, want);
        }
        sha256_update(&h, w->rbuf, (size_t)n);
        if (archive_write_data(w->a, w->rbuf, (size_t)n) != n)
            rc = tar_error(w, path, e);
        left -= (uint64_t)n;
    }
    unsigned char md[SHA256_LEN];
    char hex[65];
    if (rc) {
        sha256_release(&h);
        return rc;
    }
    sha256_final(&h, md);
    hex_encode(md, sizeof md, hex);
    struct stat after;
    if (fstat(fd, &after) == 0 &&
        (after.st_size != sb->st_size || after.st_mtim.tv_sec != sb->st_mtim.tv_sec ||
         after.st_mtim.tv_nsec != sb->st_mtim.tv_nsec))
        w->st.changed++;
    w->st.files++;
    w->st.bytes += (uint64_t)sb->st_size;
    if (archive_write_finish_entry(w->a) != ARCHIVE_OK)
        return tar_error(w, path, e);
    return manifest_line(&w->manifest, 'f', sb->st_mode, (uint64_t)sb->st_size, sb->st_mtim.tv_sec,
                         hex, path);
}

static int add_meta(struct bk_writer *w, const char *path, const struct stat *sb,
                    const char *target, struct err *e)
{
    struct archive_entry *en = entry_for(path, sb);
    if (!en)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (target)
        archive_entry_set_symlink(en, target);
    int rc = archive_write_header(w->a, en) != ARCHIVE_OK ? tar_error(w, path, e) : 0;
    archive_entry_free(en);
    if (rc)
        return rc;
    if (!target) {
        w->st.dirs++;
        return manifest_line(&w->manifest, 'd', sb->st_mode, 0, sb->st_mtim.tv_sec, "-", path);
    }
    unsigned char md[SHA256_LEN];
    char hex[65];
    sha256(target, strlen(target), md);
    hex_encode(md, sizeof md, hex);
    w->st.links++;
    return manifest_line(&w->manifest, 'l', sb->st_mode, strlen(target), sb->st_mtim.tv_sec, hex,
                         path);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int skipped_dir(const struct bk_writer *w, const struct stat *sb)
{
    for (int i = 0; i < w->n_skip; i++)
        if (w->skip_dev[i] == sb->st_dev && w->skip_ino[i] == sb->st_ino)
            return 1;
    return 0;
}

static int listed(const char *const *names, const char *name)
{
    for (size_t i = 0; names && names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* Adds the entries of the directory dfd (its path in the archive: path,
 * with a trailing '/'), in name order. Takes dfd. */
static int add_dir(struct bk_writer *w, int dfd, char *path, size_t plen, int depth,
                   const char *const *leave_out, struct err *e)
{
    if (depth > BK_MAX_DEPTH) {
        close(dfd);
        return err_set(e, ERR_INPUT, "%s is nested deeper than %d directories", path, BK_MAX_DEPTH);
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return err_errno(e, ERR_IO, errno, "cannot list %s", path);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    errno = 0;
    while (!rc && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            (depth == 0 && listed(leave_out, de->d_name)))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = strdup(de->d_name)))
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else
            n++;
    }
    if (!rc && errno)
        rc = err_errno(e, ERR_IO, errno, "cannot list %s", path);
    if (n)
        qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; !rc && i < n; i++) {
        if (w->stop && *w->stop) {
            rc = err_set(e, ERR_CONFLICT, "stopped before the archive was complete");
            break;
        }
        size_t nl = strlen(names[i]);
        if (plen + nl + 2 > BK_PATH_MAX) {
            rc = err_set(e, ERR_INPUT, "the path %s%s is too long", path, names[i]);
            break;
        }
        memcpy(path + plen, names[i], nl + 1);
        struct stat sb;
        if (fstatat(dirfd(d), names[i], &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) { /* removed while walking */
                w->st.skipped++;
                continue;
            }
            rc = err_errno(e, ERR_IO, errno, "cannot examine %s", path);
        } else if (S_ISDIR(sb.st_mode)) {
            if (skipped_dir(w, &sb))
                continue;
            int sub = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0 && errno == ENOENT) {
                w->st.skipped++;
                continue;
            }
            if (sub < 0) {
                rc = err_errno(e, ERR_IO, errno, "cannot open %s", path);
                break;
            }
            if (!(rc = add_meta(w, path, &sb, NULL, e))) {
                path[plen + nl] = '/';
                path[plen + nl + 1] = '\0';
                rc = add_dir(w, sub, path, plen + nl + 1, depth + 1, leave_out, e);
            } else {
                close(sub);
            }
        } else if (S_ISREG(sb.st_mode)) {
            int fd = openat(dirfd(d), names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
            if (fd < 0 && errno == EPERM)
                fd = openat(dirfd(d), names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0 && errno == ENOENT) {
                w->st.skipped++;
                continue;
            }
            if (fd < 0) {
                rc = err_errno(e, ERR_IO, errno, "cannot open %s", path);
                break;
            }
            if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
                w->st.skipped++;
            else
                rc = add_file(w, fd, path, &sb, e);
            close(fd);
        } else if (S_ISLNK(sb.st_mode)) {
            char target[BK_PATH_MAX];
            ssize_t tl = readlinkat(dirfd(d), names[i], target, sizeof target - 1);
            if (tl < 0) {
                w->st.skipped++;
                continue;
            }
            target[tl] = '\0';
            rc = add_meta(w, path, &sb, target, e);
        } else {
            w->st.skipped++; /* sockets, pipes and devices are not content */
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    path[plen] = '\0';
    return rc;
}

int bk_add_tree(struct bk_writer *w, const char *src, const char *prefix,
                const char *const *leave_out, struct err *e)
{
    int fd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_errno(e, ERR_INPUT, errno, "cannot open the directory %s", src);
    char *path = malloc(BK_PATH_MAX);
    if (!path) {
        close(fd);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    size_t plen = strlen(prefix);
    int rc = 0;
    if (plen == 0 || plen >= 256 || prefix[plen - 1] != '/')
        rc = err_set(e, ERR_INTERNAL, "an archive prefix ends with '/'");
    if (!rc) {
        memcpy(path, prefix, plen + 1);
        struct stat sb;
        if (fstat(fd, &sb) != 0) {
            rc = err_errno(e, ERR_IO, errno, "cannot examine %s", src);
        } else {
            path[plen - 1] = '\0'; /* the root itself, for its mode and time */
            rc = add_meta(w, path, &sb, NULL, e);
            path[plen - 1] = '/';
        }
    }
    if (!rc) {
        rc = add_dir(w, fd, path, plen, 0, leave_out, e);
        fd = -1;
    }
    if (fd >= 0)
        close(fd);
    free(path);
    return rc;
}

int bk_add_fd(struct bk_writer *w, int fd, const char *name, struct err *e)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return err_set(e, ERR_INTERNAL, "%s is not a regular file", name);
    if (lseek(fd, 0, SEEK_SET) != 0)
        return err_errno(e, ERR_IO, errno, "cannot rewind %s", name);
    sb.st_mode = S_IFREG | 0600;
    return add_file(w, fd, name, &sb, e);
}

int bk_writer_commit(struct bk_writer *w, struct bk_stats *st, struct bk_result *checked,
                     struct err *e)
{
    int rc = 0;
    struct archive_entry *en = archive_entry_new();
    if (!en)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc) {
        archive_entry_set_pathname(en, BK_MANIFEST);
        archive_entry_set_filetype(en, AE_IFREG);
        archive_entry_set_perm(en, 0600);
        archive_entry_set_mtime(en, time_now_ms() / 1000, 0);
        archive_entry_set_size(en, (la_int64_t)w->manifest.len);
        if (archive_write_header(w->a, en) != ARCHIVE_OK ||
            archive_write_data(w->a, w->manifest.p, w->manifest.len) !=
                (la_ssize_t)w->manifest.len ||
            archive_write_close(w->a) != ARCHIVE_OK)
            rc = tar_error(w, "cannot finish the archive", e);
    }
    archive_entry_free(en);
    if (!rc && z_feed(w, NULL, 0, ZSTD_e_end) != 0)
        rc = err_set(e, w->io.code, "%s", w->io.msg);
    if (!rc && (w->sealed || w->zout_len) && flush_chunk(w, 1) != 0)
        rc = err_set(e, w->io.code, "%s", w->io.msg);
    int was_verifying = w->verifying;
    if (!rc)
        follow_end(w, 1); /* the read-back finishes while the file is synced */
    if (!rc && fsync(w->fd) != 0)
        rc = err_errno(e, ERR_IO, errno, "cannot write the archive in %s", w->dir);
    if (!rc) {
        unsigned char md[SHA256_LEN];
        sha256_final(&w->hash, md);
        w->hash.md = NULL;
        w->st.size = w->written;
        hex_encode(md, sizeof md, w->st.sha256);
        *st = w->st;
    }
    if (!rc && was_verifying) {
        struct bk_result *v = w->vres;
        if (w->vrc)
            rc = err_set(e, w->verr.code, "reading the archive back: %s", w->verr.msg);
        else if (!v->damaged && strcmp(v->st.sha256, w->st.sha256) != 0)
            damaged(v, "the archive read back differs from the one written");
        /* the manifest matched, so the entries are the ones written */
        if (!rc) {
            *checked = *v;
            checked->st = w->st;
        }
    }
    int keep = !rc && !(was_verifying && checked->damaged);
    if (keep && renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->final, RENAME_NOREPLACE) != 0)
        rc = err_errno(e, ERR_IO, errno, "cannot put the archive in place as %s", w->final);
    else if (keep) {
        w->tmp[0] = '\0';
        fs_fsync_dir(w->dir, NULL);
    }
    bk_writer_abort(w);
    return rc;
}

void bk_writer_abort(struct bk_writer *w)
{
    if (!w)
        return;
    w->aborting = 1;
    follow_end(w, -1);
    if (w->a)
        archive_write_free(w->a);
    if (w->fd >= 0)
        close(w->fd);
    if (w->tmp[0])
        unlink(w->tmp);
    if (w->hash.md)
        sha256_release(&w->hash);
    ZSTD_freeCCtx(w->z);
    sodium_memzero(&w->ss, sizeof w->ss);
    sodium_memzero(w->key, sizeof w->key);
    free(w->vres);
    free(w->zout);
    free(w->sbuf);
    free(w->rbuf);
    buf_release(&w->manifest);
    free(w);
}

/* ---- reading ------------------------------------------------------------- */

#define PIPE_BUFS 4
#define PIPE_CAP  (1u << 20)

struct bk_reader {
    const struct bk_read *in;
    struct bk_result *r;
    int fd;
    struct sha256_ctx hash;
    int sealed, final_seen, raw_eof, frame_open, pending;
    uint64_t chunks;
    crypto_secretstream_xchacha20poly1305_state ss;
    unsigned char *raw, *plain, *zout;
    size_t plain_len, plain_pos;
    ZSTD_DCtx *z;
    uint64_t size;       /* of the archive file read so far */
    struct bk_result pr; /* what the producer found damaged */
    struct err io;       /* a problem of the call, not of the archive */
    /* decompression runs on a thread of its own, a few buffers ahead of the
     * unpacking: filled are [tail, head), the consumer holds tail */
    pthread_t th;
    int started, quit, holding;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned head, tail;
    unsigned char *buf[PIPE_BUFS];
    ssize_t len[PIPE_BUFS];
};

static int damaged(struct bk_result *r, const char *fmt, ...)
{
    if (!r->damaged) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->why, sizeof r->why, fmt, ap);
        va_end(ap);
        r->damaged = 1;
    }
    return -1;
}

static ssize_t read_full(struct bk_reader *rd, unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(rd->fd, p + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            err_errno(&rd->io, ERR_IO, errno, "cannot read %s", rd->in->path);
            return -1;
        }
        if (k == 0 && rd->in->follow) { /* the writer may not be there yet */
            struct bk_follow *f = rd->in->follow;
            uint64_t at = rd->size + got;
            pthread_mutex_lock(&f->mu);
            while (!f->done && f->written <= at)
                pthread_cond_wait(&f->cv, &f->mu);
            int done = f->done, more = f->written > at;
            pthread_mutex_unlock(&f->mu);
            if (more)
                continue;
            if (done < 0) {
                err_set(&rd->io, ERR_CONFLICT, "the archive was abandoned while being written");
                return -1;
            }
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    sha256_update(&rd->hash, p, got);
    rd->size += got;
    return (ssize_t)got;
}

/* Reads the next block of compressed bytes into plain; 0 at the end. */
static int fill_plain(struct bk_reader *rd)
{
    rd->plain_pos = rd->plain_len = 0;
    if (!rd->sealed) {
        ssize_t n = read_full(rd, rd->plain, BK_CHUNK);
        if (n < 0)
            return -1;
        rd->plain_len = (size_t)n;
        rd->raw_eof = n < (ssize_t)BK_CHUNK;
        return 0;
    }
    if (rd->final_seen) {
        ssize_t n = read_full(rd, rd->raw, 1);
        rd->raw_eof = 1;
        return n < 0 ? -1 : n ? damaged(&rd->pr, "data follows the final sealed chunk") : 0;
    }
    ssize_t n = read_full(rd, rd->raw, BK_SEALED_CHUNK);
    if (n < 0)
        return -1;
    rd->chunks++;
    if (n < (ssize_t)crypto_secretstream_xchacha20poly1305_ABYTES)
        return damaged(&rd->pr, "the archive is truncated (sealed chunk %llu is incomplete)",
                       (unsigned long long)rd->chunks);
    unsigned long long plen = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&rd->ss, rd->plain, &plen, &tag, rd->raw,
                                                   (unsigned long long)n, NULL, 0) != 0)
        return damaged(
            &rd->pr, "sealed chunk %llu fails authentication: the archive was altered or cut short",
            (unsigned long long)rd->chunks);
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        rd->final_seen = 1;
    else if (n < (ssize_t)BK_SEALED_CHUNK)
        return damaged(&rd->pr, "the archive is truncated after sealed chunk %llu",
                       (unsigned long long)rd->chunks);
    rd->plain_len = (size_t)plen;
    return 0;
}

/* Decompresses the next bytes of the tar stream into dst; 0 at its end, -1
 * when the archive is damaged or cannot be read. */
static ssize_t inflate_some(struct bk_reader *rd, unsigned char *dst, size_t cap)
{
    for (;;) {
        if (rd->in->stop && *rd->in->stop) {
            err_set(&rd->io, ERR_CONFLICT, "stopped before the archive was read");
            return -1;
        }
        if (rd->plain_pos < rd->plain_len || rd->pending) {
            ZSTD_inBuffer in = {rd->plain, rd->plain_len, rd->plain_pos};
            ZSTD_outBuffer o = {dst, cap, 0};
            size_t ret = ZSTD_decompressStream(rd->z, &o, &in);
            if (ZSTD_isError(ret))
                return damaged(&rd->pr, "the compressed stream is damaged (%s)",
                               ZSTD_getErrorName(ret));
            rd->plain_pos = in.pos;
            rd->frame_open = ret != 0;
            rd->pending = o.pos == o.size;
            if (o.pos)
                return (ssize_t)o.pos;
            if (in.pos < in.size)
                continue;
        }
        if (rd->raw_eof) {
            if (rd->frame_open)
                return damaged(&rd->pr, "the archive is truncated (the compressed stream ends "
                                        "early)");
            if (rd->sealed && !rd->final_seen)
                return damaged(&rd->pr, "the archive is truncated (no final sealed chunk)");
            return 0;
        }
        if (fill_plain(rd) != 0)
            return -1;
    }
}

static void *producer(void *arg)
{
    struct bk_reader *rd = arg;
    for (;;) {
        pthread_mutex_lock(&rd->mu);
        while (!rd->quit && rd->head - rd->tail == PIPE_BUFS)
            pthread_cond_wait(&rd->cv, &rd->mu);
        int quit = rd->quit;
        unsigned slot = rd->head % PIPE_BUFS;
        pthread_mutex_unlock(&rd->mu);
        if (quit)
            break;
        /* a whole buffer at a time: fewer hand-overs */
        ssize_t n = 0, k = 1;
        while (n < (ssize_t)PIPE_CAP && (k = inflate_some(rd, rd->buf[slot] + n, PIPE_CAP - n)) > 0)
            n += k;
        pthread_mutex_lock(&rd->mu);
        rd->len[slot] = n ? n : k;
        rd->head++;
        pthread_cond_broadcast(&rd->cv);
        pthread_mutex_unlock(&rd->mu);
        if (n == 0)
            break;    /* the end, or damage: told through len */
        if (k <= 0) { /* data and then the end: the end goes in the next buffer */
            pthread_mutex_lock(&rd->mu);
            while (!rd->quit && rd->head - rd->tail == PIPE_BUFS)
                pthread_cond_wait(&rd->cv, &rd->mu);
            if (!rd->quit) {
                rd->len[rd->head % PIPE_BUFS] = k;
                rd->head++;
                pthread_cond_broadcast(&rd->cv);
            }
            pthread_mutex_unlock(&rd->mu);
            break;
        }
    }
    return NULL;
}

static la_ssize_t tar_in(struct archive *a, void *ctx, const void **out)
{
    (void)a;
    struct bk_reader *rd = ctx;
    pthread_mutex_lock(&rd->mu);
    if (rd->holding) {
        rd->tail++;
        rd->holding = 0;
        pthread_cond_broadcast(&rd->cv);
    }
    while (rd->head == rd->tail)
        pthread_cond_wait(&rd->cv, &rd->mu);
    unsigned slot = rd->tail % PIPE_BUFS;
    ssize_t n = rd->len[slot];
    if (n > 0) {
        rd->holding = 1;
        *out = rd->buf[slot];
    }
    pthread_mutex_unlock(&rd->mu);
    return (la_ssize_t)(n < 0 ? -1 : n);
}

static void pipe_stop(struct bk_reader *rd)
{
    if (!rd->started)
        return;
    pthread_mutex_lock(&rd->mu);
    rd->quit = 1;
    pthread_cond_broadcast(&rd->cv);
    pthread_mutex_unlock(&rd->mu);
    pthread_join(rd->th, NULL);
    rd->started = 0;
}

/* The first difference between what the archive holds and its manifest. */
static void manifest_diff(const struct buf *seen, const struct buf *listed, struct bk_result *r)
{
    const char *a = seen->p ? seen->p : "", *b = listed->p ? listed->p : "";
    size_t la = seen->len, lb = listed->len, i = 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    while (i > 0 && a[i - 1] != '\n')
        i--;
    const char *line = i < la ? a + i : b + i;
    const char *end = memchr(line, '\n', (size_t)((i < la ? a + la : b + lb) - line));
    int n = end ? (int)(end - line) : (int)strnlen(line, 200);
    const char *path = line;
    for (int k = 0; k < 5 && path; k++) {
        path = memchr(path, '\t', (size_t)(line + n - path));
        path = path ? path + 1 : NULL;
    }
    int pn = path ? (int)(line + n - path) : n;
    if (i >= la)
        damaged(r, "%.*s is listed in the manifest but missing from the archive",
                pn > 300 ? 300 : pn, path ? path : line);
    else if (i >= lb)
        damaged(r, "%.*s is in the archive but not in its manifest", pn > 300 ? 300 : pn,
                path ? path : line);
    else
        damaged(r, "%.*s differs from the manifest (content, size, mode or time)",
                pn > 300 ? 300 : pn, path ? path : line);
}

static int safe_member(const char *name)
{
    if (strcmp(name, "files") == 0)
        return 1;
    if (strncmp(name, "files/", 6) != 0 || name[6] == '\0')
        return 0;
    for (const char *p = name + 6; *p;) {
        const char *s = strchr(p, '/');
        size_t n = s ? (size_t)(s - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += n + (s ? 1 : 0);
        if (s && !*p)
            return 0;
    }
    return 1;
}

/* Where a restore goes: parent resolved, target new or an empty directory. */
struct target {
    char final[PATH_MAX], tmp[PATH_MAX];
    int existed;
};

static int target_prepare(const char *to, struct target *t, struct err *e)
{
    char copy[PATH_MAX], parent[PATH_MAX];
    size_t n = strlen(to);
    while (n > 1 && to[n - 1] == '/')
        n--;
    if (n == 0 || n >= sizeof copy)
        return err_set(e, ERR_USAGE, "the restore target '%.200s' is unusable", to);
    memcpy(copy, to, n);
    copy[n] = '\0';
    char *slash = strrchr(copy, '/');
    const char *base = slash ? slash + 1 : copy;
    const char *pdir = slash ? (slash == copy ? "/" : copy) : ".";
    if (slash)
        *slash = '\0';
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return err_set(e, ERR_USAGE, "the restore target '%.200s' must name a directory", to);
    if (!realpath(pdir, parent))
        return err_errno(e, ERR_INPUT, errno, "the restore target's parent %.200s", pdir);
    if ((size_t)snprintf(t->final, sizeof t->final, "%s/%s", strcmp(parent, "/") ? parent : "",
                         base) >= sizeof t->final ||
        (size_t)snprintf(t->tmp, sizeof t->tmp, "%s/.%s.tocsin-restore-XXXXXX",
                         strcmp(parent, "/") ? parent : "", base) >= sizeof t->tmp)
        return err_set(e, ERR_USAGE, "the restore target '%.200s' is too long", to);
    struct stat sb;
    t->existed = 0;
    if (lstat(t->final, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return err_set(e, ERR_INPUT, "the restore target %s exists and is not a directory",
                           t->final);
        DIR *d = opendir(t->final);
        if (!d)
            return err_errno(e, ERR_INPUT, errno, "cannot open the restore target %s", t->final);
        struct dirent *de;
        int empty = 1;
        while (empty && (de = readdir(d)) != NULL)
            empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
        closedir(d);
        if (!empty)
            return err_set(e, ERR_INPUT,
                           "the restore target %s is not empty; restore into a new or empty "
                           "directory",
                           t->final);
        t->existed = 1;
    } else if (errno != ENOENT) {
        return err_errno(e, ERR_INPUT, errno, "cannot examine the restore target %s", t->final);
    }
    if (!mkdtemp(t->tmp))
        return err_errno(e, ERR_IO, errno, "cannot create a directory beside %s", t->final);
    return 0;
}

static int target_commit(struct target *t, unsigned mode, int64_t mtime, struct err *e)
{
    chmod(t->tmp, mode & 07777);
    struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
    utimensat(AT_FDCWD, t->tmp, ts, AT_SYMLINK_NOFOLLOW);
    if (t->existed) {
        if (renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->final, RENAME_EXCHANGE) != 0)
            return err_errno(e, ERR_IO, errno, "cannot put the restored tree at %s", t->final);
        rmdir(t->tmp); /* now the empty directory that was there */
    } else if (renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->final, RENAME_NOREPLACE) != 0) {
        return err_errno(e, ERR_IO, errno, "cannot put the restored tree at %s", t->final);
    }
    return 0;
}

/* Restores one member below the temporary directory. */
static int disk_entry(struct archive *ad, struct archive_entry *en, const struct target *t,
                      const char *rel, struct err *e)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", t->tmp, rel) >= sizeof path)
        return err_set(e, ERR_INPUT, "the path %s is too long to restore here", rel);
    struct archive_entry *c = archive_entry_clone(en);
    if (!c)
        return err_set(e, ERR_NOMEM, "out of memory");
    archive_entry_set_pathname(c, path);
    int rc = archive_write_header(ad, c) < ARCHIVE_WARN
                 ? err_set(e, ERR_IO, "cannot restore %s: %s", rel, archive_error_string(ad))
                 : 0;
    archive_entry_free(c);
    return rc;
}

static int read_members(struct bk_reader *rd, struct archive *a, struct archive *ad,
                        const struct target *t, unsigned *root_mode, int64_t *root_mtime,
                        struct err *e)
{
    struct bk_result *r = rd->r;
    struct buf seen, listed;
    buf_init(&seen, BK_MANIFEST_MAX);
    buf_init(&listed, BK_MANIFEST_MAX);
    int rc = buf_adds(&seen, manifest_head), have_manifest = 0, ar = ARCHIVE_EOF;
    struct archive_entry *en;
    while (!rc && !r->damaged && (ar = archive_read_next_header(a, &en)) == ARCHIVE_OK) {
        const char *raw = archive_entry_pathname(en);
        size_t rl = raw ? strlen(raw) : 0;
        if (!rl || rl >= BK_PATH_MAX) {
            damaged(r, "an entry has no usable name");
            break;
        }
        char name[BK_PATH_MAX];
        memcpy(name, raw, rl + 1);
        if (archive_entry_filetype(en) == AE_IFDIR && rl > 1 && name[rl - 1] == '/')
            name[rl - 1] = '\0'; /* tar writes directories with a slash */
        if (have_manifest) {
            damaged(r, "%.200s follows the manifest, which must come last", name);
            break;
        }
        const void *p;
        size_t n;
        la_int64_t off;
        if (strcmp(name, BK_MANIFEST) == 0) {
            have_manifest = 1;
            while (!rc && (ar = archive_read_data_block(a, &p, &n, &off)) == ARCHIVE_OK)
                if (buf_add(&listed, p, n) != 0)
                    damaged(r, "the manifest is larger than %u bytes", BK_MANIFEST_MAX);
            if (ar != ARCHIVE_EOF && !r->damaged)
                damaged(r, "the manifest cannot be read (%s)", archive_error_string(a));
            continue;
        }
        if (!safe_member(name)) {
            damaged(r, "%.200s is not a member a tocsin backup can hold", name);
            break;
        }
        mode_t type = archive_entry_filetype(en);
        char kind = type == AE_IFREG ? 'f' : type == AE_IFDIR ? 'd' : type == AE_IFLNK ? 'l' : 0;
        if (!kind || archive_entry_hardlink(en)) {
            damaged(r, "%.200s has a type a tocsin backup never holds", name);
            break;
        }
        const char *rel = name[5] ? name + 6 : NULL;
        if (ad && rel && (rc = disk_entry(ad, en, t, rel, e)) != 0)
            break;
        if (!rel) {
            *root_mode = archive_entry_perm(en);
            *root_mtime = archive_entry_mtime(en);
        }
        char hex[65] = "-";
        unsigned char md[SHA256_LEN];
        uint64_t size = 0;
        if (kind == 'f') {
            struct sha256_ctx h;
            if (sha256_init(&h) != 0) {
                rc = err_set(e, ERR_INTERNAL, "cannot start SHA-256");
                break;
            }
            while ((ar = archive_read_data_block(a, &p, &n, &off)) == ARCHIVE_OK) {
                sha256_update(&h, p, n);
                size += n;
                if (ad && rel && n && archive_write_data_block(ad, p, n, off) < ARCHIVE_WARN) {
                    rc = err_set(e, ERR_IO, "cannot restore %s: %s", rel, archive_error_string(ad));
                    break;
                }
            }
            sha256_final(&h, md);
            hex_encode(md, sizeof md, hex);
            if (!rc && ar != ARCHIVE_EOF)
                damaged(r, "%.200s cannot be read (%s)", name, archive_error_string(a));
            r->st.files++;
            r->st.bytes += size;
        } else if (kind == 'l') {
            const char *target = archive_entry_symlink(en);
            target = target ? target : "";
            sha256(target, strlen(target), md);
            hex_encode(md, sizeof md, hex);
            size = strlen(target);
            r->st.links++;
        } else {
            r->st.dirs++;
        }
        if (!rc && ad && rel && archive_write_finish_entry(ad) < ARCHIVE_WARN)
            rc = err_set(e, ERR_IO, "cannot restore %s: %s", rel, archive_error_string(ad));
        if (!rc && !r->damaged &&
            manifest_line(&seen, kind, archive_entry_perm(en), size, archive_entry_mtime(en), hex,
                          name) != 0)
            damaged(r, "the archive lists more entries than a manifest can hold");
    }
    if (!rc && !r->damaged && ar != ARCHIVE_EOF && ar != ARCHIVE_OK)
        damaged(r, "the archive cannot be unpacked (%s)", archive_error_string(a));
    if (!rc && !r->damaged) {
        /* the rest of the stream: the zstd checksum and the final chunk */
        const void *p;
        la_ssize_t k;
        while ((k = tar_in(a, rd, &p)) > 0)
            ;
    }
    if (!rc && !r->damaged && !have_manifest)
        damaged(r, "the archive has no manifest: it is truncated or not a tocsin backup");
    if (!rc && !r->damaged && (seen.len != listed.len || memcmp(seen.p, listed.p, seen.len) != 0))
        manifest_diff(&seen, &listed, r);
    buf_release(&seen);
    buf_release(&listed);
    return rc;
}

int bk_read(const struct bk_read *in, struct bk_result *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    if (sodium_init() < 0)
        return err_set(e, ERR_INTERNAL, "libsodium cannot start");
    struct bk_reader rd = {.in = in, .r = r, .frame_open = 1};
    pthread_mutex_init(&rd.mu, NULL);
    pthread_cond_init(&rd.cv, NULL);
    rd.fd = open(in->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (rd.fd < 0)
        return err_errno(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, errno, "cannot open %s",
                         in->path);
    int rc = 0;
    struct stat sb;
    if (fstat(rd.fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        rc = err_set(e, ERR_INPUT, "%s is not a regular file", in->path);
    if (!rc && (sha256_init(&rd.hash) != 0 || !(rd.raw = malloc(BK_SEALED_CHUNK)) ||
                !(rd.plain = malloc(BK_CHUNK)) || !(rd.z = ZSTD_createDCtx())))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < PIPE_BUFS; i++)
        if (!(rd.buf[i] = malloc(PIPE_CAP)))
            rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc)
        ZSTD_DCtx_setParameter(rd.z, ZSTD_d_windowLogMax, 27); /* bounds memory */
    unsigned char head[BK_HEADER_LEN];
    ssize_t hn = rc ? -1 : read_full(&rd, head, sizeof head);
    if (!rc && hn < 0)
        rc = err_set(e, rd.io.code, "%s", rd.io.msg);
    if (!rc && hn == (ssize_t)sizeof head && memcmp(head, BK_MAGIC, 8) == 0) {
        char id[BK_KEY_ID_LEN];
        hex_encode(head + 8, 8, id);
        rd.sealed = 1;
        if (!in->key)
            rc = err_set(e, ERR_USAGE, "%s is sealed with key %s: give its key file", in->path, id);
        else if (in->key_id && strcmp(in->key_id, id) != 0)
            rc = err_set(e, ERR_INPUT,
                         "wrong key: %s is sealed with key %s, the key file holds key %s", in->path,
                         id, in->key_id);
        else if (crypto_secretstream_xchacha20poly1305_init_pull(&rd.ss, head + 16, in->key) != 0)
            damaged(r, "the sealed archive's header is damaged");
    } else if (!rc && hn > 0) { /* not sealed: what was read is the stream's start */
        memcpy(rd.plain, head, (size_t)hn);
        rd.plain_len = (size_t)hn;
        rd.raw_eof = hn < (ssize_t)sizeof head;
    } else if (!rc) {
        damaged(r, "the archive is empty");
    }
    struct target t = {0};
    int have_target = 0;
    if (!rc && !r->damaged && in->to) {
        rc = target_prepare(in->to, &t, e);
        have_target = !rc;
    }
    struct archive *a = NULL, *ad = NULL;
    unsigned root_mode = 0755;
    int64_t root_mtime = time_now_ms() / 1000;
    if (!rc && !r->damaged) {
        a = archive_read_new();
        if (have_target) {
            ad = archive_write_disk_new();
            int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                        ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT;
            if (geteuid() == 0)
                flags |= ARCHIVE_EXTRACT_OWNER;
            if (ad) {
                archive_write_disk_set_options(ad, flags);
                archive_write_disk_set_standard_lookup(ad);
            }
        }
        if (pthread_create(&rd.th, NULL, producer, &rd) == 0)
            rd.started = 1;
        else
            rc = err_set(e, ERR_INTERNAL, "cannot start a thread");
        int opened = !rc && a && (!have_target || ad) &&
                     archive_read_support_format_tar(a) == ARCHIVE_OK &&
                     archive_read_open(a, &rd, NULL, tar_in, NULL) == ARCHIVE_OK;
        if (opened)
            rc = read_members(&rd, a, ad, &t, &root_mode, &root_mtime, e);
        else if (!rc && !r->damaged && !rd.io.code)
            damaged(r, "the archive cannot be opened (%s)",
                    a ? archive_error_string(a) : "out of memory");
        if (ad && archive_write_close(ad) != ARCHIVE_OK && !rc && !r->damaged)
            rc = err_set(e, ERR_IO, "cannot finish restoring into %s: %s", t.final,
                         archive_error_string(ad));
    }
    pipe_stop(&rd);
    if (rd.pr.damaged) { /* the root cause: what unpacking saw after it follows from it */
        r->damaged = 1;
        memcpy(r->why, rd.pr.why, sizeof r->why);
    }
    r->st.size = rd.size;
    if (!rc && rd.io.code)
        rc = err_set(e, rd.io.code, "%s", rd.io.msg);
    unsigned char md[SHA256_LEN];
    if (rd.hash.md) {
        sha256_final(&rd.hash, md);
        hex_encode(md, sizeof md, r->st.sha256);
    }
    if (!rc && !r->damaged && in->expect_sha256 && strcmp(in->expect_sha256, r->st.sha256) != 0)
        damaged(r, "the archive file's SHA-256 differs from the one recorded when it was made");
    if (!rc && !r->damaged && have_target)
        rc = target_commit(&t, root_mode, root_mtime, e);
    else if (have_target)
        fs_remove_tree(AT_FDCWD, t.tmp, BK_MAX_DEPTH + 2);
    if (a)
        archive_read_free(a);
    if (ad)
        archive_write_free(ad);
    ZSTD_freeDCtx(rd.z);
    sodium_memzero(&rd.ss, sizeof rd.ss);
    free(rd.raw);
    free(rd.plain);
    for (int i = 0; i < PIPE_BUFS; i++)
        free(rd.buf[i]);
    pthread_mutex_destroy(&rd.mu);
    pthread_cond_destroy(&rd.cv);
    close(rd.fd);
    return rc;
}
