/* Signature rules: the rule files' format, and their compilation into one
 * Hyperscan database with PCRE2 programs for the rules that confirm. */
#include "logwatch_int.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char logwatch_builtin_rules[];

static const char *trim(char *s, size_t *n)
{
    while (*n && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        (*n)--;
    }
    while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t' || s[*n - 1] == '\r'))
        (*n)--;
    s[*n] = '\0';
    return s;
}

static int id_ok(const char *s, size_t n)
{
    if (n == 0 || n >= sizeof(((struct lw_rule *)0)->id) || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '.'))
            return 0;
    return 1;
}

static int set_fields(struct lw_rule *r, const char *v)
{
    static const struct {
        const char *name;
        unsigned bit;
    } f[] = {{"uri", LW_F_URI},
             {"path", LW_F_PATH},
             {"ua", LW_F_UA},
             {"referer", LW_F_REFERER},
             {"method", LW_F_METHOD}};
    r->fields = 0;
    while (*v) {
        size_t n = strcspn(v, ", ");
        int found = 0;
        for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
            if (strlen(f[i].name) == n && memcmp(f[i].name, v, n) == 0) {
                r->fields |= f[i].bit;
                found = 1;
            }
        if (!found && n)
            return -1;
        v += n;
        v += strspn(v, ", ");
    }
    return r->fields ? 0 : -1;
}

/* "404", "4xx", "200-299". */
static int set_status(struct lw_rule *r, const char *v)
{
    int a, b;
    char x[3];
    if (sscanf(v, "%3d-%3d", &a, &b) == 2 && a >= 100 && b <= 599 && a <= b) {
        r->status_lo = a;
        r->status_hi = b;
    } else if (strlen(v) == 3 && v[0] >= '1' && v[0] <= '5' && sscanf(v + 1, "%2[x]", x) == 1 &&
               strcmp(x, "xx") == 0) {
        r->status_lo = (v[0] - '0') * 100;
        r->status_hi = r->status_lo + 99;
    } else if (strlen(v) == 3 && sscanf(v, "%3d", &a) == 1 && a >= 100 && a <= 599) {
        r->status_lo = r->status_hi = a;
    } else {
        return -1;
    }
    return 0;
}

static int set_value(struct lw_rule *r, const char *key, const char *v, size_t vn)
{
    static const char *const sev[] = {"low", "medium", "high", "critical"};
    if (strcmp(key, "category") == 0 || strcmp(key, "pattern") == 0 ||
        strcmp(key, "confirm") == 0 || strcmp(key, "description") == 0) {
        char *dst = strcmp(key, "category") == 0  ? r->category
                    : strcmp(key, "pattern") == 0 ? r->pattern
                    : strcmp(key, "confirm") == 0 ? r->confirm
                                                  : r->description;
        size_t cap = strcmp(key, "category") == 0      ? sizeof(r->category)
                     : strcmp(key, "description") == 0 ? sizeof(r->description)
                                                       : sizeof(r->pattern);
        if (vn >= cap)
            return -2;
        memcpy(dst, v, vn + 1);
        return 0;
    }
    if (strcmp(key, "field") == 0)
        return set_fields(r, v);
    if (strcmp(key, "status") == 0)
        return set_status(r, v);
    if (strcmp(key, "method") == 0) {
        if (strcmp(v, "POST") != 0)
            return -1;
        r->method_post = 1;
        return 0;
    }
    if (strcmp(key, "guard") == 0) {
        if (strcmp(v, "new-script") != 0)
            return -1;
        r->new_script = 1;
        return 0;
    }
    if (strcmp(key, "severity") == 0) {
        for (int i = 0; i < 4; i++)
            if (strcmp(v, sev[i]) == 0) {
                r->severity = i;
                return 0;
            }
        return -1;
    }
    return -3;
}

static int rule_done(const struct lw_rule *r, struct err *e)
{
    if (!r->category[0] || !strchr(r->category, '/'))
        return err_set(e, ERR_INPUT, "%s: rule %s has no category/sub-category", r->source, r->id);
    if (!r->pattern[0])
        return err_set(e, ERR_INPUT, "%s: rule %s has no pattern", r->source, r->id);
    if (!r->fields)
        return err_set(e, ERR_INPUT, "%s: rule %s has no field", r->source, r->id);
    if (!r->description[0])
        return err_set(e, ERR_INPUT, "%s: rule %s has no description", r->source, r->id);
    return 0;
}

