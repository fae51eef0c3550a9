/* Findings and host names: the small pieces every part of the probe uses. */
#include "probe_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void probe_copy(char *out, size_t cap, const char *s, size_t n)
{
    if (cap == 0)
        return;
    if (!s)
        n = 0;
    if (n > cap - 1) {
        n = cap - 1;
        /* Step back to the start of a UTF-8 sequence. */
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    if (n)
        memcpy(out, s, n);
    out[n] = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20)
            out[i] = ' ';
}

void probe_add(struct probe_findings *f, const char *code, const char *kind, int severity,
               const char *key, const char *excerpt, const char *fmt, ...)
{
    if (f->n >= PROBE_FINDINGS_MAX) {
        f->dropped++;
        return;
    }
    /* One finding per kind and key: a page with forty hidden links to one
     * domain is one finding. */
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->v[i].kind, kind) == 0 && strcmp(f->v[i].key, key ? key : "") == 0)
            return;
    struct probe_finding *x = &f->v[f->n++];
    memset(x, 0, sizeof *x);
    probe_copy(x->code, sizeof x->code, code, strlen(code));
    probe_copy(x->kind, sizeof x->kind, kind, strlen(kind));
    probe_copy(x->key, sizeof x->key, key ? key : "", key ? strlen(key) : 0);
    probe_copy(x->excerpt, sizeof x->excerpt, excerpt ? excerpt : "",
               excerpt ? strlen(excerpt) : 0);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    probe_copy(x->message, sizeof x->message, msg, strlen(msg));
    x->severity = severity;
}

int probe_has(const struct probe_findings *f, const char *kind)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->v[i].kind, kind) == 0)
            return 1;
    return 0;
}

const char *probe_severity_name(int s)
{
    return s >= PROBE_HIGH ? "high" : s == PROBE_MEDIUM ? "medium" : "low";
}

json_t *probe_finding_json(const struct probe_finding *f)
{
    /* Excerpts come from pages: anything that is not UTF-8 has become U+FFFD
     * already, and probe_copy cut at a boundary. */
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "category", f->code, "kind", f->kind,
                     "severity", probe_severity_name(f->severity), "message", f->message, "excerpt",
                     utf8_valid(f->excerpt, strlen(f->excerpt)) ? f->excerpt : "", "key",
                     utf8_valid(f->key, strlen(f->key)) ? f->key : "");
}

void url_host(const char *url, size_t n, char out[256])
{
    out[0] = 0;
    size_t i = 0;
    while (i < n && isspace((unsigned char)url[i]))
        i++;
    if (n - i >= 7 && strncasecmp(url + i, "http://", 7) == 0)
        i += 7;
    else if (n - i >= 8 && strncasecmp(url + i, "https://", 8) == 0)
        i += 8;
    else if (n - i >= 2 && url[i] == '/' && url[i + 1] == '/')
        i += 2;
    else
        return;
    size_t a = i;
    while (i < n && url[i] != '/' && url[i] != '?' && url[i] != '#' && url[i] != '\\')
        i++;
    /* user:password@ goes, so does :port */
    const char *at = memchr(url + a, '@', i - a);
    if (at)
        a = (size_t)(at - url) + 1;
    size_t end = i;
    if (a < end && url[a] == '[') {
        const char *rb = memchr(url + a, ']', end - a);
        end = rb ? (size_t)(rb - url) + 1 : end;
    } else {
        const char *colon = memchr(url + a, ':', end - a);
        if (colon)
            end = (size_t)(colon - url);
    }
    size_t k = 0;
    for (size_t j = a; j < end && k + 1 < 256; j++)
        out[k++] = (char)tolower((unsigned char)url[j]);
    while (k > 0 && out[k - 1] == '.')
        k--;
    out[k] = 0;
}

void url_resolver_name(const char *url, char out[256])
{
    url_host(url, strlen(url), out);
    size_t n = strlen(out);
    if (n > 2 && out[0] == '[' && out[n - 1] == ']') {
        memmove(out, out + 1, n - 2);
        out[n - 2] = 0;
    }
}

const char *host_site(const char *host)
{
    size_t n = strlen(host);
    if (n == 0 || host[0] == '[' || isdigit((unsigned char)host[n - 1]))
        return host; /* an address is its own site */
    int dots = 0;
    const char *label[4] = {NULL, NULL, NULL, NULL}; /* starts of the last labels */
    for (size_t i = n; i > 0; i--)
        if (host[i - 1] == '.') {
            if (dots < 4)
                label[dots] = host + i;
            dots++;
        }
    if (dots < 2)
        return host;
    /* label[0] is the TLD, label[1] the second level: "gov.cn", "com.cn" take three. */
    static const char *const second[] = {"gov.", "com.", "net.", "org.", "edu.", "ac.", "co."};
    size_t tld = strlen(label[0]);
    int country = tld == 2;
    for (size_t i = 0; country && i < sizeof second / sizeof second[0]; i++)
        if (strncmp(label[1], second[i], strlen(second[i])) == 0)
            return dots >= 3 ? label[2] : host;
    return label[1];
}

static int domain_covers(const char *domain, const char *host)
{
    size_t d = strlen(domain), h = strlen(host);
    if (d == 0 || d > h)
        return 0;
    return strcasecmp(host + h - d, domain) == 0 && (d == h || host[h - d - 1] == '.');
}

int host_is_own(const char *host, const char *site_host, const char *const *allow, int nallow)
{
    if (!host[0])
        return 1;
    if (site_host && site_host[0] && strcasecmp(host_site(host), host_site(site_host)) == 0)
        return 1;
    for (int i = 0; i < nallow; i++)
        if (domain_covers(allow[i], host))
            return 1;
    return 0;
}
