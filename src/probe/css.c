/* Just enough CSS to tell whether an element is hidden: declarations that
 * take it out of sight, and rules with simple selectors that apply them.
 * Hidden-link kits use exactly these tricks; cascade order and specificity
 * do not matter, since any one of them hides. */
#include "probe_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    uint32_t rgb;
} colours[] = {
    {"white", 0xffffff},  {"black", 0x000000},  {"red", 0xff0000},     {"green", 0x008000},
    {"blue", 0x0000ff},   {"yellow", 0xffff00}, {"gray", 0x808080},    {"grey", 0x808080},
    {"silver", 0xc0c0c0}, {"navy", 0x000080},   {"maroon", 0x800000},  {"orange", 0xffa500},
    {"purple", 0x800080}, {"teal", 0x008080},   {"fuchsia", 0xff00ff}, {"aqua", 0x00ffff},
    {"lime", 0x00ff00},   {"olive", 0x808000},
};

static int parse_colour(const char *v, size_t n, uint32_t *out)
{
    while (n && isspace((unsigned char)*v))
        v++, n--;
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    if (n == 4 && v[0] == '#' && isxdigit((unsigned char)v[1]) && isxdigit((unsigned char)v[2]) &&
        isxdigit((unsigned char)v[3])) {
        uint32_t r = (uint32_t)hex_value(v[1]), g = (uint32_t)hex_value(v[2]),
                 b = (uint32_t)hex_value(v[3]);
        *out = (r * 17) << 16 | (g * 17) << 8 | b * 17;
        return 1;
    }
    if (n == 7 && v[0] == '#') {
        uint32_t x = 0;
        for (int i = 1; i < 7; i++) {
            int h = hex_value(v[i]);
            if (h < 0)
                return 0;
            x = x << 4 | (uint32_t)h;
        }
        *out = x;
        return 1;
    }
    if (n > 4 && strncasecmp(v, "rgb", 3) == 0) {
        const char *p = memchr(v, '(', n);
        if (!p)
            return 0;
        char tmp[64];
        size_t k = (size_t)(v + n - p - 1);
        if (k >= sizeof tmp)
            return 0;
        memcpy(tmp, p + 1, k);
        tmp[k] = 0;
        char *s = tmp, *end;
        uint32_t x = 0;
        for (int i = 0; i < 3; i++) {
            long c = strtol(s, &end, 10);
            if (end == s || c < 0 || c > 255)
                return 0;
            x = x << 8 | (uint32_t)c;
            s = end;
            while (*s == ',' || *s == ' ')
                s++;
        }
        *out = x;
        return 1;
    }
    for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++)
        if (strlen(colours[i].name) == n && strncasecmp(v, colours[i].name, n) == 0) {
            *out = colours[i].rgb;
            return 1;
        }
    return 0;
}

/* A length in px (em and pt roughly converted); *ok 0 when not a length. */
static double length_px(const char *v, size_t n, int *ok)
{
    char tmp[64];
    while (n && isspace((unsigned char)*v))
        v++, n--;
    if (n == 0 || n >= sizeof tmp) {
        *ok = 0;
        return 0;
    }
    memcpy(tmp, v, n);
    tmp[n] = 0;
    char *end;
    double x = strtod(tmp, &end);
    *ok = end != tmp;
    while (*end == ' ')
        end++;
    if (strncasecmp(end, "em", 2) == 0 || strncasecmp(end, "rem", 3) == 0)
        x *= 16;
    else if (strncasecmp(end, "pt", 2) == 0)
        x *= 4.0 / 3.0;
    else if (*end == '%')
        x = x == 0 ? 0 : 100; /* only 0% is small for certain */
    return x;
}

static int value_is(const char *v, size_t n, const char *word)
{
    size_t w = strlen(word);
    while (n && (isspace((unsigned char)*v)))
        v++, n--;
    return n >= w && strncasecmp(v, word, w) == 0;
}