int lw_rules_parse(const char *name, const char *p, size_t len, struct lw_rule *v, size_t cap,
                   size_t *n, struct err *e)
{
    char line[1400], src[96];
    snprintf(src, sizeof(src), "%s", name);
    size_t lineno = 0, at = 0;
    struct lw_rule *cur = NULL;
    while (at < len) {
        const char *nl = memchr(p + at, '\n', len - at);
        size_t ln = nl ? (size_t)(nl - (p + at)) : len - at;
        lineno++;
        if (ln >= sizeof(line))
            return err_set(e, ERR_INPUT, "%s:%zu: a line longer than %zu bytes", src, lineno,
                           sizeof(line) - 1);
        if (memchr(p + at, '\0', ln))
            return err_set(e, ERR_INPUT, "%s:%zu: a NUL byte", src, lineno);
        memcpy(line, p + at, ln);
        at += ln + (nl != NULL);
        const char *s = trim(line, &ln);
        if (ln > 3 && memcmp(s, "#@ ", 3) == 0) {
            /* The built-in rules carry the name of the file each came from. */
            snprintf(src, sizeof(src), "%s", s + 3);
            lineno = 0;
            continue;
        }
        if (ln == 0 || s[0] == '#')
            continue;
        if (s[0] == '[') {
            if (cur && rule_done(cur, e))
                return e ? e->code : ERR_INPUT;
            if (s[ln - 1] != ']' || !id_ok(s + 1, ln - 2))
                return err_set(e, ERR_INPUT,
                               "%s:%zu: a rule id is [lower-case letters, digits and '-']", src,
                               lineno);
            if (*n >= cap)
                return err_set(e, ERR_TOOBIG, "%s:%zu: more than %zu rules", src, lineno, cap);
            cur = &v[(*n)++];
            memset(cur, 0, sizeof(*cur));
            memcpy(cur->id, s + 1, ln - 2);
            cur->severity = LW_MEDIUM;
            snprintf(cur->source, sizeof(cur->source), "%.80s:%zu", src, lineno);
            continue;
        }
        const char *eq = strchr(s, '=');
        if (!eq)
            return err_set(e, ERR_INPUT, "%s:%zu: expected [rule-id] or key = value", src, lineno);
        if (!cur)
            return err_set(e, ERR_INPUT, "%s:%zu: a key before the first [rule-id]", src, lineno);
        char key[32];
        size_t kn = (size_t)(eq - s);
        if (kn >= sizeof(key))
            return err_set(e, ERR_INPUT, "%s:%zu: unknown key", src, lineno);
        memcpy(key, s, kn);
        trim(key, &kn);
        char *val = (char *)eq + 1;
        size_t vn = ln - (size_t)(val - s);
        val = (char *)trim(val, &vn);
        int rc = set_value(cur, key, val, vn);
        if (rc == -3)
            return err_set(e, ERR_INPUT, "%s:%zu: unknown key '%s'", src, lineno, key);
        if (rc == -2)
            return err_set(e, ERR_INPUT, "%s:%zu: the %s is too long", src, lineno, key);
        if (rc)
            return err_set(e, ERR_INPUT, "%s:%zu: '%s' is not a valid %s", src, lineno, val, key);
    }
    if (cur && rule_done(cur, e))
        return e ? e->code : ERR_INPUT;
    return 0;
}

/* ---- compiling ------------------------------------------------------------ */

static int load_dir(const char *dir, struct lw_rule *v, size_t cap, size_t *n, struct err *e)
{
    DIR *d = opendir(dir);
    if (!d)
        return err_errno(e, ERR_IO, errno, "cannot read the rules directory %s", dir);
    char *names[256];
    int nn = 0, rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l <= 6 || strcmp(de->d_name + l - 6, ".rules") != 0 || de->d_name[0] == '.')
            continue;
        if (nn == 256) {
            rc = err_set(e, ERR_TOOBIG, "%s: more than 256 rule files", dir);
            break;
        }
        names[nn++] = strdup(de->d_name);
    }
    closedir(d);
    /* In name order, so that which of two equal ids wins never depends on
     * the directory's order. */
    for (int i = 1; i < nn; i++)
        for (int j = i; j > 0 && names[j] && names[j - 1] && strcmp(names[j - 1], names[j]) > 0;
             j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (int i = 0; i < nn; i++) {
        if (!rc && !names[i])
            rc = err_set(e, ERR_NOMEM, "out of memory");
        if (!rc) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            struct buf b;
            buf_init(&b, 4 << 20);
            rc = fs_read_file(path, 4 << 20, &b, e);
            size_t before = *n;
            if (!rc)
                rc = lw_rules_parse(path, b.p ? b.p : "", b.len, v, cap, n, e);
            /* A later rule of the same id replaces the earlier one. */
            for (size_t k = before; !rc && k < *n; k++)
                for (size_t j = 0; j < before; j++)
                    if (v[j].id[0] && strcmp(v[j].id, v[k].id) == 0)
                        v[j].id[0] = '\0';
            buf_release(&b);
        }
        free(names[i]);
    }
    return rc;
}

