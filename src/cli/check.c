/* tocsin check: a one-off check of web pages, with no database — reachability,
 * certificate, address, and the page analysis — and the blocking check that
 * `tocsin monitor run` shares. */
#include "cli.h"

#include "../probe/probe.h"
#include "monitor.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char check_usage[] =
    "usage: tocsin check URL… [--baseline FILE | --save-baseline FILE] [--words FILE]\n"
    "                    [--allow DOMAIN]… [--keyword TEXT] [--status CODE]\n"
    "                    [--expect-ip ADDR,…] [--timeout SECONDS] [--ca FILE] [--no-cloak]\n"
    "                    [--json]\n"
    "\n"
    "Fetches each page and prints what is wrong: the site down or answering the wrong\n"
    "status, a certificate invalid or expiring within 30 days, the name resolving\n"
    "outside --expect-ip (DNS hijacking), and in the page: tampering (against\n"
    "--baseline), hidden links, cloaking (the page as Baiduspider, Sogou, 360Spider,\n"
    "Googlebot and a visitor from a Baidu search see it), malicious code (scripts and\n"
    "frames from outside the page's site and the --allow domains, obfuscation, miners,\n"
    "redirects), harmful words (the sample list, or --words FILE) and personal data.\n"
    "--save-baseline FILE learns the page from two fetches and writes its print when the\n"
    "page raised nothing. --json prints one JSON object per page. Exit 1 when anything\n"
    "was found.\n";

json_t *check_result_json(const char *url, const struct probe_fetch *fe,
                          const struct probe_findings *f)
{
    json_t *hops = json_array();
    for (int i = 0; i + 1 < fe->nhops; i++)
        json_array_append_new(hops, json_pack("{s:i, s:s}", "status", fe->hops[i].status,
                                              "location", fe->hops[i].location));
    json_t *fs = json_array();
    for (int i = 0; i < f->n; i++)
        json_array_append_new(fs, probe_finding_json(&f->v[i]));
    json_t *o =
        json_pack("{s:s, s:b, s:i, s:s, s:s, s:o, s:{s:f, s:f, s:f, s:f, s:f}, s:o}", "url", url,
                  "ok", fe->ok, "status", fe->status, "final_url", fe->final_url, "ip",
                  fe->primary_ip, "redirects", hops, "timings_ms", "dns", fe->dns_us / 1000.0,
                  "connect", fe->connect_us / 1000.0, "tls", fe->tls_us / 1000.0, "first_byte",
                  fe->ttfb_us / 1000.0, "total", fe->total_us / 1000.0, "findings", fs);
    if (!fe->ok)
        json_object_set_new(o, "error", json_string(fe->error));
    if (fe->dns_answers[0])
        json_object_set_new(o, "dns_answers", json_string(fe->dns_answers));
    if (fe->has_cert) {
        char when[TIME_ISO_LEN];
        time_format_utc(fe->cert_expiry_ms, when);
        json_object_set_new(o, "certificate_expires", json_string(when));
    }
    if (f->dropped)
        json_object_set_new(o, "findings_dropped", json_integer(f->dropped));
    return o;
}

void check_print_text(const char *url, const struct probe_fetch *fe, const struct probe_findings *f)
{
    if (fe->ok)
        printf("%s  %d  %.0f ms (dns %.0f, connect %.0f, tls %.0f, first byte %.0f)  [%s]\n", url,
               fe->status, fe->total_us / 1000.0, fe->dns_us / 1000.0, fe->connect_us / 1000.0,
               fe->tls_us / 1000.0, fe->ttfb_us / 1000.0, fe->primary_ip);
    else
        printf("%s  no answer: %s\n", url, fe->error);
    for (int i = 0; i < fe->nhops - 1; i++)
        printf("  redirect %d → %s\n", fe->hops[i].status, fe->hops[i].location);
    for (int i = 0; i < f->n; i++) {
        const struct probe_finding *x = &f->v[i];
        printf("  %-6s %-36s %s\n", probe_severity_name(x->severity), x->code, x->message);
        if (x->excerpt[0])
            printf("         | %s\n", x->excerpt);
    }
    if (f->dropped)
        printf("  … and %d more findings\n", f->dropped);
    if (f->n == 0)
        printf("  nothing found\n");
}

