/* The page's tree without gumbo when the page is plain.
 *
 * gumbo follows the HTML5 parsing algorithm to the letter and was two
 * thirds of a page's analysis. Most of what a portal serves, though, never
 * needs the algorithm's hard parts: elements are closed in order or left open
 * where the rules close them simply (a <p> before a <div>, a <td> before the
 * next <td>, an <li> before the next <li>), and no node is moved. This parser
 * builds the tree gumbo would build for such a page — the same elements,
 * attributes, text, comments and whitespace nodes, in the same places — and
 * gives up (NULL) at the first construct where the algorithm moves nodes
 * (the adoption agency with a block inside the misnested element, content
 * moved out of tables) or that it does not take on: foreign content (svg,
 * math), templates, framesets, character references it does not know, and
 * anything it is not certain of. gumbo then parses the page, so what tocsin
 * sees never departs from what a browser builds; the two are compared by
 * tests/unit/test_probe_fastparse.c and by a fuzz harness that stops on any
 * tree of this parser that differs from gumbo's. Where gumbo 0.10.1 departs
 * from the standard, this parser follows gumbo (said where it does).
 *
 * Nodes carry what the analysis reads: type, tag (original_tag spans the
 * source tag), attributes (name lowercased, value decoded), children, text,
 * parent and index. Source positions are not kept. Memory comes from the
 * caller's allocator (the thread's arena) and is never freed one by one. */
#include "probe_int.h"

#include <gumbo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Where the parser last gave up (a line of this file), for the tests. */
static __thread int gave_up_at;
#define GIVE_UP() ((gave_up_at = gave_up_at ? gave_up_at : __LINE__), -1)

int fast_parse_gave_up_at(void)
{
    return gave_up_at;
}

#define FP_DEPTH 512 /* open elements; deeper pages go to gumbo */
#define FP_AFL   128 /* active formatting entries */

enum mode {
    M_INITIAL,
    M_BEFORE_HTML,
    M_BEFORE_HEAD,
    M_IN_HEAD,
    M_IN_HEAD_NOSCRIPT,
    M_AFTER_HEAD,
    M_IN_BODY,
    M_IN_TABLE,
    M_IN_CAPTION,
    M_IN_COLGROUP,
    M_IN_TBODY,
    M_IN_ROW,
    M_IN_CELL,
    M_IN_SELECT,
    M_AFTER_BODY,
    M_AFTER_AFTER_BODY
};

struct fp {
    const char *h;
    size_t n, i;
    void *(*alloc)(void *, size_t);
    void *ud;
    GumboNode *doc;
    GumboNode *stack[FP_DEPTH];
    int top;                /* elements on the stack */
    GumboNode *afl[FP_AFL]; /* active formatting elements; NULL is a marker */
    int nafl;
    GumboNode *form;
    enum mode mode;
    int skip_lf;    /* a newline right after <pre>, <listing>, <textarea> is dropped */
    int quirks;     /* 1 without a doctype, 0 for <!DOCTYPE html>, -1 for another */
    struct buf txt; /* text not yet inserted (it belongs to the current node) */
    int txt_nonws;
    struct buf scratch; /* an attribute value or a comment being decoded */
};

/* A start or end tag as read. */
struct tag {
    GumboTag tag;
    const char *name; /* lowercased, NUL-terminated (arena) */
    size_t name_len;
    const char *src; /* "<name ...>" in the input */
    size_t src_len;
    GumboVector attrs;
    int end;
};

/* ---- memory -------------------------------------------------------------------- */

static void *fp_alloc(struct fp *p, size_t n)
{
    return p->alloc(p->ud, n);
}

static char *fp_strdup(struct fp *p, const char *s, size_t n)
{
    char *d = fp_alloc(p, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static void vec_add(struct fp *p, GumboVector *v, void *e)
{
    if (v->length == v->capacity) {
        unsigned cap = v->capacity ? v->capacity * 2 : 4;
        void **d = fp_alloc(p, cap * sizeof *d);
        if (v->length)
            memcpy(d, v->data, v->length * sizeof *d);
        v->data = d;
        v->capacity = cap;
    }
    v->data[v->length++] = e;
}

/* ---- classes of characters and tags ------------------------------------------------ */

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int is_alnum(unsigned char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static int is_heading(GumboTag t)
{
    return t >= GUMBO_TAG_H1 && t <= GUMBO_TAG_H6;
}

static int is_formatting(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_NOBR:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
        return 1;
    default:
        return 0;
    }
}

/* Elements closed by "generate implied end tags". */
static int is_implied_end(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_OPTGROUP:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_P:
    case GUMBO_TAG_RB:
    case GUMBO_TAG_RP:
    case GUMBO_TAG_RT:
    case GUMBO_TAG_RTC:
        return 1;
    default:
        return 0;
    }
}

/* Start tags that close an open <p> and are inserted plainly. */
static int closes_p(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_MAIN:
        return 1;
    default:
        return 0;
    }
}

/* End tags closing a block in scope: the same set with button, listing, pre. */
static int block_end(GumboTag t)
{
    return (closes_p(t) && t != GUMBO_TAG_P) || t == GUMBO_TAG_BUTTON || t == GUMBO_TAG_LISTING ||
           t == GUMBO_TAG_PRE;
}

/* The special elements an <li>/<dd>/<dt> walk goes on past. */
static int walk_passes(GumboTag t)
{
    return t == GUMBO_TAG_ADDRESS || t == GUMBO_TAG_DIV || t == GUMBO_TAG_P;
}

/* The "special" category as gumbo 0.10.1 has it (without <main>, which it
 * predates). */
static int is_special(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_BGSOUND:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_COLGROUP:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_LISTING:
    case GUMBO_TAG_MARQUEE:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_META:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_WBR:
    case GUMBO_TAG_XMP:
        return 1;
    default:
        return 0;
    }
}

/* Tags whose handling this parser leaves to gumbo wherever they appear. */
static int is_refused(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_NOBR:
    case GUMBO_TAG_IMAGE:
    case GUMBO_TAG_ISINDEX:
    case GUMBO_TAG_MENUITEM:
    case GUMBO_TAG_RB:
    case GUMBO_TAG_RP:
    case GUMBO_TAG_RT:
    case GUMBO_TAG_RTC:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_BODY:
        return 1;
    default:
        return 0;
    }
}

/* The parts of a table above its rows. */
static int is_table_section(GumboTag t)
{
    return t == GUMBO_TAG_CAPTION || t == GUMBO_TAG_COL || t == GUMBO_TAG_COLGROUP ||
           t == GUMBO_TAG_TBODY || t == GUMBO_TAG_TFOOT || t == GUMBO_TAG_THEAD;
}

/* The parts of a table, rows and cells too. */
static int is_table_part(GumboTag t)
{
    return is_table_section(t) || t == GUMBO_TAG_TR || t == GUMBO_TAG_TD || t == GUMBO_TAG_TH;
}

/* ---- the stack -------------------------------------------------------------------- */

static GumboNode *cur(const struct fp *p)
{
    return p->top ? p->stack[p->top - 1] : p->doc;
}

static GumboTag cur_tag(const struct fp *p)
{
    return p->top ? p->stack[p->top - 1]->v.element.tag : GUMBO_TAG_UNKNOWN;
}

static void append(struct fp *p, GumboNode *parent, GumboNode *child)
{
    GumboVector *kids = parent->type == GUMBO_NODE_DOCUMENT ? &parent->v.document.children
                                                            : &parent->v.element.children;
    child->parent = parent;
    child->index_within_parent = kids->length;
    vec_add(p, kids, child);
}

static void flush_text(struct fp *p)
{
    if (!p->txt.len)
        return;
    GumboNode *t = fp_alloc(p, sizeof *t);
    memset(t, 0, sizeof *t);
    t->type = p->txt_nonws ? GUMBO_NODE_TEXT : GUMBO_NODE_WHITESPACE;
    t->v.text.text = fp_strdup(p, p->txt.p, p->txt.len);
    append(p, cur(p), t);
    buf_reset(&p->txt);
    p->txt_nonws = 0;
}

static int push(struct fp *p, GumboNode *e)
{
    if (p->top >= FP_DEPTH)
        return GIVE_UP();
    flush_text(p);
    append(p, cur(p), e);
    p->stack[p->top++] = e;
    return 0;
}

static void pop(struct fp *p)
{
    flush_text(p);
    p->top--;
}

