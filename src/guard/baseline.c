/* The baseline: entries in memory, the baseline file, and comparison. */
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARENA_BLOCK (1u << 20)

struct path_arena {
    struct path_arena *next;
    size_t used, cap;
    char data[];
};

void baseline_init(struct baseline *b)
{
    memset(b, 0, sizeof(*b));
}

void baseline_free(struct baseline *b)
{
    for (struct path_arena *a = b->arena, *next; a; a = next) {
        next = a->next;
        free(a);
    }
    free(b->v);
    baseline_init(b);
}

static char *arena_copy(struct baseline *b, const char *p, size_t n)
{
    struct path_arena *a = b->arena;
    if (!a || a->cap - a->used < n + 1) {
        size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
        a = malloc(sizeof(*a) + cap);
        if (!a)
            return NULL;
        mem_prefault(a, sizeof(*a) + cap);
        a->used = 0;
        a->cap = cap;
        a->next = b->arena;
        b->arena = a;
    }
    char *out = a->data + a->used;
    memcpy(out, p, n);
    out[n] = 0;
    a->used += n + 1;
    return out;
}

int baseline_add(struct baseline *b, const struct gentry *g, struct err *e)
{
    if (b->n >= GUARD_ENTRIES_MAX)
        return err_set(e, ERR_TOOBIG, "more than %u entries", GUARD_ENTRIES_MAX);
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        struct gentry *v = realloc(b->v, cap * sizeof(*v));
        if (!v)
            return err_set(e, ERR_NOMEM, "out of memory for %zu entries", cap);
        mem_prefault(v + b->cap, (cap - b->cap) * sizeof(*v));
        b->v = v;
        b->cap = cap;
    }
    struct gentry *d = &b->v[b->n];
    *d = *g;
    d->path = arena_copy(b, g->path, g->path_len);
    if (!d->path)
        return err_set(e, ERR_NOMEM, "out of memory for paths");
    b->n++;
    return 0;
}

int baseline_merge(struct baseline *dst, struct baseline *const *src, size_t nsrc, struct err *e)
{
    size_t total = dst->n;
    for (size_t r = 0; r < nsrc; r++)
        total += src[r]->n;
    if (total > GUARD_ENTRIES_MAX)
        return err_set(e, ERR_TOOBIG, "more than %u entries", GUARD_ENTRIES_MAX);
    struct gentry *v = malloc((total ? total : 1) * sizeof(*v));
    size_t *at = calloc(nsrc + 1, sizeof(*at));
    if (!v || !at) {
        free(v);
        free(at);
        return err_set(e, ERR_NOMEM, "out of memory for %zu entries", total);
    }
    mem_prefault(v, total * sizeof(*v));
    /* Run 0 is dst, run r > 0 is src[r - 1]; a handful of runs, so the
     * smallest head is found by looking at each. */
    for (size_t o = 0; o < total; o++) {
        const struct gentry *best = NULL;
        size_t from = 0;
        for (size_t r = 0; r <= nsrc; r++) {
            const struct baseline *b = r ? src[r - 1] : dst;
            if (at[r] < b->n && (!best || strcmp(b->v[at[r]].path, best->path) < 0)) {
                best = &b->v[at[r]];
                from = r;
            }
        }
        v[o] = *best;
        at[from]++;
    }
    free(at);
    free(dst->v);
    dst->v = v;
    dst->n = dst->cap = total;
    /* The paths stay where they are: their blocks change hands. */
    for (size_t r = 0; r < nsrc; r++) {
        struct path_arena **tail = &src[r]->arena;
        while (*tail)
            tail = &(*tail)->next;
        *tail = dst->arena;
        dst->arena = src[r]->arena;
        src[r]->arena = NULL;
        free(src[r]->v);
        src[r]->v = NULL;
        src[r]->n = src[r]->cap = 0;
    }
    return 0;
}

