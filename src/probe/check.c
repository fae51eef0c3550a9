/* Judging one fetch: is the site there, does it answer as it should, is its
 * certificate good, did the name resolve where it must, and what does the
 * page itself say (page.c). Cloaking compares a plain fetch with the same
 * page as a crawler or a visitor from a search result sees it. */
#include "probe_int.h"

#include <string.h>
#include <strings.h>

static const char *const crawler_agents[PROBE_CRAWLERS] = {
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0 Safari/537.36; 360Spider"),
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};
const char *probe_variant_name(int variant)
{
    static const char *const names[] = {"a visitor",      "Baiduspider",
                                        "Sogou's spider", "360Spider",
                                        "Googlebot",      "a visitor from a Baidu search"};
    return variant >= 0 && variant <= PROBE_VARIANTS ? names[variant] : "?";
}

struct probe_target probe_variant_target(const struct probe_target *t, int v)
{
    struct probe_target vt = *t;
    if (v > 0 && v <= PROBE_CRAWLERS)
        vt.user_agent = crawler_agents[v - 1];
    else if (v > PROBE_CRAWLERS)
        vt.referer = "https://www.baidu.com/s?wd=%E6%94%BF%E5%8A%A1";
    return vt;
}

int probe_same_page(const struct probe_fetch *a, const struct probe_fetch *b)
{
    return a->ok && b->ok && a->body.len == b->body.len &&
           strcmp(a->final_url, b->final_url) == 0 &&
           (a->body.len == 0 || memcmp(a->body.p, b->body.p, a->body.len) == 0);
}

static int is_html(const struct probe_fetch *fe)
{
    const char *ct = fe->content_type;
    if (!ct[0]) {
        /* no type: a page that starts like HTML is read as one */
        for (size_t i = 0; i < fe->body.len && i < 512; i++)
            if (fe->body.p[i] == '<')
                return 1;
        return 0;
    }
    return strncasecmp(ct, "text/html", 9) == 0 || strncasecmp(ct, "application/xhtml", 17) == 0;
}

static int ip_expected(const char *ip, const char *list)
{
    size_t n = strlen(ip);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t l = strcspn(p, ", ");
        if (l == n && l && strncmp(p, ip, n) == 0)
            return 1;
        p += l;
    }
    return 0;
}

static void judge_transport(const struct probe_check *c, const struct probe_fetch *fe,
                            struct probe_findings *f)
{
    if (fe->cert_error[0])
        probe_add(f, "equipment-failure/software", "certificate", PROBE_HIGH, "untrusted",
                  fe->cert_error, "the site's certificate is not valid: %s", fe->cert_error);
    if (fe->has_cert) {
        int64_t left_ms = fe->cert_expiry_ms - time_now_ms();
        int64_t days = left_ms / 86400000;
        char when[TIME_ISO_LEN];
        time_format_utc(fe->cert_expiry_ms, when);
        if (left_ms <= 0)
            probe_add(f, "equipment-failure/software", "certificate", PROBE_HIGH, "expired", when,
                      "the site's certificate expired on %s", when);
        else if (days < (c->cert_warn_days > 0 ? c->cert_warn_days : 30))
            probe_add(f, "equipment-failure/software", "certificate", PROBE_MEDIUM, "expiring",
                      when, "the site's certificate expires in %lld days (%s)", (long long)days,
                      when);
    }
    if (c->expect_ips && c->expect_ips[0]) {
        /* Every answer must be expected, not only the one connected to: a
         * hijacker's address among the right ones reaches some visitors. */
        char odd[512] = "";
        size_t k = 0;
        for (const char *p = fe->dns_answers; *p;) {
            size_t l = strcspn(p, ",");
            char ip[64];
            snprintf(ip, sizeof ip, "%.*s", (int)(l < 63 ? l : 63), p);
            if (!ip_expected(ip, c->expect_ips) && k + l + 2 < sizeof odd)
                k += (size_t)snprintf(odd + k, sizeof odd - k, "%s%s", k ? "," : "", ip);
            p += l + (p[l] == ',');
        }
        if (!k && fe->primary_ip[0] && !ip_expected(fe->primary_ip, c->expect_ips))
            snprintf(odd, sizeof odd, "%s", fe->primary_ip);
        if (odd[0])
            probe_add(f, "network-attack/dns-hijack", "dns", PROBE_HIGH, odd,
                      fe->dns_answers[0] ? fe->dns_answers : fe->primary_ip,
                      "the name resolves to %s, not one of %s", odd, c->expect_ips);
    }
}