static GumboNode *element(struct fp *p, const struct tag *t)
{
    GumboNode *e = fp_alloc(p, sizeof *e);
    memset(e, 0, sizeof *e);
    e->type = GUMBO_NODE_ELEMENT;
    e->v.element.tag = t->tag;
    e->v.element.tag_namespace = GUMBO_NAMESPACE_HTML;
    e->v.element.original_tag.data = t->src;
    e->v.element.original_tag.length = t->src_len;
    e->v.element.attributes = t->attrs;
    return e;
}

/* An element the algorithm creates without a tag in the source. */
static int push_implied(struct fp *p, GumboTag tag)
{
    struct tag t = {.tag = tag};
    return push(p, element(p, &t));
}

static int insert(struct fp *p, const struct tag *t)
{
    return push(p, element(p, t));
}

static int insert_void(struct fp *p, const struct tag *t)
{
    if (insert(p, t) != 0)
        return GIVE_UP();
    pop(p);
    return 0;
}

static int same_element(const GumboNode *e, const struct tag *t)
{
    if (e->v.element.tag != t->tag)
        return 0;
    if (t->tag != GUMBO_TAG_UNKNOWN)
        return 1;
    /* unknown tags: the same name, which original_tag starts with */
    const GumboStringPiece *o = &e->v.element.original_tag;
    if (o->length < t->name_len + 1)
        return 0;
    for (size_t k = 0; k < t->name_len; k++)
        if (lower((unsigned char)o->data[1 + k]) != (unsigned char)t->name[k])
            return 0;
    unsigned char after =
        o->length > t->name_len + 1 ? (unsigned char)o->data[1 + t->name_len] : '>';
    return is_ws(after) || after == '/' || after == '>';
}

enum scope { SCOPE, SCOPE_BUTTON, SCOPE_LIST, SCOPE_TABLE, SCOPE_SELECT };

static int is_boundary(GumboTag t, enum scope s)
{
    switch (s) {
    case SCOPE_TABLE:
        return t == GUMBO_TAG_HTML || t == GUMBO_TAG_TABLE || t == GUMBO_TAG_TEMPLATE;
    case SCOPE_SELECT:
        return t != GUMBO_TAG_OPTGROUP && t != GUMBO_TAG_OPTION;
    default:
        break;
    }
    switch (t) {
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_MARQUEE:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_TEMPLATE:
        return 1;
    case GUMBO_TAG_BUTTON:
        return s == SCOPE_BUTTON;
    case GUMBO_TAG_OL:
    case GUMBO_TAG_UL:
        return s == SCOPE_LIST;
    default:
        return 0;
    }
}

/* 1 when an element with tag t (any heading for H1 with `heading`) is in scope. */
static int in_scope(const struct fp *p, GumboTag t, enum scope s, int heading)
{
    for (int k = p->top - 1; k >= 0; k--) {
        GumboTag x = p->stack[k]->v.element.tag;
        if (x == t || (heading && is_heading(x)))
            return 1;
        if (is_boundary(x, s))
            return 0;
    }
    return 0;
}

static void implied_ends(struct fp *p, GumboTag except)
{
    while (p->top && is_implied_end(cur_tag(p)) && cur_tag(p) != except)
        pop(p);
}

/* Pops elements until one with tag t (any heading for H1 with `heading`)
 * has been popped; the caller knows one is in scope. */
static void pop_until(struct fp *p, GumboTag t, int heading)
{
    while (p->top) {
        GumboTag x = cur_tag(p);
        pop(p);
        if (x == t || (heading && is_heading(x)))
            return;
    }
}

/* Closes an open <p> in button scope, with what is open inside it. */
static int close_p(struct fp *p)
{
    if (!in_scope(p, GUMBO_TAG_P, SCOPE_BUTTON, 0))
        return 0;
    implied_ends(p, GUMBO_TAG_P);
    pop_until(p, GUMBO_TAG_P, 0);
    return 0;
}

/* ---- active formatting elements ------------------------------------------------------ */

static int on_stack(const struct fp *p, const GumboNode *e)
{
    for (int k = p->top - 1; k >= 0; k--)
        if (p->stack[k] == e)
            return 1;
    return 0;
}

static GumboNode *element(struct fp *p, const struct tag *t);

/* "Reconstruct the active formatting elements": the formatting elements
 * closed by something else than their end tag are opened again, as copies,
 * where the next text or element goes. */
static int reconstruct(struct fp *p)
{
    if (p->nafl == 0)
        return 0;
    int k = p->nafl - 1;
    if (!p->afl[k] || on_stack(p, p->afl[k]))
        return 0;
    while (k > 0 && p->afl[k - 1] && !on_stack(p, p->afl[k - 1]))
        k--;
    for (; k < p->nafl; k++) {
        const GumboNode *old = p->afl[k];
        struct tag t = {.tag = old->v.element.tag,
                        .src = old->v.element.original_tag.data,
                        .src_len = old->v.element.original_tag.length,
                        .attrs = old->v.element.attributes};
        GumboNode *copy = element(p, &t);
        if (push(p, copy) != 0)
            return GIVE_UP();
        p->afl[k] = copy;
    }
    return 0;
}

static int afl_push(struct fp *p, GumboNode *e)
{
    if (p->nafl >= FP_AFL)
        return GIVE_UP();
    if (e) {
        int same = 0;
        for (int k = p->nafl - 1; k >= 0 && p->afl[k]; k--)
            same += p->afl[k]->v.element.tag == e->v.element.tag;
        if (same >= 3)
            return GIVE_UP(); /* the "Noah's Ark" rule would drop one */
    }
    p->afl[p->nafl++] = e;
    return 0;
}

static void afl_clear_to_marker(struct fp *p)
{
    while (p->nafl > 0 && p->afl[--p->nafl])
        ;
}

static int afl_index(const struct fp *p, const GumboNode *e)
{
    for (int k = p->nafl - 1; k >= 0; k--)
        if (p->afl[k] == e)
            return k;
    return GIVE_UP();
}

/* ---- character references ------------------------------------------------------------ */

struct entity {
    const char *name;
    uint32_t cp;
    int legacy; /* may appear without ';' */
};

/* The references portal pages use; any other one sends the page to gumbo. */
static const struct entity entities[] = {
    {"amp", '&', 1},       {"lt", '<', 1},        {"gt", '>', 1},       {"quot", '"', 1},
    {"apos", '\'', 0},     {"nbsp", 0xA0, 1},     {"copy", 0xA9, 1},    {"reg", 0xAE, 1},
    {"trade", 0x2122, 0},  {"middot", 0xB7, 1},   {"bull", 0x2022, 0},  {"hellip", 0x2026, 0},
    {"mdash", 0x2014, 0},  {"ndash", 0x2013, 0},  {"lsquo", 0x2018, 0}, {"rsquo", 0x2019, 0},
    {"ldquo", 0x201C, 0},  {"rdquo", 0x201D, 0},  {"laquo", 0xAB, 1},   {"raquo", 0xBB, 1},
    {"times", 0xD7, 1},    {"divide", 0xF7, 1},   {"deg", 0xB0, 1},     {"plusmn", 0xB1, 1},
    {"yen", 0xA5, 1},      {"cent", 0xA2, 1},     {"pound", 0xA3, 1},   {"euro", 0x20AC, 0},
    {"sect", 0xA7, 1},     {"para", 0xB6, 1},     {"ensp", 0x2002, 0},  {"emsp", 0x2003, 0},
    {"thinsp", 0x2009, 0}, {"rarr", 0x2192, 0},   {"larr", 0x2190, 0},  {"uarr", 0x2191, 0},
    {"darr", 0x2193, 0},   {"sup2", 0xB2, 1},     {"frac12", 0xBD, 1},  {"micro", 0xB5, 1},
    {"permil", 0x2030, 0}, {"hearts", 0x2665, 0}, {"iexcl", 0xA1, 1},   {"acute", 0xB4, 1},
};

/* The references the HTML standard reads without a ';' (a name that starts
 * with one of these is read that way in text). */
