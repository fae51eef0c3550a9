/* tocsin logscan: attack detection over access-log files. */
#include "cli.h"

#include "../logwatch/logwatch.h"
#include "../plan/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char logscan_usage[] =
    "usage: tocsin logscan FILE… [--format auto|combined|common|json|'LOG_FORMAT']\n"
    "                      [--rules RULEDIR] [--crs DIR|none] [--paranoia 1-4]\n"
    "                      [--login PATH]… [--workers N] [--json | --hits]\n"
    "       tocsin logscan --list-rules [--rules RULEDIR] [--crs DIR|none] [--paranoia 1-4]\n"
    "\n"
    "Analyses access logs (plain or gzip; '-' is standard input) and prints what was\n"
    "detected, aggregated per rule and client, with counts and sample lines: attack\n"
    "signatures (rules/logwatch, plus the *.rules files of RULEDIR, plus the attack\n"
    "rules of the OWASP Core Rule Set in DIR, default " LW_CRS_DEFAULT ", up to\n"
    "--paranoia, default 1), brute force on the\n"
    "sign-in paths (--login, default /login and the usual admin pages), scanning and\n"
    "floods. --format takes an nginx log_format string for custom logs. --hits prints one\n"
    "JSON line per flagged log line instead. With --data DATA, requests for scripts the\n"
    "guard of DATA saw appear are webshell calls. Exit 1 when anything was detected.\n";

static void crs_warn(void *ctx, const char *msg)
{
    (void)ctx;
    log_warn("logwatch: %s", msg);
}

/* The Core Rule Set of dir ("none": without it) up to paranoia. The
 * default directory may be missing (a warning); a directory given must
 * load. */
int logwatch_add_crs(struct lw_rules *rs, const char *dir, int paranoia, struct err *e)
{
    if (dir && strcmp(dir, "none") == 0)
        return 0;
    struct err ce = {0};
    int rc = lw_rules_add_crs(rs, dir ? dir : LW_CRS_DEFAULT, paranoia, crs_warn, NULL, &ce);
    if (rc && !dir && ce.code == ERR_INPUT) {
        log_warn("logwatch: %s; only tocsin's own rules are used (apt-get install "
                 "modsecurity-crs, or --crs DIR)",
                 ce.msg);
        return 0;
    }
    if (rc)
        return err_set(e, ce.code, "%s", ce.msg);
    return 0;
}

static void on_hit(void *ctx, const struct lw_line *l, const struct lw_rule *const *rules, int n)
{
    (void)ctx;
    json_t *ids = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(ids, json_string(rules[i]->id));
    json_t *o = json_pack("{s:I, s:o, s:s}", "line", (json_int_t)l->number, "rules", ids,
                          "category", rules[0]->category);
    json_dumpf(o, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(o);
}

/* The shared form, with the count and the line where it began. */
static json_t *detection_json(const struct lw_detection *d)
{
    json_t *o = logwatch_detection_json(d);
    json_object_set_new(o, "count", json_integer((json_int_t)d->count));
    json_object_set_new(o, "first_line", json_integer((json_int_t)d->first_line));
    return o;
}

/* One rule's detections, for the summary. */
struct rule_sum {
    const struct lw_rule *rule;
    size_t clients;
    uint64_t requests, successful;
};

static int rule_sum_worse(const void *x, const void *y)
{
    const struct rule_sum *a = x, *b = y;
    if (a->rule->severity != b->rule->severity)
        return b->rule->severity - a->rule->severity;
    if (a->requests != b->requests)
        return a->requests < b->requests ? 1 : -1;
    return strcmp(a->rule->id, b->rule->id);
}

/* A day's log of a busy portal gives thousands of detections: first, a line
 * per rule with its clients and requests, so the whole is seen at a glance. */
static void print_summary(const struct lw_detection *d, size_t n)
{
    struct rule_sum *v = calloc(n, sizeof(*v));
    if (!v)
        return;
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < nv && v[k].rule != d[i].rule)
            k++;
        if (k == nv)
            v[nv++].rule = d[i].rule;
        v[k].clients++;
        v[k].requests += d[i].count;
        v[k].successful += d[i].possibly_successful != 0;
    }
    qsort(v, nv, sizeof(*v), rule_sum_worse);
    printf("\nby rule:\n");
    for (size_t k = 0; k < nv; k++) {
        printf("  %-8s %-28s %-26s %6zu client%s %8llu request%s",
               lw_severity_name(v[k].rule->severity), v[k].rule->id, v[k].rule->category,
               v[k].clients, v[k].clients == 1 ? " " : "s", (unsigned long long)v[k].requests,
               v[k].requests == 1 ? "" : "s");
        if (v[k].successful)
            printf("  %llu POSSIBLY SUCCESSFUL", (unsigned long long)v[k].successful);
        putchar('\n');
    }
    free(v);
}

