/* SQL and HTML read as a tokenizer reads them, for the questions a regular
 * expression cannot settle: is this value a piece of SQL that closes the
 * statement it lands in and goes on with its own, or markup that a browser
 * would run? CRS asks them with @detectSQLi and @detectXSS (rules 942100,
 * 941100); tocsin answers with these. The idea is libinjection's (tokens in
 * the three contexts a value may land in: bare, inside '…', inside "…"); the
 * decisions are tocsin's own, stated below and in docs/logwatch.md. */
#include "inject.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define TOKENS_MAX 96 /* tokens of a context looked at (a user agent comes first) */

enum tok {
    K_STRING = 's',
    K_NUMBER = '1',
    K_KEYWORD = 'k',
    K_UNION = 'U',
    K_LOGIC = '&',
    K_FUNC = 'f',
    K_NAME = 'n',
    K_OP = 'o',
    K_LPAREN = '(',
    K_RPAREN = ')',
    K_COMMA = ',',
    K_SEMI = ';',
    K_COMMENT = 'c',
};

struct token {
    char type;
    char word[24]; /* keywords, functions, names, operators: lowercase, cut */
};

static const char *const keywords[] = {
    "all",    "alter",    "asc",    "between", "by",       "case",     "collate",
    "create", "declare",  "delay",  "delete",  "desc",     "distinct", "drop",
    "else",   "end",      "escape", "exec",    "execute",  "from",     "group",
    "having", "if",       "in",     "insert",  "into",     "is",       "like",
    "limit",  "null",     "offset", "order",   "outfile",  "dumpfile", "procedure",
    "regexp", "rlike",    "select", "set",     "shutdown", "sounds",   "table",
    "then",   "truncate", "update", "values",  "waitfor",  "when",     "where",
};

/* Functions whose call is SQL's and nothing else's. */
static const char *const sql_functions[] = {
    "make_set",     "elt",
    "rand",         "floor",
    "instr",        "locate",
    "json_keys",    "gtid_subset",
    "exp",          "iif",
    "bin",          "conv",
    "lpad",         "rpad",
    "char_length",  "benchmark",
    "pg_sleep",     "sleep",
    "randomblob",   "extractvalue",
    "updatexml",    "load_file",
    "group_concat", "concat_ws",
    "char",         "chr",
    "unhex",        "ascii",
    "substring",    "substr",
    "mid",          "ifnull",
    "isnull",       "nullif",
    "coalesce",     "version",
    "database",     "current_user",
    "system_user",  "schema",
    "user",         "count",
    "cast",         "convert",
    "concat",       "get_host_address",
    "request",      "receive_message",
    "sys_context",  "xp_cmdshell",
    "md5",          "sha1",
    "hex",          "ord",
    "length",
};

/* The ones that only an injection calls: they wait or read the server. */
static const char *const strong_functions[] = {
    "benchmark",        "pg_sleep",        "sleep",       "randomblob",
    "extractvalue",     "updatexml",       "load_file",   "xp_cmdshell",
    "get_host_address", "receive_message", "sys_context",
};

static int in_list(const char *w, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i][0] == w[0] && strcmp(w, v[i]) == 0) /* the first letter rules most out */
            return 1;
    return 0;
}

#define IN(w, list) in_list(w, list, sizeof(list) / sizeof(list[0]))

static int word_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c == '@' || c == '.' || c >= 0x80;
}

/* Tokenizes p[0..n) into t; returns the count. A string opened and not
 * closed runs to the end. */