static const char *const legacy[] = {
    "AElig",  "AMP",    "Aacute", "Acirc",  "Agrave", "Aring",  "Atilde", "Auml",   "COPY",
    "Ccedil", "ETH",    "Eacute", "Ecirc",  "Egrave", "Euml",   "GT",     "Iacute", "Icirc",
    "Igrave", "Iuml",   "LT",     "Ntilde", "Oacute", "Ocirc",  "Ograve", "Oslash", "Otilde",
    "Ouml",   "QUOT",   "REG",    "THORN",  "Uacute", "Ucirc",  "Ugrave", "Uuml",   "Yacute",
    "aacute", "acirc",  "acute",  "aelig",  "agrave", "amp",    "aring",  "atilde", "auml",
    "brvbar", "ccedil", "cedil",  "cent",   "copy",   "curren", "deg",    "divide", "eacute",
    "ecirc",  "egrave", "eth",    "euml",   "frac12", "frac14", "frac34", "gt",     "iacute",
    "icirc",  "iexcl",  "igrave", "iquest", "iuml",   "laquo",  "lt",     "macr",   "micro",
    "middot", "nbsp",   "not",    "ntilde", "oacute", "ocirc",  "ograve", "ordf",   "ordm",
    "oslash", "otilde", "ouml",   "para",   "plusmn", "pound",  "quot",   "raquo",  "reg",
    "sect",   "shy",    "sup1",   "sup2",   "sup3",   "szlig",  "thorn",  "times",  "uacute",
    "ucirc",  "ugrave", "uml",    "uuml",   "yacute", "yen",    "yuml"};

static int put_cp(struct buf *b, uint32_t c)
{
    char u[4];
    size_t k;
    if (c < 0x80)
        u[0] = (char)c, k = 1;
    else if (c < 0x800)
        u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F)), k = 2;
    else if (c < 0x10000)
        u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3F)),
        u[2] = (char)(0x80 | (c & 0x3F)), k = 3;
    else
        u[0] = (char)(0xF0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3F)),
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F)), u[3] = (char)(0x80 | (c & 0x3F)), k = 4;
    return buf_add(b, u, k);
}

static const struct entity *entity_find(const char *s, size_t n)
{
    for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++)
        if (strlen(entities[k].name) == n && memcmp(entities[k].name, s, n) == 0)
            return &entities[k];
    return NULL;
}

/* The longest name of `legacy` that s[0..n) starts with; 0 for none. */
static size_t legacy_prefix(const char *s, size_t n)
{
    size_t best = 0;
    for (size_t k = 0; k < sizeof legacy / sizeof legacy[0]; k++) {
        size_t l = strlen(legacy[k]);
        if (l <= n && l > best && memcmp(legacy[k], s, l) == 0)
            best = l;
    }
    return best;
}

/* A character reference at s[0] == '&' (s < e): appends what it stands for
 * and returns the bytes read; -1 when gumbo must decide. `quote` is the
 * attribute value's quote, or -1 in text. */
static long charref(const char *s, const char *e, struct buf *out, int quote)
{
    const char *q = s + 1;
    if (q >= e || is_ws((unsigned char)*q) || *q == '<' || *q == '&' || *q == quote)
        return buf_addc(out, '&') == 0 ? 1 : GIVE_UP();
    if (*q == '#') {
        q++;
        int hex = q < e && (*q == 'x' || *q == 'X');
        q += hex;
        uint32_t v = 0;
        int digits = 0;
        for (; q < e && digits <= 8; q++, digits++) {
            unsigned char c = (unsigned char)*q;
            if (c >= '0' && c <= '9')
                v = v * (hex ? 16 : 10) + (c - '0');
            else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                v = v * 16 + ((c | 0x20) - 'a' + 10);
            else
                break;
        }
        if (digits == 0 || digits > 8 || q >= e || *q != ';')
            return GIVE_UP();
        int ok = (v >= 0x21 && v <= 0x7E) || (v >= 0xA0 && v <= 0xD7FF) ||
                 (v >= 0xE000 && v <= 0xFDCF) || (v >= 0xFDF0 && v <= 0x10FFFF);
        if (!ok || (v & 0xFFFE) == 0xFFFE)
            return GIVE_UP();
        return put_cp(out, v) == 0 ? q + 1 - s : GIVE_UP();
    }
    if (!is_alnum((unsigned char)*q))
        return buf_addc(out, '&') == 0 ? 1 : GIVE_UP();
    const char *r = q;
    while (r < e && is_alnum((unsigned char)*r) && r - q < 32)
        r++;
    size_t len = (size_t)(r - q);
    if (r < e && *r == ';') {
        const struct entity *x = entity_find(q, len);
        if (!x)
            return GIVE_UP();
        return put_cp(out, x->cp) == 0 ? r + 1 - s : GIVE_UP();
    }
    size_t lp = legacy_prefix(q, len);
    if (lp == 0) /* no reference at all: the ampersand is text */
        return buf_addc(out, '&') == 0 ? 1 : GIVE_UP();
    if (quote >= 0 && (lp < len || (r < e && *r == '=')))
        return buf_addc(out, '&') == 0 ? 1 : GIVE_UP(); /* in an attribute: left as written */
    if (lp < len)
        return GIVE_UP();
    const struct entity *x = entity_find(q, len);
    if (!x || !x->legacy)
        return GIVE_UP();
    return put_cp(out, x->cp) == 0 ? r - s : GIVE_UP();
}

/* Appends s[0..n) with line breaks normalised and, when `refs`, character
 * references decoded; -1 when a reference must go to gumbo. */
static int decode(const char *s, size_t n, struct buf *out, int refs, int quote, int *nonws)
{
    const char *e = s + n;
    while (s < e) {
        const char *r = s;
        while (r < e && *r != '\r' && !(refs && *r == '&')) {
            if (!is_ws((unsigned char)*r))
                *nonws = 1;
            r++;
        }
        if (r > s && buf_add(out, s, (size_t)(r - s)) != 0)
            return GIVE_UP();
        s = r;
        if (s >= e)
            break;
        if (*s == '\r') {
            if (buf_addc(out, '\n') != 0)
                return GIVE_UP();
            s += s + 1 < e && s[1] == '\n' ? 2 : 1;
            continue;
        }
        long k = charref(s, e, out, quote);
        if (k < 0)
            return GIVE_UP();
        *nonws = 1;
        s += k;
    }
    return 0;
}

/* ---- the tokenizer ---------------------------------------------------------------------- */

/* Reads a start or end tag at p->i ('<'); -1 when it is not plain. */
static int read_tag(struct fp *p, struct tag *t)
{
    const char *h = p->h, *e = p->h + p->n;
    const char *s = h + p->i;
    const char *q = s + 1;
    memset(t, 0, sizeof *t);
    if (*q == '/') {
        t->end = 1;
        q++;
    }
    const char *name = q;
    while (q < e && (is_alnum((unsigned char)*q) || *q == '-' || *q == ':' || *q == '_'))
        q++;
    if (q >= e || !(is_ws((unsigned char)*q) || *q == '/' || *q == '>'))
        return GIVE_UP();
    t->name_len = (size_t)(q - name);
    char *nm = fp_alloc(p, t->name_len + 1);
    for (size_t k = 0; k < t->name_len; k++)
        nm[k] = (char)lower((unsigned char)name[k]);
    nm[t->name_len] = 0;
    t->name = nm;
    t->tag = gumbo_tagn_enum(nm, (unsigned)t->name_len);
    for (;;) {
        while (q < e && is_ws((unsigned char)*q))
            q++;
        if (q >= e)
            return GIVE_UP();
        if (*q == '>')
            break;
        if (t->end)
            return GIVE_UP(); /* an end tag with attributes or a slash */
        if (*q == '/') {
            if (q + 1 < e && q[1] == '>') {
                q++;
                break;
            }
            return GIVE_UP();
        }
        const char *an = q;
        while (q < e && !is_ws((unsigned char)*q) && *q != '/' && *q != '>' && *q != '=') {
            if (*q == '"' || *q == '\'' || *q == '<')
                return GIVE_UP();
            q++;
        }
        if (q == an || q >= e)
            return GIVE_UP();
        size_t anl = (size_t)(q - an);
        const char *vs = NULL, *ve = NULL;
        int quote = -1;
        while (q < e && is_ws((unsigned char)*q))
            q++;
        if (q < e && *q == '=') {
            q++;
            while (q < e && is_ws((unsigned char)*q))
                q++;
            if (q >= e || *q == '>')
                return GIVE_UP();
            if (*q == '"' || *q == '\'') {
                quote = (unsigned char)*q;
                vs = ++q;
                const char *z = memchr(q, quote, (size_t)(e - q));
                if (!z || z + 1 >= e)
                    return GIVE_UP();
                ve = z;
                q = z + 1;
                if (!is_ws((unsigned char)*q) && *q != '/' && *q != '>')
                    return GIVE_UP();
            } else {
                vs = q;
                while (q < e && !is_ws((unsigned char)*q) && *q != '>') {
                    if (*q == '"' || *q == '\'' || *q == '<' || *q == '=' || *q == '`')
                        return GIVE_UP();
                    q++;
                }
                ve = q;
                quote = 0; /* unquoted: a reference ends before '>' and spaces alike */
            }
        }
        /* the first of duplicate attributes wins */
        char *lname = fp_alloc(p, anl + 1);
        for (size_t k = 0; k < anl; k++)
            lname[k] = (char)lower((unsigned char)an[k]);
        lname[anl] = 0;
        int dup = 0;
        for (unsigned k = 0; k < t->attrs.length && !dup; k++)
            dup = strcmp(((GumboAttribute *)t->attrs.data[k])->name, lname) == 0;
        if (dup)
            continue;
        GumboAttribute *a = fp_alloc(p, sizeof *a);
        memset(a, 0, sizeof *a);
        a->attr_namespace = GUMBO_ATTR_NAMESPACE_NONE;
        a->name = lname;
        a->original_name.data = an;
        a->original_name.length = anl;
        if (vs) {
            buf_reset(&p->scratch);
            int nonws = 0;
            if (decode(vs, (size_t)(ve - vs), &p->scratch, 1, quote, &nonws) != 0)
                return GIVE_UP();
            a->value = fp_strdup(p, p->scratch.p ? p->scratch.p : "", p->scratch.len);
        } else
            a->value = "";
        vec_add(p, &t->attrs, a);
    }
    t->src = s;
    t->src_len = (size_t)(q + 1 - s);
    p->i = (size_t)(q + 1 - h);
    return 0;
}

