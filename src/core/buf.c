/* Bounded growable strings (see struct buf in core.h). */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void buf_init(struct buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_release(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

/* Makes room for n more bytes plus the NUL; on failure the buffer is released
 * so that a caller ignoring the error cannot keep growing it. */
static int buf_grow(struct buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n) {
        buf_release(b);
        return ERR_TOOBIG;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        buf_release(b);
        return ERR_NOMEM;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

int buf_reserve(struct buf *b, size_t n)
{
    return buf_grow(b, n);
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    int rc = buf_grow(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return ERR_INTERNAL;
    int rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_str(const struct buf *b)
{
    return b->p ? b->p : "";
}

char *buf_take(struct buf *b)
{
    char *p = b->p;
    if (!p)
        p = calloc(1, 1);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

#define PREFAULT_MIN ((size_t)256 << 10)
#define HUGE_PAGE    ((uintptr_t)2 << 20)

void mem_prefault(void *p, size_t n)
{
    static size_t page;
    if (!page) {
        long v = sysconf(_SC_PAGESIZE);
        page = v > 0 ? (size_t)v : 4096;
    }
    if (!p || n < PREFAULT_MIN)
        return;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t z = ((uintptr_t)p + n) & ~(uintptr_t)(page - 1);
    if (z <= a)
        return;
    uintptr_t ha = (a + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), hz = z & ~(HUGE_PAGE - 1);
    if (hz > ha)
        madvise((void *)ha, hz - ha, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
    madvise((void *)a, z - a, MADV_POPULATE_WRITE); /* EINVAL before Linux 5.14: faults as usual */
#endif
}