/* The page as a crawler or a search visitor sees it, against the plain one. */
/* The page as each crawler and a search visitor see it, fetched at once,
 * against the plain one; a body equal to the plain one needs no analysis. */
static void check_cloaking(const struct probe_check *c, const struct probe_target *t,
                           const struct probe_fetch *plain, const struct probe_print *pp,
                           struct probe_findings *f)
{
    struct probe_target vt[PROBE_VARIANTS];
    struct probe_fetch *vf = calloc(PROBE_VARIANTS, sizeof *vf);
    if (!vf)
        return;
    for (int v = 0; v < PROBE_VARIANTS; v++) {
        vt[v] = probe_variant_target(t, v + 1);
        probe_fetch_init(&vf[v], t->body_max);
    }
    if (probe_fetch_many(vt, vf, PROBE_VARIANTS, NULL) == 0)
        for (int v = 0; v < PROBE_VARIANTS && !probe_has(f, "cloaking"); v++) {
            if (probe_same_page(plain, &vf[v]))
                continue;
            struct probe_findings *scratch = calloc(1, sizeof *scratch);
            struct probe_print *vp = NULL;
            struct probe_check vc = *c;
            vc.baseline = NULL;
            vc.keyword = NULL;
            if (scratch) {
                probe_check_judge(&vc, &vf[v], scratch, &vp);
                probe_check_cloaking(probe_variant_name(v + 1), plain, pp, &vf[v], vp, f);
            }
            probe_print_free(vp);
            free(scratch);
        }
    for (int v = 0; v < PROBE_VARIANTS; v++)
        probe_fetch_release(&vf[v]);
    free(vf);
}

int check_run(const struct probe_check *c, const struct probe_target *t, int cloak,
              struct probe_fetch *fe, struct probe_findings *f, struct probe_print **print,
              struct err *e)
{
    int rc = probe_fetch(t, fe, e);
    if (rc)
        return rc;
    if (c->expect_ips && c->expect_ips[0])
        probe_resolve(t->url, fe->dns_answers, sizeof fe->dns_answers);
    struct probe_print *pp = NULL;
    probe_check_judge(c, fe, f, &pp);
    if (cloak && fe->ok && pp)
        check_cloaking(c, t, fe, pp, f);
    if (print)
        *print = pp;
    else
        probe_print_free(pp);
    return 0;
}

/* Writes a baseline of the page learned from this fetch and one more. */
static int save_baseline(const char *file, const struct probe_check *c,
                         const struct probe_target *t, const struct probe_print *first,
                         struct err *e)
{
    struct probe_baseline *b = probe_baseline_new();
    probe_baseline_learn(b, first);
    struct probe_fetch fe;
    probe_fetch_init(&fe, t->body_max);
    struct probe_findings f = {0};
    struct probe_print *p = NULL;
    if (probe_fetch(t, &fe, NULL) == 0) {
        probe_check_judge(c, &fe, &f, &p);
        if (p)
            probe_baseline_learn(b, p);
    }
    probe_print_free(p);
    probe_fetch_release(&fe);
    struct buf out;
    buf_init(&out, 64 << 20);
    int rc = probe_baseline_save(b, &out);
    probe_baseline_free(b);
    char *d = strdup(file), *n = strdup(file);
    if (!rc && d && n)
        rc = fs_write_atomic(dirname(d), basename(n), out.p, out.len, 0644, 0, e);
    else if (!rc)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    free(d);
    free(n);
    buf_release(&out);
    return rc;
}