/* ---- text ---------------------------------------------------------------------------- */

static int body_text(struct fp *p, const char *s, size_t n)
{
    if (reconstruct(p) != 0)
        return GIVE_UP();
    return decode(s, n, &p->txt, 1, -1, &p->txt_nonws);
}

/* The length of the white space s[0..n) starts with. */
static size_t ws_prefix(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && is_ws((unsigned char)s[k]))
        k++;
    return k;
}

static int text(struct fp *p, const char *s, size_t n)
{
    if (p->skip_lf) {
        p->skip_lf = 0;
        if (n && *s == '&')
            return GIVE_UP();
        size_t k = n && *s == '\n' ? 1 : n && *s == '\r' ? (n > 1 && s[1] == '\n' ? 2 : 1) : 0;
        s += k, n -= k;
    }
    while (n > 0) {
        size_t w = ws_prefix(s, n);
        switch (p->mode) {
        case M_INITIAL:
        case M_BEFORE_HTML:
            s += w, n -= w;
            if (!n)
                return 0;
            if (p->mode == M_INITIAL) {
                p->mode = M_BEFORE_HTML;
                continue;
            }
            if (push_implied(p, GUMBO_TAG_HTML) != 0)
                return GIVE_UP();
            p->mode = M_BEFORE_HEAD;
            continue;
        case M_BEFORE_HEAD:
            s += w, n -= w;
            if (!n)
                return 0;
            if (push_implied(p, GUMBO_TAG_HEAD) != 0)
                return GIVE_UP();
            p->mode = M_IN_HEAD;
            continue;
        case M_IN_HEAD_NOSCRIPT:
            if (w != n)
                return GIVE_UP();
            return decode(s, n, &p->txt, 0, -1, &p->txt_nonws);
        case M_IN_HEAD:
        case M_AFTER_HEAD:
            if (w && decode(s, w, &p->txt, 0, -1, &p->txt_nonws) != 0)
                return GIVE_UP();
            s += w, n -= w;
            if (!n)
                return 0;
            if (p->mode == M_IN_HEAD) {
                pop(p);
                p->mode = M_AFTER_HEAD;
                continue;
            }
            if (push_implied(p, GUMBO_TAG_BODY) != 0)
                return GIVE_UP();
            p->mode = M_IN_BODY;
            continue;
        case M_IN_BODY:
        case M_IN_CELL:
        case M_IN_CAPTION:
            return body_text(p, s, n);
        case M_IN_SELECT:
            return decode(s, n, &p->txt, 1, -1, &p->txt_nonws);
        case M_IN_TABLE:
        case M_IN_TBODY:
        case M_IN_ROW:
        case M_IN_COLGROUP:
            if (w != n)
                return GIVE_UP(); /* text in a table is moved out of it */
            return decode(s, n, &p->txt, 0, -1, &p->txt_nonws);
        case M_AFTER_BODY:
        case M_AFTER_AFTER_BODY:
            if (w != n)
                return GIVE_UP();
            return body_text(p, s, n);
        }
    }
    return 0;
}

/* The content of a raw-text or RCDATA element up to its end tag: the
 * element is inserted, its text added, and it is closed. */
static int raw_element(struct fp *p, const struct tag *t, int refs, int script)
{
    if (insert(p, t) != 0)
        return GIVE_UP();
    const char *h = p->h, *e = p->h + p->n, *s = h + p->i, *q = s;
    size_t nl = t->name_len;
    int escaped = 0;
    for (;;) {
        q = memchr(q, '<', (size_t)(e - q));
        if (!q || (size_t)(e - q) < nl + 3)
            return GIVE_UP();
        if (q[1] == '/' && strncasecmp(q + 2, t->name, nl) == 0 &&
            (is_ws((unsigned char)q[2 + nl]) || q[2 + nl] == '/' || q[2 + nl] == '>'))
            break;
        if (script && q[1] == '!' && e - q >= 4 && q[2] == '-' && q[3] == '-')
            escaped = 1;
        /* "<script" in an escaped part ("<!--") starts a part that the next
         * </script> does not end */
        if (escaped && strncasecmp(q + 1, "script", 6) == 0 && e - q > 7 &&
            (is_ws((unsigned char)q[7]) || q[7] == '/' || q[7] == '>'))
            return GIVE_UP();
        q++;
    }
    const char *z = q + 2 + nl;
    while (z < e && is_ws((unsigned char)*z))
        z++;
    if (z >= e || *z != '>')
        return GIVE_UP();
    size_t n = (size_t)(q - s);
    if (t->tag == GUMBO_TAG_TEXTAREA && n) {
        size_t k = *s == '\n' ? 1 : *s == '\r' ? (n > 1 && s[1] == '\n' ? 2 : 1) : 0;
        s += k, n -= k;
    }
    if (decode(s, n, &p->txt, refs, -1, &p->txt_nonws) != 0)
        return GIVE_UP();
    pop(p);
    p->i = (size_t)(z + 1 - h);
    return 0;
}

/* ---- the tree: start tags ---------------------------------------------------------------- */

static int start_in_body(struct fp *p, const struct tag *t);
static int adoption(struct fp *p, GumboTag g);

/* What "in head" does with t; 1 when t belongs elsewhere. */
static int head_element(struct fp *p, const struct tag *t)
{
    switch (t->tag) {
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_BGSOUND:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
        return insert_void(p, t);
    case GUMBO_TAG_TITLE:
        return raw_element(p, t, 1, 0);
    case GUMBO_TAG_STYLE:
        return raw_element(p, t, 0, 0);
    case GUMBO_TAG_SCRIPT:
        return raw_element(p, t, 0, 1);
    default:
        return 1;
    }
}

/* Elements of the head: after it, they are a parse error gumbo resolves. */
static int head_element_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_BGSOUND:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_HEAD:
        return 1;
    default:
        return 0;
    }
}

/* "Reset the insertion mode appropriately". */
static int reset_mode(struct fp *p)
{
    for (int k = p->top - 1; k >= 0; k--) {
        GumboTag x = p->stack[k]->v.element.tag;
        int last = k == 0;
        switch (x) {
        case GUMBO_TAG_SELECT:
            return GIVE_UP();
        case GUMBO_TAG_TD:
        case GUMBO_TAG_TH:
            if (!last) {
                p->mode = M_IN_CELL;
                return 0;
            }
            break;
        case GUMBO_TAG_TR:
            p->mode = M_IN_ROW;
            return 0;
        case GUMBO_TAG_TBODY:
        case GUMBO_TAG_THEAD:
        case GUMBO_TAG_TFOOT:
            p->mode = M_IN_TBODY;
            return 0;
        case GUMBO_TAG_CAPTION:
            p->mode = M_IN_CAPTION;
            return 0;
        case GUMBO_TAG_COLGROUP:
            p->mode = M_IN_COLGROUP;
            return 0;
        case GUMBO_TAG_TABLE:
            p->mode = M_IN_TABLE;
            return 0;
        case GUMBO_TAG_BODY:
            p->mode = M_IN_BODY;
            return 0;
        case GUMBO_TAG_HEAD:
        case GUMBO_TAG_HTML:
        case GUMBO_TAG_TEMPLATE:
        case GUMBO_TAG_FRAMESET:
            return GIVE_UP();
        default:
            break;
        }
        if (last) {
            p->mode = M_IN_BODY;
            return 0;
        }
    }
    return GIVE_UP();
}