static int compile_pcre(struct lw_rules *rs, size_t i, const char *pattern, struct err *e)
{
    int code;
    PCRE2_SIZE off;
    rs->confirm[i] = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_CASELESS | PCRE2_DOTALL, &code, &off, NULL);
    if (!rs->confirm[i]) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        return err_set(e, ERR_INPUT, "%s: rule %s: confirm pattern at offset %zu: %s",
                       rs->v[i].source, rs->v[i].id, (size_t)off, (char *)msg);
    }
    pcre2_jit_compile(rs->confirm[i], PCRE2_JIT_COMPLETE); /* without JIT it still works */
    return 0;
}

/* The pattern with every '$' outside a class or escape as "(\?|$)": for a
 * rule on the path, the query's '?' ends it as the URI's end does. */
static char *path_pattern(const char *p)
{
    size_t n = strlen(p);
    char *out = malloc(n * 6 + 1), *o = out;
    if (!out)
        return NULL;
    int in_class = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n) {
            *o++ = p[i++];
            *o++ = p[i];
            continue;
        }
        if (in_class) {
            in_class = p[i] != ']' || (i > 0 && p[i - 1] == '[');
        } else if (p[i] == '[') {
            in_class = 1;
            if (i + 1 < n && p[i + 1] == '^')
                *o++ = p[i++];
        } else if (p[i] == '$') {
            memcpy(o, "(\\?|$)", 6);
            o += 6;
            continue;
        }
        *o++ = p[i];
    }
    *o = '\0';
    return out;
}

/* ---- the compiled database, cached ------------------------------------
 * Compiling the rules takes Hyperscan about half a second, longer than
 * scanning a million lines, so the database is kept in the user's cache
 * directory under the SHA-256 of everything it depends on, and compiled again
 * only when that changes (or the cached copy does not load on this CPU). */

/* The flags of every pattern: the first match of each is enough. The batch
 * database wants every match, and ^ and $ at each line of the batch. */
#define RULE_FLAGS  (HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL)
#define BATCH_FLAGS (HS_FLAG_CASELESS | HS_FLAG_DOTALL | HS_FLAG_MULTILINE)

int lw_cache_base(char *out, size_t cap)
{
    const char *dir = getenv("TOCSIN_CACHE"), *xdg = getenv("XDG_CACHE_HOME"),
               *home = getenv("HOME");
    if (dir && dir[0])
        snprintf(out, cap, "%s", dir);
    else if (xdg && xdg[0] == '/')
        snprintf(out, cap, "%s/tocsin", xdg);
    else if (home && home[0] == '/')
        snprintf(out, cap, "%s/.cache/tocsin", home);
    else
        return -1;
    return 0;
}

static int cache_path(const struct lw_rules *rs, char *out, size_t cap)
{
    char base[3072];
    if (lw_cache_base(base, sizeof(base)) != 0)
        return -1;
    struct sha256_ctx c;
    if (sha256_init(&c) != 0)
        return -1;
    const char *v = hs_version();
    sha256_update(&c, v, strlen(v) + 1);
    sha256_update(&c, "layout 2", 9); /* cache_load's; files of an older one are not read */
    unsigned fl[2] = {RULE_FLAGS, BATCH_FLAGS};
    sha256_update(&c, fl, sizeof(fl));
    for (size_t i = 0; i < rs->n; i++) {
        sha256_update(&c, rs->v[i].pattern, strlen(rs->v[i].pattern) + 1);
        sha256_update(&c, &rs->v[i].fields, sizeof(rs->v[i].fields));
    }
    unsigned char d[SHA256_LEN];
    char hex[SHA256_HEX_LEN];
    sha256_final(&c, d);
    hex_encode(d, 16, hex);
    snprintf(out, cap, "%s/logwatch-%s.hsdb", base, hex);
    return 0;
}