void probe_check_judge(const struct probe_check *c, struct probe_fetch *fe,
                       struct probe_findings *f, struct probe_print **print)
{
    if (print)
        *print = NULL;
    judge_transport(c, fe, f);
    if (!fe->ok) {
        probe_add(f, fe->is_refused ? "equipment-failure/facility" : "equipment-failure/software",
                  "down", PROBE_HIGH, "down", fe->error, "the site does not answer properly: %s",
                  fe->error);
        return;
    }
    int want = c->expect_status;
    if (want ? fe->status != want : fe->status < 200 || fe->status > 299) {
        char ex[32];
        snprintf(ex, sizeof ex, "HTTP %d", fe->status);
        probe_add(f, "equipment-failure/software", "status",
                  fe->status >= 500 ? PROBE_HIGH : PROBE_MEDIUM, "status", ex,
                  "the page answered %d, expected %s", fe->status,
                  want ? "the configured status" : "2xx");
    }
    /* An error page is not the page: its analysis would only be noise. */
    if (c->skip_page || probe_has(f, "status") || !is_html(fe) || fe->body.len == 0)
        return;
    char charset[32];
    probe_charset(fe->content_type, fe->body.p, fe->body.len, charset);
    struct buf html;
    buf_init(&html, 2 * fe->body.max + 16);
    size_t bad = 0;
    struct err e = {0};
    if (probe_to_utf8(charset, fe->body.p, fe->body.len, &html, &bad, &e) != 0) {
        buf_release(&html);
        return;
    }
    if (c->keyword && c->keyword[0] && (!html.p || !strstr(html.p, c->keyword)))
        probe_add(f, "information-destruction/tampering", "keyword", PROBE_MEDIUM, "keyword",
                  c->keyword, "the expected text '%s' is missing from the page", c->keyword);
    struct probe_print *pp = NULL;
    struct probe_page_opts o = c->page;
    if (!o.url)
        o.url = fe->final_url[0] ? fe->final_url : c->url;
    if (probe_page_analyse(html.p ? html.p : "", html.len, &o, f, &pp, &e) == 0) {
        if (c->baseline)
            probe_baseline_compare(c->baseline, pp, f);
        if (print)
            *print = pp;
        else
            probe_print_free(pp);
    }
    buf_release(&html);
}

void probe_check_cloaking(const char *as, const struct probe_fetch *plain,
                          const struct probe_print *pp, const struct probe_fetch *variant,
                          const struct probe_print *vp, struct probe_findings *f)
{
    if (!plain->ok || !variant->ok)
        return;
    const char *cat = "content-security/hidden-links";
    char ph[256], vh[256];
    url_host(plain->final_url, strlen(plain->final_url), ph);
    url_host(variant->final_url, strlen(variant->final_url), vh);
    if (strcmp(ph, vh) != 0) {
        probe_add(f, cat, "cloaking", PROBE_HIGH, "cloaking", variant->final_url,
                  "cloaking: %s is sent to %s", as, vh);
        return;
    }
    if (!pp || !vp)
        return;
    if (vp->hidden_links > pp->hidden_links) {
        probe_add(f, cat, "cloaking", PROBE_HIGH, "cloaking", vp->text_head,
                  "cloaking: %s is shown %d hidden links a visitor is not", as,
                  vp->hidden_links - pp->hidden_links);
        return;
    }
    double sim = probe_print_similarity(pp, vp);
    if (sim < 0.7 || strcmp(pp->title, vp->title) != 0)
        probe_add(f, cat, "cloaking", PROBE_HIGH, "cloaking", vp->text_head,
                  "cloaking: %s is shown another page (%.0f%% alike, title '%s')", as, sim * 100,
                  vp->title);
}
