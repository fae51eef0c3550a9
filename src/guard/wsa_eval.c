/* The webshell analysis proper: a small abstract interpreter over the tokens.
 *
 * Every expression evaluates to a value that may be a known string (literals,
 * and whatever constant folding makes of them), carries taint bits (request
 * input; a function's parameters while its body is read), and remembers how it
 * was made, for the explanation. Statements are read in order, twice: the
 * first pass learns variables and what each user function does with its
 * parameters, the second reports. Variables are global to the file; that
 * over-approximates scoping, which is the right error for a detector. */
#include "wsa.h"

#include "../core/core.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the arena ----------------------------------------------------------- */

struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
};

struct wsa_arena {
    struct chunk *head;
    size_t total;
};

/* Each thread keeps its first chunk between analyses, so analysing many small
 * files does not fault in fresh memory each time. */
static __thread struct chunk *spare_chunk;
static pthread_key_t spare_key; /* frees a thread's spare chunk when it ends */
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_free(void *p)
{
    free(p);
}

static void spare_init(void)
{
    pthread_key_create(&spare_key, spare_free);
}

void *wsa_alloc(struct wsa_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ((size_t)1 << 20) ? n : ((size_t)1 << 20);
        if (a->total + cap > WSA_ARENA_MAX)
            return NULL;
        if (cap == ((size_t)1 << 20) && spare_chunk) {
            c = spare_chunk;
            spare_chunk = NULL;
            pthread_setspecific(spare_key, NULL);
        } else {
            c = malloc(sizeof(*c) + cap);
        }
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
        a->total += cap;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

/* Grows the arena's newest allocation p (of old bytes) to want bytes in place
 * when it is the chunk's last; returns 0 when it cannot. Appending to a page
 * that is being built ($html .= ...) then costs the bytes appended, not the
 * whole page again. */
static int arena_extend(struct wsa_arena *a, const void *p, size_t old, size_t want)
{
    struct chunk *c = a->head;
    old = (old + 15) & ~(size_t)15;
    want = (want + 15) & ~(size_t)15;
    if (!c || (const char *)p + old != (char *)c->data + c->used ||
        (size_t)((const char *)p - (char *)c->data) + want > c->cap)
        return 0;
    c->used += want - old;
    return 1;
}

static void arena_free(struct wsa_arena *a)
{
    for (struct chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        if (!spare_chunk && c->cap == ((size_t)1 << 20)) {
            spare_chunk = c;
            pthread_once(&spare_once, spare_init);
            pthread_setspecific(spare_key, c);
        } else {
            free(c);
        }
    }
    a->head = NULL;
}

struct wsa_arena *wsa_arena_new(void)
{
    return calloc(1, sizeof(struct wsa_arena));
}

void wsa_arena_delete(struct wsa_arena *a)
{
    if (!a)
        return;
    arena_free(a);
    free(a);
}

static char *adup(struct wsa_arena *a, const char *s, size_t n)
{
    char *p = wsa_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

static char *afmt(struct wsa_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *afmt(struct wsa_arena *a, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (k < 0)
        return NULL;
    return adup(a, tmp, (size_t)k < sizeof(tmp) ? (size_t)k : sizeof(tmp) - 1);
}

/* ---- values ---------------------------------------------------------------- */

#define T_REQ    1u /* request input */
#define T_GLOBAL 2u /* a variable never assigned: register_globals, or an includer's */
#define T_PARAM0 4u /* parameter 0 of the function being read; up to 8 */
#define T_PARAMS (0xffu << 2)

#define F_FOLDED   1u     /* made from constants by an operation, not written as is */
#define F_DECODED  2u     /* a decoder's output (known or not) */
#define F_PREFIX   4u     /* begins with a constant part */
#define F_SERVER   8u     /* $_SERVER, ServerVariables: the key decides */
#define F_GLOBALS  16u    /* $GLOBALS */
#define F_REQUEST  32u    /* ASP/ASPX Request object */
#define F_ARRAY    256u   /* an array literal: [$obj, 'method'] as a callable */
#define F_NUMBER   512u   /* a number literal */
#define F_UNDEF    1024u  /* a variable never assigned: "" to PHP */
#define F_HANDLE   2048u  /* a file opened for writing; cls holds its path when known */
#define F_FILENAME 4096u  /* computed from the script's own file name (__FILE__) */
#define F_OBJECT   8192u  /* an object made by new or CreateObject; cls is its class */
#define F_REQPART  16384u /* a collection of the Request object: Request.Form(...) reads it */

struct val {
    const char *s; /* the known value, or NULL */
    size_t n;
    unsigned taint, flags;
    const char *src;   /* where request input entered */
    const char *how;   /* how a folded value was made */
    const char *cls;   /* object class (lower case) created by CreateObject/new */
    const char *lv;    /* the variable this expression names, for assignment */
    const char *mname; /* member name of a member access */
    const char *elem;  /* an array literal's last constant string element */
    int fn;            /* a closure's summary, or -1 */
};

static const struct val UNKNOWN = {.fn = -1};

/* ---- findings ---------------------------------------------------------------- */

enum sink_kind { SK_CODE = 1, SK_CMD = 2, SK_INCLUDE = 4, SK_WRITE = 8, SK_CALLBACK = 16 };

struct fsum {
    const char *name;
    unsigned sinks[8]; /* per parameter: the sink kinds it reaches */
    unsigned ret;      /* taint bits the return value carries (T_REQ, T_PARAM*) */
    struct val retval; /* a known return value */
};

#define VARS_CAP 65536
/* A folded concatenation longer than this stays unknown: appending to a page
 * buffer token after token would otherwise cost quadratic memory. */
#define FOLD_MAX  ((size_t)256 << 10)
#define FUNCS_MAX 2048
#define WEAK_MAX  12

struct var {
    const char *name; /* "name", or "N:name" for PHP function N's own */
    int assigned;
    struct val v;
};

/* Variables: open addressing, grown by doubling up to VARS_CAP. */
struct vtab {
    struct var *v;
    size_t cap, n;
};

struct weak {
    const char *technique;
    int each, cap, got;
    unsigned line;
    char what[160];
};

struct ev {
    struct wsa_arena *a;
    enum wsa_lang lang;
    int ci; /* identifiers compared without case */
    int js; /* JScript: eval is JScript's; in C# and VB.NET pages Eval() binds data */
    struct wsa_tok *t;
    size_t n, i;
    struct vtab *vars; /* shared with the evaluators of decoded code */
    struct fsum *funcs;
    uint16_t *func_index; /* FUNCS_MAX * 2 slots */
    size_t nfuncs;
    int fn;                     /* the function being read, or -1 */
    int pass;                   /* 1 learns, 2 reports */
    int level;                  /* decoding depth */
    int nest;                   /* expression recursion */
    int extracted;              /* extract($_POST) and the like: undefined variables are input */
    const char *danger_literal; /* a string literal naming a code-running function */
    unsigned line0;             /* line of the decoding site in the file, for decoded code */
    const char *ctx;            /* "decoded from ..." for findings in decoded code */
    size_t *steps;
    struct wsa_result *out;
    struct weak *weak;
    int *truncated;
};

static void add_finding(struct ev *v, int score, const char *technique, unsigned line,
                        const char *detail, const char *decoded, const char *taint)
{
    if (v->pass != 2)
        return;
    struct wsa_result *r = v->out;
    if (v->line0)
        line = v->line0;
    /* One finding per technique and line; the higher score wins. */
    for (int k = 0; k < r->n; k++)
        if (strcmp(r->f[k].technique, technique) == 0 && r->f[k].line == line) {
            if (score > r->f[k].score)
                r->f[k].score = score;
            return;
        }
    int slot = r->n;
    if (slot == WSA_FINDINGS_MAX) {
        slot = 0;
        for (int k = 1; k < r->n; k++)
            if (r->f[k].score < r->f[slot].score)
                slot = k;
        if (r->f[slot].score >= score)
            return;
    } else {
        r->n++;
    }
    struct wsa_finding *f = &r->f[slot];
    memset(f, 0, sizeof(*f));
    f->score = score;
    f->line = line;
    snprintf(f->technique, sizeof(f->technique), "%s", technique);
    snprintf(f->detail, sizeof(f->detail), "%s%s%s", detail ? detail : "", v->ctx ? " " : "",
             v->ctx ? v->ctx : "");
    snprintf(f->decoded, sizeof(f->decoded), "%s", decoded ? decoded : "");
    snprintf(f->taint, sizeof(f->taint), "%s", taint ? taint : "");
}

enum {
    W_FINGERPRINT,
    W_CMDTEXT,
    W_FS,
    W_FS_PAGE,
    W_DB,
    W_QUIET,
    W_PACKED,
    W_EXTRACT,
    W_OBJECT,
    W_COUNT
};

static void weak_signal(struct ev *v, int which, unsigned line, const char *what)
{
    if (v->pass != 2)
        return;
    if (which == W_FS && v->lang != WSA_PHP)
        which = W_FS_PAGE; /* applications in Java and .NET rarely do it */
    struct weak *w = &v->weak[which];
    if (w->got >= w->cap)
        return;
    if (strstr(w->what, what))
        return;
    w->got += w->each;
    if (!w->line)
        w->line = v->line0 ? v->line0 : line;
    size_t k = strlen(w->what);
    snprintf(w->what + k, sizeof(w->what) - k, "%s%s", k ? ", " : "", what);
}

static const struct weak weak_defs[W_COUNT] = {
    [W_FINGERPRINT] = {"system-fingerprinting", 6, 18, 0, 0, ""},
    [W_CMDTEXT] = {"command-text", 10, 30, 0, 0, ""},
    [W_FS] = {"file-access-from-request", 12, 36, 0, 0, ""},
    [W_FS_PAGE] = {"file-access-from-request", 20, 60, 0, 0, ""},
    [W_DB] = {"database-login-from-request", 25, 25, 0, 0, ""},
    [W_QUIET] = {"silencing", 4, 8, 0, 0, ""},
    [W_PACKED] = {"packed-string", 30, 30, 0, 0, ""},
    [W_EXTRACT] = {"request-into-variables", 15, 15, 0, 0, ""},
    [W_OBJECT] = {"dangerous-object", 25, 50, 0, 0, ""},
};

/* ---- helpers ------------------------------------------------------------------ */

static const struct wsa_tok END_TOK = {.kind = TK_END, .s = ""};

static const struct wsa_tok *peek(struct ev *v, size_t k)
{
    return v->i + k < v->n ? &v->t[v->i + k] : &END_TOK;
}

static int is_op(const struct wsa_tok *t, const char *op)
{
    size_t k = strlen(op);
    return t->kind == TK_OP && t->len == k && memcmp(t->s, op, k) == 0;
}

static int is_id(const struct wsa_tok *t, const char *id)
{
    size_t k = strlen(id);
    return t->kind == TK_ID && t->len == k && strncasecmp(t->s, id, k) == 0;
}

static int at_end(struct ev *v)
{
    if (v->i >= v->n)
        return 1;
    if (++*v->steps > WSA_STEPS_MAX) {
        *v->truncated = 1;
        v->i = v->n;
        return 1;
    }
    return 0;
}

/* A lower-case copy of a value used as a name (at most 200 bytes of it). */
static const char *lower(struct ev *v, const char *s, size_t n)
{
    if (n > 200)
        n = 200;
    char *p = wsa_alloc(v->a, n + 1);
    if (!p)
        return "";
    for (size_t k = 0; k < n; k++)
        p[k] = (char)tolower((unsigned char)s[k]);
    p[n] = 0;
    return p;
}

/* An escaped, shortened rendering of a value for explanations. */
static const char *show(struct ev *v, const char *s, size_t n)
{
    char tmp[100];
    size_t o = 0;
    for (size_t k = 0; k < n && o + 5 < sizeof(tmp); k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "\\x%02x", c);
        else
            tmp[o++] = (char)c;
    }
    if (o + 5 >= sizeof(tmp) && n)
        o = sizeof(tmp) - 4, memcpy(tmp + o, "…", 3), o += 3;
    return adup(v->a, tmp, o);
}

/* ---- variables ------------------------------------------------------------------ */

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int vtab_grow(struct ev *v)
{
    struct vtab *t = v->vars;
    size_t cap = t->cap ? t->cap * 2 : 64;
    if (cap > VARS_CAP)
        return -1;
    struct var *nv = wsa_alloc(v->a, cap * sizeof(*nv));
    if (!nv)
        return -1;
    memset(nv, 0, cap * sizeof(*nv));
    for (size_t k = 0; k < t->cap; k++) {
        if (!t->v[k].name)
            continue;
        uint32_t h = hash_name(t->v[k].name) & (cap - 1);
        while (nv[h].name)
            h = (h + 1) & (cap - 1);
        nv[h] = t->v[k];
    }
    t->v = nv;
    t->cap = cap;
    return 0;
}

static struct var *var_slot(struct ev *v, const char *name, int create)
{
    struct vtab *t = v->vars;
    if (!name)
        return NULL;
    if (create && (t->n + 1) * 4 > t->cap * 3 && vtab_grow(v) != 0 && t->n + 1 >= t->cap)
        return NULL;
    for (uint32_t h = hash_name(name) & (t->cap - 1), k = 0; k < t->cap;
         k++, h = (h + 1) & (t->cap - 1)) {
        struct var *x = &t->v[h];
        if (!x->name) {
            if (!create)
                return NULL;
            x->name = adup(v->a, name, strlen(name));
            if (!x->name)
                return NULL;
            x->v = UNKNOWN;
            t->n++;
            return x;
        }
        if (strcmp(x->name, name) == 0)
            return create || x->assigned ? x : NULL;
    }
    return NULL;
}

/* A variable's key: PHP's variables inside a function are its own (globals
 * reach them only through `global` and $GLOBALS, which read the top level). */
static int php_superglobal(const char *name);

static const char *var_key(struct ev *v, const char *s, size_t n)
{
    char key[256];
    size_t k = 0;
    if (v->lang == WSA_PHP && v->fn >= 0 && !php_superglobal(s))
        k = (size_t)snprintf(key, sizeof(key), "%d:", v->fn);
    for (size_t j = 0; j < n && k < sizeof(key) - 1; j++)
        key[k++] = v->ci ? (char)tolower((unsigned char)s[j]) : s[j];
    key[k] = 0;
    struct var *x = var_slot(v, key, 1);
    return x ? x->name : NULL;
}

/* Whether text names a shell interpreter. */
static int shell_text(const char *s, size_t n)
{
    return memmem(s, n, "cmd.exe", 7) || memmem(s, n, "cmd /c", 6) || memmem(s, n, "/bin/sh", 7) ||
           memmem(s, n, "/bin/bash", 9) || memmem(s, n, "powershell", 10);
}

static void assign(struct ev *v, const char *name, struct val val, int element)
{
    if (!name)
        return;
    const char *bracket = element ? NULL : strchr(name, '[');
    if (bracket && bracket > name && val.taint & T_REQ) {
        char base[256];
        snprintf(base, sizeof(base), "%.*s", (int)(bracket - name), name);
        struct var *b = var_slot(v, base, 0);
        if (b) {
            b->v.taint |= T_REQ;
            b->v.src = b->v.src ? b->v.src : val.src;
        }
    }
    struct var *x = var_slot(v, name, 1);
    if (!x)
        return;
    x->assigned = 1;
    /* obj.Arguments = input: the object now carries the input (or the
     * parameter); obj.FileName = "cmd.exe": it runs a shell */
    const char *dot = !strchr(name, '[') ? strchr(name, '.') : NULL;
    if (dot && dot > name) {
        char base[256];
        snprintf(base, sizeof(base), "%.*s", (int)(dot - name), name);
        struct var *b = var_slot(v, base, 0);
        if (b && val.taint & (T_REQ | T_PARAMS)) {
            if (!(b->v.taint & T_REQ) && val.taint & T_REQ)
                b->v.src = val.src;
            b->v.taint |= val.taint & (T_REQ | T_PARAMS);
        }
        if (b && val.s && val.n < 64 && shell_text(val.s, val.n))
            b->v.elem = lower(v, val.s, val.n);
    }
    val.lv = NULL;
    if (element) {
        /* An array element taints the array; its value is not followed. */
        x->v.taint |= val.taint;
        if (val.src && !x->v.src)
            x->v.src = val.src;
        return;
    }
    /* The second pass must not forget what the first learnt of a variable
     * assigned twice, once from input: taint only grows. */
    unsigned keep = x->v.taint & (T_REQ | T_GLOBAL);
    const char *src = x->v.src;
    x->v = val;
    if (!(val.taint & T_REQ) && keep & T_REQ && v->pass == 2) {
        x->v.taint |= T_REQ;
        x->v.src = src;
    }
}

/* ---- PHP request sources --------------------------------------------------------- */

static const char *const php_sources[] = {"_GET",
                                          "_POST",
                                          "_REQUEST",
                                          "_COOKIE",
                                          "_FILES",
                                          "HTTP_GET_VARS",
                                          "HTTP_POST_VARS",
                                          "HTTP_COOKIE_VARS",
                                          "HTTP_POST_FILES",
                                          "HTTP_RAW_POST_DATA",
                                          NULL};

/* Superglobals: never "never assigned", never a function's own. */
static int php_superglobal(const char *name)
{
    return name[0] == '_' || !strcmp(name, "GLOBALS") || !strcmp(name, "this");
}

static struct val var_read(struct ev *v, const char *name, unsigned line)
{
    struct val r = UNKNOWN;
    if (!name)
        return r;
    const char *key = var_key(v, name, strlen(name));
    if (v->lang == WSA_PHP) {
        for (int k = 0; php_sources[k]; k++)
            if (strcmp(name, php_sources[k]) == 0) {
                r.taint = T_REQ;
                r.src = afmt(v->a, "$%s line %u", name, line);
                return r;
            }
        if (strcmp(name, "_SERVER") == 0 || strcmp(name, "_ENV") == 0) {
            r.flags = F_SERVER;
            r.src = afmt(v->a, "$%s", name);
            return r;
        }
        if (strcmp(name, "GLOBALS") == 0) {
            r.flags = F_GLOBALS;
            return r;
        }
    }
    struct var *x = key ? var_slot(v, key, 0) : NULL;
    if (x)
        return x->v;
    if (v->lang == WSA_PHP && php_superglobal(name))
        return r;
    if (v->extracted || (v->lang == WSA_PHP && v->pass == 2 && v->fn < 0)) {
        r.taint = v->extracted ? T_REQ : T_GLOBAL;
        r.flags = F_UNDEF;
        r.src = afmt(v->a, "$%s (never assigned%s) line %u", name,
                     v->extracted ? "; the request's variables were extracted" : "", line);
    }
    return r;
}

/* ---- builtins ------------------------------------------------------------------------ */

enum role {
    R_NONE,
    R_DECODE,   /* arg 0 through a decoder */
    R_SOURCE,   /* request input */
    R_CODE,     /* arg .arg is code */
    R_CMD,      /* arg .arg is a command */
    R_CALLBACK, /* arg .arg is a callable */
    R_WRITE,    /* arg .arg is a path written */
    R_FS,       /* arg .arg is a path read, listed or changed */
    R_DB,       /* database login */
    R_NET,      /* network connection */
    R_CLEAN,    /* the result carries no input */
    R_FINGER,   /* system fingerprinting */
    R_CREATE,   /* CreateObject(class) */
    R_QUIET,    /* error silencing and time limits */
    R_EXTRACT,  /* the request into variables */
    R_DEFINE,   /* define(NAME, value) */
    R_UPLOAD,   /* move_uploaded_file(from, to), SaveAs(to) */
};

enum dec {
    D_ID,
    D_B64,
    D_HEX,
    D_URL,
    D_ROT13,
    D_REV,
    D_INFLATE,
    D_UNCOMPRESS,
    D_GZDECODE,
    D_UU,
    D_LOWER,
    D_UPPER,
    D_TRIM,
    D_CHR,
    D_REPLACE,
    D_SUBSTR,
    D_REPEAT,
    D_PACK,
    D_IMPLODE,
    D_SPRINTF,
    D_MID,
    D_LEFT,
    D_RIGHT,
    D_STRTR
};

#define L_PHP  1u
#define L_JAVA 2u
#define L_VB   4u
#define L_NET  8u /* C#, JScript (ASP and ASPX) */
#define L_ALL  15u

struct builtin {
    const char *name; /* lower case */
    unsigned langs;
    enum role role;
    int arg; /* the argument the role concerns, or the decoder */
};

static const struct builtin builtins[] = {
    /* decoders and string functions constant folding applies */
    {"base64_decode", L_PHP, R_DECODE, D_B64},
    {"str_rot13", L_PHP, R_DECODE, D_ROT13},
    {"strrev", L_PHP, R_DECODE, D_REV},
    {"strreverse", L_VB, R_DECODE, D_REV},
    {"gzinflate", L_PHP, R_DECODE, D_INFLATE},
    {"gzuncompress", L_PHP, R_DECODE, D_UNCOMPRESS},
    {"gzdecode", L_PHP, R_DECODE, D_GZDECODE},
    {"zlib_decode", L_PHP, R_DECODE, D_GZDECODE},
    {"hex2bin", L_PHP, R_DECODE, D_HEX},
    {"urldecode", L_PHP | L_NET, R_DECODE, D_URL},
    {"rawurldecode", L_PHP, R_DECODE, D_URL},
    {"unescape", L_NET | L_VB, R_DECODE, D_URL},
    {"decodeuricomponent", L_NET, R_DECODE, D_URL},
    {"convert_uudecode", L_PHP, R_DECODE, D_UU},
    {"stripslashes", L_PHP, R_DECODE, D_ID},
    {"stripcslashes", L_PHP, R_DECODE, D_ID},
    {"html_entity_decode", L_PHP, R_DECODE, D_ID},
    {"htmlspecialchars_decode", L_PHP, R_DECODE, D_ID},
    {"strval", L_PHP, R_DECODE, D_ID},
    {"trim", L_PHP | L_VB | L_NET | L_JAVA, R_DECODE, D_TRIM},
    {"ltrim", L_PHP | L_VB, R_DECODE, D_TRIM},
    {"rtrim", L_PHP | L_VB, R_DECODE, D_TRIM},
    {"strtolower", L_PHP, R_DECODE, D_LOWER},
    {"lcase", L_VB, R_DECODE, D_LOWER},
    {"tolowercase", L_JAVA | L_NET, R_DECODE, D_LOWER},
    {"tolower", L_NET, R_DECODE, D_LOWER},
    {"strtoupper", L_PHP, R_DECODE, D_UPPER},
    {"ucase", L_VB, R_DECODE, D_UPPER},
    {"touppercase", L_JAVA | L_NET, R_DECODE, D_UPPER},
    {"toupper", L_NET, R_DECODE, D_UPPER},
    {"ucfirst", L_PHP, R_DECODE, D_ID},
    {"ucwords", L_PHP, R_DECODE, D_ID},
    {"lcfirst", L_PHP, R_DECODE, D_ID},
    {"chr", L_PHP | L_VB, R_DECODE, D_CHR},
    {"chrw", L_VB, R_DECODE, D_CHR},
    {"chrb", L_VB, R_DECODE, D_CHR},
    {"fromcharcode", L_NET | L_JAVA, R_DECODE, D_CHR},
    {"str_replace", L_PHP, R_DECODE, D_REPLACE},
    {"str_ireplace", L_PHP, R_DECODE, D_REPLACE},
    {"replace", L_VB | L_NET | L_JAVA, R_DECODE, D_REPLACE},
    {"replaceall", L_JAVA, R_DECODE, D_REPLACE},
    {"strtr", L_PHP, R_DECODE, D_STRTR},
    {"substr", L_PHP, R_DECODE, D_SUBSTR},
    {"mb_substr", L_PHP, R_DECODE, D_SUBSTR},
    {"substring", L_JAVA | L_NET, R_DECODE, D_SUBSTR},
    {"mid", L_VB, R_DECODE, D_MID},
    {"left", L_VB, R_DECODE, D_LEFT},
    {"right", L_VB, R_DECODE, D_RIGHT},
    {"str_repeat", L_PHP, R_DECODE, D_REPEAT},
    {"pack", L_PHP, R_DECODE, D_PACK},
    {"implode", L_PHP, R_DECODE, D_IMPLODE},
    {"join", L_PHP | L_NET | L_VB, R_DECODE, D_IMPLODE},
    {"sprintf", L_PHP, R_DECODE, D_SPRINTF},
    {"decode", L_JAVA, R_DECODE, D_B64},       /* Base64.getDecoder().decode */
    {"decodebuffer", L_JAVA, R_DECODE, D_B64}, /* sun.misc.BASE64Decoder */
    {"parsebase64binary", L_JAVA, R_DECODE, D_B64},
    {"decodebase64", L_JAVA, R_DECODE, D_B64},
    {"frombase64string", L_NET | L_VB, R_DECODE, D_B64},
    {"getstring", L_NET | L_VB | L_JAVA, R_DECODE, D_ID},
    {"getbytes", L_JAVA | L_NET | L_VB, R_DECODE, D_ID},
    {"tostring", L_JAVA | L_NET, R_DECODE, D_ID},
    {"string", L_JAVA | L_NET, R_DECODE, D_ID},
    {"cstr", L_VB, R_DECODE, D_ID},
    {"mappath", L_VB | L_NET, R_DECODE, D_ID}, /* Server.MapPath("x.asp") names x.asp */
    {"getrealpath", L_JAVA, R_DECODE, D_ID},
    {"concat", L_JAVA | L_NET, R_DECODE, D_ID},
    {"valueof", L_JAVA, R_DECODE, D_ID},
    /* request input */
    {"getallheaders", L_PHP, R_SOURCE, 0},
    {"apache_request_headers", L_PHP, R_SOURCE, 0},
    {"get_defined_vars", L_PHP, R_SOURCE, 0},
    {"session_id", L_PHP, R_SOURCE, 0},
    {"getparameter", L_JAVA, R_SOURCE, 0},
    {"getparametervalues", L_JAVA, R_SOURCE, 0},
    {"getparametermap", L_JAVA, R_SOURCE, 0},
    {"getparameternames", L_JAVA, R_SOURCE, 0},
    {"getinputstream", L_JAVA, R_SOURCE, 0},
    {"getreader", L_JAVA, R_SOURCE, 0},
    {"getheader", L_JAVA, R_SOURCE, 0},
    {"getheaders", L_JAVA, R_SOURCE, 0},
    {"getquerystring", L_JAVA, R_SOURCE, 0},
    {"getcookies", L_JAVA, R_SOURCE, 0},
    {"getpart", L_JAVA, R_SOURCE, 0},
    {"getparts", L_JAVA, R_SOURCE, 0},
    {"binaryread", L_VB | L_NET, R_SOURCE, 0},
    /* code */
    {"eval", L_ALL, R_CODE, 0},
    {"assert", L_PHP, R_CODE, 0},
    {"create_function", L_PHP, R_CODE, 1},
    {"preg_replace", L_PHP, R_CODE, 1},
    {"preg_filter", L_PHP, R_CODE, 1},
    {"mb_ereg_replace", L_PHP, R_CODE, 1},
    {"mb_eregi_replace", L_PHP, R_CODE, 1},
    {"execute", L_VB, R_CODE, 0},
    {"executeglobal", L_VB, R_CODE, 0},
    {"defineclass", L_JAVA, R_CODE, 0},
    {"jscriptevaluate", L_NET, R_CODE, 0},
    {"compileassemblyfromsource", L_NET, R_CODE, 1},
    {"load", L_NET, R_CODE, 0}, /* Assembly.Load(bytes) */
    {"loadclass", L_JAVA, R_CODE, 0},
    {"forname", L_JAVA, R_CODE, 0},
    /* commands */
    {"system", L_PHP, R_CMD, 0},
    {"exec", L_PHP | L_JAVA | L_VB, R_CMD, 0},
    {"shell_exec", L_PHP, R_CMD, 0},
    {"passthru", L_PHP, R_CMD, 0},
    {"popen", L_PHP, R_CMD, 0},
    {"proc_open", L_PHP, R_CMD, 0},
    {"pcntl_exec", L_PHP, R_CMD, 0},
    {"expect_popen", L_PHP, R_CMD, 0},
    {"processbuilder", L_JAVA, R_CMD, 0},
    {"command", L_JAVA, R_CMD, 0},
    {"run", L_VB | L_NET, R_CMD, 0},
    {"shellexecute", L_VB | L_NET, R_CMD, 0},
    {"start", L_NET | L_VB, R_CMD, 0},
    {"processstartinfo", L_NET | L_VB, R_CMD, 0},
    {"shell", L_VB, R_CMD, 0},
    /* callables */
    {"call_user_func", L_PHP, R_CALLBACK, 0},
    {"call_user_func_array", L_PHP, R_CALLBACK, 0},
    {"forward_static_call", L_PHP, R_CALLBACK, 0},
    {"forward_static_call_array", L_PHP, R_CALLBACK, 0},
    {"array_map", L_PHP, R_CALLBACK, 0},
    {"array_filter", L_PHP, R_CALLBACK, 1},
    {"array_walk", L_PHP, R_CALLBACK, 1},
    {"array_walk_recursive", L_PHP, R_CALLBACK, 1},
    {"array_reduce", L_PHP, R_CALLBACK, 1},
    {"usort", L_PHP, R_CALLBACK, 1},
    {"uasort", L_PHP, R_CALLBACK, 1},
    {"uksort", L_PHP, R_CALLBACK, 1},
    {"iterator_apply", L_PHP, R_CALLBACK, 1},
    {"preg_replace_callback", L_PHP, R_CALLBACK, 1},
    {"mb_ereg_replace_callback", L_PHP, R_CALLBACK, 1},
    {"register_shutdown_function", L_PHP, R_CALLBACK, 0},
    {"register_tick_function", L_PHP, R_CALLBACK, 0},
    {"header_register_callback", L_PHP, R_CALLBACK, 0},
    {"ob_start", L_PHP, R_CALLBACK, 0},
    {"set_error_handler", L_PHP, R_CALLBACK, 0},
    {"set_exception_handler", L_PHP, R_CALLBACK, 0},
    {"spl_autoload_register", L_PHP, R_CALLBACK, 0},
    {"reflectionfunction", L_PHP, R_CALLBACK, 0},
    {"filter_var", L_PHP, R_CALLBACK, -1},
    {"filter_var_array", L_PHP, R_CALLBACK, -1},
    {"filter_input", L_PHP, R_CALLBACK, -1},
    {"yaml_parse", L_PHP, R_CALLBACK, -1},
    {"exif_read_data", L_PHP, R_SOURCE, 0},
    {"array_diff_uassoc", L_PHP, R_CALLBACK, -1},
    {"array_diff_ukey", L_PHP, R_CALLBACK, -1},
    {"array_intersect_uassoc", L_PHP, R_CALLBACK, -1},
    {"array_intersect_ukey", L_PHP, R_CALLBACK, -1},
    {"array_udiff", L_PHP, R_CALLBACK, -1},
    {"array_udiff_assoc", L_PHP, R_CALLBACK, -1},
    {"array_uintersect", L_PHP, R_CALLBACK, -1},
    {"array_uintersect_assoc", L_PHP, R_CALLBACK, -1},
    {"fwrite", L_PHP, R_WRITE, 0},
    {"fputs", L_PHP, R_WRITE, 0},
    {"getmethod", L_JAVA, R_CALLBACK, 0},
    {"invoke", L_JAVA, R_CALLBACK, 0},
    {"createinstance", L_NET, R_CALLBACK, 0},
    /* files */
    {"file_put_contents", L_PHP, R_WRITE, 0},
    {"fopen", L_PHP, R_WRITE, 0},
    {"copy", L_PHP, R_WRITE, 1},
    {"fileoutputstream", L_JAVA, R_WRITE, 0},
    {"filewriter", L_JAVA, R_WRITE, 0},
    {"randomaccessfile", L_JAVA, R_WRITE, 0},
    {"printwriter", L_JAVA, R_WRITE, 0},
    {"writealltext", L_NET | L_VB, R_WRITE, 0},
    {"writeallbytes", L_NET | L_VB, R_WRITE, 0},
    {"streamwriter", L_NET | L_VB, R_WRITE, 0},
    {"createtext", L_NET | L_VB, R_WRITE, 0},
    {"appendtext", L_NET | L_VB, R_WRITE, 0},
    {"savetofile", L_VB | L_NET, R_WRITE, 0},
    {"createtextfile", L_VB, R_WRITE, 0},
    {"opentextfile", L_VB, R_WRITE, 0},
    {"move_uploaded_file", L_PHP, R_UPLOAD, 1},
    {"saveas", L_NET | L_VB, R_UPLOAD, 0},
    {"opendir", L_PHP, R_FS, 0},
    {"scandir", L_PHP, R_FS, 0},
    {"glob", L_PHP, R_FS, 0},
    {"dir", L_PHP, R_FS, 0},
    {"unlink", L_PHP, R_FS, 0},
    {"rmdir", L_PHP, R_FS, 0},
    {"rename", L_PHP, R_FS, 0},
    {"chmod", L_PHP, R_FS, 0},
    {"touch", L_PHP, R_FS, 0},
    {"readfile", L_PHP, R_FS, 0},
    {"file_get_contents", L_PHP, R_FS, 0},
    {"file", L_PHP | L_JAVA, R_FS, 0},
    {"highlight_file", L_PHP, R_FS, 0},
    {"show_source", L_PHP, R_FS, 0},
    {"getfiles", L_NET | L_VB, R_FS, 0},
    {"getdirectories", L_NET | L_VB, R_FS, 0},
    {"directoryinfo", L_NET | L_VB, R_FS, 0},
    {"readalltext", L_NET | L_VB, R_FS, 0},
    {"getfolder", L_VB, R_FS, 0},
    {"deletefile", L_VB, R_FS, 0},
    {"deletefolder", L_VB, R_FS, 0},
    {"copyfile", L_VB, R_FS, 0},
    {"movefile", L_VB, R_FS, 0},
    {"fileinputstream", L_JAVA, R_FS, 0},
    {"filereader", L_JAVA, R_FS, 0},
    /* databases and the network */
    {"mysql_connect", L_PHP, R_DB, 0},
    {"mysqli_connect", L_PHP, R_DB, 0},
    {"mysqli", L_PHP, R_DB, 0},
    {"pg_connect", L_PHP, R_DB, 0},
    {"mssql_connect", L_PHP, R_DB, 0},
    {"sqlsrv_connect", L_PHP, R_DB, 0},
    {"oci_connect", L_PHP, R_DB, 0},
    {"getconnection", L_JAVA, R_DB, 0},
    {"sqlconnection", L_NET | L_VB, R_DB, 0},
    {"oledbconnection", L_NET | L_VB, R_DB, 0},
    {"fsockopen", L_PHP, R_NET, 0},
    {"pfsockopen", L_PHP, R_NET, 0},
    {"stream_socket_client", L_PHP, R_NET, 0},
    {"socket_connect", L_PHP, R_NET, 1},
    {"socket", L_JAVA, R_NET, 0},
    {"inetsocketaddress", L_JAVA, R_NET, 0},
    {"tcpclient", L_NET | L_VB, R_NET, 0},
    /* results without input */
    {"intval", L_PHP, R_CLEAN, 0},
    {"floatval", L_PHP, R_CLEAN, 0},
    {"function_exists", L_PHP, R_CLEAN, 0},
    {"is_callable", L_PHP, R_CLEAN, 0},
    {"isset", L_PHP, R_CLEAN, 0},
    {"empty", L_PHP, R_CLEAN, 0},
    {"count", L_PHP, R_CLEAN, 0},
    {"strlen", L_PHP, R_CLEAN, 0},
    {"is_numeric", L_PHP, R_CLEAN, 0},
    {"is_array", L_PHP, R_CLEAN, 0},
    {"is_string", L_PHP, R_CLEAN, 0},
    {"md5", L_PHP, R_CLEAN, 0},
    {"sha1", L_PHP, R_CLEAN, 0},
    {"crc32", L_PHP, R_CLEAN, 0},
    {"hash", L_PHP, R_CLEAN, 0},
    {"htmlspecialchars", L_PHP, R_CLEAN, 0},
    {"htmlentities", L_PHP, R_CLEAN, 0},
    {"escapeshellarg", L_PHP, R_CLEAN, 0},
    {"escapeshellcmd", L_PHP, R_CLEAN, 0},
    {"in_array", L_PHP, R_CLEAN, 0},
    {"array_key_exists", L_PHP, R_CLEAN, 0},
    {"preg_match", L_PHP, R_CLEAN, 0},
    {"strpos", L_PHP, R_CLEAN, 0},
    {"file_exists", L_PHP, R_CLEAN, 0},
    {"is_dir", L_PHP, R_CLEAN, 0},
    {"is_file", L_PHP, R_CLEAN, 0},
    {"filesize", L_PHP, R_CLEAN, 0},
    {"realpath", L_PHP, R_CLEAN, 0},
    {"ctype_digit", L_PHP, R_CLEAN, 0},
    {"ctype_alnum", L_PHP, R_CLEAN, 0},
    {"filter_var", L_PHP, R_CLEAN, 0},
    {"equals", L_JAVA | L_NET, R_CLEAN, 0},
    {"parseint", L_JAVA, R_CLEAN, 0},
    {"len", L_VB, R_CLEAN, 0},
    {"cint", L_VB, R_CLEAN, 0},
    {"clng", L_VB, R_CLEAN, 0},
    {"isnumeric", L_VB, R_CLEAN, 0},
    {"htmlencode", L_VB | L_NET, R_CLEAN, 0},
    /* fingerprinting, silencing, variables */
    {"php_uname", L_PHP, R_FINGER, 0},
    {"posix_getpwuid", L_PHP, R_FINGER, 0},
    {"posix_getgrgid", L_PHP, R_FINGER, 0},
    {"posix_geteuid", L_PHP, R_FINGER, 0},
    {"posix_uname", L_PHP, R_FINGER, 0},
    {"getmyuid", L_PHP, R_FINGER, 0},
    {"get_current_user", L_PHP, R_FINGER, 0},
    {"disk_free_space", L_PHP, R_FINGER, 0},
    {"disk_total_space", L_PHP, R_FINGER, 0},
    {"getlogicaldrives", L_NET, R_FINGER, 0},
    {"drives", L_VB, R_FINGER, 0},
    {"error_reporting", L_PHP, R_QUIET, 0},
    {"set_time_limit", L_PHP, R_QUIET, 0},
    {"ignore_user_abort", L_PHP, R_QUIET, 0},
    {"extract", L_PHP, R_EXTRACT, 0},
    {"parse_str", L_PHP, R_EXTRACT, 0},
    {"import_request_variables", L_PHP, R_EXTRACT, 0},
    {"define", L_PHP, R_DEFINE, 0},
    {"createobject", L_VB | L_NET, R_CREATE, 0},
    {"activexobject", L_NET, R_CREATE, 0},
    {"getobject", L_VB, R_CREATE, 0},
};

static unsigned lang_bit(const struct ev *v)
{
    switch (v->lang) {
    case WSA_PHP:
        return L_PHP;
    case WSA_JSP:
        return L_JAVA;
    case WSA_ASP:
    case WSA_ASPX:
        return v->ci ? L_VB : L_NET;
    default:
        return 0;
    }
}

#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))
static const struct builtin *builtin_sorted[NBUILTINS];
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static int builtin_cmp(const void *a, const void *b)
{
    return strcmp((*(const struct builtin *const *)a)->name,
                  (*(const struct builtin *const *)b)->name);
}

static void builtin_init(void)
{
    for (size_t k = 0; k < NBUILTINS; k++)
        builtin_sorted[k] = &builtins[k];
    qsort(builtin_sorted, NBUILTINS, sizeof(builtin_sorted[0]), builtin_cmp);
}

/* The builtin of this language by lower-case name: a binary search, as it is
 * asked for every call the file makes. */
static const struct builtin *builtin_find(struct ev *v, const char *lname)
{
    pthread_once(&builtin_once, builtin_init);
    unsigned bit = lang_bit(v);
    size_t lo = 0, hi = NBUILTINS;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(builtin_sorted[mid]->name, lname);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < NBUILTINS && !strcmp(builtin_sorted[lo]->name, lname); lo++)
        if (builtin_sorted[lo]->langs & bit)
            return builtin_sorted[lo];
    return NULL;
}

/* Whether a function name, called dynamically, runs code or commands. */
static int is_dangerous_name(struct ev *v, const char *lname)
{
    const struct builtin *b = builtin_find(v, lname);
    return b && (b->role == R_CODE || b->role == R_CMD || b->role == R_CALLBACK);
}

/* ---- the parser --------------------------------------------------------------- */

static struct val expr(struct ev *v, int minbp);
static void statement(struct ev *v);
static void analyse_tokens(struct ev *parent, enum wsa_lang lang, const char *p, size_t n,
                           int code_only, unsigned line, const char *ctx);

static int looks_like_code(const char *s, size_t n);

/* A page held whole in a string (a shell carried by its dropper, to be
 * written out later through helpers) is analysed as the page it is. */
static void embedded_code(struct ev *v)
{
    int done = 0;
    for (size_t k = 0; k < v->n && done < 8 && v->level < WSA_DEPTH_MAX; k++) {
        const struct wsa_tok *t = &v->t[k];
        if (t->kind != TK_STR || t->len < 24 || t->len > ((size_t)1 << 20))
            continue;
        const char *open = memmem(t->s, t->len, "<%", 2);
        if (!open)
            open = memmem(t->s, t->len, "<?php", 5);
        if (!open || !looks_like_code(t->s, t->len))
            continue;
        enum wsa_lang lang = open[1] == '?' ? WSA_PHP : v->lang == WSA_PHP ? WSA_ASP : v->lang;
        v->pass = 2;
        analyse_tokens(v, lang, t->s, t->len, 0, t->line,
                       afmt(v->a, "(in a page held in a string at line %u)", t->line));
        done++;
    }
}

/* Parses comma-separated arguments up to the closing bracket (consumed). */
static int args(struct ev *v, const char *close, struct val *out, int max)
{
    int k = 0;
    /* every slot is defined: callers look at a[1] of a one-argument call */
    for (int j = 0; j < max; j++)
        out[j] = UNKNOWN;
    while (!at_end(v) && !is_op(peek(v, 0), close)) {
        if (v->ci && peek(v, 0)->kind == TK_EOL && !is_op(peek(v, 0), close))
            break;
        if (is_op(peek(v, 0), ",") || is_op(peek(v, 0), "=>")) {
            v->i++;
            continue;
        }
        size_t before = v->i;
        struct val a = expr(v, 1);
        if (k < max)
            out[k] = a;
        k++;
        if (v->i == before)
            v->i++;
        if (is_op(peek(v, 0), ",") || is_op(peek(v, 0), "=>"))
            v->i++;
        else if (!is_op(peek(v, 0), close))
            break;
    }
    if (is_op(peek(v, 0), close))
        v->i++;
    return k < max ? k : max;
}

/* A value read as a number (decimal, 0x hex, 0 octal, VBScript's &H hex);
 * values are views that need not end in a NUL, so a copy is parsed. */
static double numval(const struct val *a)
{
    if (!a->s)
        return -1;
    char num[64];
    size_t n = a->n < sizeof(num) - 1 ? a->n : sizeof(num) - 1;
    memcpy(num, a->s, n);
    num[n] = 0;
    if (n > 2 && num[0] == '&' && (num[1] == 'h' || num[1] == 'H'))
        return (double)strtol(num + 2, NULL, 16);
    double d = strtod(num, NULL);
    return d ? d : (double)strtol(num, NULL, 0);
}

/* A number as a long, clamped: source can spell any number. */
static long num_long(const struct val *a)
{
    double d = numval(a);
    if (!(d > -2147483648.0))
        return d != d ? 0 : -2147483647L;
    if (d > 2147483647.0)
        return 2147483647L;
    return (long)d;
}

static struct val known(struct ev *v, const char *s, size_t n, unsigned flags, const char *how)
{
    (void)v;
    struct val r = UNKNOWN;
    r.s = s ? s : "";
    r.n = s ? n : 0;
    r.flags = flags;
    r.how = how;
    return r;
}

static unsigned taint_of(const struct val *a, int n)
{
    unsigned t = 0;
    for (int k = 0; k < n; k++)
        t |= a[k].taint;
    return t;
}

static const char *src_of(const struct val *a, int n)
{
    for (int k = 0; k < n; k++)
        if (a[k].taint & (T_REQ | T_GLOBAL) && a[k].src)
            return a[k].src;
    return NULL;
}

/* Whether decoded text looks like code worth analysing again. */
static int looks_like_code(const char *s, size_t n)
{
    if (n < 8)
        return 0;
    static const char *const marks[] = {"<?",     "eval",     "$_",      "system",  "exec",
                                        "assert", "function", "Request", "request", "Runtime",
                                        "<%",     "(",        NULL};
    int hits = 0;
    for (int k = 0; marks[k]; k++)
        hits += memmem(s, n, marks[k], strlen(marks[k])) != NULL;
    return hits >= 2;
}

/* Whether a path names a server-side script. */
static int script_name(const char *s, size_t n)
{
    static const char *const ext[] = {".php", ".asp", ".aspx",  ".jsp",  ".jspx",
                                      ".asa", ".cer", ".phtml", ".ashx", NULL};
    for (int k = 0; ext[k]; k++) {
        size_t e = strlen(ext[k]);
        if (n >= e && !strncasecmp(s + n - e, ext[k], e))
            return 1;
    }
    return 0;
}

static const char *how_of(struct ev *v, const struct val *a);
static int is_dangerous_name(struct ev *v, const char *lname);

/* A value folding made that is exactly the name of a function that runs code
 * or commands: nothing but hiding needs to build "assert" from parts. */
static void folded_name(struct ev *v, const struct val *k)
{
    if (!k->s || k->n < 4 || k->n > 24 || !(k->flags & (F_FOLDED | F_DECODED)))
        return;
    char name[32];
    for (size_t j = 0; j < k->n; j++)
        name[j] = (char)tolower((unsigned char)k->s[j]);
    name[k->n] = 0;
    if (!is_dangerous_name(v, name) || !strcmp(name, "invoke") || !strcmp(name, "command") ||
        !strcmp(name, "start") || !strcmp(name, "run") || !strcmp(name, "load") ||
        !strcmp(name, "shell") || !strcmp(name, "getmethod"))
        return;
    char detail[200];
    snprintf(detail, sizeof(detail), "the name %s is built at run time", name);
    unsigned line = v->i > 0 && v->i <= v->n ? v->t[v->i - 1].line : 0;
    add_finding(v, 80, "obfuscated-function-name", line, detail, how_of(v, k), NULL);
}

/* Text a decoder produced that names request input or code execution: the
 * only reason to encode such text is to hide it. */
static void decoded_text(struct ev *v, const struct val *k, const char *fname)
{
    static const char *const marks[] = {
        "Request.",   "Request[",       "Request(",      "$_POST",
        "$_GET",      "$_REQUEST",      "$_COOKIE",      "getParameter",
        "eval(",      "assert(",        "system(",       "exec(",
        "shell_exec", "passthru",       "WScript.Shell", "Runtime.getRuntime",
        "cmd.exe",    "ProcessBuilder", "ExecuteGlobal", "Execute(",
        NULL};
    size_t scan = k->n < 65536 ? k->n : 65536;
    for (int m = 0; marks[m]; m++)
        if (memmem(k->s, scan, marks[m], strlen(marks[m]))) {
            char detail[200];
            snprintf(detail, sizeof(detail), "%s() decodes text naming %s", fname, marks[m]);
            add_finding(v, 60, "decoded-suspicious-text", 0, detail, how_of(v, k), NULL);
            return;
        }
}

/* Applies a decoder to known input. */
/* Whether a decoder turns one encoding into another (as opposed to the string
 * functions folding also applies). */
static int is_decoder(int dec)
{
    return dec == D_B64 || dec == D_HEX || dec == D_URL || dec == D_ROT13 || dec == D_REV ||
           dec == D_INFLATE || dec == D_UNCOMPRESS || dec == D_GZDECODE || dec == D_UU ||
           dec == D_PACK;
}

static struct val fold(struct ev *v, const char *fname, int dec, struct val *a, int na)
{
    struct val r = UNKNOWN;
    r.taint = taint_of(a, na);
    r.src = src_of(a, na);
    r.flags = (is_decoder(dec) ? F_DECODED : 0);
    for (int k = 0; k < na; k++)
        r.flags |= a[k].flags & F_FILENAME;
    if (dec == D_ID && na > 0) {
        r = a[0];
        r.lv = NULL;
        r.taint |= taint_of(a, na);
        return r;
    }
    if (dec == D_CHR) {
        if (na < 1 || !a[0].s)
            return r;
        long c = num_long(&a[0]);
        char *s = wsa_alloc(v->a, 2);
        if (!s)
            return r;
        s[0] = (char)(c & 0xff);
        s[1] = 0;
        return known(v, s, 1, F_FOLDED, "chr");
    }
    if (na < 1 || !a[0].s) {
        if (dec == D_IMPLODE || dec == D_SPRINTF) {
            r.flags = 0;
        }
        return r;
    }
    size_t n = 0;
    char *out = NULL;
    const char *s = a[0].s;
    size_t sn = a[0].n;
    if (v->pass == 1 && sn > 4096 && is_decoder(dec))
        return r; /* what a large payload holds is read once, in the second pass */
    switch (dec) {
    case D_B64:
        out = wsa_base64(v->a, s, sn, &n);
        break;
    case D_HEX:
        out = wsa_hex(v->a, s, sn, &n);
        break;
    case D_URL:
        out = wsa_url(v->a, s, sn, &n);
        break;
    case D_ROT13:
        out = wsa_rot13(v->a, s, sn, &n);
        break;
    case D_REV:
        out = wsa_reverse(v->a, s, sn, &n);
        break;
    case D_INFLATE:
        out = wsa_inflate(v->a, s, sn, -15, &n);
        break;
    case D_UNCOMPRESS:
        out = wsa_inflate(v->a, s, sn, 15, &n);
        break;
    case D_GZDECODE:
        out = wsa_inflate(v->a, s, sn, 31, &n);
        break;
    case D_UU:
        out = wsa_uudecode(v->a, s, sn, &n);
        break;
    case D_LOWER:
    case D_UPPER:
        out = adup(v->a, s, sn);
        for (size_t k = 0; out && k < sn; k++)
            out[k] = (char)(dec == D_LOWER ? tolower((unsigned char)out[k])
                                           : toupper((unsigned char)out[k]));
        n = sn;
        break;
    case D_TRIM: {
        size_t b = 0, e = sn;
        while (b < e && isspace((unsigned char)s[b]))
            b++;
        while (e > b && isspace((unsigned char)s[e - 1]))
            e--;
        out = adup(v->a, s + b, e - b);
        n = e - b;
        break;
    }
    case D_REPLACE: {
        /* PHP: (search, replace, subject); VB and the rest: (subject, search, replace) */
        const struct val *from = v->lang == WSA_PHP ? &a[0] : &a[1];
        const struct val *to = v->lang == WSA_PHP ? &a[1] : &a[2];
        const struct val *in = v->lang == WSA_PHP ? &a[2] : &a[0];
        if (na < 3 || !from->s || !to->s || !in->s || !from->n)
            return r;
        struct {
            char *p;
            size_t n;
        } o = {wsa_alloc(v->a, in->n * (to->n > from->n ? to->n / from->n + 1 : 1) + 1), 0};
        if (!o.p)
            return r;
        for (size_t k = 0; k < in->n;) {
            if (k + from->n <= in->n && (dec == D_REPLACE && !strcmp(fname, "str_ireplace")
                                             ? strncasecmp(in->s + k, from->s, from->n) == 0
                                             : memcmp(in->s + k, from->s, from->n) == 0)) {
                memcpy(o.p + o.n, to->s, to->n);
                o.n += to->n;
                k += from->n;
            } else {
                o.p[o.n++] = in->s[k++];
            }
        }
        o.p[o.n] = 0;
        out = o.p;
        n = o.n;
        break;
    }
    case D_STRTR:
        if (na == 3 && a[1].s && a[2].s) {
            out = adup(v->a, s, sn);
            n = sn;
            size_t m = a[1].n < a[2].n ? a[1].n : a[2].n;
            for (size_t k = 0; out && k < sn; k++) {
                const char *hit = memchr(a[1].s, out[k], m);
                if (hit)
                    out[k] = a[2].s[hit - a[1].s];
            }
        }
        break;
    case D_SUBSTR:
    case D_MID: {
        long start = na > 1 ? num_long(&a[1]) : 0, len = na > 2 ? num_long(&a[2]) : (long)sn;
        if (dec == D_MID)
            start -= 1;
        if (start < 0)
            start = dec == D_MID ? 0 : (long)sn + start;
        if (start < 0 || (size_t)start > sn)
            return r;
        if (len < 0)
            len = (long)sn - start + len;
        if (v->lang == WSA_JSP && na > 2) /* substring(begin, end) */
            len = num_long(&a[2]) - start;
        if (len < 0)
            return r;
        if ((size_t)(start + len) > sn)
            len = (long)sn - start;
        out = adup(v->a, s + start, (size_t)len);
        n = (size_t)len;
        break;
    }
    case D_LEFT:
    case D_RIGHT: {
        long len = na > 1 ? num_long(&a[1]) : 0;
        if (len < 0)
            return r;
        if ((size_t)len > sn)
            len = (long)sn;
        out = adup(v->a, dec == D_LEFT ? s : s + sn - (size_t)len, (size_t)len);
        n = (size_t)len;
        break;
    }
    case D_REPEAT: {
        long times = na > 1 ? num_long(&a[1]) : 0;
        if (times <= 0 || sn * (size_t)times > ((size_t)1 << 20))
            return r;
        out = wsa_alloc(v->a, sn * (size_t)times + 1);
        for (long k = 0; out && k < times; k++)
            memcpy(out + (size_t)k * sn, s, sn);
        n = sn * (size_t)times;
        if (out)
            out[n] = 0;
        break;
    }
    case D_PACK:
        if (na > 1 && a[1].s && (a[0].n >= 1 && (s[0] == 'H' || s[0] == 'h')))
            out = wsa_hex(v->a, a[1].s, a[1].n, &n);
        break;
    case D_IMPLODE:
        /* implode of a known separator and an unknown array: unknown */
        return r;
    case D_SPRINTF: {
        /* %s substitutions of known arguments */
        char tmp[4096];
        size_t o = 0;
        int arg = 1;
        for (size_t k = 0; k < sn && o < sizeof(tmp) - 1; k++) {
            if (s[k] == '%' && k + 1 < sn && (s[k + 1] == 's' || s[k + 1] == 'c')) {
                if (arg >= na || !a[arg].s)
                    return r;
                if (s[k + 1] == 'c') {
                    tmp[o++] = (char)(num_long(&a[arg]) & 0xff);
                } else {
                    size_t m = a[arg].n < sizeof(tmp) - 1 - o ? a[arg].n : sizeof(tmp) - 1 - o;
                    memcpy(tmp + o, a[arg].s, m);
                    o += m;
                }
                arg++;
                k++;
            } else {
                tmp[o++] = s[k];
            }
        }
        out = adup(v->a, tmp, o);
        n = o;
        break;
    }
    default:
        break;
    }
    if (!out)
        return r;
    struct val k = known(v, out, n, F_FOLDED | (is_decoder(dec) ? F_DECODED : 0), fname);
    k.taint = r.taint;
    k.src = r.src;
    folded_name(v, &k);
    if (dec != D_ID && dec != D_LOWER && dec != D_UPPER && dec != D_TRIM && n >= 6)
        decoded_text(v, &k, fname);
    return k;
}

/* The explanation of how a value was made. */
static const char *how_of(struct ev *v, const struct val *a)
{
    if (!a->s)
        return a->how ? afmt(v->a, "via %s", a->how) : NULL;
    return afmt(v->a, "%s = \"%s\"", a->how ? a->how : "concatenation", show(v, a->s, a->n));
}

static const char *taint_path(struct ev *v, const struct val *a, const char *sink, unsigned line)
{
    return afmt(v->a, "%s → %s(...) line %u", a->src ? a->src : "request input", sink, line);
}

/* A value arriving at code or a command. */
static void sink(struct ev *v, unsigned kind, const char *fname, struct val *a, unsigned line)
{
    const char *name = kind == SK_CODE      ? "code"
                       : kind == SK_CMD     ? "command"
                       : kind == SK_INCLUDE ? "include"
                       : kind == SK_WRITE   ? "file-write"
                                            : "callback";
    char tech[40], detail[200];
    if (a->taint & T_PARAMS && v->fn >= 0) {
        struct fsum *f = &v->funcs[v->fn];
        for (int k = 0; k < 8; k++)
            if (a->taint & (T_PARAM0 << k))
                f->sinks[k] |= kind;
    }
    if (a->taint & T_PARAMS && !(a->taint & T_REQ))
        return;
    if (a->taint & T_REQ) {
        int prefixed = a->flags & F_PREFIX;
        int score = kind == SK_WRITE                            ? (prefixed ? 25 : 50)
                    : kind == SK_INCLUDE                        ? (prefixed ? 30 : 100)
                    : kind == SK_CALLBACK && a->flags & F_ARRAY ? 30
                                                                : 100;
        snprintf(tech, sizeof(tech), "taint-%s", name);
        snprintf(detail, sizeof(detail), "request input reaches %s()", fname);
        add_finding(v, score, tech, line, detail, a->s ? how_of(v, a) : NULL,
                    taint_path(v, a, fname, line));
        return;
    }
    if (kind == SK_CODE && a->s && a->n) {
        int packed = (a->flags & F_DECODED) != 0;
        if (packed) {
            snprintf(detail, sizeof(detail), "%s() of a decoded payload", fname);
            add_finding(v, 80, "eval-decoded-payload", line, detail, how_of(v, a), NULL);
        }
        if (v->pass == 2 && v->level < WSA_DEPTH_MAX)
            analyse_tokens(v, v->lang, a->s, a->n, 1, line,
                           afmt(v->a, "(in code decoded for %s() at line %u)", fname, line));
        return;
    }
    if (kind == SK_CODE && !a->s && a->flags & F_DECODED) {
        snprintf(detail, sizeof(detail), "%s() of a value a decoder produced at run time", fname);
        add_finding(v, 70, "eval-decoded-payload", line, detail, a->how ? how_of(v, a) : NULL,
                    NULL);
        return;
    }
    if ((kind == SK_CODE || kind == SK_CMD) && !a->s && a->taint & T_GLOBAL) {
        snprintf(detail, sizeof(detail), "%s() of a variable never assigned (register_globals)",
                 fname);
        add_finding(v, 35, kind == SK_CODE ? "global-code" : "global-command", line, detail, NULL,
                    taint_path(v, a, fname, line));
        return;
    }
    if (kind == SK_CMD) {
        /* A shell named outright, or any process started from a Java or .NET
         * page, is rarer in an application than exec() is in PHP. */
        int shell =
            (a->s && shell_text(a->s, a->n)) || (a->elem && shell_text(a->elem, strlen(a->elem)));
        int score = v->lang == WSA_PHP ? (shell ? 40 : a->s ? 20 : 25) : shell ? 60 : 40;
        snprintf(detail, sizeof(detail), "runs a command with %s()%s%s", fname, a->s ? ": " : "",
                 a->s ? show(v, a->s, a->n) : "");
        add_finding(v, score, "command-exec", line, detail, NULL, NULL);
    } else if (kind == SK_CODE && !a->s) {
        /* PHP's template engines evaluate what they compile; ASP pages and
         * JScript.NET have no such habit. */
        int rare = v->lang == WSA_ASP || v->lang == WSA_ASPX;
        snprintf(detail, sizeof(detail), "%s() of a computed value", fname);
        add_finding(v, rare ? 60 : 25, "dynamic-code", line, detail, NULL, NULL);
    }
}

/* A dynamic call's function name: from the request, or folded from constants
 * into the name of a dangerous function. */
static void callee_check(struct ev *v, const struct val *callee, const char *lname, unsigned line)
{
    if (callee->flags & F_FILENAME && !lname) {
        add_finding(v, 100, "function-name-from-file-name", line,
                    "a function is named by the script's own file name", NULL, NULL);
        return;
    }
    if (callee->taint & T_REQ) {
        add_finding(v, 100, "function-name-from-request", line,
                    "a function whose name the request gives is called", NULL,
                    taint_path(v, callee, "$f", line));
        return;
    }
    if (!lname || !is_dangerous_name(v, lname))
        return;
    const struct builtin *b = builtin_find(v, lname);
    char detail[200];
    if (!(callee->flags & (F_FOLDED | F_DECODED)) && b && b->role == R_CALLBACK)
        return; /* $map = 'array_map': a callback-taker through a variable is ordinary */
    if (callee->flags & (F_FOLDED | F_DECODED)) {
        snprintf(detail, sizeof(detail), "%s() is called under a name built at run time", lname);
        add_finding(v, 100, "obfuscated-function-name", line, detail, how_of(v, callee), NULL);
    } else {
        snprintf(detail, sizeof(detail), "%s() is called through a variable", lname);
        add_finding(v, 60, "variable-function", line, detail, NULL, NULL);
    }
}

static struct val call_user(struct ev *v, struct fsum *f, struct val *a, int na, unsigned line)
{
    struct val r = f->retval.s ? f->retval : UNKNOWN;
    r.lv = NULL;
    for (int k = 0; k < na && k < 8; k++) {
        if (f->sinks[k] && a[k].taint & (T_REQ | T_PARAMS)) {
            for (unsigned kind = 1; kind <= SK_CALLBACK; kind <<= 1)
                if (f->sinks[k] & kind)
                    sink(v, kind, f->name, &a[k], line);
        }
        if (f->ret & (T_PARAM0 << k)) {
            r.taint |= a[k].taint;
            if (!r.src)
                r.src = a[k].src;
        }
    }
    if (f->ret & T_REQ) {
        r.taint |= T_REQ;
        r.src = r.src ? r.src : afmt(v->a, "%s() line %u", f->name, line);
    }
    return r;
}

/* User functions by name: a hash of indexes into funcs (FUNCS_MAX * 2 slots,
 * 0 empty, else index + 1). */
static struct fsum *func_find(struct ev *v, const char *lname)
{
    for (uint32_t h = hash_name(lname) & (FUNCS_MAX * 2 - 1), k = 0; k < FUNCS_MAX * 2;
         k++, h = (h + 1) & (FUNCS_MAX * 2 - 1)) {
        uint16_t i = v->func_index[h];
        if (!i)
            return NULL;
        if (strcmp(v->funcs[i - 1].name, lname) == 0)
            return &v->funcs[i - 1];
    }
    return NULL;
}

static void func_index_add(struct ev *v, size_t i)
{
    uint32_t h = hash_name(v->funcs[i].name) & (FUNCS_MAX * 2 - 1);
    while (v->func_index[h])
        h = (h + 1) & (FUNCS_MAX * 2 - 1);
    v->func_index[h] = (uint16_t)(i + 1);
}

static int preg_e(const struct val *pat)
{
    if (!pat->s || pat->n < 3)
        return 0;
    char d = pat->s[0];
    if (isalnum((unsigned char)d) || d == '\\' || isspace((unsigned char)d))
        return 0;
    char close = d == '(' ? ')' : d == '{' ? '}' : d == '[' ? ']' : d == '<' ? '>' : d;
    const char *end = NULL;
    for (size_t k = pat->n; k > 1; k--)
        if (pat->s[k - 1] == close) {
            end = pat->s + k;
            break;
        }
    return end && memchr(end, 'e', (size_t)(pat->s + pat->n - end)) != NULL;
}

static void object_fed(struct ev *v, const struct val *recv, struct val *a, int na);

/* Content written to an open file (h[0], F_HANDLE) from h[1]. */
static struct val handle_write(struct ev *v, const char *lname, struct val *h, unsigned line)
{
    if (!(h[0].flags & F_HANDLE))
        return UNKNOWN;
    if (h[1].s && looks_like_code(h[1].s, h[1].n) && v->pass == 2 && v->level < WSA_DEPTH_MAX) {
        /* code a dropper writes, in the language of the file it writes */
        enum wsa_lang lang = h[0].cls ? wsa_lang_of(h[0].cls) : WSA_NONE;
        analyse_tokens(v, lang != WSA_NONE ? lang : v->lang, h[1].s, h[1].n, 0, line,
                       afmt(v->a, "(in code written at line %u)", line));
    }
    if (!(h[1].taint & T_REQ))
        return UNKNOWN;
    if (h[0].taint & T_REQ) {
        /* PHP's upload handlers write request data under a directory of theirs;
         * a JSP or ASP page doing so is the classic uploader. */
        int weak = h[0].flags & F_PREFIX && v->lang == WSA_PHP;
        add_finding(v, weak ? 40 : 100, "taint-file-write", line,
                    "writes what the request sent to a file the request names", NULL,
                    taint_path(v, &h[1], lname, line));
    } else if (h[0].cls && script_name(h[0].cls, strlen(h[0].cls))) {
        /* an installer writes input into a config template (constant code around
         * it); a dropper writes what it was sent, whole */
        add_finding(v, h[1].flags & F_PREFIX ? 30 : 100, "writes-request-to-script", line,
                    "writes what the request sent into a server script file", h[0].cls,
                    taint_path(v, &h[1], lname, line));
    }
    return UNKNOWN;
}

/* A call of a builtin or user function, or a method. */
static struct val call(struct ev *v, const char *lname, const struct val *recv, struct val *a,
                       int na, unsigned line)
{
    unsigned all = taint_of(a, na) | (recv ? recv->taint : 0);
    struct val r = UNKNOWN;
    r.taint = all & ~T_GLOBAL;
    r.src = src_of(a, na) ? src_of(a, na) : recv ? recv->src : NULL;
    if (!lname)
        return r;
    struct fsum *uf = func_find(v, lname);
    if (uf && (v->lang == WSA_PHP || !builtin_find(v, lname)))
        return call_user(v, uf, a, na, line);
    const struct builtin *b = builtin_find(v, lname);
    if (recv && v->lang == WSA_PHP) {
        /* PDO and SQLite3 call PHP functions by name */
        static const struct builtin methods[] = {
            {"createfunction", L_PHP, R_CALLBACK, 1},
            {"sqlitecreatefunction", L_PHP, R_CALLBACK, 1},
            {"sqlitecreateaggregate", L_PHP, R_CALLBACK, 1},
            {"createaggregate", L_PHP, R_CALLBACK, 1},
            {"fetchall", L_PHP, R_CALLBACK, 1},
            {"invokeargs", L_PHP, R_CALLBACK, 9},
        };
        b = NULL;
        for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++)
            if (!strcmp(methods[k].name, lname))
                b = &methods[k];
        if (b && !strcmp(lname, "invokeargs") && recv->cls && is_dangerous_name(v, recv->cls)) {
            for (int k = 0; k < na; k++)
                sink(v, SK_CODE, recv->cls, &a[k], line);
            return r;
        }
    }
    if (recv && recv->cls && !strcmp(lname, "open") && na > 1 && a[1].s && a[1].n > 7 &&
        (strstr(recv->cls, "xmlhttp") || strstr(recv->cls, "winhttp")) &&
        (!strncasecmp(a[1].s, "http://", 7) || !strncasecmp(a[1].s, "https://", 8))) {
        struct val remote = UNKNOWN;
        remote.taint = T_REQ;
        remote.src = afmt(v->a, "%s from %s line %u", recv->cls, show(v, a[1].s, a[1].n), line);
        object_fed(v, recv, &remote, 1);
        return r;
    }
    if (recv && recv->flags & F_HANDLE && na > 0 &&
        (!strcmp(lname, "write") || !strcmp(lname, "print") || !strcmp(lname, "println") ||
         !strcmp(lname, "writebytes") || !strcmp(lname, "append") || !strcmp(lname, "writeline") ||
         !strcmp(lname, "writetext"))) {
        struct val h[2] = {*recv, a[0]};
        for (int k = 1; k < na; k++)
            if (a[k].taint & T_REQ)
                h[1] = a[k];
        return handle_write(v, lname, h, line);
    }
    if (!b)
        return r;
    struct val none = UNKNOWN;
    int argi = b->arg < 0 ? na - 1 : b->arg;
    struct val *arg = argi >= 0 && argi < na ? &a[argi] : &none;
    switch (b->role) {
    case R_DECODE: {
        /* Java and .NET decoders are methods: the receiver is not the input. */
        struct val k = fold(v, lname, b->arg, a, na);
        if (recv && v->lang != WSA_PHP && !na && b->arg == D_ID)
            k = *recv, k.lv = NULL;
        k.taint |= r.taint;
        if (!k.src)
            k.src = r.src;
        return k;
    }
    case R_SOURCE:
        r.taint |= T_REQ;
        r.src = afmt(v->a, "%s%s() line %u", recv && recv->mname ? "" : "", lname, line);
        return r;
    case R_CODE:
        if (!strcmp(lname, "preg_replace") || !strcmp(lname, "preg_filter")) {
            if (na > 0 && preg_e(&a[0])) {
                int tainted = a[1].taint & T_REQ || (na > 2 && a[2].taint & T_REQ);
                add_finding(v,
                            tainted  ? 100
                            : a[1].s ? 15
                                     : 40,
                            "preg-replace-e", line,
                            "preg_replace() with /e evaluates the replacement as PHP code",
                            a[0].s ? show(v, a[0].s, a[0].n) : NULL,
                            a[1].taint & T_REQ ? taint_path(v, &a[1], lname, line) : NULL);
                sink(v, SK_CODE, lname, arg, line);
            } else if (na > 1 && !a[0].s && a[0].taint & T_REQ && a[1].taint & T_REQ) {
                add_finding(v, 100, "preg-replace-e", line,
                            "preg_replace() with pattern and replacement from input (/e evaluates)",
                            NULL, taint_path(v, &a[0], lname, line));
            }
            return r;
        }
        if (!strncmp(lname, "mb_ereg", 7)) {
            if (na > 3 && a[3].s && memchr(a[3].s, 'e', a[3].n))
                sink(v, SK_CODE, lname, arg, line);
            return r;
        }
        if (!strcmp(lname, "create_function")) {
            /* the body, and the argument list, which can close it early */
            if (!arg->s && !(arg->taint & (T_REQ | T_PARAMS)) && !(arg->flags & F_DECODED))
                add_finding(v, 45, "dynamic-function", line,
                            "create_function() with a body computed at run time", NULL, NULL);
            sink(v, SK_CODE, lname, arg, line);
            if (na > 0 && a[0].taint & T_REQ)
                sink(v, SK_CODE, lname, &a[0], line);
            return r;
        }
        if (!strcmp(lname, "assert") && arg->s && !(arg->flags & (F_FOLDED | F_DECODED)) &&
            v->lang == WSA_PHP && !looks_like_code(arg->s, arg->n))
            return r; /* assert('is_int($x)') in tests */
        if ((!strcmp(lname, "forname") || !strcmp(lname, "loadclass")) && arg->s) {
            static const char *const risky[] = {"java.lang.runtime",
                                                "java.lang.processbuilder",
                                                "javax.script.scriptenginemanager",
                                                "java.lang.processimpl",
                                                "java.lang.unixprocess",
                                                NULL};
            const char *cn = lower(v, arg->s, arg->n);
            for (int k = 0; risky[k]; k++)
                if (!strcmp(cn, risky[k])) {
                    int folded = arg->flags & (F_FOLDED | F_DECODED);
                    add_finding(v, folded ? 100 : 60, "reflection-to-runtime", line,
                                folded ? "reaches a command-running class under a name built at "
                                         "run time"
                                       : "reaches a command-running class by reflection",
                                folded ? how_of(v, arg) : arg->s, NULL);
                }
            r.cls = cn;
            return r;
        }
        if ((!strcmp(lname, "load") || !strcmp(lname, "forname") || !strcmp(lname, "loadclass")) &&
            !(arg->taint & T_REQ) && !(arg->flags & F_DECODED))
            return r;
        if (!strcmp(lname, "defineclass")) {
            for (int k = 0; k < na; k++)
                if (a[k].taint & T_REQ || a[k].flags & F_DECODED) {
                    add_finding(v, 100, "define-class-from-input", line,
                                "a class is defined from bytes the request or a decoder gave", NULL,
                                a[k].taint & T_REQ ? taint_path(v, &a[k], lname, line) : NULL);
                    return r;
                }
            add_finding(v, 45, "define-class", line, "a class is defined from bytes at run time",
                        NULL, NULL);
            return r;
        }
        if (!strcmp(lname, "eval") && v->lang == WSA_ASPX && !v->js)
            return r; /* <%# Eval("Name") %> */
        if (!strcmp(lname, "eval") && na > 1 && a[1].s && a[1].n == 6 &&
            !strncasecmp(a[1].s, "unsafe", 6) && !(arg->taint & T_REQ))
            add_finding(v, 100, "eval-unsafe", line,
                        "JScript.NET eval(..., \"unsafe\") runs code with full trust", NULL, NULL);
        sink(v, SK_CODE, lname, arg, line);
        if (!strcmp(lname, "execute") || !strcmp(lname, "executeglobal"))
            for (int k = 1; k < na; k++)
                sink(v, SK_CODE, lname, &a[k], line);
        return r;
    case R_CMD:
        if ((!strcmp(lname, "exec") && v->lang != WSA_PHP && v->lang != WSA_JSP) ||
            !strcmp(lname, "run") || !strcmp(lname, "start") || !strcmp(lname, "shell")) {
            /* Run, Start and Exec run commands only on these receivers */
            static const char *const runners[] = {"process", "wscript.shell", "shell.application",
                                                  "processstartinfo", NULL};
            int runner = 0;
            for (int k = 0; recv && recv->cls && runners[k]; k++)
                runner |= !strcmp(recv->cls, runners[k]);
            if (!runner)
                return r;
        }
        {
            struct val joined = *arg;
            for (int k = 0; k < na; k++)
                if (a[k].taint & T_REQ && !(joined.taint & T_REQ))
                    joined = a[k];
            sink(v, SK_CMD, lname, &joined, line);
        }
        return r;
    case R_CALLBACK: {
        struct val *cb = arg;
        const char *cname = cb->s ? lower(v, cb->s, cb->n) : NULL;
        if (!cname && cb->flags & F_ARRAY && cb->elem && is_dangerous_name(v, cb->elem) &&
            (strcmp(lname, "filter_var") || taint_of(a, na) & T_REQ))
            cname = cb->elem; /* array('options' => 'assert') */
        if (!cname && cb->flags & F_FILENAME)
            callee_check(v, cb, NULL, line);
        if (!strcmp(lname, "filter_var") && !(cname && is_dangerous_name(v, cname)))
            return r;
        if (!strcmp(lname, "yaml_parse") && !(cname && is_dangerous_name(v, cname)))
            return r;
        if (cb->taint & T_REQ) {
            sink(v, SK_CALLBACK, lname, cb, line);
            return r;
        }
        if (cb->fn >= 0 && (size_t)cb->fn < v->nfuncs) {
            struct fsum *f = &v->funcs[cb->fn];
            for (int k = 0; k < na; k++)
                if (k != argi && a[k].taint & T_REQ)
                    for (unsigned kind = 1; kind <= SK_CALLBACK; kind <<= 1)
                        if (f->sinks[0] & kind)
                            sink(v, kind, lname, &a[k], line);
            return r;
        }
        if (!cname && !(cb->flags & F_ARRAY) && cb->fn < 0 && taint_of(a, na) & T_REQ &&
            v->lang == WSA_PHP && (cb->flags & (F_FOLDED | F_DECODED) || cb->lv))
            add_finding(v, 40, "request-to-computed-callback", line,
                        "request input goes to a callback whose function is computed", NULL,
                        taint_path(v, &a[argi == 0 ? 1 % (na ? na : 1) : 0], lname, line));
        if (cname && is_dangerous_name(v, cname)) {
            if (cb->s)
                callee_check(v, cb, cname, line);
            const struct builtin *cbb = builtin_find(v, cname);
            for (int k = 0; cbb && (cbb->role == R_CMD || cbb->role == R_CODE) && k < na; k++)
                if (k != argi)
                    sink(v, cbb->role == R_CMD ? SK_CMD : SK_CODE, cname, &a[k], line);
        } else if (cname && (uf = func_find(v, cname)) != NULL) {
            for (int k = 0, p = 0; k < na; k++)
                if (k != argi) {
                    struct val one = a[k];
                    call_user(v, uf, &one, 1, line);
                    p++;
                }
        }
        return r;
    }
    case R_WRITE:
    case R_UPLOAD: {
        if ((!strcmp(lname, "fwrite") || !strcmp(lname, "fputs")) && na > 1)
            return handle_write(v, lname, a, line);
        if (!strcmp(lname, "fopen") && na > 1 && a[1].s && !memchr(a[1].s, 'w', a[1].n) &&
            !memchr(a[1].s, 'a', a[1].n) && !memchr(a[1].s, 'x', a[1].n) &&
            !memchr(a[1].s, 'c', a[1].n)) {
            if (arg->s && arg->n >= 11 && !memcmp(arg->s, "php://input", 11)) {
                r.taint |= T_REQ;
                r.src = afmt(v->a, "php://input line %u", line);
            } else if (arg->taint & T_REQ && !(arg->flags & F_PREFIX)) {
                weak_signal(v, W_FS, line, "fopen");
            }
            return r;
        }
        if (b->role == R_UPLOAD) {
            if (arg->taint & T_REQ && !(arg->flags & F_PREFIX) && v->lang == WSA_PHP)
                add_finding(v, 70, "upload-to-request-path", line,
                            "saves an upload exactly where the request says", NULL,
                            taint_path(v, arg, lname, line));
            else if (arg->taint & T_REQ && v->lang != WSA_PHP)
                add_finding(v, arg->flags & F_PREFIX ? 45 : 60, "upload-to-request-path", line,
                            "saves an upload where the request says", NULL,
                            taint_path(v, arg, lname, line));
            return r;
        }
        /* content: code a dropper writes is analysed as the code it is */
        for (int k = 0; k < na; k++) {
            if (k == argi || !a[k].s || !looks_like_code(a[k].s, a[k].n))
                continue;
            if (a[k].flags & F_DECODED)
                add_finding(v, 70, "drops-decoded-code", line,
                            "writes code that was decoded from an encoded string", how_of(v, &a[k]),
                            NULL);
            if (v->pass == 2 && v->level < WSA_DEPTH_MAX)
                analyse_tokens(v, v->lang, a[k].s, a[k].n, 0, line,
                               afmt(v->a, "(in code written at line %u)", line));
        }
        /* copy(URL, "x.php"): a download into a script */
        if (!strcmp(lname, "copy") && na > 1 && a[0].s && a[0].n > 7 &&
            (!strncasecmp(a[0].s, "http://", 7) || !strncasecmp(a[0].s, "ftp://", 6) ||
             !strncasecmp(a[0].s, "https://", 8)) &&
            (!a[1].s || script_name(a[1].s, a[1].n)))
            add_finding(v, 100, "downloads-script", line,
                        "copies a file from another server into a server script",
                        show(v, a[0].s, a[0].n), NULL);
        int content = recv && recv->taint & T_REQ;
        for (int k = 0; k < na; k++)
            content |= k != b->arg && a[k].taint & T_REQ;
        if (!strcmp(lname, "fopen") || !strcmp(lname, "createtextfile") ||
            !strcmp(lname, "opentextfile") || !strcmp(lname, "createtext") ||
            !strcmp(lname, "appendtext") ||
            (v->lang != WSA_PHP && !recv && strcmp(lname, "writealltext") &&
             strcmp(lname, "writeallbytes") && strcmp(lname, "savetofile"))) {
            r.flags = F_HANDLE | (arg->flags & F_PREFIX);
            r.cls = arg->s ? adup(v->a, arg->s, arg->n > 200 ? 200 : arg->n) : NULL;
            r.taint = arg->taint & T_REQ;
            r.src = arg->src;
            if (arg->taint & T_REQ && !(arg->flags & F_PREFIX))
                weak_signal(v, W_FS, line, lname);
            return r;
        }
        if (arg->taint & T_REQ && content) {
            add_finding(v, arg->flags & F_PREFIX && v->lang == WSA_PHP ? 40 : 100,
                        "taint-file-write", line,
                        "writes what the request sent to a file the request names", NULL,
                        taint_path(v, arg, lname, line));
        } else if (arg->taint & T_REQ) {
            if (!(arg->flags & F_PREFIX))
                sink(v, SK_WRITE, lname, arg, line);
            else
                weak_signal(v, W_FS, line, lname);
        } else if (content && arg->s && script_name(arg->s, arg->n)) {
            int templated = 1;
            for (int k = 0; k < na; k++)
                if (k != argi && a[k].taint & T_REQ && !(a[k].flags & F_PREFIX))
                    templated = 0;
            if (recv && recv->taint & T_REQ)
                templated = 0;
            add_finding(v, templated ? 30 : 100, "writes-request-to-script", line,
                        "writes what the request sent into a server script file",
                        show(v, arg->s, arg->n), NULL);
        }
        r.taint = arg->taint;
        r.src = arg->src;
        return r;
    }
    case R_FS:
        if (arg->s && arg->n > 7 &&
            (!strncasecmp(arg->s, "http://", 7) || !strncasecmp(arg->s, "https://", 8) ||
             !strncasecmp(arg->s, "ftp://", 6))) {
            /* code fetched from elsewhere is as good as code from the request */
            r.taint |= T_REQ;
            r.src = afmt(v->a, "%s(%s) line %u", lname, show(v, arg->s, arg->n), line);
            return r;
        }
        if (!strcmp(lname, "file_get_contents") || !strcmp(lname, "file")) {
            if (arg->s && arg->n >= 11 && !memcmp(arg->s, "php://input", 11)) {
                r.taint |= T_REQ;
                r.src = afmt(v->a, "php://input line %u", line);
                return r;
            }
        }
        if (arg->taint & T_REQ)
            weak_signal(v, W_FS, line, lname);
        return r;
    case R_DB:
        if (all & T_REQ)
            weak_signal(v, W_DB, line, lname);
        return r;
    case R_NET:
        if (all & T_REQ) {
            const struct val *in = arg->taint & T_REQ ? arg : &a[na > 1 ? 1 : 0];
            add_finding(v, v->lang == WSA_PHP ? 45 : 60, "network-from-request", line,
                        "opens a connection to where the request says (a tunnel or scanner)", NULL,
                        taint_path(v, in, lname, line));
        }
        return r;
    case R_CLEAN:
        return UNKNOWN;
    case R_FINGER:
        weak_signal(v, W_FINGERPRINT, line, lname);
        return r;
    case R_QUIET:
        if (na > 0 && arg->s && numval(arg) == 0)
            weak_signal(v, W_QUIET, line, lname);
        return r;
    case R_EXTRACT:
        if (arg->taint & T_REQ && (strcmp(lname, "parse_str") || na < 2)) {
            v->extracted = 1;
            weak_signal(v, W_EXTRACT, line, lname);
        }
        return r;
    case R_DEFINE:
        if (na > 1 && a[0].s)
            assign(v, var_key(v, a[0].s, a[0].n), a[1], 0);
        return r;
    case R_CREATE:
        if (arg->taint & T_REQ) {
            sink(v, SK_CODE, lname, arg, line);
        } else if (arg->s) {
            r.cls = lower(v, arg->s, arg->n);
            r.flags |= F_OBJECT;
            static const char *const risky[] = {"wscript.shell", "shell.application",
                                                "wscript.network", NULL};
            for (int k = 0; risky[k]; k++)
                if (!strcmp(r.cls, risky[k])) {
                    if (arg->flags & (F_FOLDED | F_DECODED))
                        add_finding(v, 100, "obfuscated-object", line,
                                    "a command-running object is created under a folded name",
                                    how_of(v, arg), NULL);
                    weak_signal(v, W_OBJECT, line, r.cls);
                }
        }
        return r;
    case R_NONE:
        break;
    }
    return r;
}

