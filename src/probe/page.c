/* Page analysis on a gumbo DOM: the page's print (title, text blocks, element
 * paths, outside script and frame sources), hidden links with the way they
 * are hidden, malicious-code markers in scripts and frames, harmful words,
 * defacement markers and exposed personal data in the visible text. */
#include "probe_int.h"

#include <ctype.h>
#include <gumbo.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FRAMES_MAX       (PROBE_DEPTH_MAX + 8)
#define HIDDEN_LINKS_MAX 64
#define WRITTEN_MAX      (256 * 1024) /* HTML written by scripts, analysed */
#define TEXT_MAX         (4 * 1024 * 1024)

extern const char probe_defacement_words[];

struct hidden_link {
    int is_gov;
    char host[128];
    char href[256];
    char text[160];
    unsigned hide;
};

struct frame {
    GumboNode *node;
    unsigned next; /* the child to visit next */
    unsigned hide;
    int has_colour, has_bg;
    uint32_t colour, bg;
    uint64_t path;
    uint64_t saved_block_path; /* the enclosing block's path, restored on leaving */
    int is_block, is_link;
};

struct walk {
    const struct probe_page_opts *o;
    char site[256];
    struct css_sheet sheet;
    struct probe_findings *f;
    struct probe_print *print;
    struct buf text;  /* visible text of the whole page */
    struct buf block; /* the current block's text */
    uint64_t block_path;
    int block_links;
    /* the link being walked */
    int in_link;
    char link_href[256];
    unsigned link_hide;
    struct buf link_text;
    struct hidden_link hl[HIDDEN_LINKS_MAX];
    int nhl, nhl_total;
    struct script_out written;
    unsigned extra_hide; /* HIDE_SCRIPT while walking what scripts wrote */
};

/* ---- elements ------------------------------------------------------------------ */

static const char *attr(const GumboNode *n, const char *name)
{
    const GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? a->value : NULL;
}

static int is_block_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_MARQUEE:
    case GUMBO_TAG_CENTER:
        return 1;
    default:
        return 0;
    }
}

static const char *tag_name(const GumboNode *n)
{
    if (n->v.element.tag != GUMBO_TAG_UNKNOWN)
        return gumbo_normalized_tagname(n->v.element.tag);
    return "x";
}

static uint64_t path_of(uint64_t parent, const GumboNode *n)
{
    /* tag, first class with numbers folded (news_123 and news_124 are one
     * path), and the parent's path */
    char b[128];
    int k = snprintf(b, sizeof b, "%016llx<%s", (unsigned long long)parent, tag_name(n));
    const char *cls = attr(n, "class");
    if (cls && k > 0 && (size_t)k < sizeof b - 2) {
        while (*cls == ' ')
            cls++;
        b[k++] = '.';
        for (size_t i = 0; cls[i] && cls[i] != ' ' && (size_t)k < sizeof b - 1; i++)
            b[k++] = isdigit((unsigned char)cls[i]) ? '0' : cls[i];
    }
    return print_hash(b, k > 0 && (size_t)k < sizeof b ? (size_t)k : sizeof b - 1, 0);
}

static int attr_small(const GumboNode *n, const char *name, int limit)
{
    const char *v = attr(n, name);
    if (!v)
        return 0;
    while (*v == ' ')
        v++;
    if (!isdigit((unsigned char)*v))
        return 0;
    return atoi(v) <= limit;
}

