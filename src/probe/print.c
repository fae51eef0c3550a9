/* The page's print and the baseline learned from the first fetches. A portal
 * changes every day — a news item, a date, a counter, a rotating banner — so
 * the print is a set of text blocks with numbers folded, each under the path
 * of elements that holds it. News items arrive under paths the page already
 * had; a defacement replaces most of the text; an injected block comes under
 * a path the page never had. Paths whose text changed while learning are the
 * page's churn and are left out of the comparison. */
#include "probe_int.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define REPLACED_BELOW 0.5 /* similarity under which the page counts as replaced */
#define INJECTED_BYTES 30  /* text of a block under a new path that counts */
#define INJECTED_LINKS 3

/* SipHash-2-4 under a fixed key over the text without white space, digits
 * folded. A linear hash (FNV) would let whoever plants a block make its text
 * hash like a block the baseline knows; finding a second text for a given
 * SipHash value costs the full 2^64 even with the key known. */
uint64_t print_hash(const char *p, size_t n, int fold_digits)
{
    static const unsigned char key[crypto_shorthash_KEYBYTES] = "tocsin page text";
    char small[1024] = "";
    char *tmp = n <= sizeof small ? small : malloc(n);
    if (!tmp)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (isspace(c))
            continue;
        tmp[k++] = (char)(fold_digits && isdigit(c) ? '0' : c);
    }
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, (const unsigned char *)tmp, k, key);
    if (tmp != small)
        free(tmp);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h;
}

struct probe_print *probe_print_new(void)
{
    return calloc(1, sizeof(struct probe_print));
}

void probe_print_free(struct probe_print *p)
{
    if (!p)
        return;
    free(p->blocks);
    free(p);
}

void print_add_block(struct probe_print *p, const char *text, size_t n, uint64_t path, int links)
{
    size_t k = n;
    while (k && isspace((unsigned char)text[k - 1]))
        k--;
    if (k == 0 || p->nblocks >= PRINT_BLOCKS_MAX)
        return;
    if (p->nblocks == p->cap) {
        int cap = p->cap ? p->cap * 2 : 64;
        struct print_block *v = realloc(p->blocks, (size_t)cap * sizeof *v);
        if (!v)
            return;
        p->blocks = v;
        p->cap = cap;
    }
    struct print_block *b = &p->blocks[p->nblocks++];
    b->text = print_hash(text, k, 1);
    b->path = path;
    b->len = (uint32_t)k;
    b->links = (uint16_t)(links > 65535 ? 65535 : links);
    probe_copy(b->excerpt, sizeof b->excerpt, text, k);
}

void print_add_domain(char (*set)[128], int *n, const char *host)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(set[i], host) == 0)
            return;
    if (*n < PRINT_DOMAINS_MAX)
        probe_copy(set[(*n)++], 128, host, strlen(host));
}

/* ---- sets of 64-bit hashes -------------------------------------------------------- */

struct hset {
    uint64_t *v;
    size_t n, cap;
};

static int cmp64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void hset_add(struct hset *s, uint64_t h)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        if (cap > 4 * PRINT_BLOCKS_MAX)
            return;
        uint64_t *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = h;
}

static void hset_sort(struct hset *s)
{
    if (!s->n)
        return;
    qsort(s->v, s->n, sizeof *s->v, cmp64);
    size_t k = 1;
    for (size_t i = 1; i < s->n; i++)
        if (s->v[i] != s->v[k - 1])
            s->v[k++] = s->v[i];
    s->n = k;
}

static int hset_has(const struct hset *s, uint64_t h)
{
    return s->n && bsearch(&h, s->v, s->n, sizeof h, cmp64) != NULL;
}

double probe_print_similarity(const struct probe_print *a, const struct probe_print *b)
{
    struct hset sa = {0}, sb = {0};
    uint64_t la = 0, lb = 0, both = 0;
    for (int i = 0; i < a->nblocks; i++)
        hset_add(&sa, a->blocks[i].text), la += a->blocks[i].len;
    for (int i = 0; i < b->nblocks; i++)
        hset_add(&sb, b->blocks[i].text), lb += b->blocks[i].len;
    hset_sort(&sa);
    hset_sort(&sb);
    for (int i = 0; i < b->nblocks; i++)
        if (hset_has(&sa, b->blocks[i].text))
            both += b->blocks[i].len;
    free(sa.v);
    free(sb.v);
    uint64_t most = la > lb ? la : lb;
    if (most == 0)
        return strcmp(a->title, b->title) == 0 ? 1.0 : 0.0;
    return (double)both / (double)most;
}