/* <li>, <dd>, <dt>: closes the open item the walk down the stack finds. */
static int li_close(struct fp *p, GumboTag t)
{
    for (int k = p->top - 1; k >= 0; k--) {
        GumboTag x = p->stack[k]->v.element.tag;
        int match =
            t == GUMBO_TAG_LI ? x == GUMBO_TAG_LI : (x == GUMBO_TAG_DD || x == GUMBO_TAG_DT);
        if (match) {
            implied_ends(p, x);
            pop_until(p, x, 0);
            break;
        }
        if (is_special(x) && !walk_passes(x))
            break;
    }
    return close_p(p);
}

static int start_in_body(struct fp *p, const struct tag *t)
{
    GumboTag g = t->tag;
    if (is_refused(g) || is_table_part(g)) /* the parts of a table are ignored outside one */
        return GIVE_UP();
    int r = head_element(p, t);
    if (r <= 0)
        return r;
    if (closes_p(g))
        return close_p(p) != 0 ? GIVE_UP() : insert(p, t);
    if (is_heading(g)) {
        if (close_p(p) != 0 || is_heading(cur_tag(p)))
            return GIVE_UP();
        return insert(p, t);
    }
    switch (g) {
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_LISTING:
        if (close_p(p) != 0 || insert(p, t) != 0)
            return GIVE_UP();
        p->skip_lf = 1;
        return 0;
    case GUMBO_TAG_FORM:
        if (p->form || close_p(p) != 0 || insert(p, t) != 0)
            return GIVE_UP();
        p->form = cur(p);
        return 0;
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
        return li_close(p, g) != 0 ? GIVE_UP() : insert(p, t);
    case GUMBO_TAG_BUTTON:
        if (in_scope(p, GUMBO_TAG_BUTTON, SCOPE, 0) || reconstruct(p) != 0)
            return GIVE_UP();
        return insert(p, t);
    case GUMBO_TAG_A:
        /* an <a> in an open <a> closes it first, when that is simple */
        for (int k = p->nafl - 1; k >= 0 && p->afl[k]; k--)
            if (p->afl[k]->v.element.tag == GUMBO_TAG_A) {
                GumboNode *old = p->afl[k];
                if (adoption(p, GUMBO_TAG_A) != 0 || afl_index(p, old) >= 0 || on_stack(p, old))
                    return GIVE_UP();
                break;
            }
        /* fall through */
    case GUMBO_TAG_B:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
        if (reconstruct(p) != 0 || insert(p, t) != 0)
            return GIVE_UP();
        return afl_push(p, cur(p));
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_MARQUEE:
    case GUMBO_TAG_OBJECT:
        if (reconstruct(p) != 0 || insert(p, t) != 0)
            return GIVE_UP();
        return afl_push(p, NULL);
    case GUMBO_TAG_TABLE:
        /* an open <p> closes unless the page is in quirks mode */
        if (in_scope(p, GUMBO_TAG_P, SCOPE_BUTTON, 0)) {
            if (p->quirks < 0)
                return GIVE_UP();
            if (p->quirks == 0)
                close_p(p);
        }
        if (insert(p, t) != 0)
            return GIVE_UP();
        p->mode = M_IN_TABLE;
        return 0;
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_WBR:
    case GUMBO_TAG_INPUT:
        return reconstruct(p) != 0 ? GIVE_UP() : insert_void(p, t);
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
        return insert_void(p, t);
    case GUMBO_TAG_HR:
        return close_p(p) != 0 ? GIVE_UP() : insert_void(p, t);
    case GUMBO_TAG_TEXTAREA:
        return raw_element(p, t, 1, 0);
    case GUMBO_TAG_XMP:
        if (close_p(p) != 0 || reconstruct(p) != 0)
            return GIVE_UP();
        return raw_element(p, t, 0, 0);
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_NOEMBED:
        return raw_element(p, t, 0, 0);
    case GUMBO_TAG_SELECT:
        if (reconstruct(p) != 0 || insert(p, t) != 0)
            return GIVE_UP();
        p->mode = M_IN_SELECT;
        return 0;
    case GUMBO_TAG_OPTGROUP:
    case GUMBO_TAG_OPTION:
        if (cur_tag(p) == GUMBO_TAG_OPTION)
            pop(p);
        return reconstruct(p) != 0 ? GIVE_UP() : insert(p, t);
    default:
        return reconstruct(p) != 0 ? GIVE_UP() : insert(p, t);
    }
}

/* ---- the tree: end tags -------------------------------------------------------------------- */

/* The adoption agency for a formatting element's end tag, when no special
 * element is open inside that element (it then only closes it). */
static int adoption(struct fp *p, GumboTag g)
{
    int k = p->nafl - 1;
    for (; k >= 0 && p->afl[k]; k--)
        if (p->afl[k]->v.element.tag == g)
            break;
    if (k < 0 || !p->afl[k])
        return 0; /* gumbo ignores the end tag (the standard would close a current node of
                   * that name first) */
    GumboNode *fe = p->afl[k];
    int at = -1;
    for (int j = p->top - 1; j >= 0 && at < 0; j--)
        if (p->stack[j] == fe)
            at = j;
    if (at < 0) { /* closed already: forgotten */
        memmove(&p->afl[k], &p->afl[k + 1], (size_t)(p->nafl - k - 1) * sizeof p->afl[0]);
        p->nafl--;
        return 0;
    }
    for (int j = p->top - 1; j > at; j--) {
        GumboTag x = p->stack[j]->v.element.tag;
        if (is_boundary(x, SCOPE))
            return 0; /* not in scope: ignored */
        if (is_special(x))
            return GIVE_UP(); /* the furthest block: nodes would move */
    }
    while (p->top > at)
        pop(p);
    memmove(&p->afl[k], &p->afl[k + 1], (size_t)(p->nafl - k - 1) * sizeof p->afl[0]);
    p->nafl--;
    return 0;
}

/* "Any other end tag": closes the nearest element of its name unless a
 * special element stands in the way (then it is ignored). */
static int end_other(struct fp *p, const struct tag *t)
{
    for (int k = p->top - 1; k >= 0; k--) {
        GumboNode *e = p->stack[k];
        GumboTag x = e->v.element.tag;
        if (same_element(e, t)) {
            implied_ends(p, t->tag);
            while (p->top > k)
                pop(p);
            return 0;
        }
        /* gumbo tells unknown elements apart by their tag alone */
        if (x == GUMBO_TAG_UNKNOWN && t->tag == GUMBO_TAG_UNKNOWN)
            return GIVE_UP();
        if (is_special(x))
            return 0;
    }
    return 0;
}

static int end_in_body(struct fp *p, const struct tag *t)
{
    GumboTag g = t->tag;
    if (g == GUMBO_TAG_BODY || g == GUMBO_TAG_HTML) {
        if (!in_scope(p, GUMBO_TAG_BODY, SCOPE, 0))
            return GIVE_UP();
        p->mode = g == GUMBO_TAG_BODY ? M_AFTER_BODY : M_AFTER_AFTER_BODY;
        return 0;
    }
    if (block_end(g)) {
        if (!in_scope(p, g, SCOPE, 0))
            return 0; /* ignored */
        implied_ends(p, GUMBO_TAG_UNKNOWN);
        pop_until(p, g, 0);
        return 0;
    }
    switch (g) {
    case GUMBO_TAG_FORM: {
        GumboNode *f = p->form;
        p->form = NULL;
        if (!f || !in_scope(p, GUMBO_TAG_FORM, SCOPE, 0) || !on_stack(p, f))
            return GIVE_UP();
        implied_ends(p, GUMBO_TAG_UNKNOWN);
        /* gumbo takes the form off the stack without placing the text read
         * last: it lands in the next element that is closed */
        if (cur(p) != f || p->txt.len)
            return GIVE_UP();
        pop(p);
        return 0;
    }
    case GUMBO_TAG_P:
        if (!in_scope(p, GUMBO_TAG_P, SCOPE_BUTTON, 0)) {
            /* a </p> with no <p> open makes an empty one */
            if (push_implied(p, GUMBO_TAG_P) != 0)
                return GIVE_UP();
        }
        implied_ends(p, GUMBO_TAG_P);
        pop_until(p, GUMBO_TAG_P, 0);
        return 0;
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
        if (!in_scope(p, g, g == GUMBO_TAG_LI ? SCOPE_LIST : SCOPE, 0))
            return 0;
        implied_ends(p, g);
        pop_until(p, g, 0);
        return 0;
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
        if (!in_scope(p, g, SCOPE, 1))
            return 0;
        implied_ends(p, GUMBO_TAG_UNKNOWN);
        pop_until(p, g, 1);
        return 0;
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_MARQUEE:
    case GUMBO_TAG_OBJECT:
        /* gumbo looks for these in table scope, past other applets,
         * marquees, objects, buttons and cells */
        if (!in_scope(p, g, SCOPE_TABLE, 0))
            return 0;
        implied_ends(p, GUMBO_TAG_UNKNOWN);
        pop_until(p, g, 0);
        afl_clear_to_marker(p);
        return 0;
    case GUMBO_TAG_BR:
        return GIVE_UP();
    default:
        break;
    }
    if (is_formatting(g))
        return adoption(p, g);
    return end_other(p, t);
}