static int tokenize(const unsigned char *p, size_t n, struct token *t, int *obfuscated)
{
    int k = 0;
    size_t i = 0;
    while (i < n && k < TOKENS_MAX) {
        unsigned char c = p[i];
        if (isspace(c) || c == 0xa0 || c == 0) {
            i++;
            continue;
        }
        struct token *x = &t[k];
        x->word[0] = '\0';
        if (c == '/' && i + 1 < n && p[i + 1] == '*') {
            /* MySQL runs the inside of a versioned comment as code */
            if (i + 2 < n && p[i + 2] == '!') {
                *obfuscated = 1;
                i += 3;
                while (i < n && isdigit(p[i]))
                    i++;
                continue;
            }
            size_t j = i + 2;
            while (j + 1 < n && !(p[j] == '*' && p[j + 1] == '/'))
                j++;
            i = j + 2 <= n ? j + 2 : n;
            x->type = K_COMMENT;
            k++;
            continue;
        }
        if ((c == '-' && i + 1 < n && p[i + 1] == '-') || c == '#') {
            x->type = K_COMMENT;
            k++;
            break; /* the rest of the line is gone */
        }
        if (c == '*' && i + 1 < n && p[i + 1] == '/') {
            *obfuscated = 1; /* the end of a comment opened outside */
            i += 2;
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
            size_t j = i + 1;
            while (j < n && p[j] != c)
                j += p[j] == '\\' && j + 1 < n ? 2 : 1;
            x->type = c == '`' ? K_NAME : K_STRING;
            i = j < n ? j + 1 : n;
            k++;
            continue;
        }
        if (isdigit(c) || (c == '.' && i + 1 < n && isdigit(p[i + 1]))) {
            /* 12, 1.5, 0x1f, 1e3; digits running on into letters are a name */
            size_t j = i;
            if (c == '0' && i + 1 < n && (p[i + 1] | 0x20) == 'x') {
                j += 2;
                while (j < n && isxdigit(p[j]))
                    j++;
            } else {
                while (j < n && (isdigit(p[j]) || p[j] == '.'))
                    j++;
                if (j + 1 < n && (p[j] | 0x20) == 'e' && isdigit(p[j + 1]))
                    for (j++; j < n && isdigit(p[j]); j++)
                        ;
            }
            int name = j < n && word_char(p[j]) && p[j] != '.';
            while (name && j < n && word_char(p[j]))
                j++;
            x->type = name ? K_NAME : K_NUMBER;
            i = j;
            k++;
            continue;
        }
        if (word_char(c)) {
            size_t j = i, w = 0;
            while (j < n && word_char(p[j])) {
                if (w + 1 < sizeof(x->word))
                    x->word[w++] = (char)tolower(p[j]);
                j++;
            }
            x->word[w] = '\0';
            /* a dotted call names its last part: utl_inaddr.get_host_address */
            char *dot = strrchr(x->word, '.');
            const char *last = dot && dot[1] ? dot + 1 : x->word;
            size_t q = j;
            while (q < n && (isspace(p[q]) || p[q] == 0xa0))
                q++;
            if (q + 1 < n && p[q] == '/' && p[q + 1] == '*') { /* a comment before the bracket */
                size_t e = q + 2;
                while (e + 1 < n && !(p[e] == '*' && p[e + 1] == '/'))
                    e++;
                q = e + 2;
                while (q < n && isspace(p[q]))
                    q++;
            }
            if (strcmp(x->word, "union") == 0)
                x->type = K_UNION;
            else if (strcmp(x->word, "and") == 0 || strcmp(x->word, "or") == 0 ||
                     strcmp(x->word, "xor") == 0 || strcmp(x->word, "not") == 0 ||
                     strcmp(x->word, "div") == 0 || strcmp(x->word, "mod") == 0)
                x->type = K_LOGIC;
            else if (IN(x->word, keywords) && !(strcmp(x->word, "if") == 0 && q < n && p[q] == '('))
                x->type = K_KEYWORD; /* SELECT (…) is a keyword still; IF(…) a call */
            else if (q < n && p[q] == '(') {
                x->type = K_FUNC;
                memmove(x->word, last, strlen(last) + 1);
            } else
                x->type = K_NAME;
            i = j;
            k++;
            continue;
        }
        if ((c == '&' || c == '|') && i + 1 < n && p[i + 1] == c) {
            x->type = K_LOGIC;
            i += 2;
            k++;
            continue;
        }
        if (c == '(' || c == ')' || c == ',' || c == ';') {
            x->type = (char)c;
            i++;
            k++;
            continue;
        }
        if (strchr("=<>!+-*/%^|&~:", c)) {
            size_t j = i, w = 0;
            while (j < n && strchr("=<>!|&:", p[j]) && w < 3)
                x->word[w++] = (char)p[j++];
            if (j == i)
                x->word[w++] = (char)p[j++];
            x->word[w] = '\0';
            x->type = K_OP;
            i = j;
            k++;
            continue;
        }
        /* anything else ends a token run: what follows is not SQL's */
        i++;
    }
    return k;
}