/* The cache file: the rule count, each rule's flags, the length of the
 * serialised database, the database, then the batch database (none when
 * its length is 0). */
static int cache_load(struct lw_rules *rs, const char *path, unsigned *flags)
{
    struct buf b;
    buf_init(&b, 128u << 20);
    int ok = fs_read_file(path, 128u << 20, &b, NULL) == 0 && b.len > 12 + 4 * rs->n;
    uint32_t n = 0;
    if (ok) {
        memcpy(&n, b.p, 4);
        ok = n == rs->n;
    }
    size_t at = 4 + 4 * (size_t)n;
    uint64_t len = 0;
    if (ok) {
        memcpy(flags, b.p + 4, 4 * n);
        memcpy(&len, b.p + at, 8);
        at += 8;
        ok = len <= b.len - at &&
             hs_deserialize_database(b.p + at, (size_t)len, &rs->db) == HS_SUCCESS;
        at += (size_t)len;
    }
    if (ok && at < b.len &&
        hs_deserialize_database(b.p + at, b.len - at, &rs->batch) != HS_SUCCESS) {
        hs_free_database(rs->db);
        rs->db = NULL;
        ok = 0;
    }
    buf_release(&b);
    return ok ? 0 : -1;
}

#define CACHE_KEEP 8 /* compiled rule sets kept; older ones are removed */

/* Removes all but the CACHE_KEEP newest compiled databases of dir. */
static void cache_prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct {
        char name[64];
        int64_t mtime;
    } v[64];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 64) {
        struct stat st;
        size_t l = strlen(de->d_name);
        if (strncmp(de->d_name, "logwatch-", 9) != 0 || l < 14 || l >= sizeof(v[0].name) ||
            strcmp(de->d_name + l - 5, ".hsdb") != 0 ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        memcpy(v[n].name, de->d_name, l + 1); /* l < sizeof(name), checked above */
        v[n++].mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
    for (int kept = 0; kept < CACHE_KEEP && n > 0; kept++) {
        int newest = 0;
        for (int i = 1; i < n; i++)
            if (v[i].mtime > v[newest].mtime)
                newest = i;
        v[newest] = v[--n];
    }
    for (int i = 0; i < n; i++)
        unlinkat(dirfd(d), v[i].name, 0);
    closedir(d);
}

static void cache_store(const struct lw_rules *rs, const char *path, const unsigned *flags)
{
    char *bytes = NULL, *batch = NULL;
    size_t len = 0, blen = 0;
    if (hs_serialize_database(rs->db, &bytes, &len) != HS_SUCCESS)
        return;
    if (rs->batch && hs_serialize_database(rs->batch, &batch, &blen) != HS_SUCCESS) {
        free(bytes);
        return;
    }
    struct buf b;
    buf_init(&b, (128u << 20) + 4 * rs->n + 12);
    uint32_t n = (uint32_t)rs->n;
    uint64_t len64 = len;
    int rc = buf_add(&b, &n, 4);
    if (!rc)
        rc = buf_add(&b, flags, 4 * rs->n);
    if (!rc)
        rc = buf_add(&b, &len64, 8);
    if (!rc)
        rc = buf_add(&b, bytes, len);
    if (!rc && blen)
        rc = buf_add(&b, batch, blen);
    free(bytes);
    free(batch);
    if (!rc)
        lw_cache_write(path, b.p, b.len);
    buf_release(&b);
}

void lw_cache_write(const char *path, const void *p, size_t n)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        if (fs_mkdirs(dir, 0700, NULL) == 0 &&
            fs_write_atomic(dir, slash + 1, p, n, 0600, 0, NULL) == 0)
            cache_prune(dir);
    }
}

/* Whether a pattern matches the same in a request alone as in the requests
 * of a batch, one per line, with ^ and $ at each line: not when it anchors to
 * the whole text (\A, \z, \Z) or sets its own multi-line option. Escaped
 * backslashes are not told apart: such a rule only makes requests be matched
 * one by one. */