static void declaration(const char *prop, size_t pn, const char *v, size_t vn, struct css_style *s)
{
    int ok;
    double x;
#define PROP(name) (pn == sizeof(name) - 1 && strncasecmp(prop, name, pn) == 0)
    /* A later declaration that shows undoes an earlier one that hid: the
     * element's own style attribute comes after the sheet's rules. */
    if (PROP("display")) {
        if (value_is(v, vn, "none"))
            s->hide |= HIDE_DISPLAY;
        else
            s->hide &= ~(unsigned)HIDE_DISPLAY;
    } else if (PROP("visibility")) {
        if (value_is(v, vn, "hidden") || value_is(v, vn, "collapse"))
            s->hide |= HIDE_VISIBILITY;
        else
            s->hide &= ~(unsigned)HIDE_VISIBILITY;
    } else if (PROP("opacity")) {
        x = length_px(v, vn, &ok);
        if (ok && x <= 0.05)
            s->hide |= HIDE_OPACITY;
        else if (ok)
            s->hide &= ~(unsigned)HIDE_OPACITY;
    } else if (PROP("left") || PROP("top") || PROP("text-indent") || PROP("margin-left") ||
               PROP("margin-top") || PROP("right")) {
        x = length_px(v, vn, &ok);
        if (ok && x <= -500)
            s->hide |= HIDE_OFFSCREEN;
    } else if (PROP("width") || PROP("height") || PROP("max-height") || PROP("max-width")) {
        x = length_px(v, vn, &ok);
        if (ok && x <= 2)
            s->small_box = 1;
    } else if (PROP("overflow") || PROP("overflow-x") || PROP("overflow-y")) {
        if (value_is(v, vn, "hidden") || value_is(v, vn, "clip"))
            s->overflow_hidden = 1;
    } else if (PROP("font-size")) {
        x = length_px(v, vn, &ok);
        if (ok && x <= 1)
            s->hide |= HIDE_FONT;
    } else if (PROP("color")) {
        s->has_colour = parse_colour(v, vn, &s->colour);
    } else if (PROP("background-color") || PROP("background")) {
        uint32_t c;
        if (parse_colour(v, vn, &c))
            s->has_bg = 1, s->bg = c;
    } else if (PROP("clip")) {
        /* rect(0 0 0 0), rect(0,0,0,0), rect(1px 1px 1px 1px) */
        int digits = 0, big = 0;
        for (size_t i = 0; i < vn; i++)
            if (isdigit((unsigned char)v[i])) {
                digits++;
                if (v[i] > '1')
                    big = 1;
            }
        if (value_is(v, vn, "rect") && digits && !big)
            s->hide |= HIDE_CLIP;
    } else if (PROP("clip-path")) {
        if (value_is(v, vn, "inset(50%") || value_is(v, vn, "circle(0"))
            s->hide |= HIDE_CLIP;
    } else if (PROP("transform")) {
        if (value_is(v, vn, "scale(0)") || value_is(v, vn, "scale(0,") ||
            value_is(v, vn, "scale(0 "))
            s->hide |= HIDE_CLIP;
    }
#undef PROP
}

void css_declarations(const char *p, size_t n, struct css_style *s)
{
    size_t i = 0;
    while (i < n) {
        size_t a = i;
        while (i < n && p[i] != ';')
            i++;
        const char *d = p + a;
        size_t dn = i - a;
        i++;
        const char *colon = memchr(d, ':', dn);
        if (!colon)
            continue;
        const char *prop = d;
        size_t pn = (size_t)(colon - d);
        while (pn && isspace((unsigned char)*prop))
            prop++, pn--;
        while (pn && isspace((unsigned char)prop[pn - 1]))
            pn--;
        const char *v = colon + 1;
        size_t vn = (size_t)(d + dn - v);
        int important = 0;
        for (size_t k = 0; k + 1 < vn; k++)
            if (v[k] == '!') {
                important = 1;
                vn = k;
                break;
            }
        unsigned before = s->hide;
        declaration(prop, pn, v, vn, s);
        if (important)
            s->hide_important |= s->hide & ~before;
        s->hide |= s->hide_important;
    }
}

void css_finish(struct css_style *s)
{
    if (s->small_box && s->overflow_hidden)
        s->hide |= HIDE_TINY;
}