static void print_text(const struct lw_detection *d, size_t n, uint64_t lines, uint64_t skipped)
{
    printf("%llu lines, %llu skipped, %zu detection%s\n", (unsigned long long)lines,
           (unsigned long long)skipped, n, n == 1 ? "" : "s");
    if (n > 10) {
        print_summary(d, n);
        printf("\nby rule and client:\n");
    }
    for (size_t i = 0; i < n; i++) {
        printf("\n%-8s %s  %s  client %s  ×%llu%s\n", lw_severity_name(d[i].rule->severity),
               d[i].rule->id, d[i].rule->category, d[i].client, (unsigned long long)d[i].count,
               d[i].possibly_successful ? "  POSSIBLY SUCCESSFUL" : "");
        printf("         %s (first at line %llu)\n", d[i].rule->description,
               (unsigned long long)d[i].first_line);
        for (int k = 0; k < d[i].nsamples; k++) {
            /* Printed as data: control bytes cannot reach the terminal. */
            char line[320];
            size_t n = 0;
            for (const char *s = d[i].samples[k]; *s && n < 300; s++)
                line[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
            printf("         | %.*s\n", (int)n, line);
        }
    }
}

static int list_rules(const struct lw_rules *rs, int json)
{
    json_t *a = json_array();
    for (size_t i = 0; i < lw_rules_count(rs); i++) {
        const struct lw_rule *r = lw_rules_get(rs, i);
        if (json)
            json_array_append_new(a,
                                  json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", r->id, "category",
                                            r->category, "severity", lw_severity_name(r->severity),
                                            "description", r->description, "source", r->source));
        else
            printf("%-36s %-30s %-8s %s\n", r->id, r->category, lw_severity_name(r->severity),
                   r->description);
    }
    if (json)
        cli_print_json(a);
    else
        json_decref(a);
    return 0;
}

/* The scripts the guard of --data saw appear, NULL-terminated. */
struct scripts {
    char **v;
    size_t n, cap;
    int failed;
};