/* new Class(args): constructors that matter. */
static struct val construct(struct ev *v, const char *lname, struct val *a, int na, unsigned line)
{
    struct val r = call(v, lname, NULL, a, na, line);
    r.cls = lname;
    r.flags |= F_OBJECT;
    return r;
}

/* ---- expressions -------------------------------------------------------------------- */

static int binding(struct ev *v, const struct wsa_tok *t, int *right)
{
    *right = 0;
    if (t->kind == TK_ID && v->lang == WSA_PHP) {
        if (is_id(t, "or") || is_id(t, "xor"))
            return 1;
        if (is_id(t, "and"))
            return 2;
        if (is_id(t, "instanceof"))
            return 14;
        return 0;
    }
    if (t->kind == TK_ID && v->ci) {
        if (is_id(t, "or") || is_id(t, "xor") || is_id(t, "orelse"))
            return 4;
        if (is_id(t, "and") || is_id(t, "andalso"))
            return 5;
        if (is_id(t, "mod") || is_id(t, "is"))
            return 12;
        return 0;
    }
    if (t->kind != TK_OP)
        return 0;
    if (t->len == 1) {
        switch (t->s[0]) {
        case '=':
            if (v->ci)
                return 9; /* VBScript compares with '=' outside a statement's head */
            *right = 1;
            return 3;
        case '?':
            return 4;
        case '|':
            return 6;
        case '^':
            return 7;
        case '&':
            return v->ci ? 11 : 8;
        case '<':
        case '>':
            return 9;
        case '+':
        case '-':
            return 11;
        case '.':
            return v->lang == WSA_PHP ? 11 : 0;
        case '*':
        case '/':
        case '%':
        case '\\':
            return 12;
        default:
            return 0;
        }
    }
    static const struct {
        const char *op;
        int bp, right;
    } two[] = {{".=", 3, 1},  {"+=", 3, 1},  {"-=", 3, 1},  {"*=", 3, 1},  {"/=", 3, 1},
               {"^=", 3, 1},  {"|=", 3, 1},  {"&=", 3, 1},  {"%=", 3, 1},  {"?\?=", 3, 1},
               {"**=", 3, 1}, {"??", 4, 1},  {"||", 5, 0},  {"&&", 5, 0},  {"==", 9, 0},
               {"!=", 9, 0},  {"===", 9, 0}, {"!==", 9, 0}, {"<>", 9, 0},  {"<=", 9, 0},
               {">=", 9, 0},  {"<=>", 9, 0}, {"<<", 10, 0}, {">>", 10, 0}, {"**", 13, 1}};
    for (size_t k = 0; k < sizeof(two) / sizeof(two[0]); k++)
        if (is_op(t, two[k].op)) {
            *right = two[k].right;
            return two[k].bp;
        }
    return 0;
}