void css_hide_describe(unsigned hide, char *out, size_t cap)
{
    static const char *names[] = {"display:none",
                                  "visibility:hidden",
                                  "opacity:0",
                                  "off-screen",
                                  "zero size",
                                  "font-size:0",
                                  "colour of the background",
                                  "clipped",
                                  "marquee",
                                  "written by script",
                                  "hidden attribute"};
    size_t k = 0;
    out[0] = 0;
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (hide & (1u << i)) {
            int w = snprintf(out + k, cap - k, "%s%s", k ? ", " : "", names[i]);
            if (w < 0 || (size_t)w >= cap - k)
                break;
            k += (size_t)w;
        }
}

/* Adds one rule for the last compound of selector sel[0..n). */
static void add_rule(struct css_sheet *sh, const char *sel, size_t n, const struct css_style *st)
{
    while (n && isspace((unsigned char)sel[n - 1]))
        n--;
    size_t a = n;
    while (a > 0 && !isspace((unsigned char)sel[a - 1]) && sel[a - 1] != '>' && sel[a - 1] != '+' &&
           sel[a - 1] != '~')
        a--;
    const char *c = sel + a;
    size_t cn = n - a;
    if (cn == 0 || memchr(c, ':', cn) || memchr(c, '[', cn))
        return; /* pseudo-classes (hover menus) and attribute selectors are left out */
    if (sh->n == sh->cap) {
        if (sh->cap >= 4096)
            return;
        int cap = sh->cap ? sh->cap * 2 : 16;
        struct css_rule *v = realloc(sh->v, (size_t)cap * sizeof *v);
        if (!v)
            return;
        sh->v = v;
        sh->cap = cap;
    }
    struct css_rule *r = &sh->v[sh->n];
    memset(r, 0, sizeof *r);
    size_t i = 0;
    char *dst = r->tag;
    size_t dcap = sizeof r->tag, k = 0;
    for (; i < cn; i++) {
        char ch = c[i];
        if (ch == '.' || ch == '#') {
            if (ch == '.' && r->cls[0])
                dst = NULL; /* a second class: keep the first only */
            else {
                dst = ch == '.' ? r->cls : r->id;
                dcap = ch == '.' ? sizeof r->cls : sizeof r->id;
            }
            k = 0;
            continue;
        }
        if (dst && k + 1 < dcap) {
            dst[k++] = (char)tolower((unsigned char)ch);
            dst[k] = 0;
        }
    }
    if (strcmp(r->tag, "*") == 0)
        r->tag[0] = 0;
    if (!r->tag[0] && !r->cls[0] && !r->id[0])
        return;
    r->style = *st;
    sh->n++;
}

void css_sheet_parse(struct css_sheet *sh, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* Skip comments and at-rules' heads (@media blocks are read as if
         * their rules stood outside: they may hide on the screens that matter). */
        if (i + 1 < n && p[i] == '/' && p[i + 1] == '*') {
            const char *end = NULL;
            for (size_t k = i + 2; k + 1 < n; k++)
                if (p[k] == '*' && p[k + 1] == '/') {
                    end = p + k + 2;
                    break;
                }
            i = end ? (size_t)(end - p) : n;
            continue;
        }
        if (p[i] == '@' || p[i] == '}') {
            while (i < n && p[i] != '{' && p[i] != ';' && p[i] != '}')
                i++;
            i++;
            continue;
        }
        size_t a = i;
        while (i < n && p[i] != '{' && p[i] != '}')
            i++;
        if (i >= n || p[i] == '}')
            continue;
        size_t sel_end = i++;
        size_t b = i;
        while (i < n && p[i] != '}' && p[i] != '{')
            i++;
        if (i < n && p[i] == '{')
            continue; /* a nested block: its head was an at-rule we did not see */
        struct css_style st = {0};
        css_declarations(p + b, i - b, &st);
        css_finish(&st);
        i++;
        if (!st.hide && !st.has_colour && !st.has_bg && !st.overflow_hidden && !st.small_box)
            continue;
        /* One rule per selector of a comma list. */
        size_t s = a;
        for (size_t k = a; k <= sel_end; k++)
            if (k == sel_end || p[k] == ',') {
                while (s < k && isspace((unsigned char)p[s]))
                    s++;
                add_rule(sh, p + s, k - s, &st);
                s = k + 1;
            }
    }
}

void css_sheet_release(struct css_sheet *sh)
{
    free(sh->v);
    sh->v = NULL;
    sh->n = sh->cap = 0;
}