/* ---- the tree: tables ------------------------------------------------------------------------ */

static int close_cell(struct fp *p)
{
    implied_ends(p, GUMBO_TAG_UNKNOWN);
    while (p->top && cur_tag(p) != GUMBO_TAG_TD && cur_tag(p) != GUMBO_TAG_TH)
        pop(p);
    if (!p->top)
        return GIVE_UP();
    pop(p);
    afl_clear_to_marker(p);
    p->mode = M_IN_ROW;
    return 0;
}

/* Elements a table keeps where they stand: style, script, a hidden input. */
static int table_misc(struct fp *p, const struct tag *t)
{
    switch (t->tag) {
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_SCRIPT:
        return t->end ? GIVE_UP() : head_element(p, t);
    case GUMBO_TAG_INPUT: {
        const GumboAttribute *a = gumbo_get_attribute(&t->attrs, "type");
        if (t->end || !a || strcasecmp(a->value, "hidden") != 0)
            return GIVE_UP();
        return insert_void(p, t);
    }
    default:
        return GIVE_UP(); /* moved out of the table, or a table in a table */
    }
}

/* What "in table" does with a tag (the current node is the table); 2 when
 * the tag goes through the modes again. */
static int tag_in_table(struct fp *p, const struct tag *t)
{
    GumboTag g = t->tag;
    if (cur_tag(p) != GUMBO_TAG_TABLE)
        return GIVE_UP();
    if (t->end) {
        if (g != GUMBO_TAG_TABLE)
            return GIVE_UP();
        pop(p);
        return reset_mode(p);
    }
    switch (g) {
    case GUMBO_TAG_CAPTION:
        if (insert(p, t) != 0 || afl_push(p, NULL) != 0)
            return GIVE_UP();
        p->mode = M_IN_CAPTION;
        return 0;
    case GUMBO_TAG_COLGROUP:
        if (insert(p, t) != 0)
            return GIVE_UP();
        p->mode = M_IN_COLGROUP;
        return 0;
    case GUMBO_TAG_COL:
        if (push_implied(p, GUMBO_TAG_COLGROUP) != 0)
            return GIVE_UP();
        p->mode = M_IN_COLGROUP;
        return 2;
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT:
        if (insert(p, t) != 0)
            return GIVE_UP();
        p->mode = M_IN_TBODY;
        return 0;
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_TR:
        if (push_implied(p, GUMBO_TAG_TBODY) != 0)
            return GIVE_UP();
        p->mode = M_IN_TBODY;
        return 2;
    default:
        return table_misc(p, t);
    }
}

static int tag_in_tbody(struct fp *p, const struct tag *t)
{
    GumboTag g = t->tag;
    GumboTag c = cur_tag(p);
    if (c != GUMBO_TAG_TBODY && c != GUMBO_TAG_THEAD && c != GUMBO_TAG_TFOOT)
        return GIVE_UP();
    if (!t->end) {
        switch (g) {
        case GUMBO_TAG_TR:
            if (insert(p, t) != 0)
                return GIVE_UP();
            p->mode = M_IN_ROW;
            return 0;
        case GUMBO_TAG_TD:
        case GUMBO_TAG_TH:
            if (push_implied(p, GUMBO_TAG_TR) != 0)
                return GIVE_UP();
            p->mode = M_IN_ROW;
            return 2;
        default:
            if (!is_table_section(g))
                return table_misc(p, t);
            pop(p);
            p->mode = M_IN_TABLE;
            return 2;
        }
    }
    if (g == GUMBO_TAG_TBODY || g == GUMBO_TAG_THEAD || g == GUMBO_TAG_TFOOT) {
        if (c != g)
            return GIVE_UP();
        pop(p);
        p->mode = M_IN_TABLE;
        return 0;
    }
    if (g == GUMBO_TAG_TABLE) {
        pop(p);
        p->mode = M_IN_TABLE;
        return 2;
    }
    return GIVE_UP();
}

static int tag_in_row(struct fp *p, const struct tag *t)
{
    GumboTag g = t->tag;
    if (cur_tag(p) != GUMBO_TAG_TR)
        return GIVE_UP();
    if (!t->end) {
        switch (g) {
        case GUMBO_TAG_TD:
        case GUMBO_TAG_TH:
            if (insert(p, t) != 0 || afl_push(p, NULL) != 0)
                return GIVE_UP();
            p->mode = M_IN_CELL;
            return 0;
        default:
            if (!is_table_section(g) && g != GUMBO_TAG_TR)
                return table_misc(p, t);
            pop(p);
            p->mode = M_IN_TBODY;
            return 2;
        }
    }
    switch (g) {
    case GUMBO_TAG_TR:
        pop(p);
        p->mode = M_IN_TBODY;
        return 0;
    case GUMBO_TAG_TABLE:
        pop(p);
        p->mode = M_IN_TBODY;
        return 2;
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT:
        if (!in_scope(p, g, SCOPE_TABLE, 0))
            return GIVE_UP();
        pop(p);
        p->mode = M_IN_TBODY;
        return 2;
    default:
        return GIVE_UP();
    }
}

static int tag_in_cell(struct fp *p, const struct tag *t)
{
    GumboTag g = t->tag;
    if (t->end) {
        switch (g) {
        case GUMBO_TAG_TD:
        case GUMBO_TAG_TH:
            if (!in_scope(p, g, SCOPE_TABLE, 0))
                return GIVE_UP();
            return close_cell(p); /* with what is left open in the cell */
        case GUMBO_TAG_TABLE:
        case GUMBO_TAG_TBODY:
        case GUMBO_TAG_TFOOT:
        case GUMBO_TAG_THEAD:
        case GUMBO_TAG_TR:
            if (!in_scope(p, g, SCOPE_TABLE, 0))
                return GIVE_UP();
            return close_cell(p) != 0 ? GIVE_UP() : 2;
        case GUMBO_TAG_BODY:
        case GUMBO_TAG_CAPTION:
        case GUMBO_TAG_COL:
        case GUMBO_TAG_COLGROUP:
        case GUMBO_TAG_HTML:
            return GIVE_UP();
        default:
            return end_in_body(p, t);
        }
    }
    if (!is_table_part(g))
        return start_in_body(p, t);
    if (!in_scope(p, GUMBO_TAG_TD, SCOPE_TABLE, 0) && !in_scope(p, GUMBO_TAG_TH, SCOPE_TABLE, 0))
        return GIVE_UP();
    return close_cell(p) != 0 ? GIVE_UP() : 2;
}

static int tag_in_caption(struct fp *p, const struct tag *t)
{
    GumboTag g = t->tag;
    if (t->end && g == GUMBO_TAG_CAPTION) {
        if (!in_scope(p, GUMBO_TAG_CAPTION, SCOPE_TABLE, 0))
            return GIVE_UP();
        implied_ends(p, GUMBO_TAG_UNKNOWN);
        if (cur_tag(p) != GUMBO_TAG_CAPTION)
            return GIVE_UP();
        pop(p);
        afl_clear_to_marker(p);
        p->mode = M_IN_TABLE;
        return 0;
    }
    if (is_table_part(g) || g == GUMBO_TAG_TABLE || g == GUMBO_TAG_BODY || g == GUMBO_TAG_HTML)
        return GIVE_UP();
    return t->end ? end_in_body(p, t) : start_in_body(p, t);
}