static struct val concat(struct ev *v, struct val l, struct val r)
{
    /* PHP reads a variable never assigned as "": $a = $a . 'x' folds. */
    if (v->lang == WSA_PHP && l.flags & F_UNDEF && !(l.taint & T_REQ))
        l = known(v, "", 0, 0, NULL);
    if (v->lang == WSA_PHP && r.flags & F_UNDEF && !(r.taint & T_REQ))
        r = known(v, "", 0, 0, NULL);
    struct val o = UNKNOWN;
    o.taint = l.taint | r.taint;
    o.src = (l.taint & (T_REQ | T_GLOBAL)) ? l.src : r.src;
    o.flags = (l.flags | r.flags) & (F_DECODED | F_FILENAME);
    if ((l.s && l.n && !(l.taint & T_REQ)) || (r.s && r.n && !(r.taint & T_REQ)))
        o.flags |= F_PREFIX;
    if ((l.flags | r.flags) & F_PREFIX)
        o.flags |= F_PREFIX;
    if (l.s && r.s && l.n + r.n <= FOLD_MAX) {
        char *s;
        /* A string still ending in its NUL was never extended: extending it
         * cannot change another value's bytes. */
        if (l.n && l.s[l.n] == 0 && arena_extend(v->a, l.s, l.n + 1, l.n + r.n + 1)) {
            s = (char *)(uintptr_t)l.s; /* l is the arena's newest string: append in place */
        } else {
            s = wsa_alloc(v->a, l.n + r.n + 1);
            if (!s)
                return o;
            memcpy(s, l.s, l.n);
        }
        memcpy(s + l.n, r.s, r.n);
        s[l.n + r.n] = 0;
        o.s = s;
        o.n = l.n + r.n;
        o.flags |= F_FOLDED;
        o.how = l.how && !r.how ? l.how : r.how && !l.how ? r.how : l.how ? l.how : NULL;
        folded_name(v, &o);
    }
    return o;
}