/* ---- baselines ----------------------------------------------------------------------- */

#define TITLES_MAX 8

struct probe_baseline {
    int fetches;
    uint64_t titles[TITLES_MAX];
    int ntitles;
    struct hset texts, paths, churn;
    uint64_t text_bytes; /* of the latest fetch learned, churn left out */
    char scripts[PRINT_DOMAINS_MAX][128];
    int nscripts;
    char frames[PRINT_DOMAINS_MAX][128];
    int nframes;
};

struct probe_baseline *probe_baseline_new(void)
{
    return calloc(1, sizeof(struct probe_baseline));
}

void probe_baseline_free(struct probe_baseline *b)
{
    if (!b)
        return;
    free(b->texts.v);
    free(b->paths.v);
    free(b->churn.v);
    free(b);
}

int probe_baseline_fetches(const struct probe_baseline *b)
{
    return b->fetches;
}

static void add_title(struct probe_baseline *b, const char *title)
{
    uint64_t h = print_hash(title, strlen(title), 1);
    for (int i = 0; i < b->ntitles; i++)
        if (b->titles[i] == h)
            return;
    if (b->ntitles < TITLES_MAX)
        b->titles[b->ntitles++] = h;
}

void probe_baseline_learn(struct probe_baseline *b, const struct probe_print *p)
{
    int first = b->fetches == 0;
    for (int i = 0; i < p->nblocks; i++) {
        const struct print_block *k = &p->blocks[i];
        /* After the first fetch, text that is new under a known path is churn. */
        if (!first && !hset_has(&b->texts, k->text))
            hset_add(&b->churn, k->path);
        hset_add(&b->texts, k->text);
        hset_add(&b->paths, k->path);
    }
    hset_sort(&b->texts);
    hset_sort(&b->paths);
    hset_sort(&b->churn);
    add_title(b, p->title);
    for (int i = 0; i < p->nscripts; i++)
        print_add_domain(b->scripts, &b->nscripts, p->scripts[i]);
    for (int i = 0; i < p->nframes; i++)
        print_add_domain(b->frames, &b->nframes, p->frames[i]);
    b->text_bytes = 0;
    for (int i = 0; i < p->nblocks; i++)
        if (!hset_has(&b->churn, p->blocks[i].path))
            b->text_bytes += p->blocks[i].len;
    b->fetches++;
}

static int in_set(char (*set)[128], int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(set[i], s) == 0)
            return 1;
    return 0;
}

void probe_baseline_compare(const struct probe_baseline *b, const struct probe_print *p,
                            struct probe_findings *f)
{
    if (b->fetches == 0)
        return;
    const char *cat = "information-destruction/tampering";
    uint64_t th = print_hash(p->title, strlen(p->title), 1);
    int title_known = 0;
    for (int i = 0; i < b->ntitles; i++)
        title_known |= b->titles[i] == th;
    if (!title_known)
        probe_add(f, cat, "title-changed", PROBE_HIGH, "title", p->title,
                  "the page title changed to '%s'", p->title);

    uint64_t kept = 0, now = 0;
    const struct print_block *injected = NULL;
    for (int i = 0; i < p->nblocks; i++) {
        const struct print_block *k = &p->blocks[i];
        int churn = hset_has(&b->churn, k->path);
        int known_text = hset_has(&b->texts, k->text);
        if (!churn) {
            now += k->len;
            if (known_text)
                kept += k->len;
        }
        if (!known_text && !hset_has(&b->paths, k->path) &&
            (k->len >= INJECTED_BYTES || k->links >= INJECTED_LINKS) &&
            (!injected || k->len > injected->len))
            injected = k;
    }
    uint64_t most = now > b->text_bytes ? now : b->text_bytes;
    double sim = most ? (double)kept / (double)most : 1.0;
    if (sim < REPLACED_BELOW)
        probe_add(f, cat, "page-replaced", PROBE_HIGH, "replaced", p->text_head,
                  "the page was replaced: %.0f%% of its text is as learned", sim * 100);
    else if (injected)
        probe_add(f, cat, "injected-block", PROBE_HIGH, "injected", injected->excerpt,
                  "a block the page never had appeared (%u bytes of text, %u links)", injected->len,
                  injected->links);
    for (int i = 0; i < p->nscripts; i++)
        if (!in_set((char(*)[128])b->scripts, b->nscripts, p->scripts[i]))
            probe_add(f, "harmful-program/web-malicious-code", "new-script-source", PROBE_MEDIUM,
                      p->scripts[i], p->scripts[i],
                      "a script from %s, which the page did not load before", p->scripts[i]);
    for (int i = 0; i < p->nframes; i++)
        if (!in_set((char(*)[128])b->frames, b->nframes, p->frames[i]))
            probe_add(f, "harmful-program/web-malicious-code", "new-frame-source", PROBE_MEDIUM,
                      p->frames[i], p->frames[i],
                      "a frame from %s, which the page did not show before", p->frames[i]);
}

