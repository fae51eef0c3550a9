/* Following a log that is being written: across rotation by rename (the old
 * file is read to its end first), copytruncate and truncation, with lines
 * longer than the buffer dropped whole without losing the next line's start.
 * The position (device, inode, offset and a hash of the file's first bytes,
 * since inodes are reused) is the caller's to keep, so that a restart neither
 * loses nor repeats lines. */
#include "logwatch_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_BYTES (1u << 20)
#define HEAD_BYTES 256 /* what identifies a file besides its inode */

struct lw_tail {
    char path[4096];
    int fd;
    struct lw_tail_pos pos;
    int discarding; /* inside a line longer than LW_LINE_MAX */
    char *buf;      /* a partial line, then what was read */
    size_t have;
};

/* The hash of the file's first bytes, hex; "" for an empty file. */
static void head_of(int fd, char out[33])
{
    char b[HEAD_BYTES];
    ssize_t n = pread(fd, b, sizeof(b), 0);
    out[0] = '\0';
    if (n <= 0)
        return;
    /* The head grows until the file has HEAD_BYTES: only a full head is
     * compared, shorter ones prove nothing. */
    unsigned char d[SHA256_LEN];
    sha256(b, (size_t)n, d);
    hex_encode(d, 16, out);
    if (n < HEAD_BYTES)
        out[0] = '\0';
}