static struct val binary(struct ev *v, const struct wsa_tok *op, struct val l, struct val r)
{
    int is_concat = (v->lang == WSA_PHP && is_op(op, ".")) ||
                    (v->lang != WSA_PHP && is_op(op, "+") && (l.s || r.s || l.taint || r.taint)) ||
                    (v->ci && is_op(op, "&"));
    if (is_concat)
        return concat(v, l, r);
    if (v->lang == WSA_PHP && (is_op(op, "^") || is_op(op, "|") || is_op(op, "&")) && l.s && r.s &&
        !(l.flags & F_NUMBER) && !(r.flags & F_NUMBER)) {
        /* PHP's bitwise operators on two strings work byte by byte: ^ and &
         * over the shorter length, | over the longer. */
        char c = op->s[0];
        size_t n = c == '|' ? (l.n > r.n ? l.n : r.n) : (l.n < r.n ? l.n : r.n);
        char *s = wsa_alloc(v->a, n + 1);
        if (!s)
            return UNKNOWN;
        for (size_t k = 0; k < n; k++) {
            unsigned char x = k < l.n ? (unsigned char)l.s[k] : 0;
            unsigned char y = k < r.n ? (unsigned char)r.s[k] : 0;
            s[k] = (char)(c == '^' ? x ^ y : c == '|' ? x | y : x & y);
        }
        s[n] = 0;
        struct val o = known(v, s, n, F_FOLDED,
                             c == '^'   ? "xor"
                             : c == '|' ? "bitwise or"
                                        : "bitwise and");
        folded_name(v, &o);
        return o;
    }
    if (is_op(op, "??") || is_op(op, "||") || is_id(op, "or")) {
        struct val o = l.s || l.taint ? l : r;
        o.taint |= l.taint | r.taint;
        if (!is_op(op, "??")) {
            o = UNKNOWN;
        }
        return o;
    }
    struct val o = UNKNOWN;
    int compare = binding(v, op, &(int){0}) == 9 || binding(v, op, &(int){0}) == 5;
    if (!compare) {
        o.taint = (l.taint | r.taint) & ~T_GLOBAL;
        o.src = l.src ? l.src : r.src;
        o.flags = (l.flags | r.flags) & F_FILENAME;
    }
    return o;
}

