/* Tokenizers for the webshell analysis: PHP, JSP/JSPX (Java), ASP (VBScript,
 * JScript) and ASPX (C#, JScript.NET, VB.NET). Only the server-side code of a
 * page becomes tokens; the HTML around it is skipped. Strings come out with
 * their escapes decoded, and a PHP string with interpolated variables comes
 * out as the concatenation it means, so `"a$x"` and `'a'.$x` are the same
 * tokens. */
#include "wsa.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct lexer {
    struct wsa_arena *a;
    enum wsa_lang lang;
    int vb; /* VBScript / VB.NET syntax */
    int js; /* JScript */
    const char *p;
    size_t n, i;
    uint32_t line;
    struct wsa_toks *t;
    int sb_owned; /* the string being emitted is already a NUL-terminated arena copy */
};

static int is_id_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_id_char(unsigned char c)
{
    return is_id_start(c) || (c >= '0' && c <= '9');
}

static void emit(struct lexer *lx, int kind, const char *s, size_t len, int interp)
{
    struct wsa_toks *t = lx->t;
    if (t->n >= WSA_TOKENS_MAX) {
        t->truncated = 1;
        return;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct wsa_tok *v = wsa_alloc(lx->a, cap * sizeof(*v));
        if (!v) {
            t->truncated = 1;
            return;
        }
        if (t->n)
            memcpy(v, t->v, t->n * sizeof(*v));
        t->v = v;
        t->cap = cap;
    }
    /* Names and punctuation get NUL-terminated copies (strings already are),
     * identifiers a lower-case one too: the analysis compares them often. */
    const char *ls = s;
    if (kind != TK_STR) {
        char *c = wsa_alloc(lx->a, kind == TK_ID ? 2 * len + 2 : len + 1);
        if (!c) {
            t->truncated = 1;
            return;
        }
        memcpy(c, s, len);
        c[len] = 0;
        s = ls = c;
        if (kind == TK_ID) {
            char *l = c + len + 1;
            for (size_t k = 0; k < len; k++)
                l[k] = (char)(c[k] >= 'A' && c[k] <= 'Z' ? c[k] + 32 : c[k]);
            l[len] = 0;
            ls = l;
        }
    } else if (!lx->sb_owned) {
        char *c = wsa_alloc(lx->a, len + 1);
        if (!c) {
            t->truncated = 1;
            return;
        }
        memcpy(c, s, len);
        c[len] = 0;
        s = ls = c;
    }
    t->v[t->n++] = (struct wsa_tok){.kind = (uint8_t)kind,
                                    .interp = (uint8_t)interp,
                                    .line = lx->line,
                                    .len = (uint32_t)len,
                                    .s = s,
                                    .ls = ls};
}

static void emit_op(struct lexer *lx, const char *op)
{
    emit(lx, TK_OP, op, strlen(op), 0);
}

/* A growing string in the arena for a literal being decoded. */
struct sb {
    struct wsa_arena *a;
    char *p;
    size_t n, cap;
    int escaped; /* a letter or digit was written as an escape (\x61, \141, \u{61}) */
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = wsa_alloc(b->a, cap);
        if (!q)
            return;
        if (b->n)
            memcpy(q, b->p, b->n);
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_addc(struct sb *b, unsigned cp)
{
    char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        k = 3;
    } else {
        cp = cp > 0x10ffff ? 0xfffd : cp;
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        k = 4;
    }
    sb_add(b, u, k);
}

static void sb_byte(struct sb *b, unsigned char c)
{
    sb_add(b, (const char *)&c, 1);
}

static void emit_sb(struct lexer *lx, struct sb *b, int interp)
{
    lx->sb_owned = 1;
    emit(lx, TK_STR, b->p ? b->p : "", b->n, interp | (b->escaped ? 2 : 0));
    lx->sb_owned = 0;
}