static int comparison(const struct token *t)
{
    return t->type == K_OP &&
           (strcmp(t->word, "=") == 0 || strcmp(t->word, "<>") == 0 || strcmp(t->word, "!=") == 0 ||
            strcmp(t->word, "<") == 0 || strcmp(t->word, ">") == 0 || strcmp(t->word, "<=") == 0 ||
            strcmp(t->word, ">=") == 0 || strcmp(t->word, "<=>") == 0);
}

static int kw(const struct token *t, const char *w)
{
    return t->type == K_KEYWORD && t->word[0] == w[0] && strcmp(t->word, w) == 0;
}

/* What may follow the end of the value's own literal for it to be SQL: a
 * logic operator, UNION, a statement's end, a comment, an operator, or a
 * clause of the statement. */
static int continues_statement(const struct token *t, int n, int i)
{
    if (i >= n)
        return 0;
    const struct token *x = &t[i];
    if (x->type == K_LOGIC || x->type == K_UNION || x->type == K_SEMI)
        return 1;
    if (x->type == K_COMMENT)
        return 1;
    /* an operator on a value: '=', '||' or '-' and a string, number, call */
    if (x->type == K_OP)
        return i + 1 < n && (t[i + 1].type == K_STRING || t[i + 1].type == K_NUMBER ||
                             t[i + 1].type == K_FUNC || t[i + 1].type == K_LPAREN);
    if (x->type == K_KEYWORD)
        return kw(x, "order") || kw(x, "group") || kw(x, "having") || kw(x, "limit") ||
               kw(x, "procedure") || kw(x, "into") || kw(x, "like") || kw(x, "rlike") ||
               kw(x, "regexp") || kw(x, "is") || kw(x, "in") || kw(x, "between") ||
               kw(x, "where") || kw(x, "waitfor") || kw(x, "sounds");
    return 0;
}

static int word_is(const struct token *t, const char *w)
{
    return (t->type == K_KEYWORD || t->type == K_NAME) && t->word[0] == w[0] &&
           strcmp(t->word, w) == 0;
}

/* A select list from token i: a number, a string, a call, NULL, '*', a
 * bracket, or a name that a comma or FROM follows ("select members list"
 * is prose). ALL, DISTINCT and TOP n first are skipped. */
static int select_list(const struct token *t, int n, int i)
{
    while (i < n && (kw(&t[i], "all") || kw(&t[i], "distinct") || word_is(&t[i], "top") ||
                     (i > 0 && word_is(&t[i - 1], "top") && t[i].type == K_NUMBER)))
        i++;
    if (i >= n)
        return 0;
    const struct token *a = &t[i];
    if (a->type == K_NUMBER || a->type == K_STRING || a->type == K_FUNC || a->type == K_LPAREN ||
        kw(a, "null") || (a->type == K_OP && strcmp(a->word, "*") == 0) || a->word[0] == '@')
        return 1;
    return a->type == K_NAME && i + 1 < n && (t[i + 1].type == K_COMMA || kw(&t[i + 1], "from"));
}

/* A statement of its own from token i: its verb and what must follow it
 * ("; drop table", not "; drop in votes"). */
static int stacked(const struct token *t, int n, int i)
{
    const struct token *v = &t[i], *a = i + 1 < n ? &t[i + 1] : NULL;
    const struct token *b = i + 2 < n ? &t[i + 2] : NULL;
    if (kw(v, "shutdown"))
        return a == NULL || a->type == K_COMMENT || a->type == K_SEMI;
    if (!a)
        return 0;
    if (kw(v, "drop") || kw(v, "create") || kw(v, "alter") || kw(v, "truncate"))
        return word_is(a, "table") || word_is(a, "database") || word_is(a, "user") ||
               word_is(a, "procedure") || word_is(a, "view");
    if (kw(v, "insert"))
        return kw(a, "into");
    if (kw(v, "delete"))
        return kw(a, "from");
    if (kw(v, "update"))
        return b && kw(b, "set");
    if (kw(v, "declare"))
        return a->word[0] == '@';
    if (kw(v, "exec") || kw(v, "execute"))
        return a->type == K_FUNC || a->type == K_LPAREN || strncmp(a->word, "xp_", 3) == 0 ||
               strncmp(a->word, "sp_", 3) == 0 || strncmp(a->word, "master", 6) == 0;
    if (kw(v, "waitfor"))
        return kw(a, "delay") || word_is(a, "time");
    if (kw(v, "select"))
        return select_list(t, n, i + 1);
    if (v->type == K_FUNC && strcmp(v->word, "if") == 0) /* T-SQL: ;IF(1=2) SELECT … */
        return 1;
    return 0;
}