static struct val postfix(struct ev *v, struct val base, const char *lname_hint, int literal_call);

/* [a, b], {a, b}: taint is the union; an array of small numbers is the bytes
 * they spell, as Java's new String(new byte[]{...}) reads it. */
static struct val array_literal(struct ev *v, const char *close)
{
    v->i++;
    struct val r = UNKNOWN;
    char bytes[512];
    size_t nb = 0;
    int numeric = 1, count = 0;
    while (!at_end(v) && !is_op(peek(v, 0), close)) {
        if (is_op(peek(v, 0), ",") || is_op(peek(v, 0), "=>")) {
            v->i++;
            continue;
        }
        size_t before = v->i;
        struct val e = expr(v, 1);
        count++;
        r.taint |= e.taint;
        r.src = r.src ? r.src : e.src;
        if (e.s && e.n && e.n < 64 && !(e.flags & F_NUMBER))
            r.elem = lower(v, e.s, e.n);
        else if (e.elem)
            r.elem = e.elem;
        if (e.s && e.flags & F_NUMBER && nb < sizeof(bytes)) {
            long b = num_long(&e);
            bytes[nb++] = (char)(b & 0xff);
        } else {
            numeric = 0;
        }
        if (v->i == before)
            v->i++;
        if (!is_op(peek(v, 0), ",") && !is_op(peek(v, 0), "=>") && !is_op(peek(v, 0), close))
            break;
    }
    if (is_op(peek(v, 0), close))
        v->i++;
    r.flags = F_ARRAY;
    if (numeric && count >= 2 && nb == (size_t)count) {
        char *s = adup(v->a, bytes, nb);
        if (s) {
            r.s = s;
            r.n = nb;
            r.flags |= F_FOLDED;
            r.how = "bytes";
        }
    }
    return postfix(v, r, NULL, 0);
}