/* The index of the first entry not before path. */
static size_t lower_bound(const struct baseline *b, const char *path)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(b->v[mid].path, path) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int baseline_set(struct baseline *b, const struct gentry *g, struct err *e)
{
    size_t at = lower_bound(b, g->path);
    if (at < b->n && strcmp(b->v[at].path, g->path) == 0) {
        const char *keep = b->v[at].path;
        b->v[at] = *g;
        b->v[at].path = keep;
        return 0;
    }
    int rc = baseline_add(b, g, e);
    if (rc)
        return rc;
    struct gentry last = b->v[b->n - 1];
    memmove(&b->v[at + 1], &b->v[at], (b->n - 1 - at) * sizeof(*b->v));
    b->v[at] = last;
    return 0;
}

void baseline_remove(struct baseline *b, const char *path)
{
    size_t at = lower_bound(b, path), len = strlen(path), end = at;
    if (at >= b->n || strcmp(b->v[at].path, path) != 0)
        return;
    end = at + 1;
    /* Everything beneath path sorts among the entries that start with it. */
    for (size_t i = at + 1; i < b->n && strncmp(b->v[i].path, path, len) == 0; i++)
        if (b->v[i].path[len] == '/')
            b->v[i].dirty = 2; /* marked for removal */
    size_t o = at;
    for (size_t i = end; i < b->n; i++)
        if (b->v[i].dirty != 2)
            b->v[o++] = b->v[i];
    b->n = o;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct gentry *)a)->path, ((const struct gentry *)b)->path);
}

static int entry_ptr_cmp(const void *a, const void *b)
{
    return strcmp((*(const struct gentry *const *)a)->path,
                  (*(const struct gentry *const *)b)->path);
}

void baseline_sort(struct baseline *b)
{
    if (b->n < 2)
        return;
    /* Sorting pointers moves 8 bytes where an entry is over a hundred. */
    const struct gentry **p = malloc(b->n * sizeof(*p));
    struct gentry *v = malloc(b->cap * sizeof(*v));
    if (!p || !v) {
        free(p);
        free(v);
        qsort(b->v, b->n, sizeof(*b->v), entry_cmp);
        return;
    }
    mem_prefault(p, b->n * sizeof(*p));
    mem_prefault(v, b->n * sizeof(*v));
    for (size_t i = 0; i < b->n; i++)
        p[i] = &b->v[i];
    qsort(p, b->n, sizeof(*p), entry_ptr_cmp);
    for (size_t i = 0; i < b->n; i++)
        v[i] = *p[i];
    free(p);
    free(b->v);
    b->v = v;
}

struct gentry *baseline_find(const struct baseline *b, const char *path)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->v[mid].path, path);
        if (c == 0)
            return &b->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- escaping ----------------------------------------------------------- */

/* Length of the UTF-8 sequence at p (1..4), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (!len || len > n || p[0] > 0xf4)
        return 0;
    return utf8_valid((const char *)p, len) ? len : 0;
}

void guard_escape(const char *s, size_t n, struct buf *out)
{
    static const char hexd[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        /* A run of printable ASCII goes in at once. */
        size_t r = i;
        while (r < n && p[r] >= 0x20 && p[r] < 0x7f && p[r] != '%')
            r++;
        if (r > i) {
            buf_add(out, p + i, r - i);
            i = r;
            continue;
        }
        size_t k = utf8_seq(p + i, n - i);
        if (k == 1 && p[i] >= 0x20 && p[i] != 0x7f && p[i] != '%') {
            buf_addc(out, (char)p[i]);
        } else if (k > 1) {
            buf_add(out, p + i, k);
            i += k;
            continue;
        } else {
            char x[3] = {'%', hexd[p[i] >> 4], hexd[p[i] & 15]};
            buf_add(out, x, 3);
        }
        i++;
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

int guard_unescape(const char *p, size_t n, char *out, size_t cap, size_t *len)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else if (c < 0x20 || c == 0x7f) {
            return -1;
        }
        if (c == 0 || o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = 0;
    *len = o;
    return 0;
}

/* ---- the baseline file -------------------------------------------------- */

#define BASELINE_MAGIC    "tocsin-baseline 1"
#define BASELINE_LINE_MAX (GUARD_PATH_MAX * 3 + 256)

/* Decimal digits of v at o, then a space; returns the end. */
static char *put_u64(char *o, uint64_t v)
{
    char t[20];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        *o++ = t[--n];
    *o++ = ' ';
    return o;
}