/* The style an element gets from its attributes, style and the sheet. */
static void element_style(struct walk *w, const GumboNode *n, struct css_style *s)
{
    memset(s, 0, sizeof *s);
    const char *cls = attr(n, "class"), *id = attr(n, "id"), *tag = tag_name(n);
    for (int i = 0; i < w->sheet.n; i++) {
        const struct css_rule *r = &w->sheet.v[i];
        if (r->tag[0] && strcasecmp(r->tag, tag) != 0)
            continue;
        if (r->id[0] && (!id || strcasecmp(r->id, id) != 0))
            continue;
        if (r->cls[0]) {
            int found = 0;
            size_t k = strlen(r->cls);
            for (const char *c = cls; c && *c && !found;) {
                while (*c == ' ')
                    c++;
                size_t l = strcspn(c, " ");
                found = l == k && strncasecmp(c, r->cls, k) == 0;
                c += l;
            }
            if (!found)
                continue;
        }
        s->hide |= r->style.hide;
        s->hide_important |= r->style.hide_important;
        s->overflow_hidden |= r->style.overflow_hidden;
        s->small_box |= r->style.small_box;
        if (r->style.has_colour)
            s->has_colour = 1, s->colour = r->style.colour;
        if (r->style.has_bg)
            s->has_bg = 1, s->bg = r->style.bg;
    }
    const char *style = attr(n, "style");
    if (style)
        css_declarations(style, strlen(style), s);
    css_finish(s);
    if (attr(n, "hidden"))
        s->hide |= HIDE_ATTR;
    GumboTag t = n->v.element.tag;
    if ((t == GUMBO_TAG_IFRAME || t == GUMBO_TAG_FRAME) &&
        (attr_small(n, "width", 2) || attr_small(n, "height", 2)))
        s->hide |= HIDE_TINY;
    if (t == GUMBO_TAG_MARQUEE &&
        (attr_small(n, "width", 5) || attr_small(n, "height", 5) ||
         (attr(n, "scrollamount") && atoi(attr(n, "scrollamount")) >= 500) || s->small_box))
        s->hide |= HIDE_MARQUEE;
    if (t == GUMBO_TAG_FONT && attr(n, "color") && attr_small(n, "size", 0))
        s->hide |= HIDE_FONT;
}

/* ---- blocks and links -------------------------------------------------------------- */

static void flush_block(struct walk *w)
{
    if (w->block.len) {
        print_add_block(w->print, w->block.p, w->block.len, w->block_path, w->block_links);
        buf_addc(&w->text, '\n');
    }
    buf_reset(&w->block);
    w->block_links = 0;
}

static void add_text(struct walk *w, const char *t, size_t n, unsigned hide)
{
    if (w->in_link)
        buf_add(&w->link_text, t, n);
    if (hide)
        return;
    /* collapse runs of white space; the block gets the text, the page too */
    int space = w->block.len == 0 || isspace((unsigned char)w->block.p[w->block.len - 1]);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (isspace(c)) {
            if (!space) {
                buf_addc(&w->block, ' ');
                buf_addc(&w->text, ' ');
            }
            space = 1;
            continue;
        }
        size_t run = i;
        while (run < n && !isspace((unsigned char)t[run]))
            run++;
        buf_add(&w->block, t + i, run - i);
        buf_add(&w->text, t + i, run - i);
        i = run - 1;
        space = 0;
    }
}

static void end_link(struct walk *w)
{
    w->in_link = 0;
    w->block_links++;
    char host[256];
    url_host(w->link_href, strlen(w->link_href), host);
    if (!w->link_hide || host_is_own(host, w->site, w->o->allow, w->o->nallow))
        return;
    /* Hidden links to government sites (a drop-down of other cities'
     * portals) do not count towards "many": dark-link kits point where rank can
     * be sold. They are still read for harmful words — gambling pages planted
     * on other hacked government sites are a known trick. */
    size_t hl = strlen(host);
    int is_gov = (hl > 7 && strcmp(host + hl - 7, ".gov.cn") == 0) ||
                 (hl > 4 && strcmp(host + hl - 4, ".gov") == 0);
    if (!is_gov)
        w->nhl_total++;
    if (w->nhl >= HIDDEN_LINKS_MAX)
        return;
    struct hidden_link *h = &w->hl[w->nhl++];
    h->is_gov = is_gov;
    probe_copy(h->host, sizeof h->host, host, strlen(host));
    probe_copy(h->href, sizeof h->href, w->link_href, strlen(w->link_href));
    probe_copy(h->text, sizeof h->text, w->link_text.p, w->link_text.len);
    h->hide = w->link_hide;
}