static int batch_safe(const char *p)
{
    if (strstr(p, "\\A") || strstr(p, "\\z") || strstr(p, "\\Z"))
        return 0;
    for (const char *g = strstr(p, "(?"); g; g = strstr(g + 2, "(?"))
        for (const char *o = g + 2; isalpha((unsigned char)*o) || *o == '-' || *o == '^'; o++)
            if (*o == 'm' || *o == '^')
                return 0;
    return 1;
}

/* The patterns that look at the request, again, for lw_match_line_deferred:
 * every match reported rather than the first, and ^ and $ matching at each
 * line. A request's matches there are a superset of its own (a pattern may
 * also match across two requests), so a request without any has none; the
 * others are matched again alone. Without it requests are matched one by one. */
static void compile_batch(struct lw_rules *rs, const char *const *exprs, const unsigned *flags)
{
    size_t n = rs->n, k = 0;
    const char **bx = calloc(n, sizeof(*bx));
    unsigned *bf = calloc(n, sizeof(*bf)), *bid = calloc(n, sizeof(*bid));
    int ok = bx && bf && bid;
    for (size_t i = 0; ok && i < n; i++) {
        if (!(rs->v[i].fields & (LW_F_URI | LW_F_PATH)))
            continue;
        ok = batch_safe(exprs[i]);
        bx[k] = exprs[i];
        bf[k] = (flags[i] & ~(unsigned)RULE_FLAGS) | BATCH_FLAGS;
        bid[k++] = (unsigned)i;
    }
    hs_compile_error_t *ce = NULL;
    if (ok && k > 0 &&
        hs_compile_multi(bx, bf, bid, (unsigned)k, HS_MODE_BLOCK, NULL, &rs->batch, &ce) !=
            HS_SUCCESS) {
        hs_free_compile_error(ce);
        rs->batch = NULL;
    }
    free(bx);
    free(bf);
    free(bid);
}

static int compile_all(struct lw_rules *rs, struct err *e)
{
    size_t n = rs->n;
    const char **exprs = calloc(n ? n : 1, sizeof(*exprs));
    unsigned *flags = calloc(n ? n : 1, sizeof(*flags)), *ids = calloc(n ? n : 1, sizeof(*ids));
    rs->confirm = calloc(n ? n : 1, sizeof(*rs->confirm));
    char **rewritten = calloc(n ? n : 1, sizeof(*rewritten)); /* path rules' patterns */
    int rc = 0;
    if (!exprs || !flags || !ids || !rs->confirm || !rewritten)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        exprs[i] = rs->v[i].pattern;
        if (rs->v[i].fields == LW_F_PATH) {
            /* A path rule is run over the whole URI in the same scan, its
             * end anchors also ending at the query; the matcher refuses
             * matches past it. */
            char *x = path_pattern(rs->v[i].pattern);
            if (!x)
                rc = err_set(e, ERR_NOMEM, "out of memory");
            exprs[i] = rewritten[i] = x;
        }
        flags[i] = RULE_FLAGS;
        ids[i] = (unsigned)i;
        if (rs->v[i].confirm[0])
            rc = compile_pcre(rs, i, rs->v[i].confirm, e);
    }
    char cache[4096];
    int cached = !rc && n > 0 && cache_path(rs, cache, sizeof(cache)) == 0;
    if (cached && cache_load(rs, cache, flags) == 0) {
        for (size_t i = 0; !rc && i < n; i++)
            if ((flags[i] & HS_FLAG_PREFILTER) && !rs->confirm[i])
                rc = compile_pcre(rs, i, rs->v[i].pattern, e);
        goto out;
    }
    /* A pattern Hyperscan cannot run exactly (back-references, look-around)
     * is run as a prefilter and confirmed by PCRE2 with the same pattern. */
    for (size_t tries = 0; !rc && n > 0; tries++) {
        hs_compile_error_t *ce = NULL;
        if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &rs->db, &ce) ==
            HS_SUCCESS)
            break;
        int at = ce->expression;
        char msg[200];
        snprintf(msg, sizeof(msg), "%s", ce->message);
        hs_free_compile_error(ce);
        if (at < 0 || (size_t)at >= n)
            rc = err_set(e, ERR_INPUT, "the rules cannot be compiled: %s", msg);
        else if (!(flags[at] & HS_FLAG_PREFILTER) && tries < n && strstr(msg, "not supported")) {
            flags[at] |= HS_FLAG_PREFILTER;
            if (!rs->confirm[at])
                rc = compile_pcre(rs, (size_t)at, rs->v[at].pattern, e);
        } else {
            rc = err_set(e, ERR_INPUT, "%s: rule %s: %s", rs->v[at].source, rs->v[at].id, msg);
        }
    }
    if (!rc && n > 0)
        compile_batch(rs, exprs, flags);
    if (!rc && cached)
        cache_store(rs, cache, flags);