int cmd_check(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *baseline_file = NULL, *save_file = NULL, *words_file = NULL, *keyword = NULL;
    const char *status_s = NULL, *ips = NULL, *timeout_s = NULL, *ca = NULL;
    const char *allow[PROBE_ALLOW_MAX];
    int nallow = 0, no_cloak = 0;
    const struct opt opts[] = {OPT_V("baseline", &baseline_file),
                               OPT_V("save-baseline", &save_file),
                               OPT_V("words", &words_file),
                               OPT_V("keyword", &keyword),
                               OPT_V("status", &status_s),
                               OPT_V("expect-ip", &ips),
                               OPT_V("timeout", &timeout_s),
                               OPT_V("ca", &ca),
                               OPT_M("allow", allow, &nallow),
                               OPT_F("no-cloak", &no_cloak),
                               OPT_END};
    char *pos[64];
    int npos, rc = opt_parse(cli, "check", opts, argc, argv, pos, 64, &npos, e);
    if (rc)
        return rc;
    if (cli->help) {
        cli_usage(check_usage);
        return 0;
    }
    if (npos == 0)
        return err_set(e, ERR_USAGE, "check: give one or more URLs");
    if ((baseline_file || save_file) && npos != 1)
        return err_set(e, ERR_USAGE, "check: a baseline is of one page: give one URL");
    if (baseline_file && save_file)
        return err_set(e, ERR_USAGE,
                       "check: --baseline compares, --save-baseline writes: give one");
    for (int i = 0; i < npos; i++)
        if (strncmp(pos[i], "http://", 7) != 0 && strncmp(pos[i], "https://", 8) != 0)
            return err_set(e, ERR_USAGE, "check: '%s' is not an http:// or https:// URL", pos[i]);
    int64_t status = 0, timeout = 10;
    if (status_s && (cli_id("--status", status_s, &status, e) != 0 || status > 599))
        return err_set(e, ERR_USAGE, "check: --status must be an HTTP status (100-599)");
    if (timeout_s && (cli_id("--timeout", timeout_s, &timeout, e) != 0 || timeout > 600))
        return err_set(e, ERR_USAGE, "check: --timeout must be 1-600 seconds");

    struct probe_words *words = NULL;
    struct probe_baseline *baseline = NULL;
    if ((rc = monitor_words(words_file, &words, e)))
        return rc;
    if (baseline_file) {
        struct buf text;
        buf_init(&text, 64 << 20);
        if ((rc = fs_read_file(baseline_file, 64 << 20, &text, e)) == 0)
            baseline = probe_baseline_load(baseline_file, text.p ? text.p : "", text.len, e);
        buf_release(&text);
        if (!baseline) {
            probe_words_free(words);
            return e->code ? e->code : ERR_INPUT;
        }
    }

    int found = 0, failed = 0;
    for (int i = 0; i < npos; i++) {
        struct probe_check c = {.url = pos[i],
                                .expect_status = (int)status,
                                .keyword = keyword,
                                .expect_ips = ips,
                                .cert_warn_days = 30,
                                .baseline = baseline};
        c.page.words = words;
        for (int k = 0; k < nallow; k++)
            c.page.allow[c.page.nallow++] = allow[k];
        struct probe_target t = {
            .url = pos[i], .timeout_ms = timeout * 1000, .body_max = PROBE_BODY_MAX, .ca_file = ca};
        struct probe_fetch fe;
        probe_fetch_init(&fe, t.body_max);
        struct probe_findings f = {0};
        struct probe_print *print = NULL;
        struct err ue = {0};
        if (check_run(&c, &t, !no_cloak && !save_file, &fe, &f, &print, &ue) != 0) {
            fprintf(stderr, "tocsin check: %s\n", ue.msg);
            failed = 1;
        } else {
            if (cli->json) {
                json_t *o = check_result_json(pos[i], &fe, &f);
                json_dumpf(o, stdout, JSON_COMPACT);
                putchar('\n');
                json_decref(o);
            } else
                check_print_text(pos[i], &fe, &f);
            found |= f.n > 0;
            if (save_file && f.n == 0 && print) {
                if ((rc = save_baseline(save_file, &c, &t, print, e)) != 0)
                    failed = 2;
                else if (!cli->json)
                    printf("baseline written to %s\n", save_file);
            } else if (save_file)
                fprintf(stderr,
                        "tocsin check: the page raised findings; no baseline written to "
                        "%s\n",
                        save_file);
        }
        probe_print_free(print);
        probe_fetch_release(&fe);
    }
    probe_words_free(words);
    probe_baseline_free(baseline);
    if (failed == 2)
        return rc;
    if (failed)
        return err_set(e, ERR_INPUT, "check: not every URL could be checked");
    return found ? 1 : 0;
}