static char *put_i64(char *o, int64_t v)
{
    if (v < 0) {
        *o++ = '-';
        return put_u64(o, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(o, (uint64_t)v);
}

/* One line: "TYPE MODE UID GID SIZE INODE LINKS MTIME CTIME SHA256|- PATH".
 * Written by hand, not by printf: a baseline of a large tree is tens of
 * thousands of lines, and its writing is a serial step of every scan. */
static void entry_line(const struct gentry *g, struct buf *out)
{
    char line[256], *o = line;
    *o++ = g->type;
    *o++ = ' ';
    for (int shift = 9; shift >= 0; shift -= 3)
        *o++ = (char)('0' + ((g->mode >> shift) & 7));
    *o++ = ' ';
    o = put_u64(o, g->uid);
    o = put_u64(o, g->gid);
    o = put_u64(o, g->size);
    o = put_u64(o, g->ino);
    o = put_u64(o, g->nlink);
    o = put_i64(o, g->mtime_ns);
    o = put_i64(o, g->ctime_ns);
    if (g->has_sha) {
        hex_encode(g->sha, SHA256_LEN, o); /* 64 digits and a NUL, overwritten next */
        o += SHA256_HEX_LEN - 1;
    } else {
        *o++ = '-';
    }
    *o++ = ' ';
    buf_add(out, line, (size_t)(o - line));
    guard_escape(g->path, g->path_len, out);
    buf_addc(out, '\n');
}

int baseline_write(const struct baseline *b, const char *file, struct err *e)
{
    char tmp[GUARD_PATH_MAX + 32];
    unsigned char rnd[6];
    char rhex[13];
    fs_random(rnd, sizeof(rnd));
    hex_encode(rnd, sizeof(rnd), rhex);
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%s.tmp", file, rhex) >= sizeof(tmp))
        return err_set(e, ERR_INPUT, "baseline path %.200s is too long", file);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot create %s", tmp);
    struct sha256_ctx sha;
    struct buf chunk;
    buf_init(&chunk, (size_t)8 << 20);
    int rc = sha256_init(&sha) ? err_set(e, ERR_NOMEM, "out of memory") : 0;
    if (!rc) {
        buf_addf(&chunk, "%s\nroot ", BASELINE_MAGIC);
        guard_escape(b->root, strlen(b->root), &chunk);
        buf_addc(&chunk, '\n');
    }
    for (size_t i = 0; !rc && i <= b->n; i++) {
        if (i < b->n)
            entry_line(&b->v[i], &chunk);
        if (chunk.len >= (1u << 20) || i == b->n) {
            sha256_update(&sha, chunk.p, chunk.len);
            if (fs_write_all(fd, chunk.p, chunk.len) != 0)
                rc = err_errno(e, ERR_IO, errno, "cannot write %s", tmp);
            buf_reset(&chunk);
        }
    }
    if (!rc) {
        unsigned char d[SHA256_LEN];
        char hex[SHA256_HEX_LEN];
        sha256_final(&sha, d);
        hex_encode(d, SHA256_LEN, hex);
        buf_addf(&chunk, "end %zu %s\n", b->n, hex);
        if (fs_write_all(fd, chunk.p, chunk.len) != 0 || fsync(fd) != 0)
            rc = err_errno(e, ERR_IO, errno, "cannot write %s", tmp);
    } else {
        sha256_release(&sha);
    }
    buf_release(&chunk);
    if (close(fd) != 0 && !rc)
        rc = err_errno(e, ERR_IO, errno, "cannot write %s", tmp);
    if (!rc && rename(tmp, file) != 0)
        rc = err_errno(e, ERR_IO, errno, "cannot rename %s to %s", tmp, file);
    if (rc) {
        unlink(tmp);
        return rc;
    }
    char dir[GUARD_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = 0;
    else if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    return fs_fsync_dir(dir, e);
}

/* Parses one unsigned decimal field ending at a space; advances *p. */
static int field_u64(const char **p, const char *end, int base, uint64_t max, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (s >= end || *s == ' ')
        return -1;
    for (; s < end && *s != ' '; s++) {
        int d = hexval(*s);
        if (d < 0 || d >= base || v > (max - (uint64_t)d) / (uint64_t)base)
            return -1;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (s >= end)
        return -1;
    *p = s + 1;
    *out = v;
    return 0;
}

static int field_i64(const char **p, const char *end, int64_t *out)
{
    int neg = *p < end && **p == '-';
    if (neg)
        (*p)++;
    uint64_t v;
    if (field_u64(p, end, 10, INT64_MAX, &v))
        return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* 64 hex digits at s (not NUL-terminated) into out. */
static int hex64(const char *s, unsigned char out[SHA256_LEN])
{
    char tmp[SHA256_HEX_LEN];
    memcpy(tmp, s, SHA256_HEX_LEN - 1);
    tmp[SHA256_HEX_LEN - 1] = 0;
    return hex_decode(tmp, out, SHA256_LEN);
}

static int parse_entry(const char *s, const char *end, struct gentry *g, char *path, struct err *e,
                       const char *name, size_t lineno)
{
#define BAD(what) err_set(e, ERR_MALFORMED, "%s line %zu: %s", name, lineno, what)
    memset(g, 0, sizeof(*g));
    if (end - s < 2 || s[1] != ' ' || !strchr("fdlo", s[0]))
        return BAD("the entry type is not one of f, d, l, o");
    g->type = s[0];
    s += 2;
    uint64_t mode, uid, gid, size, ino, nlink;
    if (field_u64(&s, end, 8, 07777, &mode) || field_u64(&s, end, 10, UINT32_MAX, &uid) ||
        field_u64(&s, end, 10, UINT32_MAX, &gid) || field_u64(&s, end, 10, UINT64_MAX, &size) ||
        field_u64(&s, end, 10, UINT64_MAX, &ino) || field_u64(&s, end, 10, UINT64_MAX, &nlink) ||
        field_i64(&s, end, &g->mtime_ns) || field_i64(&s, end, &g->ctime_ns))
        return BAD("a number is missing or out of range");
    g->mode = (uint32_t)mode;
    g->uid = (uint32_t)uid;
    g->gid = (uint32_t)gid;
    g->size = size;
    g->ino = ino;
    g->nlink = nlink;
    if (end - s >= 2 && s[0] == '-' && s[1] == ' ') {
        s += 2;
    } else if (end - s > SHA256_HEX_LEN - 1 && s[SHA256_HEX_LEN - 1] == ' ' &&
               hex64(s, g->sha) == 0) {
        g->has_sha = 1;
        s += SHA256_HEX_LEN;
    } else {
        return BAD("the SHA-256 is neither '-' nor 64 hex digits");
    }
    if ((g->type == GT_DIR || g->type == GT_OTHER) && g->has_sha)
        return BAD("only files and symlinks carry a SHA-256");
    size_t len;
    if (s >= end || guard_unescape(s, (size_t)(end - s), path, GUARD_PATH_MAX, &len) != 0)
        return BAD("the path is empty, too long or wrongly escaped");
    if (strcmp(path, ".") != 0 &&
        (path[0] == '/' || strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0 ||
         strstr(path, "/../") || strstr(path, "//") || path[len - 1] == '/' ||
         strstr(path, "/./") || strncmp(path, "./", 2) == 0 ||
         (len >= 3 && strcmp(path + len - 3, "/..") == 0) ||
         (len >= 2 && strcmp(path + len - 2, "/.") == 0)))
        return BAD("the path is not a plain path inside the root");
    g->path = path;
    g->path_len = (uint32_t)len;
    return 0;
#undef BAD
}

int baseline_parse(struct baseline *b, const char *name, const char *p, size_t n, struct err *e)
{
    baseline_init(b);
    const char *end = p + n, *line = p;
    size_t lineno = 0;
    int rc = 0, seen_end = 0;
    char *path = malloc(GUARD_PATH_MAX);
    if (!path)
        return err_set(e, ERR_NOMEM, "out of memory");
    /* Lines are rarely shorter than 100 bytes: room for them all at once. */
    size_t guess = n / 100 + 16;
    if (guess < GUARD_ENTRIES_MAX && (b->v = malloc(guess * sizeof(*b->v))) != NULL) {
        b->cap = guess;
        mem_prefault(b->v, guess * sizeof(*b->v));
    }
    while (!rc && line < end) {
        lineno++;
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        if (!nl) {
            rc = err_set(e, ERR_MALFORMED, "%s is truncated: line %zu has no end", name, lineno);
            break;
        }
        if (nl - line > BASELINE_LINE_MAX) {
            rc = err_set(e, ERR_MALFORMED, "%s line %zu is longer than %d bytes", name, lineno,
                         BASELINE_LINE_MAX);
            break;
        }
        if (seen_end) {
            rc = err_set(e, ERR_MALFORMED, "%s has data after its end line (line %zu)", name,
                         lineno);
            break;
        }
        size_t len = (size_t)(nl - line);
        if (lineno == 1) {
            if (len != strlen(BASELINE_MAGIC) || memcmp(line, BASELINE_MAGIC, len) != 0)
                rc = err_set(e, ERR_MALFORMED, "%s is not a tocsin baseline (first line)", name);
        } else if (lineno == 2) {
            size_t rl;
            if (len < 6 || memcmp(line, "root ", 5) != 0 ||
                guard_unescape(line + 5, len - 5, b->root, sizeof(b->root), &rl) != 0 ||
                b->root[0] != '/')
                rc = err_set(e, ERR_MALFORMED, "%s line 2 does not name an absolute root", name);
        } else if (len > 4 && memcmp(line, "end ", 4) == 0) {
            const char *s = line + 4;
            uint64_t count;
            unsigned char want[SHA256_LEN], got[SHA256_LEN];
            if (field_u64(&s, nl, 10, UINT64_MAX, &count) || nl - s != SHA256_HEX_LEN - 1 ||
                hex64(s, want) != 0) {
                rc = err_set(e, ERR_MALFORMED, "%s line %zu: the end line is malformed", name,
                             lineno);
            } else if (count != b->n) {
                rc = err_set(e, ERR_MALFORMED,
                             "%s was altered: its end line counts %llu entries, it holds %zu", name,
                             (unsigned long long)count, b->n);
            } else {
                sha256(p, (size_t)(line - p), got);
                if (memcmp(want, got, SHA256_LEN) != 0)
                    rc = err_set(e, ERR_MALFORMED,
                                 "%s was altered: its content does not match its checksum", name);
            }
            seen_end = 1;
        } else {
            struct gentry g;
            rc = parse_entry(line, nl, &g, path, e, name, lineno);
            if (!rc && b->n && strcmp(b->v[b->n - 1].path, path) >= 0)
                rc = err_set(e, ERR_MALFORMED, "%s line %zu: entries are out of order", name,
                             lineno);
            if (!rc)
                rc = baseline_add(b, &g, e);
        }
        line = nl + 1;
    }
    free(path);
    if (!rc && lineno < 2)
        rc = err_set(e, ERR_MALFORMED, "%s is truncated: it has no root line", name);
    if (!rc && !seen_end)
        rc = err_set(e, ERR_MALFORMED, "%s is truncated: its end line is missing", name);
    if (rc)
        baseline_free(b);
    return rc;
}

int baseline_read(struct baseline *b, const char *file, struct err *e)
{
    /* Mapped, not copied: a baseline of a large tree is tens of megabytes. */
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot open %s", file);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, ERR_INPUT, "%s is not a regular file", file);
    }
    /* 200 bytes a line on average for the largest tree we accept. */
    if ((uint64_t)st.st_size > (uint64_t)GUARD_ENTRIES_MAX * 200) {
        close(fd);
        return err_set(e, ERR_TOOBIG, "%s is larger than any baseline can be", file);
    }
    if (st.st_size == 0) {
        close(fd);
        return baseline_parse(b, file, "", 0, e);
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return err_errno(e, ERR_IO, errno, "cannot read %s", file);
    madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
    int rc = baseline_parse(b, file, p, (size_t)st.st_size, e);
    munmap(p, (size_t)st.st_size);
    return rc;
}

/* ---- comparing ---------------------------------------------------------- */

static int changes_add(struct gchanges *c, unsigned kinds, const struct gentry *was,
                       const struct gentry *now, struct err *e)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct gchange *v = realloc(c->v, cap * sizeof(*v));
        if (!v)
            return err_set(e, ERR_NOMEM, "out of memory for changes");
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = (struct gchange){kinds, was, now};
    return 0;
}

static unsigned entry_diff(const struct gentry *a, const struct gentry *b)
{
    if (a->type != b->type)
        return GC_TYPE;
    unsigned k = 0;
    if (a->has_sha != b->has_sha || (a->has_sha && memcmp(a->sha, b->sha, SHA256_LEN) != 0) ||
        (a->type == GT_FILE && a->size != b->size))
        k |= GC_CONTENT;
    if (a->mode != b->mode)
        k |= GC_MODE;
    if (a->uid != b->uid || a->gid != b->gid)
        k |= GC_OWNER;
    if (a->type == GT_FILE && b->nlink > a->nlink)
        k |= GC_LINKS;
    return k;
}

int guard_compare(const struct baseline *was, const struct baseline *now, struct gchanges *out,
                  struct err *e)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0, j = 0;
    int rc = 0;
    while (!rc && (i < was->n || j < now->n)) {
        int c = i >= was->n ? 1 : j >= now->n ? -1 : strcmp(was->v[i].path, now->v[j].path);
        if (c < 0) {
            rc = changes_add(out, GC_REMOVED, &was->v[i++], NULL, e);
        } else if (c > 0) {
            rc = changes_add(out, GC_ADDED, NULL, &now->v[j++], e);
        } else {
            unsigned k = entry_diff(&was->v[i], &now->v[j]);
            if (k)
                rc = changes_add(out, k, &was->v[i], &now->v[j], e);
            i++;
            j++;
        }
    }
    if (rc)
        gchanges_free(out);
    return rc;
}

void gchanges_free(struct gchanges *c)
{
    free(c->v);
    memset(c, 0, sizeof(*c));
}

void gchange_kinds(unsigned kinds, char *out, size_t cap)
{
    static const char *names[] = {"added", "removed", "content", "mode", "owner", "type", "links"};
    size_t o = 0;
    out[0] = 0;
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(kinds & (1u << i)))
            continue;
        int k = snprintf(out + o, cap - o, "%s%s", o ? "," : "", names[i]);
        if (k < 0 || (size_t)k >= cap - o)
            break;
        o += (size_t)k;
    }
}

static const char *type_name(char t)
{
    return t == GT_FILE ? "file" : t == GT_DIR ? "directory" : t == GT_LINK ? "symlink" : "other";
}

json_t *gentry_json(const struct gentry *g)
{
    char mode[8], sha[SHA256_HEX_LEN] = "";
    snprintf(mode, sizeof(mode), "%04o", g->mode);
    if (g->has_sha)
        hex_encode(g->sha, SHA256_LEN, sha);
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "type", type_name(g->type), "mode",
                     mode, "uid", (json_int_t)g->uid, "gid", (json_int_t)g->gid, "size",
                     (json_int_t)g->size, "links", (json_int_t)g->nlink, "sha256", sha);
}

const struct gentry *gchange_describe(const struct gchange *c, struct buf *path, char *kinds,
                                      size_t cap)
{
    const struct gentry *g = c->now ? c->now : c->was;
    guard_escape(g->path, g->path_len, path);
    gchange_kinds(c->kinds, kinds, cap);
    return g;
}

json_t *gchange_json(const struct gchange *c)
{
    struct buf path;
    char kinds[80];
    buf_init(&path, GUARD_ESC_MAX);
    gchange_describe(c, &path, kinds, sizeof(kinds));
    json_t *o = json_pack("{s:s, s:s, s:o, s:o}", "path", buf_str(&path), "change", kinds, "before",
                          c->was ? gentry_json(c->was) : json_null(), "after",
                          c->now ? gentry_json(c->now) : json_null());
    buf_release(&path);
    return o;
}