out:
    for (size_t i = 0; rewritten && i < n; i++)
        free(rewritten[i]);
    free(rewritten);
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

int lw_rules_new(const char *dir, struct lw_rules **out, struct err *e)
{
    *out = NULL;
    struct lw_rules *rs = calloc(1, sizeof(*rs));
    struct lw_rule *v = calloc(LW_RULES_MAX, sizeof(*v));
    if (!rs || !v) {
        free(rs);
        free(v);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    size_t n = 0;
    int rc = lw_rules_parse("rules/logwatch (built in)", logwatch_builtin_rules,
                            strlen(logwatch_builtin_rules), v, LW_RULES_MAX, &n, e);
    if (!rc && dir)
        rc = load_dir(dir, v, LW_RULES_MAX, &n, e);
    /* Drop the replaced rules, keeping the order. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].id[0])
            v[k++] = v[i];
    rs->v = v;
    rs->n = k;
    for (size_t i = 0; i < k; i++) {
        rs->any_method |= (v[i].fields & LW_F_METHOD) != 0;
        rs->any_new_script |= v[i].new_script;
    }
    if (!rc)
        rc = compile_all(rs, e);
    if (rc) {
        lw_rules_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

int lw_rules_add_crs(struct lw_rules *rs, const char *dir, int paranoia,
                     void (*warn)(void *ctx, const char *msg), void *ctx, struct err *e)
{
    if (rs->crs)
        return err_set(e, ERR_INPUT, "the Core Rule Set is already loaded");
    struct crs *c;
    int rc = crs_load(dir, paranoia, warn, ctx, &c, e);
    if (rc)
        return rc;
    size_t n = crs_count(c);
    if (rs->n + n > LW_RULES_MAX) {
        crs_free(c);
        return err_set(e, ERR_INPUT, "%s: more than %d rules with the Core Rule Set", dir,
                       LW_RULES_MAX);
    }
    pcre2_code **confirm = realloc(rs->confirm, (rs->n + n) * sizeof(*confirm));
    if (!confirm) {
        crs_free(c);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    rs->confirm = confirm;
    for (size_t i = 0; i < n; i++) {
        const struct crs_info *in = crs_info(c, i);
        struct lw_rule *r = &rs->v[rs->n + i];
        memset(r, 0, sizeof(*r));
        snprintf(r->id, sizeof(r->id), "crs-%s", in->id);
        /* protocol attacks, inclusion, traversal, Java: exploits; the others inject code */
        int exploit =
            in->family == 921 || in->family == 930 || in->family == 931 || in->family == 944;
        snprintf(r->category, sizeof(r->category), "%s",
                 exploit ? "network-attack/exploit" : "network-attack/injection");
        snprintf(r->description, sizeof(r->description), "%s (CRS, paranoia level %d)", in->msg,
                 in->paranoia);
        snprintf(r->source, sizeof(r->source), "%s", in->source);
        r->severity = in->score >= 5 ? LW_HIGH : in->score == 4 ? LW_MEDIUM : LW_LOW;
        confirm[rs->n + i] = NULL;
    }
    rs->crs = c;
    rs->crs_base = rs->n;
    rs->n += n;
    return 0;
}

void lw_rules_free(struct lw_rules *rs)
{
    if (!rs)
        return;
    crs_free(rs->crs);
    if (rs->db)
        hs_free_database(rs->db);
    if (rs->batch)
        hs_free_database(rs->batch);
    for (size_t i = 0; rs->confirm && i < rs->n; i++)
        pcre2_code_free(rs->confirm[i]);
    free(rs->confirm);
    free(rs->v);
    free(rs);
}

const char *lw_severity_name(int severity)
{
    static const char *const names[] = {"low", "medium", "high", "critical"};
    return severity >= LW_LOW && severity <= LW_CRITICAL ? names[severity] : "medium";
}

size_t lw_rules_count(const struct lw_rules *rs)
{
    return rs->n;
}

const struct lw_rule *lw_rules_get(const struct lw_rules *rs, size_t i)
{
    return i < rs->n ? &rs->v[i] : NULL;
}