static void check_source(struct walk *w, const GumboNode *n, const char *src, unsigned hide)
{
    char host[256];
    url_host(src, strlen(src), host);
    GumboTag t = n->v.element.tag;
    int is_script = t == GUMBO_TAG_SCRIPT;
    const char *miner = script_miner(src, strlen(src));
    if (miner)
        probe_add(w->f, "harmful-program/web-malicious-code", "miner", PROBE_HIGH, miner, src,
                  "a crypto-miner is loaded (%s)", miner);
    if (host_is_own(host, w->site, w->o->allow, w->o->nallow))
        return;
    if (is_script)
        print_add_domain(w->print->scripts, &w->print->nscripts, host);
    else
        print_add_domain(w->print->frames, &w->print->nframes, host);
    int is_address = isdigit((unsigned char)host[strlen(host) ? strlen(host) - 1 : 0]);
    if (!is_script && hide)
        probe_add(w->f, "harmful-program/web-malicious-code", "hidden-frame", PROBE_HIGH, host, src,
                  "invisible frame loads %s", host);
    else if (w->o->nallow > 0 || is_address)
        probe_add(w->f, "harmful-program/web-malicious-code",
                  is_script ? "script-source" : "frame-source", PROBE_MEDIUM, host, src,
                  "%s from %s, outside the allowed domains", is_script ? "script" : "frame", host);
}

static void meta_refresh(struct walk *w, const GumboNode *n)
{
    const char *eq = attr(n, "http-equiv"), *content = attr(n, "content");
    if (!eq || !content || strcasecmp(eq, "refresh") != 0)
        return;
    const char *u = strcasestr(content, "url=");
    if (!u)
        return;
    u += 4;
    while (*u == '\'' || *u == '"' || *u == ' ')
        u++;
    char host[256];
    url_host(u, strlen(u), host);
    if (!host_is_own(host, w->site, w->o->allow, w->o->nallow))
        probe_add(w->f, "harmful-program/web-malicious-code", "redirect", PROBE_MEDIUM, host,
                  content, "the page refreshes to %s", host);
}

/* What an element does on the way in; 0 when its children are not walked. */
static int enter(struct walk *w, struct frame *fr, const struct frame *parent)
{
    GumboNode *n = fr->node;
    GumboTag t = n->v.element.tag;
    switch (t) {
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_TITLE:
        return 0;
    case GUMBO_TAG_META:
        meta_refresh(w, n);
        return 0;
    default:
        break;
    }
    struct css_style s;
    element_style(w, n, &s);
    fr->hide = parent->hide | s.hide | w->extra_hide;
    fr->has_colour = s.has_colour ? 1 : parent->has_colour;
    fr->colour = s.has_colour ? s.colour : parent->colour;
    fr->has_bg = s.has_bg ? 1 : parent->has_bg;
    fr->bg = s.has_bg ? s.bg : parent->bg;
    if (fr->has_colour && fr->has_bg && fr->colour == fr->bg && (s.has_colour || s.has_bg))
        fr->hide |= HIDE_COLOUR;
    fr->path = path_of(parent->path, n);

    if (t == GUMBO_TAG_SCRIPT) {
        const char *src = attr(n, "src");
        if (src)
            check_source(w, n, src, fr->hide);
        else if (n->v.element.children.length > 0) {
            const GumboNode *c = n->v.element.children.data[0];
            if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_CDATA) {
                script_analyse(c->v.text.text, strlen(c->v.text.text), w->site, w->o->allow,
                               w->o->nallow, w->f, &w->written);
            }
        }
        return 0;
    }
    if (t == GUMBO_TAG_IFRAME || t == GUMBO_TAG_FRAME || t == GUMBO_TAG_EMBED ||
        t == GUMBO_TAG_OBJECT) {
        const char *src = attr(n, t == GUMBO_TAG_OBJECT ? "data" : "src");
        if (src)
            check_source(w, n, src, fr->hide);
    }
    if (t == GUMBO_TAG_A && !w->in_link && attr(n, "href")) {
        const char *href = attr(n, "href");
        fr->is_link = 1;
        w->in_link = 1;
        probe_copy(w->link_href, sizeof w->link_href, href, strlen(href));
        w->link_hide = fr->hide;
        buf_reset(&w->link_text);
    }
    if (is_block_tag(t)) {
        flush_block(w);
        fr->is_block = 1;
        fr->saved_block_path = w->block_path;
        w->block_path = fr->path;
    }
    if (t == GUMBO_TAG_BR)
        add_text(w, " ", 1, fr->hide);
    return 1;
}

static void leave(struct walk *w, struct frame *fr)
{
    if (fr->is_link)
        end_link(w);
    if (fr->is_block) {
        flush_block(w);
        w->block_path = fr->saved_block_path;
    }
}