/* The shapes of SQL injection in one context's tokens; quoted: the value
 * landed inside a string that its first quote closed. */
static int sqli_shape(const struct token *t, int n, int quoted)
{
    int i = 0;
    if (quoted) {
        /* the string the value closed, then closing brackets */
        while (i < n && t[i].type == K_RPAREN)
            i++;
        if (continues_statement(t, n, i))
            return 1;
    } else {
        /* a number (or a bracket closed after it) going on as SQL */
        if (i < n && (t[i].type == K_NUMBER || t[i].type == K_NAME)) {
            int j = i + 1;
            while (j < n && t[j].type == K_RPAREN)
                j++;
            /* 1 AND 1=1, 1 OR SLEEP(5), 1 AND (…); 1;…; 1 UNION (the clauses
             * a number may run into are the shapes below) */
            const struct token *a = j + 1 < n ? &t[j + 1] : NULL;
            if (t[i].type == K_NUMBER && j < n &&
                ((t[j].type == K_LOGIC && a &&
                  (a->type == K_FUNC || a->type == K_LPAREN ||
                   ((a->type == K_NUMBER || a->type == K_STRING || a->type == K_NAME) &&
                    j + 2 < n && comparison(&t[j + 2])))) ||
                 t[j].type == K_UNION || (t[j].type == K_SEMI && a)))
                return 1;
            /* 1=1 and its kin, closed by a comment or by the end */
            if (j + 1 < n && comparison(&t[j]) &&
                (t[j + 1].type == K_NUMBER || t[j + 1].type == K_STRING) && t[i].type == K_NUMBER &&
                (j + 2 == n || t[j + 2].type == K_COMMENT || t[j + 2].type == K_LOGIC))
                return 1;
        }
        /* 'a'='a: a string compared with a string */
        if (n >= 3 && t[0].type == K_STRING && comparison(&t[1]) &&
            (t[2].type == K_STRING || t[2].type == K_NUMBER))
            return 1;
    }
    for (int j = 0; j < n; j++) {
        const struct token *x = &t[j];
        /* a number or a string, brackets closed after it, and a clause that
         * only a query has: 1) ORDER BY 3, 'x')) HAVING 1=1, 7 UNION … */
        if ((x->type == K_NUMBER || x->type == K_STRING) && j + 1 < n) {
            int q = j + 1, closed = 0;
            while (q < n && t[q].type == K_RPAREN)
                q++, closed++;
            const struct token *a = q + 1 < n ? &t[q + 1] : NULL;
            const struct token *b = q + 2 < n ? &t[q + 2] : NULL;
            const struct token *c = q + 3 < n ? &t[q + 3] : NULL;
            int operand = a && (a->type == K_NUMBER || a->type == K_STRING || a->type == K_LPAREN ||
                                a->type == K_FUNC);
            if (q < n &&
                (/* HAVING 1=1 */
                 (kw(&t[q], "having") && operand && b && comparison(b)) ||
                 /* ORDER BY 3, GROUP BY 1: counting columns */
                 ((kw(&t[q], "order") || kw(&t[q], "group")) && a && kw(a, "by") && b &&
                  b->type == K_NUMBER && (!c || c->type == K_COMMENT || c->type == K_COMMA)) ||
                 kw(&t[q], "procedure") ||
                 /* 2) AND (1=1, 2)) OR 'a'='a, 1) UNION, 1); … */
                 (closed && (t[q].type == K_UNION || t[q].type == K_SEMI ||
                             (t[q].type == K_LOGIC && operand)))))
                return 1;
        }
        /* a call given a comparison: IIF(1=2,1,1/0), ELT(3=4,…) */
        if (x->type == K_FUNC && j + 4 < n && t[j + 1].type == K_LPAREN &&
            (t[j + 2].type == K_NUMBER || t[j + 2].type == K_STRING) && comparison(&t[j + 3]) &&
            (t[j + 4].type == K_NUMBER || t[j + 4].type == K_STRING))
            return 1;
        /* UNION [ALL|DISTINCT] SELECT and a select list */
        if (x->type == K_UNION && j + 1 < n) {
            int q = j + 1;
            while (q < n && t[q].type == K_LPAREN)
                q++;
            if (q < n && kw(&t[q], "all"))
                q++;
            else if (q < n && kw(&t[q], "distinct"))
                q++;
            if (q < n && kw(&t[q], "select") && select_list(t, n, q + 1))
                return 1;
        }
        /* a statement after a ';' */
        if (x->type == K_SEMI && j + 1 < n && stacked(t, n, j + 1))
            return 1;
        /* a call only an injection makes */
        if (x->type == K_FUNC && IN(x->word, strong_functions))
            return 1;
        /* CASE WHEN … THEN … (ELSE … | END) */
        if (kw(x, "case") && j + 1 < n && kw(&t[j + 1], "when")) {
            int then = 0, end = 0;
            for (int q = j + 2; q < n; q++) {
                then |= kw(&t[q], "then");
                end |= then && (kw(&t[q], "else") || kw(&t[q], "end"));
            }
            if (then && end)
                return 1;
        }
        /* WAITFOR DELAY '0:0:5' */
        if (kw(x, "waitfor") && j + 1 < n && kw(&t[j + 1], "delay"))
            return 1;
        /* SELECT with a select list, and FROM, a SQL function, or a comment
         * ending it: (SELECT COUNT(*) FROM …), SELECT 1,2,3-- */
        if (kw(x, "select") && select_list(t, n, j + 1)) {
            int from = 0, fn = 0, commas = 0, comment = 0;
            for (int q = j + 1; q < n; q++) {
                from |= kw(&t[q], "from");
                fn |= t[q].type == K_FUNC && IN(t[q].word, sql_functions);
                commas += t[q].type == K_COMMA;
                comment |= t[q].type == K_COMMENT;
            }
            if (from || fn || (commas && comment) || (j > 0 && t[j - 1].type == K_LPAREN))
                return 1;
        }
        /* a SQL function compared or combined: char(88)+char(88), 1=user() */
        if (x->type == K_FUNC && IN(x->word, sql_functions) && j > 0 &&
            (t[j - 1].type == K_OP || t[j - 1].type == K_LOGIC || t[j - 1].type == K_LPAREN) &&
            (j > 1 || t[j - 1].type != K_LPAREN) && j + 2 < n && t[j + 1].type == K_LPAREN &&
            (t[j + 2].type == K_NUMBER || t[j + 2].type == K_STRING || t[j + 2].type == K_RPAREN ||
             t[j + 2].type == K_FUNC || kw(&t[j + 2], "select")))
            return 1; /* with SQL's arguments: char(88), user(), make_set(1=2,…) */
    }
    return 0;
}

