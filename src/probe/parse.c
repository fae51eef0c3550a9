/* A DOM as gumbo builds it, safely: nesting cut before parsing (gumbo
 * recurses over its tree), plain pages built by the fast parser
 * (fastparse.c), and memory from a per-thread arena dropped whole. */
#include "probe_int.h"

#include <ctype.h>
#include <gumbo.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- gumbo's memory ----------------------------------------------------------
 * gumbo allocates every node and string on its own and frees them one by one,
 * recursively; half its time went to malloc and free. An arena serves it
 * instead and is dropped whole, which also spares the recursive destroy. */

#define ARENA_CHUNK (256 * 1024)

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct arena_chunk *head;  /* in use */
    struct arena_chunk *spare; /* kept from the last page, to spare page faults */
};

#define ARENA_KEEP 16 /* chunks kept between pages (4 MiB) */

static void *arena_alloc(void *ud, size_t n)
{
    struct arena *a = ud;
    n = (n + 15) & ~(size_t)15;
    struct arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        if (a->spare && a->spare->cap >= n) {
            c = a->spare;
            a->spare = c->next;
            c->next = a->head;
            c->used = 0;
            a->head = c;
            return arena_alloc(ud, n);
        }
        c = malloc(sizeof *c + cap);
        if (!c)
            abort(); /* gumbo cannot take a NULL; nothing sensible is left to do */
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

static void arena_free_one(void *ud, void *p)
{
    (void)ud;
    (void)p;
}

/* Keeps up to ARENA_KEEP standard chunks for the next page of this thread. */
static void arena_release(struct arena *a)
{
    int kept = 0;
    for (struct arena_chunk *c = a->spare; c; c = c->next)
        kept++;
    while (a->head) {
        struct arena_chunk *c = a->head;
        a->head = c->next;
        if (kept < ARENA_KEEP && c->cap == ARENA_CHUNK) {
            c->next = a->spare;
            a->spare = c;
            kept++;
        } else
            free(c);
    }
}

/* One arena per thread, its spare chunks freed when the thread ends. */
static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void arena_drop(void *p)
{
    struct arena *a = p;
    arena_release(a);
    while (a->spare) {
        struct arena_chunk *c = a->spare;
        a->spare = c->next;
        free(c);
    }
    free(a);
}

static void arena_key_init(void)
{
    pthread_key_create(&arena_key, arena_drop);
}

static struct arena *thread_arena(void)
{
    pthread_once(&arena_once, arena_key_init);
    struct arena *a = pthread_getspecific(arena_key);
    if (!a && (a = calloc(1, sizeof *a)))
        pthread_setspecific(arena_key, a);
    return a;
}

/* ---- nesting bound ---------------------------------------------------------- */

static int is_void_or_autoclosing(const char *t, size_t n)
{
    static const char *const names[] = {"area",  "base",     "br",   "col",    "embed",    "hr",
                                        "img",   "input",    "link", "meta",   "param",    "source",
                                        "track", "wbr",      "p",    "li",     "dt",       "dd",
                                        "tr",    "td",       "th",   "option", "tbody",    "thead",
                                        "tfoot", "colgroup", "rt",   "rp",     "optgroup", "!"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncasecmp(t, names[i], n) == 0)
            return 1;
    return 0;
}

/* Where html must be cut so that no element nests deeper than the bound:
 * gumbo and its destructor recurse over the tree. */
static size_t nesting_cut(const char *h, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const char *lt = memchr(h + i, '<', n - i);
        if (!lt || (size_t)(lt - h) + 1 >= n)
            break;
        i = (size_t)(lt - h);
        if (h[i + 1] == '!' && i + 3 < n && h[i + 2] == '-' && h[i + 3] == '-') {
            const char *e = NULL;
            for (size_t k = i + 4; k + 2 < n; k++)
                if (h[k] == '-' && h[k + 1] == '-' && h[k + 2] == '>') {
                    e = h + k;
                    break;
                }
            if (!e)
                return n;
            i = (size_t)(e - h) + 2;
            continue;
        }
        int closing = h[i + 1] == '/';
        size_t a = i + 1 + (size_t)closing, b = a;
        while (b < n && isalnum((unsigned char)h[b]))
            b++;
        if (b == a)
            continue;
        const char *gt = memchr(h + b, '>', n - b);
        int self = gt && gt > h && gt[-1] == '/';
        if (!closing && (b - a == 6 && strncasecmp(h + a, "script", 6) == 0)) {
            /* raw text until </script */
            size_t k = b;
            while (k + 8 < n &&
                   !(h[k] == '<' && h[k + 1] == '/' && strncasecmp(h + k + 2, "script", 6) == 0))
                k++;
            i = k;
            continue;
        }
        if (closing) {
            if (depth > 0 && !is_void_or_autoclosing(h + a, b - a))
                depth--;
        } else if (!self && !is_void_or_autoclosing(h + a, b - a) && ++depth > PROBE_DEPTH_MAX)
            return i;
        i = b - 1;
    }
    return n;
}

static GumboOptions options(struct arena *a)
{
    GumboOptions o = kGumboDefaultOptions;
    /* Unbounded: gumbo 0.10.1, once it stops recording errors, no longer
     * clears the name of a duplicate attribute, and the next attribute's name
     * starts with it (<a class=x class=y style=...> would lose its style). */
    o.max_errors = -1;
    o.allocator = arena_alloc;
    o.deallocator = arena_free_one;
    o.userdata = a;
    return o;
}

/* The input as the parsers take it: cut at PROBE_ANALYSE_MAX and where
 * nesting gets too deep. */
static size_t parse_cut(const char *html, size_t n)
{
    if (n > PROBE_ANALYSE_MAX)
        n = PROBE_ANALYSE_MAX;
    return nesting_cut(html, n);
}

/* The two parsers on input parse_cut has cut already. */
static GumboOutput *fast_cut(struct arena *a, const char *html, size_t n)
{
    return fast_parse(html, n, arena_alloc, a);
}

static GumboOutput *gumbo_cut(struct arena *a, const char *html, size_t n)
{
    GumboOptions o = options(a);
    return gumbo_parse_with_options(&o, html, n);
}

struct GumboInternalOutput *parse_html_fast(const char *html, size_t n)
{
    struct arena *a = thread_arena();
    return a ? fast_cut(a, html, parse_cut(html, n)) : NULL;
}

struct GumboInternalOutput *parse_html_gumbo(const char *html, size_t n)
{
    struct arena *a = thread_arena();
    return a ? gumbo_cut(a, html, parse_cut(html, n)) : NULL;
}

/* Plain pages through the fast parser, the rest through gumbo; the input
 * is cut once for both. */
struct GumboInternalOutput *parse_html(const char *html, size_t n)
{
    struct arena *a = thread_arena();
    if (!a)
        return NULL;
    n = parse_cut(html, n);
    GumboOutput *out = fast_cut(a, html, n);
    return out ? out : gumbo_cut(a, html, n);
}

void parse_release(void)
{
    struct arena *a = thread_arena();
    if (a)
        arena_release(a);
}