static int hexv(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static void count_lines(struct lexer *lx, const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        lx->line += s[k] == '\n';
}

/* ---- PHP strings -------------------------------------------------------- */

static void lex_code(struct lexer *lx, const char *stop);

/* Lexes text that is all code (an interpolated {$...}) in place. */
static void lex_inner(struct lexer *lx, const char *s, size_t n)
{
    struct lexer in = *lx;
    in.p = s;
    in.n = n;
    in.i = 0;
    lex_code(&in, NULL);
    lx->line = in.line;
}

/* One escape of a double-quoted PHP string at s[k] (after the backslash);
 * returns the bytes consumed. */
static size_t php_escape(const char *s, size_t n, size_t k, struct sb *b)
{
    char c = s[k];
    switch (c) {
    case 'n':
        sb_byte(b, '\n');
        return 1;
    case 't':
        sb_byte(b, '\t');
        return 1;
    case 'r':
        sb_byte(b, '\r');
        return 1;
    case 'v':
        sb_byte(b, '\v');
        return 1;
    case 'e':
        sb_byte(b, 27);
        return 1;
    case 'f':
        sb_byte(b, '\f');
        return 1;
    case '\\':
    case '$':
    case '"':
        sb_byte(b, (unsigned char)c);
        return 1;
    case 'x':
        if (k + 1 < n && hexv(s[k + 1]) >= 0) {
            int v = hexv(s[k + 1]);
            size_t used = 2;
            if (k + 2 < n && hexv(s[k + 2]) >= 0) {
                v = v * 16 + hexv(s[k + 2]);
                used = 3;
            }
            sb_byte(b, (unsigned char)v);
            b->escaped |= (v >= '0' && v <= '9') || ((v | 0x20) >= 'a' && (v | 0x20) <= 'z');
            return used;
        }
        break;
    case 'u':
        if (k + 1 < n && s[k + 1] == '{') {
            unsigned cp = 0;
            size_t j = k + 2;
            while (j < n && hexv(s[j]) >= 0 && j < k + 10)
                cp = cp * 16 + (unsigned)hexv(s[j++]);
            if (j < n && s[j] == '}') {
                sb_addc(b, cp);
                b->escaped |= cp < 128 && isalnum((int)cp);
                return j - k + 1;
            }
        }
        break;
    default:
        if (c >= '0' && c <= '7') {
            int v = 0;
            size_t j = k;
            while (j < n && j < k + 3 && s[j] >= '0' && s[j] <= '7')
                v = v * 8 + (s[j++] - '0');
            sb_byte(b, (unsigned char)v);
            b->escaped |= v < 128 && isalnum(v);
            return j - k;
        }
    }
    sb_byte(b, '\\');
    return 0;
}

/* The body of a double-quoted string, heredoc or backtick command: literal
 * parts and interpolated variables as a parenthesised concatenation. */
static void php_interp(struct lexer *lx, const char *s, size_t n, int dq)
{
    struct sb b = {.a = lx->a};
    size_t parts = 0, start_tokens = lx->t->n;
    emit_op(lx, "(");
    for (size_t k = 0; k < n;) {
        char c = s[k];
        if (c == '\\' && k + 1 < n && (dq || s[k + 1] == '\\' || s[k + 1] == '$')) {
            k += 1 + php_escape(s, n, k + 1, &b);
            continue;
        }
        int var = c == '$' && k + 1 < n && is_id_start((unsigned char)s[k + 1]);
        int brace = c == '{' && k + 1 < n && s[k + 1] == '$';
        int dollar_brace = c == '$' && k + 1 < n && s[k + 1] == '{';
        if (!var && !brace && !dollar_brace) {
            if (c == '\n')
                lx->line++;
            sb_byte(&b, (unsigned char)c);
            k++;
            continue;
        }
        if (b.n) {
            if (parts++)
                emit_op(lx, ".");
            emit_sb(lx, &b, 1);
            b = (struct sb){.a = lx->a};
        }
        if (parts++)
            emit_op(lx, ".");
        if (brace || dollar_brace) {
            /* {$expr} or ${name}: the code up to the matching brace. */
            size_t j = k + 1, depth = 1;
            while (j < n && depth) {
                depth += s[j] == '{';
                depth -= s[j] == '}';
                j++;
            }
            size_t body = brace ? k + 1 : k + 2, end = depth ? n : j - 1;
            emit_op(lx, "(");
            if (dollar_brace) {
                /* ${name} names a variable; ${expr} is a variable-variable */
                size_t m = body;
                while (m < end && is_id_char((unsigned char)s[m]))
                    m++;
                if (m == end && m > body) {
                    emit(lx, TK_VAR, s + body, m - body, 0);
                } else {
                    emit_op(lx, "$");
                    emit_op(lx, "{");
                    lex_inner(lx, s + body, end - body);
                    emit_op(lx, "}");
                }
            } else {
                lex_inner(lx, s + body, end - body);
            }
            emit_op(lx, ")");
            k = j;
            continue;
        }
        size_t j = k + 1;
        while (j < n && is_id_char((unsigned char)s[j]))
            j++;
        emit(lx, TK_VAR, s + k + 1, j - k - 1, 0);
        if (j < n && s[j] == '[') {
            /* $a[key], $a[0], $a[$i] */
            size_t m = j + 1;
            while (m < n && s[m] != ']' && m < j + 256)
                m++;
            if (m < n && s[m] == ']') {
                emit_op(lx, "[");
                if (s[j + 1] == '$')
                    emit(lx, TK_VAR, s + j + 2, m - j - 2, 0);
                else if (s[j + 1] == '\'' && m - j >= 3)
                    emit(lx, TK_STR, s + j + 2, m - j - 3, 0);
                else
                    emit(lx, TK_STR, s + j + 1, m - j - 1, 0);
                emit_op(lx, "]");
                j = m + 1;
            }
        } else if (j + 2 < n && s[j] == '-' && s[j + 1] == '>' &&
                   is_id_start((unsigned char)s[j + 2])) {
            size_t m = j + 2;
            while (m < n && is_id_char((unsigned char)s[m]))
                m++;
            emit_op(lx, "->");
            emit(lx, TK_ID, s + j + 2, m - j - 2, 0);
            j = m;
        }
        k = j;
    }
    if (b.n || !parts) {
        if (parts)
            emit_op(lx, ".");
        emit_sb(lx, &b, parts > 0);
    }
    /* A plain string needs no parentheses: drop them. */
    if (!parts && lx->t->n == start_tokens + 2) {
        lx->t->v[start_tokens] = lx->t->v[start_tokens + 1];
        lx->t->n--;
        return;
    }
    emit_op(lx, ")");
}

/* A heredoc or nowdoc starting at lx->i (just after "<<<"). */
static int php_heredoc(struct lexer *lx)
{
    size_t k = lx->i;
    while (k < lx->n && (lx->p[k] == ' ' || lx->p[k] == '\t'))
        k++;
    char q = k < lx->n && (lx->p[k] == '\'' || lx->p[k] == '"') ? lx->p[k] : 0;
    k += q != 0;
    size_t id = k;
    while (k < lx->n && is_id_char((unsigned char)lx->p[k]))
        k++;
    size_t idn = k - id;
    if (!idn)
        return 0;
    k += q != 0;
    while (k < lx->n && lx->p[k] != '\n')
        k++;
    if (k >= lx->n)
        return 0;
    size_t body = ++k;
    lx->line++;
    /* The closing identifier starts a line, optionally indented. */
    for (size_t ln = body; ln < lx->n;) {
        size_t m = ln;
        while (m < lx->n && (lx->p[m] == ' ' || lx->p[m] == '\t'))
            m++;
        if (m + idn <= lx->n && memcmp(lx->p + m, lx->p + id, idn) == 0 &&
            (m + idn == lx->n || !is_id_char((unsigned char)lx->p[m + idn]))) {
            size_t end = ln > body ? ln - 1 : body;
            if (q == '\'') {
                emit(lx, TK_STR, lx->p + body, end - body, 0);
                count_lines(lx, lx->p + body, end - body);
            } else {
                php_interp(lx, lx->p + body, end - body, 0);
            }
            lx->i = m + idn;
            return 1;
        }
        const char *nl = memchr(lx->p + ln, '\n', lx->n - ln);
        ln = nl ? (size_t)(nl - lx->p) + 1 : lx->n;
    }
    /* Unterminated: the rest is the string. */
    emit(lx, TK_STR, lx->p + body, lx->n - body, 0);
    count_lines(lx, lx->p + body, lx->n - body);
    lx->i = lx->n;
    return 1;
}

/* ---- strings of the other languages ------------------------------------- */

/* A C-like quoted string (Java, C#, JScript) from lx->i at the quote. */
static void c_string(struct lexer *lx, char q, int verbatim)
{
    struct sb b = {.a = lx->a};
    size_t k = lx->i + 1;
    while (k < lx->n) {
        char c = lx->p[k];
        if (c == q) {
            if (verbatim && k + 1 < lx->n && lx->p[k + 1] == q) {
                sb_byte(&b, (unsigned char)q);
                k += 2;
                continue;
            }
            k++;
            break;
        }
        if (c == '\n') {
            lx->line++;
            if (!verbatim && q != '`')
                break; /* unterminated at the end of the line */
        }
        if (c == '\\' && !verbatim && k + 1 < lx->n) {
            char d = lx->p[k + 1];
            k += 2;
            switch (d) {
            case 'n':
                sb_byte(&b, '\n');
                break;
            case 't':
                sb_byte(&b, '\t');
                break;
            case 'r':
                sb_byte(&b, '\r');
                break;
            case 'b':
                sb_byte(&b, '\b');
                break;
            case 'f':
                sb_byte(&b, '\f');
                break;
            case 'x':
                if (k + 1 < lx->n && hexv(lx->p[k]) >= 0 && hexv(lx->p[k + 1]) >= 0) {
                    sb_byte(&b, (unsigned char)(hexv(lx->p[k]) * 16 + hexv(lx->p[k + 1])));
                    k += 2;
                }
                break;
            case 'u':
                if (k + 3 < lx->n && hexv(lx->p[k]) >= 0 && hexv(lx->p[k + 1]) >= 0 &&
                    hexv(lx->p[k + 2]) >= 0 && hexv(lx->p[k + 3]) >= 0) {
                    sb_addc(&b, (unsigned)(hexv(lx->p[k]) << 12 | hexv(lx->p[k + 1]) << 8 |
                                           hexv(lx->p[k + 2]) << 4 | hexv(lx->p[k + 3])));
                    k += 4;
                }
                break;
            default:
                if (d >= '0' && d <= '7') {
                    int v = d - '0';
                    for (int m = 0; m < 2 && k < lx->n && lx->p[k] >= '0' && lx->p[k] <= '7'; m++)
                        v = v * 8 + (lx->p[k++] - '0');
                    sb_byte(&b, (unsigned char)v);
                } else {
                    sb_byte(&b, (unsigned char)d);
                }
            }
            continue;
        }
        sb_byte(&b, (unsigned char)c);
        k++;
    }
    emit_sb(lx, &b, 0);
    lx->i = k;
}

/* A VBScript string: "..." with "" for a quote. */
static void vb_string(struct lexer *lx)
{
    struct sb b = {.a = lx->a};
    size_t k = lx->i + 1;
    while (k < lx->n) {
        if (lx->p[k] == '"') {
            if (k + 1 < lx->n && lx->p[k + 1] == '"') {
                sb_byte(&b, '"');
                k += 2;
                continue;
            }
            k++;
            break;
        }
        if (lx->p[k] == '\n')
            break;
        sb_byte(&b, (unsigned char)lx->p[k++]);
    }
    emit_sb(lx, &b, 0);
    lx->i = k;
}

/* ---- code ---------------------------------------------------------------- */

static const char *const ops3[] = {"===", "!==", "<=>", "**=", "...", "<<=", ">>=", "?\?=", NULL};
static const char *const ops2[] = {"::", "->", "=>", "==", "!=", "<>", "<=", ">=", "&&",
                                   "||", "++", "--", ".=", "+=", "-=", "*=", "/=", "^=",
                                   "|=", "&=", "%=", "??", "<<", ">>", "**", "?.", NULL};

static int match_stop(const struct lexer *lx, const char *stop)
{
    size_t k = strlen(stop);
    return lx->i + k <= lx->n && strncasecmp(lx->p + lx->i, stop, k) == 0;
}

static void skip_line(struct lexer *lx, const char *stop)
{
    while (lx->i < lx->n && lx->p[lx->i] != '\n' && !(stop && match_stop(lx, stop)))
        lx->i++;
}

/* Lexes code from lx->i until stop (consumed) or the end. */
static void lex_code(struct lexer *lx, const char *stop)
{
    int php = lx->lang == WSA_PHP;
    while (lx->i < lx->n && !lx->t->truncated) {
        if (stop && match_stop(lx, stop)) {
            lx->i += strlen(stop);
            emit_op(lx, lx->vb ? "\n" : ";");
            if (lx->vb)
                lx->t->v[lx->t->n - 1].kind = TK_EOL;
            return;
        }
        unsigned char c = (unsigned char)lx->p[lx->i];
        if (c == '\n') {
            lx->line++;
            lx->i++;
            if (lx->vb)
                emit(lx, TK_EOL, "\n", 1, 0);
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0) {
            lx->i++;
            continue;
        }
        const char *s = lx->p + lx->i;
        size_t left = lx->n - lx->i;
        if (lx->vb) {
            if (c == '\'' ||
                (left > 3 && strncasecmp(s, "rem", 3) == 0 && (s[3] == ' ' || s[3] == '\t'))) {
                skip_line(lx, stop);
                continue;
            }
            if (c == '_' && left > 1 && (s[1] == '\r' || s[1] == '\n' || s[1] == ' ')) {
                /* a line continued */
                size_t k = 1;
                while (k < left && (s[k] == ' ' || s[k] == '\r'))
                    k++;
                if (k < left && s[k] == '\n') {
                    lx->line++;
                    lx->i += k + 1;
                    continue;
                }
            }
            if (c == '"') {
                vb_string(lx);
                continue;
            }
            if (c == ':') {
                emit(lx, TK_EOL, ":", 1, 0);
                lx->i++;
                continue;
            }
            if (c == '&' && left > 2 && (s[1] == 'h' || s[1] == 'H') && hexv(s[2]) >= 0) {
                size_t k = 2;
                while (k < left && hexv(s[k]) >= 0)
                    k++;
                emit(lx, TK_NUM, s, k, 0);
                lx->i += k;
                continue;
            }
        } else {
            if (c == '/' && left > 1 && s[1] == '/') {
                skip_line(lx, php ? "?>" : stop);
                continue;
            }
            if (php && c == '#' && !(left > 1 && s[1] == '[')) {
                skip_line(lx, "?>");
                continue;
            }
            if (c == '/' && left > 1 && s[1] == '*') {
                const char *end = left > 2 ? memmem(s + 2, left - 2, "*/", 2) : NULL;
                size_t k = end ? (size_t)(end - s) + 2 : left;
                count_lines(lx, s, k);
                lx->i += k;
                continue;
            }
        }
        if (php && c == '$' && left > 1 && is_id_start((unsigned char)s[1])) {
            size_t k = 1;
            while (k < left && is_id_char((unsigned char)s[k]))
                k++;
            emit(lx, TK_VAR, s + 1, k - 1, 0);
            lx->i += k;
            continue;
        }
        if (is_id_start(c) || (php && c == '\\' && left > 1 && is_id_start((unsigned char)s[1]))) {
            size_t k = 0, from = 0;
            while (k < left && (is_id_char((unsigned char)s[k]) || (php && s[k] == '\\'))) {
                if (s[k] == '\\')
                    from = k + 1;
                k++;
            }
            /* C# verbatim strings: @"..." arrive here as '@' then '"'. */
            emit(lx, TK_ID, s + from, k - from, 0);
            lx->i += k;
            continue;
        }
        if (c >= '0' && c <= '9') {
            size_t k = 0;
            while (k < left && (is_id_char((unsigned char)s[k]) || s[k] == '.'))
                k++;
            emit(lx, TK_NUM, s, k, 0);
            lx->i += k;
            continue;
        }
        if (php) {
            if (c == '\'') {
                struct sb b = {.a = lx->a};
                size_t k = 1;
                while (k < left && s[k] != '\'') {
                    if (s[k] == '\\' && k + 1 < left && (s[k + 1] == '\'' || s[k + 1] == '\\'))
                        k++;
                    if (s[k] == '\n')
                        lx->line++;
                    sb_byte(&b, (unsigned char)s[k++]);
                }
                emit_sb(lx, &b, 0);
                lx->i += k + 1;
                continue;
            }
            if (c == '"' || c == '`') {
                size_t k = 1;
                while (k < left && s[k] != c)
                    k += s[k] == '\\' ? 2 : 1;
                size_t body = k < left ? k - 1 : left - 1;
                if (c == '`') {
                    emit(lx, TK_ID, "shell_exec", 10, 0);
                    emit_op(lx, "(");
                }
                php_interp(lx, s + 1, body, c == '"');
                if (c == '`')
                    emit_op(lx, ")");
                lx->i += k + 1 > left ? left : k + 1;
                continue;
            }
            if (left > 3 && memcmp(s, "<<<", 3) == 0) {
                lx->i += 3;
                if (php_heredoc(lx))
                    continue;
                emit_op(lx, "<<");
                lx->i -= 1;
                continue;
            }
        } else if (!lx->vb) {
            if (c == '@' && left > 1 && s[1] == '"') {
                lx->i++;
                c_string(lx, '"', 1);
                continue;
            }
            if (c == '"' || c == '\'' || c == '`') {
                c_string(lx, (char)c, 0);
                continue;
            }
        }
        size_t k = 1;
        const char *op = NULL;
        for (int m = 0; ops3[m] && !op; m++)
            if (left >= 3 && memcmp(s, ops3[m], 3) == 0)
                op = ops3[m], k = 3;
        for (int m = 0; ops2[m] && !op; m++)
            if (left >= 2 && memcmp(s, ops2[m], 2) == 0)
                op = ops2[m], k = 2;
        emit(lx, TK_OP, s, k, 0);
        lx->i += k;
    }
}

/* ---- pages: where the code is ------------------------------------------- */

/* The value of a directive's Language= attribute decides VBScript or not. */
static void asp_directive(struct lexer *lx, const char *s, size_t n)
{
    for (size_t k = 0; k + 8 < n; k++) {
        if (strncasecmp(s + k, "language", 8) != 0)
            continue;
        size_t m = k + 8;
        while (m < n && (s[m] == ' ' || s[m] == '=' || s[m] == '"' || s[m] == '\''))
            m++;
        lx->vb = m + 2 <= n && strncasecmp(s + m, "vb", 2) == 0;
        lx->js = (m + 2 <= n && strncasecmp(s + m, "js", 2) == 0) ||
                 (m + 4 <= n && strncasecmp(s + m, "java", 4) == 0);
        return;
    }
}

/* Decodes XML's entities and CDATA of a JSPX element into code. */
static void jspx_code(struct lexer *lx, const char *s, size_t n)
{
    struct sb b = {.a = lx->a};
    for (size_t k = 0; k < n;) {
        if (s[k] == '&') {
            static const struct {
                const char *e;
                char c;
            } ent[] = {
                {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
            size_t j = 0;
            for (; j < 5; j++)
                if (k + strlen(ent[j].e) <= n && memcmp(s + k, ent[j].e, strlen(ent[j].e)) == 0)
                    break;
            if (j < 5) {
                sb_byte(&b, (unsigned char)ent[j].c);
                k += strlen(ent[j].e);
                continue;
            }
        }
        if (n - k >= 9 && memcmp(s + k, "<![CDATA[", 9) == 0) {
            k += 9;
            continue;
        }
        if (n - k >= 3 && memcmp(s + k, "]]>", 3) == 0) {
            k += 3;
            continue;
        }
        sb_byte(&b, (unsigned char)s[k++]);
    }
    struct lexer in = *lx;
    in.p = b.p ? b.p : "";
    in.n = b.n;
    in.i = 0;
    lex_code(&in, NULL);
    emit_op(lx, ";");
}

static const char *find_ci(const char *s, size_t n, const char *what)
{
    size_t k = strlen(what);
    for (size_t i = 0; i + k <= n; i++)
        if ((s[i] | 0x20) == (what[0] | 0x20) && strncasecmp(s + i, what, k) == 0)
            return s + i;
    return NULL;
}

/* <script ... runat="server"> blocks of ASP and ASPX pages. */
static int server_script(struct lexer *lx)
{
    const char *s = lx->p + lx->i;
    size_t left = lx->n - lx->i;
    const char *gt = memchr(s, '>', left < 512 ? left : 512);
    if (!gt || !find_ci(s, (size_t)(gt - s), "runat"))
        return 0;
    int vb = lx->vb;
    const char *lang = find_ci(s, (size_t)(gt - s), "language");
    if (lang)
        asp_directive(lx, lang, (size_t)(gt - lang));
    count_lines(lx, s, (size_t)(gt - s));
    lx->i += (size_t)(gt - s) + 1;
    lex_code(lx, "</script");
    lx->vb = vb;
    return 1;
}

static void lex_page(struct lexer *lx)
{
    while (lx->i < lx->n && !lx->t->truncated) {
        const char *s = lx->p + lx->i;
        size_t left = lx->n - lx->i;
        const char *lt = memchr(s, '<', left);
        if (!lt) {
            count_lines(lx, s, left);
            return;
        }
        count_lines(lx, s, (size_t)(lt - s));
        lx->i += (size_t)(lt - s);
        s = lt;
        left = lx->n - lx->i;
        if (lx->lang == WSA_PHP) {
            if (left >= 5 && strncasecmp(s, "<?php", 5) == 0) {
                lx->i += 5;
                lex_code(lx, "?>");
            } else if (left >= 3 && memcmp(s, "<?=", 3) == 0) {
                lx->i += 3;
                emit(lx, TK_ID, "echo", 4, 0);
                lex_code(lx, "?>");
            } else if (left >= 2 && s[1] == '?' &&
                       !(left >= 5 && strncasecmp(s, "<?xml", 5) == 0)) {
                lx->i += 2;
                lex_code(lx, "?>");
            } else if (left > 7 && strncasecmp(s, "<script", 7) == 0) {
                const char *gt = memchr(s, '>', left < 256 ? left : 256);
                if (gt && find_ci(s, (size_t)(gt - s), "php")) {
                    lx->i += (size_t)(gt - s) + 1;
                    lex_code(lx, "</script");
                } else {
                    lx->i++;
                }
            } else {
                lx->i++;
            }
            continue;
        }
        if (left >= 4 && memcmp(s, "<%--", 4) == 0) {
            const char *end = memmem(s + 4, left - 4, "--%>", 4);
            size_t k = end ? (size_t)(end - s) + 4 : left;
            count_lines(lx, s, k);
            lx->i += k;
        } else if (left >= 3 && s[1] == '%' &&
                   (s[2] == '@' || (left >= 4 && (s[2] == ' ' || s[2] == '\t') && s[3] == '@'))) {
            const char *end = memmem(s + 3, left - 3, "%>", 2);
            size_t k = end ? (size_t)(end - s) + 2 : left;
            if (lx->lang == WSA_ASP || lx->lang == WSA_ASPX)
                asp_directive(lx, s, k);
            int handler = lx->lang == WSA_ASPX &&
                          (find_ci(s, k, "webhandler") || find_ci(s, k, "webservice"));
            count_lines(lx, s, k);
            lx->i += k;
            if (handler) {
                lex_code(lx, NULL); /* .ashx, .asmx: a class follows, all code */
                return;
            }
        } else if (left >= 2 && s[1] == '%') {
            lx->i += 2;
            if (lx->i < lx->n && (lx->p[lx->i] == '=' || lx->p[lx->i] == '!' ||
                                  lx->p[lx->i] == ':' || lx->p[lx->i] == '#'))
                lx->i++;
            lex_code(lx, "%>");
        } else if (lx->lang == WSA_JSP && left > 16 && memcmp(s, "<jsp:", 5) == 0 &&
                   (memcmp(s + 5, "scriptlet", 9) == 0 || memcmp(s + 5, "declaration", 11) == 0 ||
                    memcmp(s + 5, "expression", 10) == 0)) {
            const char *gt = memchr(s, '>', left);
            const char *end = gt ? memmem(gt, left - (size_t)(gt - s), "</jsp:", 6) : NULL;
            if (!gt) {
                lx->i = lx->n;
                return;
            }
            size_t body = (size_t)(gt - s) + 1, stop = end ? (size_t)(end - s) : left;
            jspx_code(lx, s + body, stop - body);
            count_lines(lx, s, stop);
            lx->i += stop;
        } else if ((lx->lang == WSA_ASP || lx->lang == WSA_ASPX) && left > 7 &&
                   strncasecmp(s, "<script", 7) == 0 && server_script(lx)) {
            continue;
        } else {
            lx->i++;
        }
    }
}

void wsa_tokenize(struct wsa_arena *a, enum wsa_lang lang, const char *p, size_t n, int code_only,
                  struct wsa_toks *t)
{
    struct lexer lx = {.a = a, .lang = lang, .p = p, .n = n, .line = 1, .t = t};
    lx.vb = lang == WSA_ASP;
    if (lang == WSA_ASP || lang == WSA_ASPX) {
        const char *d = memmem(p, n < 4096 ? n : 4096, "<%@", 3);
        if (d) {
            const char *end = memmem(d, n - (size_t)(d - p), "%>", 2);
            asp_directive(&lx, d, end ? (size_t)(end - d) : n - (size_t)(d - p));
        }
    }
    if (code_only) {
        lex_code(&lx, lang == WSA_PHP ? "?>" : NULL);
        if (lang == WSA_PHP && lx.i < lx.n)
            lex_page(&lx); /* eval("?>...") */
    } else {
        lex_page(&lx);
    }
    t->vb = lx.vb; /* as the page's directive or its last server script said */
    t->js = lx.js;
}