static int tag_in_colgroup(struct fp *p, const struct tag *t)
{
    if (cur_tag(p) != GUMBO_TAG_COLGROUP)
        return GIVE_UP();
    if (!t->end && t->tag == GUMBO_TAG_COL)
        return insert_void(p, t);
    if (t->end && t->tag == GUMBO_TAG_COL)
        return GIVE_UP();
    pop(p);
    p->mode = M_IN_TABLE;
    return t->end && t->tag == GUMBO_TAG_COLGROUP ? 0 : 2;
}

static int tag_in_select(struct fp *p, const struct tag *t)
{
    GumboTag g = t->tag;
    GumboTag c = cur_tag(p);
    if (!t->end) {
        switch (g) {
        case GUMBO_TAG_OPTION:
            if (c == GUMBO_TAG_OPTION)
                pop(p);
            return insert(p, t);
        case GUMBO_TAG_OPTGROUP:
            if (c == GUMBO_TAG_OPTION)
                pop(p);
            if (cur_tag(p) == GUMBO_TAG_OPTGROUP)
                pop(p);
            return insert(p, t);
        case GUMBO_TAG_SCRIPT:
            return head_element(p, t);
        default:
            return GIVE_UP();
        }
    }
    switch (g) {
    case GUMBO_TAG_OPTION:
        return c == GUMBO_TAG_OPTION ? (pop(p), 0) : GIVE_UP();
    case GUMBO_TAG_OPTGROUP:
        if (c == GUMBO_TAG_OPTION && p->top >= 2 &&
            p->stack[p->top - 2]->v.element.tag == GUMBO_TAG_OPTGROUP)
            pop(p);
        return cur_tag(p) == GUMBO_TAG_OPTGROUP ? (pop(p), 0) : GIVE_UP();
    case GUMBO_TAG_SELECT:
        if (!in_scope(p, GUMBO_TAG_SELECT, SCOPE_SELECT, 0))
            return GIVE_UP();
        pop_until(p, GUMBO_TAG_SELECT, 0);
        return reset_mode(p);
    default:
        return GIVE_UP();
    }
}

/* One tag through the insertion modes. */
static int tree_tag(struct fp *p, const struct tag *t)
{
    for (int round = 0; round < 8; round++) {
        int r;
        switch (p->mode) {
        case M_INITIAL:
            p->mode = M_BEFORE_HTML;
            continue;
        case M_BEFORE_HTML:
            if (!t->end && t->tag == GUMBO_TAG_HTML) {
                if (insert(p, t) != 0)
                    return GIVE_UP();
                p->mode = M_BEFORE_HEAD;
                return 0;
            }
            if (t->end || push_implied(p, GUMBO_TAG_HTML) != 0)
                return GIVE_UP();
            p->mode = M_BEFORE_HEAD;
            continue;
        case M_BEFORE_HEAD:
            if (!t->end && t->tag == GUMBO_TAG_HEAD) {
                if (insert(p, t) != 0)
                    return GIVE_UP();
                p->mode = M_IN_HEAD;
                return 0;
            }
            if (t->end || t->tag == GUMBO_TAG_HTML || push_implied(p, GUMBO_TAG_HEAD) != 0)
                return GIVE_UP();
            p->mode = M_IN_HEAD;
            continue;
        case M_IN_HEAD:
            if (t->end) {
                if (t->tag != GUMBO_TAG_HEAD)
                    return GIVE_UP();
                pop(p);
                p->mode = M_AFTER_HEAD;
                return 0;
            }
            if (t->tag == GUMBO_TAG_NOSCRIPT) {
                if (insert(p, t) != 0)
                    return GIVE_UP();
                p->mode = M_IN_HEAD_NOSCRIPT;
                return 0;
            }
            if (t->tag == GUMBO_TAG_HTML || t->tag == GUMBO_TAG_HEAD ||
                t->tag == GUMBO_TAG_TEMPLATE)
                return GIVE_UP();
            r = head_element(p, t);
            if (r <= 0)
                return r;
            pop(p);
            p->mode = M_AFTER_HEAD;
            continue;
        case M_IN_HEAD_NOSCRIPT:
            /* what a <noscript> in the head may hold; the rest ends it
             * in ways left to gumbo */
            if (t->end && t->tag == GUMBO_TAG_NOSCRIPT) {
                pop(p);
                p->mode = M_IN_HEAD;
                return 0;
            }
            if (t->end || !(t->tag == GUMBO_TAG_LINK || t->tag == GUMBO_TAG_META ||
                            t->tag == GUMBO_TAG_STYLE || t->tag == GUMBO_TAG_BASEFONT ||
                            t->tag == GUMBO_TAG_BGSOUND))
                return GIVE_UP();
            return head_element(p, t);
        case M_AFTER_HEAD:
            if (t->end)
                return GIVE_UP();
            if (t->tag == GUMBO_TAG_BODY) {
                if (insert(p, t) != 0)
                    return GIVE_UP();
                p->mode = M_IN_BODY;
                return 0;
            }
            if (is_refused(t->tag) || head_element_tag(t->tag) ||
                push_implied(p, GUMBO_TAG_BODY) != 0)
                return GIVE_UP();
            p->mode = M_IN_BODY;
            continue;
        case M_IN_BODY:
            return t->end ? end_in_body(p, t) : start_in_body(p, t);
        case M_IN_TABLE:
            r = tag_in_table(p, t);
            break;
        case M_IN_TBODY:
            r = tag_in_tbody(p, t);
            break;
        case M_IN_ROW:
            r = tag_in_row(p, t);
            break;
        case M_IN_CELL:
            r = tag_in_cell(p, t);
            break;
        case M_IN_CAPTION:
            r = tag_in_caption(p, t);
            break;
        case M_IN_COLGROUP:
            r = tag_in_colgroup(p, t);
            break;
        case M_IN_SELECT:
            r = tag_in_select(p, t);
            break;
        case M_AFTER_BODY:
            if (t->end && t->tag == GUMBO_TAG_HTML) {
                p->mode = M_AFTER_AFTER_BODY;
                return 0;
            }
            return GIVE_UP();
        default:
            return GIVE_UP();
        }
        if (r != 2)
            return r;
    }
    return GIVE_UP();
}

/* ---- comments, the doctype, the document ------------------------------------------------------
 */

/* "<!--" at p->i. */
static int comment(struct fp *p)
{
    const char *h = p->h, *e = p->h + p->n, *s = h + p->i + 4;
    if (s < e && (*s == '>' || (e - s >= 2 && s[0] == '-' && s[1] == '>')))
        return GIVE_UP(); /* an abrupt end */
    const char *z = memmem(s, (size_t)(e - s), "-->", 3);
    if (!z || memmem(s, (size_t)(z + 2 - s), "--!", 3))
        return GIVE_UP();
    buf_reset(&p->scratch);
    int nonws = 0;
    if (decode(s, (size_t)(z - s), &p->scratch, 0, -1, &nonws) != 0)
        return GIVE_UP();
    GumboNode *c = fp_alloc(p, sizeof *c);
    memset(c, 0, sizeof *c);
    c->type = GUMBO_NODE_COMMENT;
    c->v.text.text = fp_strdup(p, p->scratch.p ? p->scratch.p : "", p->scratch.len);
    flush_text(p);
    GumboNode *parent;
    switch (p->mode) {
    case M_INITIAL:
    case M_BEFORE_HTML:
    case M_AFTER_AFTER_BODY:
        parent = p->doc;
        break;
    case M_AFTER_BODY:
        parent = p->stack[0];
        break;
    default:
        parent = cur(p);
    }
    append(p, parent, c);
    p->i = (size_t)(z + 3 - h);
    return 0;
}

static int doctype(struct fp *p)
{
    const char *h = p->h, *e = p->h + p->n, *s = h + p->i;
    if (p->mode != M_INITIAL || e - s < 10 || strncasecmp(s + 2, "doctype", 7) != 0 ||
        !is_ws((unsigned char)s[9]))
        return GIVE_UP();
    const char *z = memchr(s, '>', (size_t)(e - s));
    if (!z)
        return GIVE_UP();
    const char *nm = s + 9;
    while (nm < z && is_ws((unsigned char)*nm))
        nm++;
    const char *ne = z;
    while (ne > nm && is_ws((unsigned char)ne[-1]))
        ne--;
    p->quirks = ne - nm == 4 && strncasecmp(nm, "html", 4) == 0 ? 0 : -1;
    p->doc->v.document.has_doctype = true;
    p->mode = M_BEFORE_HTML;
    p->i = (size_t)(z + 1 - h);
    return 0;
}