static struct val closure(struct ev *v, unsigned line);

static struct val primary(struct ev *v)
{
    const struct wsa_tok *t = peek(v, 0);
    unsigned line = t->line;
    if (at_end(v))
        return UNKNOWN;
    if (t->kind == TK_VAR) {
        v->i++;
        struct val r = var_read(v, t->s, line);
        r.lv = var_key(v, t->s, t->len);
        return postfix(v, r, NULL, 0);
    }
    if (t->kind == TK_STR || t->kind == TK_NUM) {
        v->i++;
        struct val r = known(v, t->s, t->len,
                             t->kind == TK_NUM ? F_NUMBER
                             : t->interp       ? F_FOLDED
                                               : 0,
                             NULL);
        if (t->kind == TK_STR && t->len >= 1024 && v->pass == 2) {
            double h = text_entropy(t->s, t->len);
            if (h >= 5.0 && !memmem(t->s, t->len < 64 ? t->len : 64, "data:", 5))
                weak_signal(v, W_PACKED, line, afmt(v->a, "%u bytes", t->len));
        }
        return postfix(v, r, NULL, 0);
    }
    if (t->kind == TK_OP) {
        if (is_op(t, "(")) {
            /* a cast, or a grouping */
            const struct wsa_tok *c = peek(v, 1), *close = peek(v, 2);
            if (c->kind == TK_ID && is_op(close, ")") &&
                (peek(v, 3)->kind == TK_VAR || peek(v, 3)->kind == TK_ID ||
                 peek(v, 3)->kind == TK_STR || is_op(peek(v, 3), "(") || is_op(peek(v, 3), "$") ||
                 is_op(peek(v, 3), "@"))) {
                int numeric = is_id(c, "int") || is_id(c, "integer") || is_id(c, "bool") ||
                              is_id(c, "boolean") || is_id(c, "float") || is_id(c, "double") ||
                              is_id(c, "long");
                v->i += 3;
                struct val r = expr(v, 13);
                return numeric ? UNKNOWN : r;
            }
            v->i++;
            struct val r = expr(v, 1);
            while (is_op(peek(v, 0), ",")) { /* (a, b) in JScript/C */
                v->i++;
                r = expr(v, 1);
            }
            if (is_op(peek(v, 0), ")"))
                v->i++;
            r.lv = NULL;
            return postfix(v, r, NULL, 0);
        }
        if (is_op(t, "[") || (is_op(t, "{") && v->lang != WSA_PHP)) {
            return array_literal(v, is_op(t, "[") ? "]" : "}");
        }
        if (is_op(t, "$")) {
            /* variable-variable: $$x, ${expr} */
            v->i++;
            struct val name;
            if (is_op(peek(v, 0), "{")) {
                v->i++;
                name = expr(v, 1);
                if (is_op(peek(v, 0), "}"))
                    v->i++;
            } else {
                name = primary(v);
            }
            struct val r = UNKNOWN;
            if (name.s) {
                const char *vn = adup(v->a, name.s, name.n > 200 ? 200 : name.n);
                r = var_read(v, vn, line);
                r.lv = vn ? var_key(v, vn, strlen(vn)) : NULL;
                if (name.flags & F_FOLDED && r.taint & T_REQ)
                    r.src = afmt(v->a, "$%s (a variable named by folding) line %u", vn, line);
            } else {
                r.taint = name.taint;
                r.src = name.src;
            }
            return postfix(v, r, NULL, 0);
        }
        if (is_op(t, "@") || is_op(t, "&") || is_op(t, "+")) {
            v->i++;
            return expr(v, 13);
        }
        if (is_op(t, "!") || is_op(t, "-")) {
            v->i++;
            expr(v, 13);
            return UNKNOWN;
        }
        if (is_op(t, "~")) {
            v->i++;
            struct val r = expr(v, 13);
            if (r.s && v->lang == WSA_PHP) {
                char *s = wsa_alloc(v->a, r.n + 1);
                if (!s)
                    return UNKNOWN;
                for (size_t k = 0; k < r.n; k++)
                    s[k] = (char)~r.s[k];
                s[r.n] = 0;
                return known(v, s, r.n, F_FOLDED, "bitwise not");
            }
            return UNKNOWN;
        }
        if (is_op(t, "++") || is_op(t, "--")) {
            v->i++;
            expr(v, 13);
            return UNKNOWN;
        }
        v->i++;
        return UNKNOWN;
    }
    if (t->kind != TK_ID) {
        v->i++;
        return UNKNOWN;
    }
    /* identifiers: keywords, functions, constants, variables */
    v->i++;
    {
        if (is_id(t, "new")) {
            const struct wsa_tok *c = peek(v, 0);
            const char *cls = NULL;
            struct val cv = UNKNOWN;
            if (c->kind == TK_ID) {
                v->i++;
                while (is_op(peek(v, 0), ".") && peek(v, 1)->kind == TK_ID) { /* java.io.File */
                    c = peek(v, 1);
                    v->i += 2;
                }
                cls = c->ls;
                if (is_op(peek(v, 0), "<")) { /* generics */
                    while (!at_end(v) && !is_op(peek(v, 0), ">") && !is_op(peek(v, 0), "("))
                        v->i++;
                    if (is_op(peek(v, 0), ">"))
                        v->i++;
                }
            } else if (c->kind == TK_VAR || is_op(c, "(")) {
                /* new $class(...): the class, not a call of it */
                if (c->kind == TK_VAR) {
                    v->i++;
                    cv = var_read(v, c->s, line);
                    while ((is_op(peek(v, 0), "->") || is_op(peek(v, 0), "::")) &&
                           peek(v, 1)->kind == TK_ID)
                        v->i += 2, cv = UNKNOWN;
                } else {
                    v->i++;
                    cv = expr(v, 1);
                    if (is_op(peek(v, 0), ")"))
                        v->i++;
                }
                if (cv.taint & T_REQ)
                    add_finding(v, 25, "class-name-from-request", line,
                                "an object of a class the request names is made", NULL,
                                taint_path(v, &cv, "new $class", line));
                cls = cv.s ? lower(v, cv.s, cv.n) : NULL;
            }
            struct val a[8];
            int na = 0;
            for (int j = 0; j < 8; j++)
                a[j] = UNKNOWN;
            if (is_op(peek(v, 0), "(")) {
                v->i++;
                na = args(v, ")", a, 8);
            }
            if (is_op(peek(v, 0), "[")) { /* new byte[n] */
                v->i++;
                args(v, "]", a + na, 1);
            }
            if (is_op(peek(v, 0), "{") && v->lang != WSA_PHP) {
                /* new byte[] {...}: the array; new Foo() {...}: a class body */
                if (cls &&
                    (!strcmp(cls, "byte") || !strcmp(cls, "char") || !strcmp(cls, "string") ||
                     !strcmp(cls, "int") || !strcmp(cls, "object")))
                    return array_literal(v, "}");
                return UNKNOWN;
            }
            struct val r = cls ? construct(v, cls, a, na, line) : UNKNOWN;
            return postfix(v, r, NULL, 0);
        }
        if (is_id(t, "function") || is_id(t, "fn")) {
            v->i--;
            return closure(v, line);
        }
        if (v->lang == WSA_PHP && (is_id(t, "include") || is_id(t, "include_once") ||
                                   is_id(t, "require") || is_id(t, "require_once"))) {
            struct val a = expr(v, 3);
            if (a.s && ((a.n >= 11 && !memcmp(a.s, "php://input", 11)) ||
                        (a.n >= 5 && !strncasecmp(a.s, "data:", 5))))
                add_finding(v, 100, "include-input", line,
                            "includes the request body or a data: URL as code", show(v, a.s, a.n),
                            NULL);
            else if (a.s && a.flags & F_DECODED)
                add_finding(v, 60, "include-decoded", line, "includes a path that was decoded",
                            show(v, a.s, a.n), NULL);
            else
                sink(v, SK_INCLUDE, t->ls, &a, line);
            return UNKNOWN;
        }
        if (v->lang == WSA_PHP && (is_id(t, "array") || is_id(t, "list")) &&
            is_op(peek(v, 0), "(")) {
            v->i++;
            struct val el[16];
            int k = args(v, ")", el, 16);
            struct val r = UNKNOWN;
            r.taint = taint_of(el, k);
            r.src = src_of(el, k);
            r.flags = F_ARRAY;
            for (int j = 0; j < k && j < 16; j++)
                if (el[j].s && el[j].n && el[j].n < 64)
                    r.elem = lower(v, el[j].s, el[j].n);
                else if (el[j].elem)
                    r.elem = el[j].elem;
            return postfix(v, r, NULL, 0);
        }
        if (v->lang == WSA_PHP && (is_id(t, "print") || is_id(t, "clone") || is_id(t, "echo")))
            return expr(v, 3);
        if (v->lang == WSA_PHP && (is_id(t, "true") || is_id(t, "false") || is_id(t, "null")))
            return UNKNOWN;
    }
    const char *lname = t->ls;
    if (is_op(peek(v, 0), "(") || is_op(peek(v, 0), "[") || is_op(peek(v, 0), ".") ||
        is_op(peek(v, 0), "->") || is_op(peek(v, 0), "::")) {
        struct val base = UNKNOWN;
        const char *key = var_key(v, t->s, t->len);
        struct var *x = v->lang == WSA_PHP ? NULL : var_slot(v, key, 0);
        if (x)
            base = x->v;
        if ((v->lang == WSA_ASP || v->lang == WSA_ASPX) && !strcmp(lname, "request") && !x)
            base.flags |= F_REQUEST;
        base.lv = v->lang == WSA_PHP ? NULL : key;
        base.mname = lname;
        return postfix(v, base, lname, !x);
    }
    if (v->lang == WSA_PHP && !strcmp(lname, "__file__")) {
        struct val r = UNKNOWN;
        r.flags = F_FILENAME;
        return r;
    }
    if (v->lang == WSA_PHP) {
        /* a constant: define()d, or a bare word PHP reads as its own name */
        struct var *x = var_slot(v, lname, 0);
        if (x)
            return x->v;
        return known(v, t->s, t->len, 0, NULL);
    }
    const char *key = var_key(v, t->s, t->len);
    struct var *x = var_slot(v, key, 0);
    struct val r = x ? x->v : UNKNOWN;
    if (!x && (v->lang == WSA_ASP || v->lang == WSA_ASPX) && !strcmp(lname, "request")) {
        r.flags |= F_REQUEST;
        r.taint = T_REQ;
        r.src = afmt(v->a, "Request line %u", line);
    }
    r.lv = key;
    r.mname = lname;
    /* VBScript: a function called without parentheses is handled by the
     * statement; here a bare identifier is a variable. */
    return r;
}

/* Member access on the ASP/ASPX Request object: which parts are input. */
static struct val request_member(struct ev *v, const char *m, unsigned line)
{
    static const char *const input[] = {
        "form",  "querystring", "params",  "item",   "inputstream", "binaryread",
        "files", "cookies",     "headers", "rawurl", "unvalidated", "getbufferedinputstream",
        "body",  NULL};
    struct val r = UNKNOWN;
    r.mname = m;
    for (int k = 0; input[k]; k++)
        if (!strcmp(m, input[k])) {
            r.taint = T_REQ;
            r.flags |= F_REQPART;
            r.src = afmt(v->a, "Request.%s line %u", m, line);
            return r;
        }
    if (!strcmp(m, "servervariables"))
        r.flags = F_SERVER;
    return r;
}

static int server_key_is_input(const struct val *key)
{
    if (!key->s)
        return 0;
    return (key->n >= 5 && !strncasecmp(key->s, "HTTP_", 5)) ||
           (key->n == 12 && !strncasecmp(key->s, "QUERY_STRING", 12)) ||
           (key->n >= 9 && !strncasecmp(key->s, "PHP_AUTH_", 9));
}

/* The variable an object's method was called on, when the call fed it input. */
static void object_fed(struct ev *v, const struct val *recv, struct val *a, int na)
{
    unsigned t = taint_of(a, na) & T_REQ;
    if (!t || !recv->lv || recv->taint & T_REQ)
        return;
    const char *dot = strrchr(recv->lv, '.');
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(dot ? (size_t)(dot - recv->lv) : strlen(recv->lv)),
             recv->lv);
    struct var *x = var_slot(v, name, 0);
    if (!x)
        return;
    x->v.taint |= T_REQ;
    if (!x->v.src)
        x->v.src = src_of(a, na);
}