static void keep_script(void *ctx, const char *path)
{
    struct scripts *s = ctx;
    if (s->failed || s->n + 2 > 100000)
        return;
    if (s->n + 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **v = realloc(s->v, cap * sizeof(*v));
        if (!v) {
            s->failed = 1;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    if (!(s->v[s->n] = strdup(path)))
        s->failed = 1;
    else
        s->v[++s->n] = NULL;
}

static int guard_scripts(struct cli *cli, struct scripts *out, struct err *e)
{
    struct store *st = NULL;
    struct config cfg;
    int rc = cli_open(cli, &st, &cfg, e);
    int64_t after = 0, before;
    do {
        before = after;
        if (!rc)
            rc = logwatch_guard_scripts(st, &after, keep_script, out, e);
    } while (!rc && after != before);
    if (!rc && out->failed)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (st)
        store_close(st);
    return rc;
}

int cmd_logscan(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *format = "auto", *rules_dir = NULL, *workers_s = NULL;
    const char *crs_dir = NULL, *paranoia_s = NULL;
    const char *login[32];
    int nlogin = 0, hits = 0, list = 0;
    const struct opt opts[] = {OPT_V("format", &format),
                               OPT_V("rules", &rules_dir),
                               OPT_V("crs", &crs_dir),
                               OPT_V("paranoia", &paranoia_s),
                               OPT_V("workers", &workers_s),
                               OPT_M("login", login, &nlogin),
                               OPT_F("hits", &hits),
                               OPT_F("list-rules", &list),
                               OPT_END};
    char *pos[256];
    int npos, rc = opt_parse(cli, "logscan", opts, argc, argv, pos, 256, &npos, e);
    if (rc)
        return rc;
    if (cli->help) {
        cli_usage(logscan_usage);
        return 0;
    }
    if (npos == 0 && !list)
        return err_set(e, ERR_USAGE,
                       "logscan: give one or more log files ('-' for standard input)");
    if (hits && cli->json)
        return err_set(e, ERR_USAGE, "logscan: --hits and --json are two outputs: give one");
    /* Thousands of detections or flagged lines: written in large pieces
     * unless someone watches. */
    static char obuf[1 << 16];
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
    int64_t workers = 0;
    if (workers_s && (rc = cli_id("--workers", workers_s, &workers, e)) != 0)
        return rc;
    struct lw_rules *rs = NULL;
    struct lw_format *f = NULL;
    struct lw_analysis *a = NULL;
    int64_t paranoia = 1;
    if (paranoia_s && (cli_id("--paranoia", paranoia_s, &paranoia, e) != 0 || paranoia > 4))
        return err_set(e, ERR_USAGE, "logscan: --paranoia: give a level from 1 to 4, not '%s'",
                       paranoia_s);
    rc = lw_rules_new(rules_dir, &rs, e);
    if (!rc)
        rc = logwatch_add_crs(rs, crs_dir, (int)paranoia, e);
    if (!rc)
        rc = logwatch_check_categories(rs, e);
    if (!rc && list) {
        rc = list_rules(rs, cli->json);
        goto out;
    }
    if (!rc)
        rc = lw_format_new(format, &f, e);
    if (!rc)
        rc = lw_analysis_new(rs, NULL, &a, e);
    login[nlogin] = NULL;
    struct scripts scripts = {0};
    if (!rc && cli->data_opt)
        rc = guard_scripts(cli, &scripts, e);
    struct lw_scan_opts o = {.rules = rs,
                             .new_scripts = scripts.n ? (const char *const *)scripts.v : NULL,
                             .format = f,
                             .login = nlogin ? login : lw_default_login,
                             .workers = (int)(workers > 64 ? 64 : workers),
                             .on_hit = hits ? on_hit : NULL};
    /* Every file is read even when one fails: the first error is kept. */
    int failed = 0, fail_code = 0;
    for (int i = 0; !rc && i < npos; i++) {
        struct err fe = {0};
        if (lw_scan_file(pos[i], &o, a, &fe) != 0) {
            log_error("logscan: %s", fe.msg);
            fail_code = fail_code ? fail_code : fe.code;
            failed++;
        }
    }
    if (!rc) {
        const struct lw_detection *d;
        size_t n = lw_analysis_detections(a, &d);
        if (cli->json) {
            json_t *arr = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, detection_json(&d[i]));
            cli_print_json(json_pack("{s:I, s:I, s:o}", "lines", (json_int_t)lw_analysis_lines(a),
                                     "skipped", (json_int_t)lw_analysis_skipped(a), "detections",
                                     arr));
        } else if (!hits) {
            print_text(d, n, lw_analysis_lines(a), lw_analysis_skipped(a));
        }
        if (lw_analysis_skipped(a))
            log_warn("logscan: %llu line(s) did not fit the format %s and were skipped",
                     (unsigned long long)lw_analysis_skipped(a), format);
        rc = failed ? err_set(e, fail_code, "logscan: %d file(s) not read to the end, see above",
                              failed)
                    : n > 0;
    }
out:
    for (size_t i = 0; i < scripts.n; i++)
        free(scripts.v[i]);
    free(scripts.v);
    lw_analysis_free(a);
    lw_format_free(f);
    lw_rules_free(rs);
    return rc;
}