/* What gumbo's reader would flag or replace: NUL and control characters,
 * C1 controls, noncharacters, a byte order mark. */
static int plain_chars(const char *h, size_t n)
{
    const unsigned char *s = (const unsigned char *)h;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = s[k];
        if (c >= 0x20 && c < 0x7F)
            continue;
        if (c == '\t' || c == '\n' || c == '\f' || c == '\r')
            continue;
        if (c < 0x80)
            return 0;
        if (c == 0xC2 && k + 1 < n && s[k + 1] < 0xA0)
            return 0;
        if (c == 0xEF && k + 2 < n &&
            ((s[k + 1] == 0xB7 && s[k + 2] >= 0x90 && s[k + 2] <= 0xAF) ||
             (s[k + 1] == 0xBF && s[k + 2] >= 0xBE)))
            return 0;
        if (c >= 0xF0 && k + 3 < n && (s[k + 2] & 0x3F) == 0x3F && s[k + 3] >= 0xBE &&
            (s[k + 1] & 0x0F) == 0x0F)
            return 0;
    }
    return utf8_valid(h, n);
}

static int parse(struct fp *p)
{
    const char *h = p->h;
    while (p->i < p->n) {
        const char *s = h + p->i;
        const char *lt = memchr(s, '<', p->n - p->i);
        size_t end = lt ? (size_t)(lt - h) : p->n;
        if (end > p->i) {
            if (text(p, s, end - p->i) != 0)
                return GIVE_UP();
            p->i = end;
            continue;
        }
        unsigned char c = p->i + 1 < p->n ? (unsigned char)h[p->i + 1] : 0;
        if (is_alpha(c) || (c == '/' && p->i + 2 < p->n && is_alpha((unsigned char)h[p->i + 2]))) {
            struct tag t;
            if (read_tag(p, &t) != 0)
                return GIVE_UP();
            p->skip_lf = 0;
            if (tree_tag(p, &t) != 0)
                return GIVE_UP();
        } else if (c == '!') {
            p->skip_lf = 0;
            if (p->n - p->i >= 4 && h[p->i + 2] == '-' && h[p->i + 3] == '-') {
                if (comment(p) != 0)
                    return GIVE_UP();
            } else if (doctype(p) != 0)
                return GIVE_UP();
        } else if (c == '/' || c == '?' || c == 0) {
            return GIVE_UP(); /* bogus comments, a '<' at the end */
        } else {
            if (text(p, s, 1) != 0) /* '<' that opens nothing is text */
                return GIVE_UP();
            p->i++;
        }
    }
    /* the end of the file: the elements the modes imply */
    for (;;) {
        switch (p->mode) {
        case M_INITIAL:
            p->mode = M_BEFORE_HTML;
            continue;
        case M_BEFORE_HTML:
            if (push_implied(p, GUMBO_TAG_HTML) != 0)
                return GIVE_UP();
            p->mode = M_BEFORE_HEAD;
            continue;
        case M_BEFORE_HEAD:
            if (push_implied(p, GUMBO_TAG_HEAD) != 0)
                return GIVE_UP();
            p->mode = M_IN_HEAD;
            continue;
        case M_IN_HEAD_NOSCRIPT:
            return GIVE_UP();
        case M_IN_HEAD:
            pop(p);
            p->mode = M_AFTER_HEAD;
            continue;
        case M_AFTER_HEAD:
            if (push_implied(p, GUMBO_TAG_BODY) != 0)
                return GIVE_UP();
            p->mode = M_IN_BODY;
            continue;
        default:
            break;
        }
        break;
    }
    flush_text(p);
    return 0;
}

struct GumboInternalOutput *fast_parse(const char *html, size_t n, void *(*alloc)(void *, size_t),
                                       void *ud)
{
    gave_up_at = 0;
    if (!plain_chars(html, n)) {
        gave_up_at = __LINE__;
        return NULL;
    }
    struct fp *p = malloc(sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->h = html;
    p->n = n;
    p->alloc = alloc;
    p->ud = ud;
    p->quirks = 1;
    buf_init(&p->txt, PROBE_ANALYSE_MAX * 2);
    buf_init(&p->scratch, PROBE_ANALYSE_MAX * 2);
    GumboOutput *out = alloc(ud, sizeof *out);
    memset(out, 0, sizeof *out);
    GumboNode *doc = alloc(ud, sizeof *doc);
    memset(doc, 0, sizeof *doc);
    doc->type = GUMBO_NODE_DOCUMENT;
    doc->index_within_parent = (size_t)-1;
    p->doc = doc;
    out->document = doc;
    int r = parse(p);
    for (unsigned k = 0; k < doc->v.document.children.length; k++) {
        GumboNode *c = doc->v.document.children.data[k];
        if (c->type == GUMBO_NODE_ELEMENT)
            out->root = c;
    }
    buf_release(&p->txt);
    buf_release(&p->scratch);
    free(p);
    return r == 0 ? out : NULL;
}

/* ---- the comparison the tests make --------------------------------------------------------------
 */

static size_t tag_name_of(const GumboNode *e, char *out, size_t cap)
{
    GumboStringPiece o = e->v.element.original_tag;
    gumbo_tag_from_original_text(&o);
    size_t n = o.length < cap - 1 ? o.length : cap - 1;
    for (size_t k = 0; k < n; k++)
        out[k] = (char)lower((unsigned char)o.data[k]);
    out[n] = 0;
    return n;
}

static int differ(char *why, size_t cap, const char *what, const char *a, const char *b)
{
    snprintf(why, cap, "%s: gumbo '%.60s', fast '%.60s'", what, a ? a : "", b ? b : "");
    return 1;
}

int fast_parse_differs(const GumboNode *g, const GumboNode *f, char *why, size_t cap)
{
    if (g->type != f->type) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", (int)g->type);
        snprintf(b, sizeof b, "%d", (int)f->type);
        return differ(why, cap, "node type", a, b);
    }
    if (g->index_within_parent != f->index_within_parent) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%zu", g->index_within_parent);
        snprintf(b, sizeof b, "%zu", f->index_within_parent);
        return differ(why, cap, "index within parent", a, b);
    }
    const GumboVector *gk, *fk;
    switch (g->type) {
    case GUMBO_NODE_DOCUMENT:
        gk = &g->v.document.children;
        fk = &f->v.document.children;
        break;
    case GUMBO_NODE_ELEMENT: {
        if (g->v.element.tag != f->v.element.tag)
            return differ(why, cap, "tag", gumbo_normalized_tagname(g->v.element.tag),
                          gumbo_normalized_tagname(f->v.element.tag));
        if (g->v.element.tag == GUMBO_TAG_UNKNOWN) {
            char a[64], b[64];
            tag_name_of(g, a, sizeof a);
            tag_name_of(f, b, sizeof b);
            if (strcmp(a, b) != 0)
                return differ(why, cap, "tag name", a, b);
        }
        const GumboVector *ga = &g->v.element.attributes, *fa = &f->v.element.attributes;
        if (ga->length != fa->length) {
            char a[16], b[16];
            snprintf(a, sizeof a, "%u", ga->length);
            snprintf(b, sizeof b, "%u", fa->length);
            return differ(why, cap, "attribute count", a, b);
        }
        for (unsigned k = 0; k < ga->length; k++) {
            const GumboAttribute *x = ga->data[k], *y = fa->data[k];
            if (strcmp(x->name, y->name) != 0)
                return differ(why, cap, "attribute name", x->name, y->name);
            if (strcmp(x->value, y->value) != 0)
                return differ(why, cap, "attribute value", x->value, y->value);
        }
        gk = &g->v.element.children;
        fk = &f->v.element.children;
        break;
    }
    default:
        if (strcmp(g->v.text.text, f->v.text.text) != 0)
            return differ(why, cap, "text", g->v.text.text, f->v.text.text);
        return 0;
    }
    if (gk->length != fk->length) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%u", gk->length);
        snprintf(b, sizeof b, "%u", fk->length);
        return differ(why, cap, "number of children", a, b);
    }
    for (unsigned k = 0; k < gk->length; k++)
        if (fast_parse_differs(gk->data[k], fk->data[k], why, cap))
            return 1;
    return 0;
}