static struct val postfix(struct ev *v, struct val base, const char *lname_hint, int literal_call)
{
    const char *lname = lname_hint;
    int member = 0; /* the last step was ->name, .name or ::name */
    for (int guard = 0; guard < 256 && !at_end(v); guard++) {
        const struct wsa_tok *t = peek(v, 0);
        unsigned line = t->line;
        if (is_op(t, "(")) {
            v->i++;
            struct val a[8];
            int na = args(v, ")", a, 8);
            struct val r;
            if (base.flags & F_REQUEST && !lname) {
                r = UNKNOWN;
            }
            if ((base.flags & F_REQUEST) && (!lname || !strcmp(lname, "request"))) {
                r = UNKNOWN;
                r.taint = T_REQ;
                r.src = afmt(v->a, "Request(%s) line %u",
                             na && a[0].s ? show(v, a[0].s, a[0].n) : "", line);
            } else if (base.flags & F_SERVER) {
                r = UNKNOWN;
                if (na && server_key_is_input(&a[0])) {
                    r.taint = T_REQ;
                    r.src =
                        afmt(v->a, "ServerVariables(%s) line %u", show(v, a[0].s, a[0].n), line);
                }
            } else if (base.flags & F_REQPART && (v->lang == WSA_ASP || v->lang == WSA_ASPX) &&
                       (!lname || !builtin_find(v, lname))) {
                r = base; /* Request.Form("x") */
                r.lv = NULL;
            } else if (literal_call) {
                r = call(v, lname, NULL, a, na, line);
                if (lname && !strcmp(lname, "getenv") && na && server_key_is_input(&a[0])) {
                    r.taint |= T_REQ;
                    r.src = afmt(v->a, "getenv(%s) line %u", show(v, a[0].s, a[0].n), line);
                }
            } else if (lname && member) {
                /* a method: receiver.name(args). One fed with input taints its
                 * object: s.WriteText Request("d") ... s.SaveToFile p */
                r = call(v, lname, &base, a, na, line);
                object_fed(v, &base, a, na);
                if (!r.taint && base.taint & T_REQ && !builtin_find(v, lname)) {
                    r.taint = base.taint & ~T_GLOBAL;
                    r.src = base.src;
                }
            } else {
                /* a dynamic call: $f(...), ($x)(...), "assert"(...) */
                const char *cname = base.s ? lower(v, base.s, base.n) : NULL;
                if (cname) {
                    size_t k = 0;
                    while (cname[k] == '\\')
                        k++;
                    cname += k;
                }
                if (v->lang == WSA_PHP)
                    callee_check(v, &base, cname, line);
                if (base.fn >= 0 && (size_t)base.fn < v->nfuncs)
                    r = call_user(v, &v->funcs[base.fn], a, na, line);
                else
                    r = call(v, cname, NULL, a, na, line);
                if (base.taint & T_REQ && !cname) {
                    for (int k = 0; k < na; k++)
                        sink(v, SK_CALLBACK, "$f", &a[k], line);
                }
                if (!cname && !(base.taint & T_REQ) && base.fn < 0 && !(base.flags & F_ARRAY) &&
                    v->lang == WSA_PHP && taint_of(a, na) & T_REQ && !(base.taint & T_PARAMS)) {
                    const struct val *in = &a[0];
                    for (int k = 0; k < na; k++)
                        if (a[k].taint & T_REQ)
                            in = &a[k];
                    if (base.flags & F_UNDEF)
                        add_finding(v, 60, "call-of-unassigned-variable", line,
                                    "a variable never assigned is called with request input", NULL,
                                    taint_path(v, in, "$f", line));
                    else if (v->danger_literal)
                        add_finding(
                            v, 80, "request-to-hidden-function", line,
                            "request input goes to a function chosen at run time, in a file "
                            "that names a code-running function in a string",
                            v->danger_literal, taint_path(v, in, "$f", line));
                }
            }
            r.lv = NULL;
            base = r;
            lname = NULL;
            literal_call = 0;
            member = 0;
            continue;
        }
        if (is_op(t, "[") || (is_op(t, "{") && v->lang == WSA_PHP && base.lv)) {
            const char *close = is_op(t, "[") ? "]" : "}";
            v->i++;
            struct val key = is_op(peek(v, 0), close) ? UNKNOWN : expr(v, 1);
            if (is_op(peek(v, 0), close))
                v->i++;
            struct val r = UNKNOWN;
            /* $a['k'] with a constant key is a variable of its own */
            const char *elem = base.lv && key.s && key.n < 64 && base.lv[0] != '['
                                   ? afmt(v->a, "%s[%.*s]", base.lv, (int)key.n, key.s)
                                   : NULL;
            struct var *ex = elem ? var_slot(v, elem, 0) : NULL;
            if (ex) {
                r = ex->v;
                r.lv = elem;
                r.mname = NULL;
                base = r;
                lname = NULL;
                member = 0;
                continue;
            }
            if (base.flags & F_SERVER) {
                if (server_key_is_input(&key)) {
                    r.taint = T_REQ;
                    r.src = afmt(v->a, "%s[%s] line %u", base.src ? base.src : "$_SERVER",
                                 show(v, key.s, key.n), line);
                }
            } else if (base.flags & F_GLOBALS && key.s) {
                const char *vn = adup(v->a, key.s, key.n);
                r = var_read(v, vn, line);
                r.lv = vn;
                base = r;
                continue;
            } else if (base.flags & F_REQUEST || (base.taint & T_REQ && !base.s)) {
                r.taint = T_REQ;
                r.src = base.src && key.s && strlen(base.src) < 60
                            ? afmt(v->a, "%.*s[%s]", (int)strcspn(base.src, " "), base.src,
                                   show(v, key.s, key.n))
                            : base.src;
                if (base.src && key.s) {
                    const char *sp = strstr(base.src, " line ");
                    if (sp)
                        r.src = afmt(v->a, "%s%s", r.src, sp);
                }
                if (!r.src)
                    r.src =
                        afmt(v->a, "Request[%s] line %u", key.s ? show(v, key.s, key.n) : "", line);
            } else if (base.s && key.s) {
                long k = num_long(&key);
                if (k >= 0 && (size_t)k < base.n)
                    r = known(v, base.s + k, 1, F_FOLDED, "characters picked from a string");
            } else {
                r.taint = base.taint;
                r.src = base.src;
            }
            r.lv = elem ? elem : base.lv;
            r.mname = elem ? NULL : base.lv ? "[]" : NULL;
            base = r;
            lname = NULL;
            member = 0;
            continue;
        }
        if (is_op(t, "->") || is_op(t, "::") || is_op(t, "?.") ||
            (is_op(t, ".") && v->lang != WSA_PHP)) {
            v->i++;
            const struct wsa_tok *m = peek(v, 0);
            if (m->kind == TK_ID) {
                v->i++;
                const char *mn = m->ls;
                struct val r = base;
                if (base.flags & F_REQUEST || (lname && !strcmp(lname, "request") &&
                                               (v->lang == WSA_ASP || v->lang == WSA_ASPX))) {
                    r = request_member(v, mn, line);
                } else if (v->lang == WSA_ASPX && base.lv && !base.taint && !base.s &&
                           !var_slot(v, base.lv, 0) &&
                           (!strcmp(mn, "text") || !strcmp(mn, "value") ||
                            !strcmp(mn, "selectedvalue") || !strcmp(mn, "postedfile"))) {
                    /* a server control declared in the markup: what the user typed */
                    r = UNKNOWN;
                    r.taint = T_REQ;
                    r.src = afmt(v->a, "%s.%s (a form control) line %u", base.lv, mn, line);
                } else if (v->lang == WSA_PHP && !is_op(peek(v, 0), "(")) {
                    r = UNKNOWN; /* a property */
                    r.taint = base.taint & T_REQ;
                    r.src = base.src;
                }
                r.mname = mn;
                if (!(r.flags & (F_OBJECT | F_HANDLE)) || !r.cls)
                    r.cls = base.flags & F_OBJECT ? base.cls : base.mname;
                r.flags |= base.flags & F_OBJECT;
                r.lv = base.lv ? afmt(v->a, "%s.%s", base.lv, mn)
                               : NULL; /* obj.m(): object_fed finds obj */
                if (r.lv && !(base.flags & F_REQUEST)) {
                    struct var *x = var_slot(v, r.lv, 0);
                    if (x) {
                        const char *keep = r.lv;
                        r = x->v;
                        r.lv = keep;
                        r.mname = mn;
                    }
                }
                base = r;
                lname = mn;
                literal_call = 0;
                member = 1;
                continue;
            }
            if (m->kind == TK_VAR || is_op(m, "{") || is_op(m, "$")) {
                /* $obj->$method(...) */
                struct val dyn;
                if (m->kind == TK_VAR) { /* the name only: the call is this postfix's */
                    v->i++;
                    dyn = var_read(v, m->s, line);
                } else {
                    dyn = is_op(m, "{") ? (v->i++, expr(v, 1)) : primary(v);
                }
                if (is_op(peek(v, 0), "}"))
                    v->i++;
                if (dyn.taint & T_REQ)
                    add_finding(v, 30, "method-name-from-request", line,
                                "a method whose name the request gives is called", NULL,
                                taint_path(v, &dyn, "->$method", line));
                base = UNKNOWN;
                lname = dyn.s ? lower(v, dyn.s, dyn.n) : NULL;
                base.mname = lname;
                member = 1;
                continue;
            }
            continue;
        }
        if (is_op(t, "++") || is_op(t, "--")) {
            v->i++;
            continue;
        }
        break;
    }
    return base;
}

/* function (params) use (...) { body }: the body is read in place. */
static int function_def(struct ev *v, const char *name, unsigned line);

static struct val closure(struct ev *v, unsigned line)
{
    v->i++; /* function / fn */
    int f = function_def(v, NULL, line);
    struct val r = UNKNOWN;
    r.fn = f;
    return r;
}

static struct val expr(struct ev *v, int minbp)
{
    if (++v->nest > 200 || at_end(v)) {
        v->nest--;
        if (!at_end(v))
            v->i++;
        return UNKNOWN;
    }
    struct val l = primary(v);
    for (;;) {
        const struct wsa_tok *op = peek(v, 0);
        int right, bp = binding(v, op, &right);
        if (!bp || bp < minbp || at_end(v))
            break;
        v->i++;
        if (is_op(op, "?")) {
            /* ternary: the union of both branches */
            struct val a = is_op(peek(v, 0), ":") ? l : expr(v, 1);
            if (is_op(peek(v, 0), ":"))
                v->i++;
            struct val b = expr(v, 4);
            struct val o = a.s || a.taint ? a : b;
            o.taint = a.taint | b.taint;
            o.src = a.src ? a.src : b.src;
            o.lv = NULL;
            l = o;
            continue;
        }
        struct val r = expr(v, right ? bp : bp + 1);
        if (bp == 3) {
            /* assignment */
            struct val nv = r;
            if (!is_op(op, "=")) {
                struct val cur = l;
                cur.lv = NULL;
                if (is_op(op, ".=") || is_op(op, "+=") || is_op(op, "&="))
                    nv = concat(v, cur, r);
                else if (is_op(op, "^=") && cur.s && r.s)
                    nv = binary(v, &(struct wsa_tok){.kind = TK_OP, .s = "^", .len = 1}, cur, r);
                else if (is_op(op, "?\?="))
                    nv = cur.s || cur.taint ? cur : r;
                else
                    nv.taint |= cur.taint;
            }
            int element = l.mname && !strcmp(l.mname, "[]");
            assign(v, l.lv, nv, element);
            if (v->fn >= 0 && l.lv && !element && v->lang != WSA_PHP)
                (void)0;
            nv.lv = NULL;
            l = nv;
            continue;
        }
        l = binary(v, op, l, r);
        l.lv = NULL;
    }
    v->nest--;
    return l;
}

/* ---- statements ------------------------------------------------------------------- */

static int params(struct ev *v)
{
    /* (Type a, $b = 1, &$c, ...$d) */
    int k = 0;
    if (!is_op(peek(v, 0), "("))
        return 0;
    v->i++;
    const char *last = NULL;
    int depth = 1;
    while (!at_end(v) && depth) {
        const struct wsa_tok *t = peek(v, 0);
        if (is_op(t, "(")) {
            depth++;
        } else if (is_op(t, ")") || (is_op(t, ",") && depth == 1)) {
            if (is_op(t, ")"))
                depth--;
            if (depth <= 1 && last && k < 8) {
                struct val p = UNKNOWN;
                p.taint = T_PARAM0 << k;
                assign(v, last, p, 0);
                k++;
            }
            last = NULL;
        } else if (is_op(t, "=") && depth == 1) {
            /* default value: skip to the next comma */
            while (!at_end(v) && !is_op(peek(v, 1), ",") && !is_op(peek(v, 1), ")"))
                v->i++;
        } else if ((t->kind == TK_VAR || t->kind == TK_ID) && depth == 1 && !last) {
            last = var_key(v, t->s, t->len);
        } else if (t->kind == TK_ID && depth == 1 && !is_id(t, "byval") && !is_id(t, "byref") &&
                   !is_id(t, "as") && !is_id(t, "final") && v->lang != WSA_PHP) {
            last = var_key(v, t->s, t->len); /* Java/C#: the name follows the type */
        } else if (t->kind == TK_VAR && depth == 1) {
            last = var_key(v, t->s, t->len);
        }
        v->i++;
    }
    return k;
}

static int function_def(struct ev *v, const char *name, unsigned line)
{
    (void)line;
    if (!name && peek(v, 0)->kind == TK_ID && !is_op(peek(v, 0), "(")) {
        name = peek(v, 0)->ls;
        v->i++;
    }
    if (is_op(peek(v, 0), "&"))
        v->i++;
    if (!name && peek(v, 0)->kind == TK_ID) {
        name = peek(v, 0)->ls;
        v->i++;
    }
    struct fsum *f = name ? func_find(v, name) : NULL;
    if (!f && v->nfuncs < FUNCS_MAX) {
        f = &v->funcs[v->nfuncs++];
        memset(f, 0, sizeof(*f));
        f->name = name ? name : afmt(v->a, "{closure %zu}", v->nfuncs);
        if (!f->name)
            f->name = "";
        func_index_add(v, v->nfuncs - 1);
    }
    int idx = f ? (int)(f - v->funcs) : -1;
    int outer = v->fn;
    v->fn = idx; /* the parameters are the function's own variables */
    params(v);
    v->fn = outer;
    /* use (...), return types, throws: up to the body */
    while (!at_end(v) && !is_op(peek(v, 0), "{") && !is_op(peek(v, 0), ";") &&
           !is_op(peek(v, 0), "=>") && peek(v, 0)->kind != TK_EOL)
        v->i++;
    if (is_op(peek(v, 0), "=>")) { /* fn($x) => expr */
        v->i++;
        v->fn = idx;
        struct val r = expr(v, 3);
        if (f) {
            f->ret |= r.taint & (T_REQ | T_PARAMS);
        }
        v->fn = outer;
        return idx;
    }
    if (v->ci) {
        /* VBScript: the body runs to End Function / End Sub */
        v->fn = idx;
        while (!at_end(v)) {
            if (is_id(peek(v, 0), "end") &&
                (is_id(peek(v, 1), "function") || is_id(peek(v, 1), "sub"))) {
                v->i += 2;
                break;
            }
            size_t before = v->i;
            statement(v);
            if (v->i == before)
                v->i++;
        }
        v->fn = outer;
        return idx;
    }
    if (!is_op(peek(v, 0), "{"))
        return idx;
    v->i++;
    int depth = 1;
    v->fn = idx;
    while (!at_end(v) && depth > 0) {
        const struct wsa_tok *t = peek(v, 0);
        if (is_op(t, "{")) {
            depth++;
            v->i++;
            continue;
        }
        if (is_op(t, "}")) {
            depth--;
            v->i++;
            continue;
        }
        size_t before = v->i;
        statement(v);
        if (v->i == before)
            v->i++;
    }
    v->fn = outer;
    return idx;
}

static void skip_to_end(struct ev *v)
{
    while (!at_end(v) && !is_op(peek(v, 0), ";") && peek(v, 0)->kind != TK_EOL &&
           !is_op(peek(v, 0), "{") && !is_op(peek(v, 0), "}"))
        v->i++;
}

/* VBScript's call statement without parentheses: `Execute x`, `obj.Run c, 0`. */
static void vb_statement(struct ev *v)
{
    const struct wsa_tok *t = peek(v, 0);
    static const char *const skip[] = {
        "dim",     "set",    "const",   "call",     "public", "private", "redim", "preserve",
        "let",     "if",     "elseif",  "else",     "then",   "end",     "next",  "loop",
        "wend",    "do",     "while",   "until",    "select", "case",    "with",  "on",
        "error",   "resume", "option",  "explicit", "exit",   "to",      "step",  "each",
        "in",      "for",    "not",     "static",   "shared", "return",  "try",   "catch",
        "finally", "using",  "imports", "new",      NULL};
    if (is_id(t, "function") || is_id(t, "sub")) {
        v->i++;
        function_def(v, NULL, t->line);
        return;
    }
    for (int k = 0; skip[k]; k++)
        if (is_id(t, skip[k])) {
            v->i++;
            return;
        }
    if (t->kind != TK_ID) {
        expr(v, 1);
        return;
    }
    /* name[.member...] [args] */
    struct val callee = expr(v, 13);
    const struct wsa_tok *n = peek(v, 0);
    if (is_id(n, "as")) {
        /* Dim x As [New] Type[(args)] */
        v->i++;
        if (is_id(peek(v, 0), "new")) {
            struct val r = expr(v, 1);
            assign(v, callee.lv, r, 0);
            return;
        }
        while (!at_end(v) && peek(v, 0)->kind != TK_EOL)
            v->i++;
        return;
    }
    if (is_op(n, "=")) {
        v->i++;
        struct val r = expr(v, 1);
        assign(v, callee.lv, r, callee.mname && !strcmp(callee.mname, "[]"));
        if (callee.lv && v->fn >= 0) {
            /* Function name = value is the return value */
            struct fsum *f = &v->funcs[v->fn];
            if (!strcmp(callee.lv, f->name)) {
                f->ret |= r.taint & (T_REQ | T_PARAMS);
                if (r.s)
                    f->retval = r;
            }
        }
        return;
    }
    if (n->kind == TK_EOL || n->kind == TK_END || !callee.mname)
        return;
    /* the rest of the line is the argument list */
    struct val a[8];
    int na = 0;
    for (int j = 0; j < 8; j++)
        a[j] = UNKNOWN;
    while (!at_end(v) && peek(v, 0)->kind != TK_EOL && na < 8) {
        size_t before = v->i;
        a[na++] = expr(v, 1);
        if (is_op(peek(v, 0), ","))
            v->i++;
        else if (v->i == before)
            v->i++;
        else if (peek(v, 0)->kind != TK_EOL)
            break;
    }
    call(v, callee.mname, &callee, a, na, t->line);
    object_fed(v, &callee, a, na);
}

/* Java/C# declarations: `Type name = expr;`, `String a, b;` */
static int declaration(struct ev *v)
{
    size_t k = 0;
    while (peek(v, k)->kind == TK_ID || is_op(peek(v, k), ".") || is_op(peek(v, k), "[") ||
           is_op(peek(v, k), "]") || is_op(peek(v, k), "<") || is_op(peek(v, k), ">") ||
           is_op(peek(v, k), ",")) {
        if (k > 32)
            return 0;
        k++;
    }
    if (k < 2 || peek(v, k - 1)->kind != TK_ID ||
        (peek(v, k - 2)->kind != TK_ID && !is_op(peek(v, k - 2), "]") &&
         !is_op(peek(v, k - 2), ">")))
        return 0;
    const struct wsa_tok *after = peek(v, k);
    if (is_op(after, "(") || is_op(after, "{")) {
        /* a method definition: Type name(params) { */
        if (is_op(after, "(")) {
            size_t j = k + 1;
            int depth = 1;
            while (j < k + 200 && peek(v, j)->kind != TK_END && depth) {
                depth += is_op(peek(v, j), "(");
                depth -= is_op(peek(v, j), ")");
                j++;
            }
            while (peek(v, j)->kind == TK_ID || is_op(peek(v, j), ",") || is_op(peek(v, j), "."))
                j++; /* throws X, Y */
            if (!is_op(peek(v, j), "{"))
                return 0;
            const struct wsa_tok *nm = peek(v, k - 1);
            v->i += k - 1;
            const char *name = nm->ls;
            v->i++;
            function_def(v, name, nm->line);
            return 1;
        }
        return 0;
    }
    if (!is_op(after, "=") && !is_op(after, ";"))
        return 0;
    v->i += k - 1; /* at the name: the expression assigns it */
    return 0;
}

