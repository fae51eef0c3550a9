/*
 * Webshell analysis of server-side script source: PHP, JSP/JSPX, ASP (VBScript
 * and JScript) and ASPX (C# and JScript.NET). Private to the guard module;
 * webshell.c combines it with the YARA rules.
 *
 * A file is tokenized for its language (comments, whitespace, string splitting
 * and escapes stop mattering), its constant expressions are folded (concatenation,
 * chr, XOR, base64 and the other decoders, iterated and bounded), and values
 * are followed from request input to the places that run code or commands,
 * write files or name functions. Each technique found scores; a file's score
 * is their sum, capped at 100, and a file scoring WSA_THRESHOLD or more is
 * named. All memory of one analysis lives in one arena freed at its end.
 */
#ifndef TOCSIN_GUARD_WSA_H
#define TOCSIN_GUARD_WSA_H

#include <stddef.h>
#include <stdint.h>

/* The score at which a file is named (chosen on the development collection;
 * docs/guard.md says how). */
#define WSA_THRESHOLD 60

/* Work is bounded per file: the source read (larger files are analysed up to
 * this size), the tokens, the bytes all decoded values may take, and how often
 * decoded code is analysed again. */
#define WSA_SOURCE_MAX   ((size_t)8 << 20)
#define WSA_TOKENS_MAX   ((size_t)2 << 20)
#define WSA_ARENA_MAX    ((size_t)96 << 20)
#define WSA_DEPTH_MAX    6
#define WSA_FINDINGS_MAX 6
#define WSA_STEPS_MAX    ((size_t)20 << 20)

enum wsa_lang { WSA_NONE, WSA_PHP, WSA_JSP, WSA_ASP, WSA_ASPX };

struct wsa_finding {
    int score;          /* this technique's points */
    char technique[40]; /* e.g. "taint-code-exec", "obfuscated-function-name" */
    unsigned line;      /* in the file (1-based; 0 for the file as a whole) */
    char detail[200];   /* what was seen, escaped, one line */
    char decoded[160];  /* what a decoded or folded value came to, or "" */
    char taint[200];    /* the path from request input to the sink, or "" */
};

struct wsa_result {
    int score; /* 0..100 */
    int n;
    struct wsa_finding f[WSA_FINDINGS_MAX]; /* the highest-scoring, best first */
    int truncated;                          /* work limits were reached */
};

/* The language of a file, from its name, or WSA_NONE for files that are not
 * server-side scripts. */
enum wsa_lang wsa_lang_of(const char *name);
const char *wsa_lang_name(enum wsa_lang l);

/* Analyses one file's source. Never fails: bad input (binary, truncated,
 * invalid encodings) gives a result, possibly empty. */
void wsa_analyse(enum wsa_lang lang, const void *p, size_t n, struct wsa_result *out);

/* ---- internals shared by the wsa_*.c files ------------------------------ */

struct wsa_arena;
void *wsa_alloc(struct wsa_arena *a, size_t n); /* NULL past WSA_ARENA_MAX */
/* An arena of one's own, for using the decoders alone (tests, tools). */
struct wsa_arena *wsa_arena_new(void);
void wsa_arena_delete(struct wsa_arena *a);

enum wsa_tok_kind {
    TK_END,
    TK_ID,  /* identifier or keyword; PHP's leading '\' dropped */
    TK_VAR, /* PHP $name (text without the '$') */
    TK_STR, /* a string literal, its value decoded */
    TK_NUM,
    TK_OP,  /* punctuation, longest match */
    TK_EOL, /* VBScript's end of statement */
};

struct wsa_tok {
    uint8_t kind;
    uint8_t interp; /* 1: part of a PHP interpolation; 2: letters written as escapes */
    uint32_t line;
    uint32_t len;
    const char *s;  /* NUL-terminated; a string's decoded value */
    const char *ls; /* an identifier in lower case, else s */
};

struct wsa_toks {
    struct wsa_tok *v;
    size_t n, cap;
    int truncated;
    int vb; /* the page's code is VBScript or VB.NET */
    int js; /* the page's code is JScript (JScript.NET on ASPX) */
};

/* Tokenizes the code of a file (or, with code_only, text that is all code, as
 * decoded payloads are), appending to t. */
void wsa_tokenize(struct wsa_arena *a, enum wsa_lang lang, const char *p, size_t n, int code_only,
                  struct wsa_toks *t);

/* Decoders for constant folding; each returns a new arena string (its length
 * in *out_n) or NULL when the input is not of that encoding. */
char *wsa_base64(struct wsa_arena *a, const char *s, size_t n, size_t *out_n);
char *wsa_hex(struct wsa_arena *a, const char *s, size_t n, size_t *out_n);
char *wsa_url(struct wsa_arena *a, const char *s, size_t n, size_t *out_n);
char *wsa_rot13(struct wsa_arena *a, const char *s, size_t n, size_t *out_n);
char *wsa_reverse(struct wsa_arena *a, const char *s, size_t n, size_t *out_n);
/* zlib: window -15 raw deflate (gzinflate), 15 zlib (gzuncompress), 31 gzip. */
char *wsa_inflate(struct wsa_arena *a, const char *s, size_t n, int window, size_t *out_n);
/* The body of a Script Encoder block (between "#@~^xxxxxx==" and
 * "xxxxxx==^#~@"). */
char *wsa_script_decode(struct wsa_arena *a, const char *s, size_t n, size_t *out_n);
char *wsa_uudecode(struct wsa_arena *a, const char *s, size_t n, size_t *out_n);

#endif
