/* Harmful words: a list compiled into one Hyperscan database, matched over
 * text normalised against the usual evasions — full-width letters, traditional
 * characters, spaces and symbols put between the characters of a word.
 *
 * Traditional characters are folded by a table built once from OpenCC's own
 * t2s conversion, character by character: running OpenCC over every page
 * costs milliseconds, the table nanoseconds. */
#include "probe_int.h"

#include <hs/hs.h>
#include <opencc/opencc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WORDS_MAX     10000
#define WORD_LINE_MAX 512
#define CONTEXT_BYTES 45

extern const char probe_builtin_words[];

struct probe_words {
    hs_database_t *db;
    char **entry; /* as written in the list */
    int n;
};

/* ---- folding -------------------------------------------------------------- */

#define FOLD_LO 0x3400
#define FOLD_HI 0xFB00
static uint32_t *fold_table; /* traditional → simplified, 0 for unchanged */
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static size_t utf8_get(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (len == 1 || len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = c & (0x3f >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = v << 6 | (s[i] & 0x3f);
    }
    *cp = v;
    return len;
}

static void fold_init(void)
{
    opencc_t cc = opencc_open("t2s.json");
    if (cc == (opencc_t)-1) {
        log_warn("probe: OpenCC's t2s.json did not load; traditional characters are not folded");
        return;
    }
    struct buf all;
    buf_init(&all, 1 << 20);
    for (uint32_t cp = FOLD_LO; cp < FOLD_HI; cp++) {
        char u[4];
        buf_add(&all, u, utf8_put(u, cp));
        buf_addc(&all, '\n');
    }
    char *out = all.p ? opencc_convert_utf8(cc, all.p, all.len) : NULL;
    uint32_t *t = calloc(FOLD_HI - FOLD_LO, sizeof *t);
    if (out && t) {
        const unsigned char *p = (const unsigned char *)out;
        size_t n = strlen(out);
        uint32_t cp = FOLD_LO;
        size_t i = 0;
        while (i < n && cp < FOLD_HI) {
            size_t a = i;
            while (i < n && p[i] != '\n')
                i++;
            uint32_t s;
            size_t l = a < i ? utf8_get(p + a, i - a, &s) : 0;
            if (l && a + l == i && s != cp)
                t[cp - FOLD_LO] = s;
            cp++;
            i++;
        }
        fold_table = t;
    } else
        free(t);
    if (out)
        opencc_convert_utf8_free(out);
    buf_release(&all);
    opencc_close(cc);
}

static uint32_t fold(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0; /* full-width forms */
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (fold_table && cp >= FOLD_LO && cp < FOLD_HI && fold_table[cp - FOLD_LO])
        return fold_table[cp - FOLD_LO];
    return cp;
}

/* Spaces, punctuation, symbols, invisible characters: what is put between
 * the characters of a word to hide it. */
static int is_filler(uint32_t cp)
{
    if (cp < 0x80)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
    return cp <= 0xBF || (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFE10 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
           (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
           (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0xFEFF || cp == 0xFFFD || cp >= 0x1F000 ||
           cp == 0x00B7 || cp == 0x30FB;
}

/* Normalises text into out; map[i] (when map is not NULL) is the offset in
 * text of out's byte i. */
static int normalise(const char *text, size_t n, struct buf *out, uint32_t **map)
{
    pthread_once(&fold_once, fold_init);
    uint32_t *m = NULL;
    if (map) {
        m = malloc((2 * n + 8) * sizeof *m); /* a 3-byte character may fold to 4 */
        if (!m)
            return ERR_NOMEM;
    }
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    /* Folding rarely makes text longer: room for all of it at once. */
    if (buf_reserve(out, n) != 0) {
        free(m);
        return ERR_TOOBIG;
    }
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            /* ASCII: letters lowered, digits kept, the rest dropped */
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
                if (m)
                    m[out->len] = (uint32_t)i;
                if (buf_addc(out, (char)(c | ((c >= 'A' && c <= 'Z') ? 0x20 : 0))) != 0) {
                    free(m);
                    return ERR_TOOBIG;
                }
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = utf8_get(s + i, n - i, &cp);
        cp = fold(cp);
        if (!is_filler(cp)) {
            char u[4];
            size_t k = utf8_put(u, cp);
            if (m)
                for (size_t j = 0; j < k; j++)
                    m[out->len + j] = (uint32_t)i;
            if (buf_add(out, u, k) != 0) {
                free(m);
                return ERR_TOOBIG;
            }
        }
        i += l;
    }
    if (buf_add(out, "", 0) != 0 || (!out->p && buf_addc(out, 0) != 0)) {
        free(m);
        return ERR_TOOBIG;
    }
    if (map)
        *map = m;
    return 0;
}

int probe_words_normalise(const char *text, size_t n, struct buf *out)
{
    return normalise(text, n, out, NULL);
}

/* ---- the list ------------------------------------------------------------------ */

void probe_words_free(struct probe_words *w)
{
    if (!w)
        return;
    hs_free_database(w->db);
    for (int i = 0; i < w->n; i++)
        free(w->entry[i]);
    free(w->entry);
    free(w);
}

int probe_words_count(const struct probe_words *w)
{
    return w ? w->n : 0;
}

/* A literal as a pattern: every byte that is not a letter or digit escaped. */
static void literal_pattern(const char *s, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            buf_addc(out, (char)c);
        else
            buf_addf(out, "\\x%02x", c);
    }
}

struct probe_words *probe_words_new(const char *name, const char *text, size_t n, struct err *e)
{
    struct probe_words *w = calloc(1, sizeof *w);
    char **pats = calloc(WORDS_MAX, sizeof *pats);
    unsigned *flags = calloc(WORDS_MAX, sizeof *flags), *ids = calloc(WORDS_MAX, sizeof *ids);
    w ? (void)(w->entry = calloc(WORDS_MAX, sizeof *w->entry)) : (void)0;
    int rc = 0, line = 0;
    if (!w || !pats || !flags || !ids || !w->entry)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n;) {
        size_t a = i;
        while (i < n && text[i] != '\n')
            i++;
        size_t len = i - a;
        const char *l = text + a;
        i++;
        line++;
        while (len && (l[len - 1] == '\r' || l[len - 1] == ' ' || l[len - 1] == '\t'))
            len--;
        while (len && (*l == ' ' || *l == '\t'))
            l++, len--;
        if (len == 0 || *l == '#')
            continue;
        if (len > WORD_LINE_MAX || memchr(l, 0, len) || !utf8_valid(l, len))
            rc = err_set(e, ERR_INPUT, "%s:%d: %s", name, line,
                         len > WORD_LINE_MAX ? "entry longer than 512 bytes"
                                             : "entry is not UTF-8 text");
        else if (w->n >= WORDS_MAX)
            rc = err_set(e, ERR_TOOBIG, "%s:%d: more than %d entries", name, line, WORDS_MAX);
        if (rc)
            break;
        struct buf p;
        buf_init(&p, 8 * WORD_LINE_MAX);
        int is_re = len > 3 && strncmp(l, "re:", 3) == 0;
        if (is_re) {
            buf_add(&p, l + 3, len - 3);
            flags[w->n] = HS_FLAG_CASELESS | HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH;
        } else {
            struct buf norm;
            buf_init(&norm, 4 * WORD_LINE_MAX);
            normalise(l, len, &norm, NULL);
            if (norm.len == 0) {
                buf_release(&norm);
                buf_release(&p);
                rc = err_set(e, ERR_INPUT, "%s:%d: entry has no letters or characters", name, line);
                break;
            }
            literal_pattern(norm.p, norm.len, &p);
            buf_release(&norm);
            flags[w->n] = HS_FLAG_SINGLEMATCH;
        }
        pats[w->n] = buf_take(&p);
        w->entry[w->n] = strndup(l, len);
        ids[w->n] = (unsigned)w->n;
        if (!pats[w->n] || !w->entry[w->n]) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        w->n++;
    }
    if (!rc && w->n > 0) {
        hs_compile_error_t *ce = NULL;
        if (hs_compile_multi((const char *const *)pats, flags, ids, (unsigned)w->n, HS_MODE_BLOCK,
                             NULL, &w->db, &ce) != HS_SUCCESS) {
            int bad = ce && ce->expression >= 0 ? ce->expression : 0;
            rc = err_set(e, ERR_INPUT, "%s: entry '%s': %s", name, w->entry[bad],
                         ce ? ce->message : "does not compile");
            hs_free_compile_error(ce);
        }
    }
    for (int i = 0; pats && i < WORDS_MAX && pats[i]; i++)
        free(pats[i]);
    free(pats);
    free(flags);
    free(ids);
    if (rc) {
        probe_words_free(w);
        return NULL;
    }
    return w;
}

struct probe_words *probe_words_builtin(struct err *e)
{
    return probe_words_new("the sample word list", probe_builtin_words, strlen(probe_builtin_words),
                           e);
}

/* ---- scanning ---------------------------------------------------------------------- */

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
    hs_free_scratch(p);
}