static void walk_tree(struct walk *w, GumboNode *root)
{
    static __thread struct frame stack[FRAMES_MAX];
    int top = 0;
    memset(&stack[0], 0, sizeof stack[0]);
    stack[0].node = root;
    stack[0].hide = w->extra_hide;
    while (top >= 0) {
        struct frame *fr = &stack[top];
        GumboVector *kids = &fr->node->v.element.children;
        if (fr->next >= kids->length) {
            leave(w, fr);
            top--;
            continue;
        }
        GumboNode *c = kids->data[fr->next++];
        if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE ||
            c->type == GUMBO_NODE_CDATA) {
            add_text(w, c->v.text.text, strlen(c->v.text.text), fr->hide);
            continue;
        }
        if (c->type != GUMBO_NODE_ELEMENT && c->type != GUMBO_NODE_TEMPLATE)
            continue;
        if (top + 1 >= FRAMES_MAX)
            continue;
        struct frame *child = &stack[top + 1];
        memset(child, 0, sizeof *child);
        child->node = c;
        if (enter(w, child, fr))
            top++;
    }
}

/* The sheet from every <style>, and the first <title>. */
static void read_head(struct walk *w, GumboNode *root)
{
    GumboNode *stack[FRAMES_MAX];
    unsigned next[FRAMES_MAX];
    int top = 0;
    stack[0] = root;
    next[0] = 0;
    while (top >= 0) {
        GumboVector *kids = &stack[top]->v.element.children;
        if (next[top] >= kids->length) {
            top--;
            continue;
        }
        GumboNode *c = kids->data[next[top]++];
        if (c->type != GUMBO_NODE_ELEMENT)
            continue;
        GumboTag t = c->v.element.tag;
        GumboVector *ck = &c->v.element.children;
        if ((t == GUMBO_TAG_STYLE || t == GUMBO_TAG_TITLE) && ck->length > 0 &&
            ((GumboNode *)ck->data[0])->type == GUMBO_NODE_TEXT) {
            const char *txt = ((GumboNode *)ck->data[0])->v.text.text;
            if (t == GUMBO_TAG_STYLE)
                css_sheet_parse(&w->sheet, txt, strlen(txt));
            else if (!w->print->title[0]) {
                struct buf b;
                buf_init(&b, 4096);
                for (const char *p = txt; *p; p++)
                    if (!isspace((unsigned char)*p) || (b.len && b.p[b.len - 1] != ' '))
                        buf_addc(&b, isspace((unsigned char)*p) ? ' ' : *p);
                probe_copy(w->print->title, sizeof w->print->title, b.p, b.len);
                buf_release(&b);
            }
            continue;
        }
        if (top + 1 < FRAMES_MAX) {
            stack[++top] = c;
            next[top] = 0;
        }
    }
}

/* ---- verdicts ----------------------------------------------------------------------- */

struct word_hits {
    struct probe_findings *f;
    const char *code, *kind;
    int severity;
    int count;
    char first[160];
};

static void on_word(void *ctx, const char *entry, const char *context)
{
    struct word_hits *h = ctx;
    h->count++;
    if (!h->first[0])
        probe_copy(h->first, sizeof h->first, entry, strlen(entry));
    if (h->code)
        probe_add(h->f, h->code, h->kind, h->severity, entry, context,
                  strcmp(h->kind, "defacement") == 0 ? "defacement marker '%s' on the page"
                                                     : "harmful words '%s' on the page",
                  entry);
}

