/* Internals shared by the probe's files: CSS hiding, script analysis, the
 * page print, host names. */
#ifndef TOCSIN_PROBE_INT_H
#define TOCSIN_PROBE_INT_H

#include "probe.h"

#include <stddef.h>
#include <stdint.h>

/* ---- CSS ------------------------------------------------------------------- */

/* Ways an element is kept from a visitor's eyes (bits). */
enum css_hide {
    HIDE_DISPLAY = 1 << 0,    /* display: none */
    HIDE_VISIBILITY = 1 << 1, /* visibility: hidden */
    HIDE_OPACITY = 1 << 2,    /* opacity near 0 */
    HIDE_OFFSCREEN = 1 << 3,  /* positioned or indented far off the page */
    HIDE_TINY = 1 << 4,       /* zero or tiny size with overflow clipped */
    HIDE_FONT = 1 << 5,       /* font-size near 0 */
    HIDE_COLOUR = 1 << 6,     /* text coloured like its background */
    HIDE_CLIP = 1 << 7,       /* clip / clip-path / scale(0) */
    HIDE_MARQUEE = 1 << 8,    /* a marquee too small or too fast to read */
    HIDE_SCRIPT = 1 << 9,     /* written by document.write or innerHTML */
    HIDE_ATTR = 1 << 10       /* the hidden attribute, or width/height 0 */
};

struct css_style {
    unsigned hide;
    unsigned hide_important; /* hidden with !important: a later declaration cannot show */
    int has_colour, has_bg;
    uint32_t colour, bg; /* 0xRRGGBB */
    int overflow_hidden; /* the box clips what does not fit */
    int small_box;       /* a width or height of at most 2 px */
};

/* Parses a declaration block ("display:none; color:#fff") into s, adding to
 * what s holds already. */
void css_declarations(const char *p, size_t n, struct css_style *s);
/* Settles what only the whole style says (tiny box with clipping). */
void css_finish(struct css_style *s);
/* A description of hide bits for people. */
void css_hide_describe(unsigned hide, char *out, size_t cap);

/* A style sheet reduced to what hides: rules with a simple selector (the last
 * compound of each selector: tag, .class, #id). */
struct css_rule {
    char tag[16];
    char cls[64];
    char id[64];
    struct css_style style;
};
struct css_sheet {
    struct css_rule *v;
    int n, cap;
};
void css_sheet_parse(struct css_sheet *sh, const char *p, size_t n);
void css_sheet_release(struct css_sheet *sh);

/* ---- hosts ----------------------------------------------------------------- */

/* The host of an absolute http(s) or protocol-relative URL, lowercased; ""
 * for a relative one. */
void url_host(const char *url, size_t n, char out[256]);
/* The host of url as a resolver takes it: an IPv6 literal without brackets. */
void url_resolver_name(const char *url, char out[256]);
/* The registrable part of a host ("www.gz.gov.cn" → "gz.gov.cn"). */
const char *host_site(const char *host);
/* 1 when host belongs to the site of `site_host` or to an allowed domain. */
int host_is_own(const char *host, const char *site_host, const char *const *allow, int nallow);

/* ---- scripts ----------------------------------------------------------------- */

struct script_out {
    struct buf written; /* HTML written by document.write / innerHTML, decoded */
};
/* Analyses an inline script's text: obfuscation, miners, redirects to
 * outside domains. Appends the HTML it writes to out->written. */
void script_analyse(const char *js, size_t n, const char *site_host, const char *const *allow,
                    int nallow, struct probe_findings *f, struct script_out *out);
/* Miner names in a script's address or text. */
const char *script_miner(const char *s, size_t n);

/* ---- parsing ------------------------------------------------------------------- */

/* gumbo's document of html[0..n) (cut at PROBE_ANALYSE_MAX and at nesting
 * deeper than PROBE_DEPTH_MAX), its memory from this thread's arena: valid
 * until parse_release, one document at a time. NULL when out of memory. */
struct GumboInternalOutput;
struct GumboInternalOutput *parse_html(const char *html, size_t n);
void parse_release(void);
/* The two ways parse_html takes, for the tests that compare them: the fast
 * parser (NULL when the page needs gumbo) and gumbo itself. */
struct GumboInternalOutput *parse_html_fast(const char *html, size_t n);
struct GumboInternalOutput *parse_html_gumbo(const char *html, size_t n);

/* The tree gumbo would build for html[0..n), built without it, or NULL when
 * the page has a construct where the HTML5 algorithm does more than push and
 * pop elements (fastparse.c says which). Memory from alloc(ud, size). */
struct GumboInternalOutput *fast_parse(const char *html, size_t n, void *(*alloc)(void *, size_t),
                                       void *ud);
/* For the tests: the line of fastparse.c where this thread's last fast
 * parse gave up. */
int fast_parse_gave_up_at(void);
/* For the tests: 1 when the fast tree f differs from gumbo's g in anything
 * the analysis reads, with where and how in why. */
struct GumboInternalNode;
int fast_parse_differs(const struct GumboInternalNode *g, const struct GumboInternalNode *f,
                       char *why, size_t cap);

/* ---- the page print ---------------------------------------------------------- */

struct print_block {
    uint64_t text; /* hash of the block's text, numbers folded */
    uint64_t path; /* hash of its element path (tags, classes) */
    uint32_t len;  /* bytes of text */
    uint16_t links;
    char excerpt[96];
};

#define PRINT_BLOCKS_MAX  20000
#define PRINT_DOMAINS_MAX 64

struct probe_print {
    char title[256];
    struct print_block *blocks;
    int nblocks, cap;
    char scripts[PRINT_DOMAINS_MAX][128]; /* outside domains serving scripts */
    int nscripts;
    char frames[PRINT_DOMAINS_MAX][128]; /* outside domains in frames */
    int nframes;
    int hidden_links; /* for cloaking: how many hidden links to outside */
    char text_head[256];
};

void print_add_block(struct probe_print *p, const char *text, size_t n, uint64_t path, int links);
void print_add_domain(char (*set)[128], int *n, const char *host);
uint64_t print_hash(const char *p, size_t n, int fold_digits);

/* Cuts s to at most cap-1 bytes at a UTF-8 boundary, into out. */
void probe_copy(char *out, size_t cap, const char *s, size_t n);

#endif