static void scratch_init(void)
{
    pthread_key_create(&scratch_key, scratch_free);
}

struct hits {
    unsigned long long *end; /* per entry, the end of its first match + 1; 0 for none */
};

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    (void)from;
    (void)flags;
    struct hits *h = ctx;
    if (!h->end[id])
        h->end[id] = to + 1;
    return 0;
}

int probe_words_scan(const struct probe_words *w, const char *text, size_t n,
                     void (*fn)(void *ctx, const char *entry, const char *context), void *ctx)
{
    struct probe_words_hit h = {fn, ctx};
    return probe_words_scan_lists(&w, 1, text, n, &h);
}

static int scan_one(const struct probe_words *w, const struct buf *norm, const uint32_t *map,
                    const char *text, size_t n, const struct probe_words_hit *to)
{
    pthread_once(&scratch_once, scratch_init);
    hs_scratch_t *scratch = pthread_getspecific(scratch_key);
    if (hs_alloc_scratch(w->db, &scratch) != HS_SUCCESS)
        return ERR_NOMEM;
    pthread_setspecific(scratch_key, scratch);
    struct hits h = {calloc((size_t)w->n, sizeof *h.end)};
    if (!h.end)
        return ERR_NOMEM;
    int found = 0;
    if (hs_scan(w->db, norm->p, (unsigned)norm->len, 0, scratch, on_match, &h) != HS_SUCCESS)
        found = ERR_INTERNAL;
    for (int i = 0; found >= 0 && i < w->n; i++) {
        if (!h.end[i])
            continue;
        found++;
        /* The context: the original text around the match's end. */
        size_t end = (size_t)h.end[i] - 1;
        size_t at = end < norm->len ? map[end] : n;
        size_t a = at > CONTEXT_BYTES ? at - CONTEXT_BYTES : 0, b = at + CONTEXT_BYTES;
        if (b > n)
            b = n;
        while (a > 0 && ((unsigned char)text[a] & 0xc0) == 0x80)
            a--;
        while (b < n && ((unsigned char)text[b] & 0xc0) == 0x80)
            b++;
        char context[4 * CONTEXT_BYTES];
        probe_copy(context, sizeof context, text + a, b - a);
        to->fn(to->ctx, w->entry[i], context);
    }
    free(h.end);
    return found;
}

int probe_words_scan_lists(const struct probe_words *const *lists, int nlists, const char *text,
                           size_t n, const struct probe_words_hit *to)
{
    if (n == 0)
        return 0;
    struct buf norm;
    buf_init(&norm, 4 * n + 16);
    uint32_t *map = NULL;
    int found = 0;
    if (normalise(text, n, &norm, &map) != 0)
        found = ERR_NOMEM;
    for (int k = 0; found >= 0 && k < nlists; k++) {
        if (!lists[k] || !lists[k]->db)
            continue;
        int r = scan_one(lists[k], &norm, map, text, n, &to[k]);
        found = r < 0 ? r : found + r;
    }
    free(map);
    buf_release(&norm);
    return found;
}