static void statement(struct ev *v)
{
    if (at_end(v))
        return;
    const struct wsa_tok *t = peek(v, 0);
    if (t->kind == TK_EOL || is_op(t, ";") || is_op(t, "{") || is_op(t, "}") || is_op(t, ":") ||
        is_op(t, ",") || is_op(t, ")")) {
        v->i++;
        return;
    }
    if (v->ci) {
        vb_statement(v);
        return;
    }
    if (t->kind == TK_ID) {
        if (is_id(t, "function") && peek(v, 1)->kind != TK_OP) {
            v->i++;
            function_def(v, NULL, t->line);
            return;
        }
        if (is_id(t, "function") && is_op(peek(v, 1), "&")) {
            v->i += 2;
            function_def(v, NULL, t->line);
            return;
        }
        if (is_id(t, "global") && v->lang == WSA_PHP) {
            v->i++;
            while (!at_end(v) && peek(v, 0)->kind == TK_VAR) {
                const struct wsa_tok *g = peek(v, 0);
                struct var *x = var_slot(v, g->s, 0);
                if (x)
                    assign(v, var_key(v, g->s, g->len), x->v, 0);
                v->i++;
                if (is_op(peek(v, 0), ","))
                    v->i++;
            }
            return;
        }
        if (is_id(t, "return")) {
            v->i++;
            struct val r = expr(v, 1);
            if (v->fn >= 0) {
                struct fsum *f = &v->funcs[v->fn];
                f->ret |= r.taint & (T_REQ | T_PARAMS);
                if (r.s && !f->retval.s)
                    f->retval = r;
            }
            return;
        }
        if (is_id(t, "foreach") && v->lang == WSA_PHP && is_op(peek(v, 1), "(")) {
            v->i += 2;
            struct val arr = expr(v, 1);
            if (is_id(peek(v, 0), "as")) {
                v->i++;
                while (!at_end(v) && !is_op(peek(v, 0), ")")) {
                    const struct wsa_tok *x = peek(v, 0);
                    if (x->kind == TK_VAR) {
                        struct val el = UNKNOWN;
                        el.taint = arr.taint;
                        el.src = arr.src;
                        assign(v, var_key(v, x->s, x->len), el, 0);
                    }
                    v->i++;
                }
            }
            return;
        }
        /* Java and C# keywords are case-sensitive: `Class r = ...` is a declaration */
        const char *word = v->lang == WSA_PHP ? t->ls : t->s;
        if (!strcmp(word, "class") || !strcmp(word, "interface") || !strcmp(word, "trait") ||
            !strcmp(word, "namespace") || !strcmp(word, "use") || !strcmp(word, "import") ||
            !strcmp(word, "package") || !strcmp(word, "extends") || !strcmp(word, "implements")) {
            v->i++;
            skip_to_end(v);
            return;
        }
        /* if (...), while (...), for (...;...;...): the head is read on its own,
         * so `if (c) (new X(...)).write(...)` is not a call of the condition */
        if ((is_id(t, "if") || is_id(t, "elseif") || is_id(t, "while") || is_id(t, "for") ||
             is_id(t, "switch") || is_id(t, "catch")) &&
            is_op(peek(v, 1), "(")) {
            v->i += 2;
            while (!at_end(v) && !is_op(peek(v, 0), ")")) {
                size_t before = v->i;
                if (is_op(peek(v, 0), ";") || is_op(peek(v, 0), ",") || is_op(peek(v, 0), ":"))
                    v->i++;
                else
                    expr(v, 1);
                if (v->i == before)
                    v->i++;
            }
            if (is_op(peek(v, 0), ")"))
                v->i++;
            return;
        }
        static const char *const kw[] = {
            "if",       "elseif",  "else",     "while",   "for",          "switch", "catch",
            "do",       "try",     "finally",  "echo",    "print",        "case",   "default",
            "global",   "static",  "public",   "private", "protected",    "final",  "abstract",
            "var",      "const",   "throw",    "unset",   "synchronized", "goto",   "break",
            "continue", "declare", "readonly", NULL};
        for (int k = 0; kw[k]; k++)
            if (is_id(t, kw[k])) {
                if (is_id(t, "static") && is_op(peek(v, 1), "::"))
                    break;
                if ((is_id(t, "public") || is_id(t, "private") || is_id(t, "protected") ||
                     is_id(t, "static") || is_id(t, "final") || is_id(t, "abstract")) &&
                    v->lang == WSA_PHP) {
                    size_t j = 1;
                    while (peek(v, j)->kind == TK_ID && !is_id(peek(v, j), "function") && j < 6)
                        j++;
                    if (is_id(peek(v, j), "function")) {
                        v->i += j + 1;
                        function_def(v, NULL, t->line);
                        return;
                    }
                }
                v->i++;
                return;
            }
        if (v->lang != WSA_PHP && declaration(v))
            return;
    }
    size_t before = v->i;
    expr(v, 1);
    if (v->i == before)
        v->i++;
}

/* Reads the tokens of p as code of lang, in a nested evaluator when decoded
 * code is analysed, sharing the findings and the work budget. */
static void run_passes(struct ev *v)
{
    for (v->pass = 1; v->pass <= 2; v->pass++) {
        v->i = 0;
        v->fn = -1;
        v->nest = 0;
        while (!at_end(v)) {
            size_t before = v->i;
            statement(v);
            if (v->i == before)
                v->i++;
        }
    }
}

static void command_text(struct ev *v)
{
    static const char *const marks[] = {
        "/etc/passwd", "cmd.exe",   "/bin/sh",     "/bin/bash", "uname -a",  "netstat -an",
        "whoami",      "net user",  "/etc/shadow", "nc -e",     "/dev/tcp/", "net localgroup",
        "cmd /c",      "wget http", "chmod 777",   "ipconfig",  NULL};
    for (size_t k = 0; k < v->n; k++) {
        const struct wsa_tok *t = &v->t[k];
        if (t->kind != TK_STR || t->len < 5 || t->len > 4096)
            continue;
        for (int m = 0; marks[m]; m++)
            if (memmem(t->s, t->len, marks[m], strlen(marks[m])))
                weak_signal(v, W_CMDTEXT, t->line, marks[m]);
    }
}

/* A string literal that is exactly the name of a code-running function, other
 * than as the argument of function_exists() and its kind. */
static const char *danger_literal(struct ev *v)
{
    static const char *const names[] = {"assert",
                                        "eval",
                                        "system",
                                        "exec",
                                        "shell_exec",
                                        "passthru",
                                        "popen",
                                        "proc_open",
                                        "create_function",
                                        "call_user_func",
                                        "call_user_func_array",
                                        NULL};
    for (size_t k = 0; k < v->n; k++) {
        const struct wsa_tok *t = &v->t[k];
        if (t->kind != TK_STR || t->len < 4 || t->len > 20)
            continue;
        for (int m = 0; names[m]; m++) {
            if (strlen(names[m]) != t->len || strncasecmp(t->s, names[m], t->len))
                continue;
            const struct wsa_tok *f = k >= 2 ? &v->t[k - 2] : NULL;
            if (f && f->kind == TK_ID &&
                (!strcmp(f->ls, "function_exists") || !strcmp(f->ls, "is_callable") ||
                 !strcmp(f->ls, "in_array") || !strcmp(f->ls, "ini_get")))
                continue;
            return names[m];
        }
    }
    return NULL;
}

static void analyse_tokens(struct ev *parent, enum wsa_lang lang, const char *p, size_t n,
                           int code_only, unsigned line, const char *ctx)
{
    struct wsa_toks toks = {0};
    wsa_tokenize(parent->a, lang, p, n, code_only, &toks);
    if (toks.truncated)
        *parent->truncated = 1;
    struct ev v = *parent;
    v.t = toks.v;
    v.n = toks.n;
    v.i = 0;
    v.level = parent->level + 1;
    v.ci = toks.vb;
    v.js = toks.js || (parent->js && code_only);
    v.line0 = parent->line0 ? parent->line0 : line;
    v.ctx = ctx;
    v.fn = -1;
    v.nest = 0;
    /* decoded code keeps the variables and functions it was decoded among */
    int outer_pass = parent->pass;
    if (lang == WSA_PHP)
        v.danger_literal = danger_literal(&v);
    run_passes(&v);
    v.pass = 2; /* what follows reports */
    command_text(&v);
    embedded_code(&v);
    parent->nfuncs = v.nfuncs;
    parent->pass = outer_pass;
}

static int finding_cmp(const void *a, const void *b)
{
    const struct wsa_finding *x = a, *y = b;
    return y->score - x->score;
}

void wsa_analyse(enum wsa_lang lang, const void *p, size_t n, struct wsa_result *out)
{
    memset(out, 0, sizeof(*out));
    if (lang == WSA_NONE || n == 0)
        return;
    if (n > WSA_SOURCE_MAX) {
        n = WSA_SOURCE_MAX;
        out->truncated = 1;
    }
    struct wsa_arena a = {0};
    struct weak weak[W_COUNT];
    memcpy(weak, weak_defs, sizeof(weak));
    size_t steps = 0;
    struct ev v = {.a = &a,
                   .lang = lang,
                   .fn = -1,
                   .steps = &steps,
                   .out = out,
                   .weak = weak,
                   .truncated = &out->truncated};
    struct vtab vars = {0};
    v.vars = &vars;
    v.funcs = wsa_alloc(&a, sizeof(struct fsum) * FUNCS_MAX);
    v.func_index = wsa_alloc(&a, sizeof(uint16_t) * FUNCS_MAX * 2);
    if (v.func_index)
        memset(v.func_index, 0, sizeof(uint16_t) * FUNCS_MAX * 2);
    const char *src = p;
    size_t len = n;
    /* UTF-16 source (a JSP saved so) is read as the text it holds. */
    int le = n >= 2 && ((unsigned char)src[0] == 0xff && (unsigned char)src[1] == 0xfe);
    int be = n >= 2 && ((unsigned char)src[0] == 0xfe && (unsigned char)src[1] == 0xff);
    if (!le && !be && n >= 64) {
        size_t zeros_odd = 0, zeros_even = 0;
        for (size_t k = 0; k < 64; k++)
            if (src[k] == 0)
                *(k % 2 ? &zeros_odd : &zeros_even) += 1;
        le = zeros_odd > 24 && zeros_even < 4;
        be = zeros_even > 24 && zeros_odd < 4;
    }
    if ((le || be) && v.vars && v.funcs) {
        char *u = wsa_alloc(&a, n * 2 + 1);
        size_t o = 0;
        for (size_t k = (src[0] == 0 || src[1] == 0) ? 0 : 2; u && k + 1 < n; k += 2) {
            unsigned cp = le ? (unsigned char)src[k] | (unsigned char)src[k + 1] << 8
                             : (unsigned char)src[k] << 8 | (unsigned char)src[k + 1];
            o += utf8_put(u + o, cp);
        }
        if (u) {
            u[o] = 0;
            src = u;
            len = o;
            add_finding(&(struct ev){.pass = 2, .out = out}, 20, "utf16-source", 0,
                        "the source is saved as UTF-16", NULL, NULL);
        }
    }
    /* Java reads \uXXXX escapes anywhere in its source. */
    if (lang == WSA_JSP && memmem(src, len, "\\u", 2) && v.vars) {
        char *u = wsa_alloc(&a, len + 1);
        size_t o = 0;
        for (size_t k = 0; u && k < len; k++) {
            if (src[k] == '\\' && k + 5 < len && (src[k + 1] == 'u')) {
                size_t j = k + 1;
                while (j < len && src[j] == 'u')
                    j++;
                unsigned cp = 0;
                int ok = j + 4 <= len;
                for (size_t m = 0; ok && m < 4; m++) {
                    char c = src[j + m];
                    int h = c >= '0' && c <= '9'                     ? c - '0'
                            : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                                     : -1;
                    ok = h >= 0;
                    cp = cp * 16 + (unsigned)(h < 0 ? 0 : h);
                }
                if (ok && cp < 0x80 && cp != '\\') {
                    u[o++] = (char)cp;
                    k = j + 3;
                    continue;
                }
            }
            u[o++] = src[k];
        }
        if (u) {
            u[o] = 0;
            src = u;
            len = o;
        }
    }
    if (!v.vars || !v.funcs || !v.func_index) {
        out->truncated = 1;
        arena_free(&a);
        return;
    }
    if (vtab_grow(&v) != 0) {
        out->truncated = 1;
        arena_free(&a);
        return;
    }
    /* Script Encoder blocks (VBScript.Encode, JScript.Encode) are read as the
     * code they hold. */
    if ((lang == WSA_ASP || lang == WSA_ASPX) && memmem(src, len, "#@~^", 4)) {
        char *u = wsa_alloc(&a, len + 1);
        size_t o = 0, blocks = 0;
        for (size_t k = 0; u && k < len;) {
            const char *b = memmem(src + k, len - k, "#@~^", 4);
            const char *e = b && (size_t)(b - src) + 12 < len
                                ? memmem(b + 12, len - (size_t)(b - src) - 12, "^#~@", 4)
                                : NULL;
            if (!b || !e || e - b < 20) {
                memcpy(u + o, src + k, len - k);
                o += len - k;
                break;
            }
            memcpy(u + o, src + k, (size_t)(b - src) - k);
            o += (size_t)(b - src) - k;
            size_t dn = 0;
            char *d = wsa_script_decode(&a, b + 12, (size_t)(e - b) - 20, &dn);
            if (d && dn <= (size_t)(e - b) + 4) {
                memcpy(u + o, d, dn);
                o += dn;
            }
            blocks++;
            k = (size_t)(e - src) + 4;
        }
        if (u && blocks) {
            u[o] = 0;
            src = u;
            len = o;
            add_finding(&(struct ev){.pass = 2, .out = out}, 20, "script-encoded", 0,
                        "server script hidden with the Script Encoder (VBScript.Encode)", NULL,
                        NULL);
        }
    }
    /* XSLT whose stylesheet may call PHP functions by name */
    if (lang == WSA_PHP && memmem(src, len, "php.net/xsl", 11)) {
        for (const char *q = src; (q = memmem(q, len - (size_t)(q - src), "function(", 9));) {
            q += 9;
            while (q < src + len && (*q == '\'' || *q == '"' || *q == ' '))
                q++;
            char name[24];
            size_t k = 0;
            while (q + k < src + len && k < sizeof(name) - 1 &&
                   (isalnum((unsigned char)q[k]) || q[k] == '_'))
                name[k] = (char)tolower((unsigned char)q[k]), k++;
            name[k] = 0;
            if (k && is_dangerous_name(&v, name)) {
                add_finding(&(struct ev){.pass = 2, .out = out}, 100, "xslt-php-function", 0,
                            "an XSLT stylesheet calls a code-running PHP function", name, NULL);
                break;
            }
        }
    }
    /* A PHP file without an opening tag is a fragment meant to be included or
     * evaluated: all of it is code. */
    int code_only =
        lang == WSA_PHP && !memmem(src, len, "<?", 2) && !memmem(src, len, "<script", 7);
    struct ev root = v;
    root.level = -1;
    analyse_tokens(&root, lang, src, len, code_only, 0, NULL);
    v.pass = 2;
    int sum = 0;
    for (int k = 0; k < out->n; k++) {
        int best = 1;
        for (int j = 0; j < out->n; j++)
            if (j != k && !strcmp(out->f[j].technique, out->f[k].technique) &&
                (out->f[j].score > out->f[k].score ||
                 (out->f[j].score == out->f[k].score && j < k)))
                best = 0;
        sum += best ? out->f[k].score : 0;
    }
    for (int w = 0; w < W_COUNT; w++) {
        if (!weak[w].got)
            continue;
        char detail[200];
        snprintf(detail, sizeof(detail), "%s", weak[w].what);
        add_finding(&v, weak[w].got, weak[w].technique, weak[w].line, detail, NULL, NULL);
        sum += weak[w].got;
    }
    qsort(out->f, (size_t)out->n, sizeof(out->f[0]), finding_cmp);
    out->score = sum > 100 ? 100 : sum;
    arena_free(&a);
}

enum wsa_lang wsa_lang_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return WSA_NONE;
    static const struct {
        const char *ext;
        enum wsa_lang lang;
    } map[] = {{".php", WSA_PHP},   {".phtml", WSA_PHP}, {".php3", WSA_PHP},  {".php4", WSA_PHP},
               {".php5", WSA_PHP},  {".php7", WSA_PHP},  {".pht", WSA_PHP},   {".phar", WSA_PHP},
               {".inc", WSA_PHP},   {".jsp", WSA_JSP},   {".jspx", WSA_JSP},  {".jspf", WSA_JSP},
               {".asp", WSA_ASP},   {".asa", WSA_ASP},   {".cer", WSA_ASP},   {".cdx", WSA_ASP},
               {".aspx", WSA_ASPX}, {".ashx", WSA_ASPX}, {".asmx", WSA_ASPX}, {".ascx", WSA_ASPX}};
    for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
        if (strcasecmp(dot, map[k].ext) == 0)
            return map[k].lang;
    return WSA_NONE;
}

const char *wsa_lang_name(enum wsa_lang l)
{
    static const char *const names[] = {"", "php", "jsp", "asp", "aspx"};
    return names[l];
}