static void hidden_links_verdict(struct walk *w)
{
    if (w->nhl == 0)
        return;
    char sites[8][128];
    int nsites = 0, bad = -1, first = -1;
    struct word_hits h = {.f = w->f};
    for (int i = 0; i < w->nhl; i++) {
        const struct hidden_link *l = &w->hl[i];
        if (bad < 0 && w->o->words) {
            char both[420];
            snprintf(both, sizeof both, "%s %s", l->text, l->href);
            if (probe_words_scan(w->o->words, both, strlen(both), on_word, &h) > 0)
                bad = i;
        }
        if (l->is_gov)
            continue;
        if (first < 0)
            first = i;
        const char *site = host_site(l->host);
        int seen = 0;
        for (int k = 0; k < nsites; k++)
            seen |= strcmp(sites[k], site) == 0;
        if (!seen && nsites < 8)
            probe_copy(sites[nsites++], sizeof sites[0], site, strlen(site));
    }
    if (bad < 0 && first < 0)
        return;
    const struct hidden_link *l = &w->hl[bad >= 0 ? bad : first];
    char how[160], ex[600];
    css_hide_describe(l->hide, how, sizeof how);
    snprintf(ex, sizeof ex, "<a href=\"%s\">%s</a> (%s)", l->href, l->text, how);
    int n = w->nhl_total > 0 ? w->nhl_total : 1;
    if (bad >= 0)
        probe_add(w->f, "content-security/hidden-links", "hidden-links", PROBE_HIGH, "harmful", ex,
                  "%d hidden link%s to outside sites, with '%s' (hidden by %s)", n,
                  n == 1 ? "" : "s", h.first, how);
    else if (w->nhl_total >= 3 && nsites >= 2)
        probe_add(w->f, "content-security/hidden-links", "hidden-links", PROBE_MEDIUM, "many", ex,
                  "%d hidden links to %d outside sites (hidden by %s)", w->nhl_total, nsites, how);
}

static pthread_once_t deface_once = PTHREAD_ONCE_INIT;
static struct probe_words *deface;

static void deface_init(void)
{
    deface = probe_words_new("defacement markers", probe_defacement_words,
                             strlen(probe_defacement_words), NULL);
}

int probe_page_analyse(const char *html, size_t n, const struct probe_page_opts *o,
                       struct probe_findings *f, struct probe_print **print, struct err *e)
{
    struct walk w;
    memset(&w, 0, sizeof w);
    w.o = o;
    w.f = f;
    url_host(o->url ? o->url : "", o->url ? strlen(o->url) : 0, w.site);
    w.print = probe_print_new();
    if (!w.print)
        return err_set(e, ERR_NOMEM, "out of memory");
    buf_init(&w.text, TEXT_MAX);
    buf_init(&w.block, TEXT_MAX);
    buf_init(&w.link_text, 4096);
    buf_init(&w.written.written, WRITTEN_MAX);
    GumboOutput *out = parse_html(html, n);
    if (!out) {
        parse_release();
        probe_print_free(w.print);
        buf_release(&w.text);
        buf_release(&w.block);
        buf_release(&w.link_text);
        buf_release(&w.written.written);
        return err_set(e, ERR_NOMEM, "out of memory parsing the page");
    }
    read_head(&w, out->document);
    walk_tree(&w, out->document);
    flush_block(&w);
    parse_release();

    /* What scripts wrote, as if it stood in the page, hidden from its source. */
    if (w.written.written.len > 0) {
        struct buf frag = w.written.written;
        buf_init(&w.written.written, 0);
        GumboOutput *fo = parse_html(frag.p, frag.len);
        if (fo) {
            w.extra_hide = HIDE_SCRIPT;
            walk_tree(&w, fo->document);
            flush_block(&w);
        }
        parse_release();
        buf_release(&frag);
    }
    hidden_links_verdict(&w);
    w.print->hidden_links = w.nhl_total;

    const char *text = w.text.p ? w.text.p : "";
    probe_copy(w.print->text_head, sizeof w.print->text_head, text, w.text.len);
    /* The visible text and the title (a visitor sees it too), each normalised
     * once for both lists. */
    pthread_once(&deface_once, deface_init);
    struct word_hits harmful = {.f = f,
                                .code = "content-security/illegal-content",
                                .kind = "harmful-words",
                                .severity = PROBE_HIGH};
    struct word_hits defaced = {.f = f,
                                .code = "information-destruction/tampering",
                                .kind = "defacement",
                                .severity = PROBE_HIGH};
    const struct probe_words *lists[2] = {o->words, deface};
    const struct probe_words_hit to[2] = {{on_word, &harmful}, {on_word, &defaced}};
    probe_words_scan_lists(lists, 2, text, w.text.len, to);
    probe_words_scan_lists(lists, 2, w.print->title, strlen(w.print->title), to);
    probe_pii_scan(text, w.text.len, f);

    css_sheet_release(&w.sheet);
    buf_release(&w.text);
    buf_release(&w.block);
    buf_release(&w.link_text);
    buf_release(&w.written.written);
    if (print)
        *print = w.print;
    else
        probe_print_free(w.print);
    return 0;
}