/* Whether SQL could be in p at all: a quote, bracket, operator, comment
 * or statement end, or a number beside a word ("1 union select 1"). Most
 * values are words and numbers alone: they are not tokenized. */
static int sql_possible(const unsigned char *p, size_t n)
{
    static unsigned char cue[256];
    static int ready;
    if (!ready) { /* racing threads write the same values */
        for (const char *c = "'\"`();=<>!|&#*/@"; *c; c++)
            cue[(unsigned char)*c] = 1;
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    int digit = 0, space = 0;
    for (size_t i = 0; i < n; i++) {
        if (cue[p[i]] || (p[i] == '-' && i + 1 < n && p[i + 1] == '-'))
            return 1;
        digit |= p[i] >= '0' && p[i] <= '9';
        space |= p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r';
    }
    return digit && space;
}

int lw_detect_sqli(const unsigned char *p, size_t n)
{
    if (!sql_possible(p, n))
        return 0;
    struct token t[TOKENS_MAX];
    int obf = 0;
    /* bare */
    int k = tokenize(p, n, t, &obf);
    if (obf || sqli_shape(t, k, 0))
        return 1;
    /* inside '…' or "…": the first such quote closes the string */
    for (int q = 0; q < 2; q++) {
        const unsigned char *e = memchr(p, q ? '"' : '\'', n);
        if (!e)
            continue;
        size_t off = (size_t)(e - p) + 1;
        obf = 0;
        k = tokenize(p + off, n - off, t, &obf);
        if (obf || sqli_shape(t, k, 1))
            return 1;
    }
    return 0;
}

/* ---- markup --------------------------------------------------------------- */

/* Elements that run script, load it, or change how the page is read. */
static const char *const bad_tags[] = {
    "script",  "iframe", "frame",   "frameset",  "object",   "embed",        "applet",
    "svg",     "math",   "xsl",     "xml",       "import",   "style",        "link",
    "meta",    "base",   "form",    "isindex",   "template", "xss",          "bgsound",
    "layer",   "ilayer", "comment", "plaintext", "xmp",      "listing",      "noscript",
    "animate", "set",    "handler", "vmlframe",  "t",        "event-source", "portal",
};

static int tag_char(unsigned char c)
{
    return isalnum(c) || c == ':' || c == '-' || c == '_';
}

/* An attribute a browser runs or follows into script. */
static int bad_attribute(const unsigned char *p, size_t n, size_t *i)
{
    size_t a = *i, e = a;
    while (e < n && (isalnum(p[e]) || p[e] == '-' || p[e] == ':' || p[e] == '_'))
        e++;
    *i = e > a ? e : a + 1;
    if (e - a > 2 && (p[a] | 0x20) == 'o' && (p[a + 1] | 0x20) == 'n')
        return 1; /* an event handler */
    if (e - a == 5 && strncasecmp((const char *)p + a, "style", 5) == 0) {
        for (size_t j = e; j + 10 < n && p[j] != '>'; j++)
            if (strncasecmp((const char *)p + j, "expression", 10) == 0)
                return 1;
    }
    /* the value: javascript:, vbscript:, data:text/html */
    size_t v = e;
    while (v < n && isspace(p[v]))
        v++;
    if (v >= n || p[v] != '=')
        return 0;
    v++;
    while (v < n && (isspace(p[v]) || p[v] == '"' || p[v] == '\'' || p[v] == '`'))
        v++;
    char scheme[16];
    size_t k = 0;
    for (; v < n && k + 1 < sizeof(scheme) && p[v] != ':' && p[v] != '>'; v++)
        if (!isspace(p[v]) && p[v] >= 0x20)
            scheme[k++] = (char)tolower(p[v]);
    scheme[k] = '\0';
    if (v < n && p[v] == ':')
        return strcmp(scheme, "javascript") == 0 || strcmp(scheme, "vbscript") == 0 ||
               strcmp(scheme, "livescript") == 0 ||
               (strcmp(scheme, "data") == 0 && v + 10 < n &&
                strncasecmp((const char *)p + v + 1, "text/html", 9) == 0);
    return 0;
}

int lw_detect_xss(const unsigned char *p, size_t n)
{
    if (!memchr(p, '<', n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '<' || i + 1 >= n)
            continue;
        size_t j = i + 1;
        if (p[j] == '!') { /* <!DOCTYPE, <!ENTITY, <![CDATA[, <!-- */
            if (j + 1 < n && (p[j + 1] == '[' || isalpha(p[j + 1])))
                return 1;
            continue;
        }
        if (p[j] == '?' && j + 3 < n && strncasecmp((const char *)p + j + 1, "xml", 3) == 0)
            return 1;
        if (p[j] == '/')
            j++;
        size_t a = j;
        while (j < n && tag_char(p[j]))
            j++;
        if (j == a || !isalpha(p[a]))
            continue;
        char name[24];
        size_t k = 0;
        for (size_t q = a; q < j && k + 1 < sizeof(name); q++)
            name[k++] = (char)tolower(p[q]);
        name[k] = '\0';
        char *colon = strchr(name, ':'); /* xsl:template, svg:mask */
        if (colon)
            *colon = '\0';
        if (IN(name, bad_tags))
            return 1;
        /* attributes, up to the tag's end */
        while (j < n && p[j] != '>' && p[j] != '<') {
            if (isalpha(p[j]) &&
                (isspace(p[j - 1]) || p[j - 1] == '/' || p[j - 1] == '"' || p[j - 1] == '\'')) {
                if (bad_attribute(p, n, &j))
                    return 1;
            } else {
                j++;
            }
        }
    }
    return 0;
}