/* ---- the text form ------------------------------------------------------------------ */

static json_t *hset_json(const struct hset *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n; i++) {
        char h[17];
        snprintf(h, sizeof h, "%016llx", (unsigned long long)s->v[i]);
        json_array_append_new(a, json_string(h));
    }
    return a;
}

static json_t *names_json(char (*set)[128], int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(set[i]));
    return a;
}

int probe_baseline_save(const struct probe_baseline *b, struct buf *out)
{
    json_t *titles = json_array();
    for (int i = 0; i < b->ntitles; i++) {
        char h[17];
        snprintf(h, sizeof h, "%016llx", (unsigned long long)b->titles[i]);
        json_array_append_new(titles, json_string(h));
    }
    json_t *o = json_pack(
        "{s:s, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "tocsin", "probe-baseline-1", "fetches",
        b->fetches, "text_bytes", (json_int_t)b->text_bytes, "titles", titles, "texts",
        hset_json(&b->texts), "paths", hset_json(&b->paths), "churn", hset_json(&b->churn),
        "scripts", names_json((char(*)[128])b->scripts, b->nscripts), "frames",
        names_json((char(*)[128])b->frames, b->nframes));
    if (!o)
        return ERR_NOMEM;
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    int rc = s ? buf_adds(out, s) : ERR_NOMEM;
    free(s);
    return rc;
}

static int load_hashes(const json_t *a, struct hset *s, uint64_t *one, int *none, int max)
{
    if (!json_is_array(a) || json_array_size(a) > 4 * PRINT_BLOCKS_MAX)
        return -1;
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v)
    {
        const char *h = json_string_value(v);
        unsigned char raw[8];
        if (!h || strlen(h) != 16 || hex_decode(h, raw, 8) != 0)
            return -1;
        uint64_t x = 0;
        for (int k = 0; k < 8; k++)
            x = x << 8 | raw[k];
        if (s)
            hset_add(s, x);
        else if (*none < max)
            one[(*none)++] = x;
    }
    if (s)
        hset_sort(s);
    return 0;
}

static int load_names(const json_t *a, char (*set)[128], int *n)
{
    if (!json_is_array(a) || json_array_size(a) > PRINT_DOMAINS_MAX)
        return -1;
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || strlen(s) >= 128)
            return -1;
        print_add_domain(set, n, s);
    }
    return 0;
}

struct probe_baseline *probe_baseline_load(const char *name, const char *text, size_t n,
                                           struct err *e)
{
    json_error_t je;
    json_t *o = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        err_set(e, ERR_INPUT, "%s: not a baseline: %s at line %d", name, je.text, je.line);
        return NULL;
    }
    struct probe_baseline *b = probe_baseline_new();
    const char *kind = json_string_value(json_object_get(o, "tocsin"));
    json_int_t fetches = json_integer_value(json_object_get(o, "fetches"));
    json_int_t bytes = json_integer_value(json_object_get(o, "text_bytes"));
    int bad = !b || !kind || strcmp(kind, "probe-baseline-1") != 0 || fetches < 1 ||
              fetches > 1000000 || bytes < 0;
    if (!bad) {
        b->fetches = (int)fetches;
        b->text_bytes = (uint64_t)bytes;
        bad = load_hashes(json_object_get(o, "titles"), NULL, b->titles, &b->ntitles, TITLES_MAX) ||
              load_hashes(json_object_get(o, "texts"), &b->texts, NULL, NULL, 0) ||
              load_hashes(json_object_get(o, "paths"), &b->paths, NULL, NULL, 0) ||
              load_hashes(json_object_get(o, "churn"), &b->churn, NULL, NULL, 0) ||
              load_names(json_object_get(o, "scripts"), b->scripts, &b->nscripts) ||
              load_names(json_object_get(o, "frames"), b->frames, &b->nframes);
    }
    json_decref(o);
    if (bad) {
        err_set(e, ERR_INPUT, "%s: not a tocsin page baseline (or damaged)", name);
        probe_baseline_free(b);
        return NULL;
    }
    return b;
}