int lw_tail_open(const char *path, const struct lw_tail_pos *from, struct lw_tail **out,
                 struct err *e)
{
    *out = NULL;
    if (strlen(path) >= sizeof(((struct lw_tail *)0)->path))
        return err_set(e, ERR_INPUT, "a log path longer than 4095 bytes");
    struct lw_tail *t = calloc(1, sizeof(*t));
    if (!t || !(t->buf = malloc(LW_LINE_MAX + READ_BYTES))) {
        free(t);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    snprintf(t->path, sizeof(t->path), "%s", path);
    t->fd = -1;
    if (from)
        t->pos = *from;
    *out = t;
    return 0;
}

void lw_tail_free(struct lw_tail *t)
{
    if (!t)
        return;
    if (t->fd >= 0)
        close(t->fd);
    free(t->buf);
    free(t);
}

/* Opens the file now at path; 1 when it is the one the position names. */
static int reopen(struct lw_tail *t)
{
    int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    char head[33];
    head_of(fd, head);
    int same = (uint64_t)st.st_dev == t->pos.dev && (uint64_t)st.st_ino == t->pos.ino &&
               (!t->pos.head[0] || !head[0] || strcmp(head, t->pos.head) == 0);
    if (t->fd >= 0)
        close(t->fd);
    t->fd = fd;
    if (!same) {
        t->pos = (struct lw_tail_pos){.dev = (uint64_t)st.st_dev, .ino = (uint64_t)st.st_ino};
        t->have = 0;
        t->discarding = 0;
    }
    snprintf(t->pos.head, sizeof(t->pos.head), "%s", head);
    return same;
}

/* Hands every complete line of the buffer to fn; keeps the partial one. At
 * the end of a file that will not grow (rotated away), the partial line is a
 * line too. */
static uint64_t emit(struct lw_tail *t, lw_line_fn fn, void *ctx, int final)
{
    uint64_t n = 0;
    size_t at = 0;
    while (at < t->have) {
        const char *nl = memchr(t->buf + at, '\n', t->have - at);
        if (!nl && !final)
            break;
        size_t end = nl ? (size_t)(nl - t->buf) : t->have;
        if (t->discarding) {
            t->discarding = 0; /* the end of an over-long line */
        } else {
            fn(ctx, t->buf + at, end - at);
            n++;
        }
        at = end + (nl != NULL);
    }
    memmove(t->buf, t->buf + at, t->have - at);
    t->have -= at;
    if (t->have > LW_LINE_MAX) {
        /* No newline within the longest line allowed: drop it whole. */
        t->have = 0;
        t->discarding = 1;
    }
    return n;
}

/* Reads fd from the position to its end, handing lines to fn. */
static int drain(struct lw_tail *t, lw_line_fn fn, void *ctx, uint64_t *lines, struct err *e)
{
    for (;;) {
        ssize_t k = pread(t->fd, t->buf + t->have, READ_BYTES, (off_t)t->pos.offset);
        if (k < 0)
            return err_errno(e, ERR_IO, errno, "cannot read %s", t->path);
        if (k == 0)
            return 0;
        t->have += (size_t)k;
        t->pos.offset += (uint64_t)k;
        *lines += emit(t, fn, ctx, 0);
    }
}

int lw_tail_poll(struct lw_tail *t, lw_line_fn fn, void *ctx, uint64_t *lines, struct err *e)
{
    *lines = 0;
    if (t->fd < 0 && reopen(t) < 0)
        return 0; /* not there (yet): nothing to read */
    struct stat st, now;
    if (fstat(t->fd, &st) != 0)
        return err_errno(e, ERR_IO, errno, "cannot stat %s", t->path);
    char head[33] = "";
    if (t->pos.head[0])
        head_of(t->fd, head);
    /* Shorter than where we stand, or its first bytes changed (truncated
     * and written past our position between two polls). */
    if ((uint64_t)st.st_size < t->pos.offset || (head[0] && strcmp(head, t->pos.head) != 0)) {
        /* Truncated (copytruncate, or by hand): start again at its top; a
         * partial line from before belongs to nothing now. */
        log_info("logwatch: %s was truncated; reading it from the start", t->path);
        t->pos.offset = 0;
        t->pos.head[0] = '\0';
        t->have = 0;
        t->discarding = 0;
    }
    int rc = drain(t, fn, ctx, lines, e);
    if (rc)
        return rc;
    /* Renamed away and replaced: the old file was read to its end above;
     * its last line, even without a newline, is complete now. */
    if (stat(t->path, &now) == 0 &&
        ((uint64_t)now.st_ino != (uint64_t)st.st_ino || now.st_dev != st.st_dev)) {
        *lines += emit(t, fn, ctx, 1);
        t->have = 0;
        t->discarding = 0;
        if (reopen(t) >= 0) {
            log_info("logwatch: %s was rotated; following the new file", t->path);
            uint64_t more = 0;
            rc = drain(t, fn, ctx, &more, e);
            *lines += more;
        }
    }
    if (!t->pos.head[0])
        head_of(t->fd, t->pos.head);
    return rc;
}

/* The position the caller may store: after the last complete line. */
void lw_tail_committed(const struct lw_tail *t, struct lw_tail_pos *out)
{
    *out = t->pos;
    out->offset -= t->have <= out->offset ? t->have : out->offset;
}

/* Before following from a stored position: when the file at path is no longer
 * the one it names, the rotated file (path.1) is looked for and its rest read
 * first, so that lines written just before a rotation while tocsin was
 * stopped are not lost. */
int lw_tail_catch_up(struct lw_tail *t, lw_line_fn fn, void *ctx, uint64_t *lines, struct err *e)
{
    *lines = 0;
    if (!t->pos.ino)
        return 0;
    struct stat st;
    if (stat(t->path, &st) == 0 && (uint64_t)st.st_dev == t->pos.dev &&
        (uint64_t)st.st_ino == t->pos.ino)
        return 0;
    char old[4096 + 3];
    snprintf(old, sizeof(old), "%s.1", t->path);
    int fd = open(old, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return 0;
    char head[33];
    head_of(fd, head);
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_dev != t->pos.dev ||
        (uint64_t)st.st_ino != t->pos.ino || (t->pos.head[0] && strcmp(head, t->pos.head) != 0)) {
        close(fd);
        return 0;
    }
    log_info("logwatch: %s was rotated while tocsin was stopped; reading the rest of %s", t->path,
             old);
    int keep = t->fd;
    t->fd = fd;
    int rc = drain(t, fn, ctx, lines, e);
    if (!rc)
        *lines += emit(t, fn, ctx, 1);
    close(fd);
    t->fd = keep;
    /* Now follow the new file from its top. */
    t->pos = (struct lw_tail_pos){0};
    t->have = 0;
    t->discarding = 0;
    return rc;
}
