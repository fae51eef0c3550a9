/* tocsin monitor: website monitors kept in the database — managed here, run
 * on schedule by tocsin serve (monitor_serve.c) or once by `monitor run` —
 * and what a check leaves behind: state confirmed over retries, events with
 * the plan's categories, the page kept as evidence when it changed, results
 * raw and rolled up. */
#include "cli.h"

#include "../events/events.h"
#include "../plan/plan.h"
#include "../probe/probe.h"
#include "monitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char monitor_usage[] =
    "usage: tocsin monitor add URL --as USER [--asset NAME] [--interval SECONDS]\n"
    "                          [--timeout SECONDS] [--retries N] [--status CODE]\n"
    "                          [--keyword TEXT] [--allow DOMAIN,…] [--words FILE]\n"
    "                          [--expect-ip ADDR,…] [--no-cloak]\n"
    "       tocsin monitor list [--json]\n"
    "       tocsin monitor show ID [--json]\n"
    "       tocsin monitor edit ID --as USER [the options of add] [--url URL]\n"
    "                          [--enable | --disable] [--cloak | --no-cloak] [--relearn]\n"
    "       tocsin monitor rm ID --as USER\n"
    "       tocsin monitor run ID [--json]\n"
    "\n"
    "Monitors are checked by tocsin serve every interval (jittered) with the checks of\n"
    "tocsin check; a failure becomes an event after --retries more failures, and\n"
    "recovery is recorded. The page's baseline is learned from its first three fetches;\n"
    "--relearn starts learning again after an accepted change. `run` checks once now,\n"
    "records the result and prints it; exit 1 when anything was found.\n";

/* ---- judging ------------------------------------------------------------------ */

void monitor_judge_init(const struct monitor_conf *m, const struct probe_words *words,
                        struct monitor_judge *j)
{
    memset(j, 0, sizeof *j);
    snprintf(j->allow, sizeof j->allow, "%s", m->allow);
    j->c.url = m->url;
    j->c.asset = m->asset;
    j->c.expect_status = (int)m->expect_status;
    j->c.keyword = m->keyword[0] ? m->keyword : NULL;
    j->c.expect_ips = m->expect_ips[0] ? m->expect_ips : NULL;
    j->c.cert_warn_days = 30;
    j->c.page.words = words;
    for (char *save = NULL, *d = strtok_r(j->allow, ", ", &save);
         d && j->c.page.nallow < PROBE_ALLOW_MAX; d = strtok_r(NULL, ", ", &save))
        j->c.page.allow[j->c.page.nallow++] = d;
}

int monitor_baseline(struct store *st, const struct monitor_conf *m, struct probe_baseline **out,
                     struct err *e)
{
    *out = NULL;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT baseline FROM monitors WHERE id = ?", "I", m->id);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        const char *t = store_col_text(q, 0);
        rc = 0;
        if (t[0]) {
            char name[64];
            snprintf(name, sizeof name, "monitor %lld's baseline", (long long)m->id);
            *out = probe_baseline_load(name, t, strlen(t), e);
            rc = *out ? 0 : ERR_DAMAGED;
        }
    }
    store_finish(q);
    return rc < 0 ? rc : 0;
}

/* ---- recording ------------------------------------------------------------------ */

static int is_down_kind(const char *kind)
{
    return strcmp(kind, "down") == 0 || strcmp(kind, "status") == 0;
}

/* What a monitor's event says beyond its finding: the site's state, whether
 * it clears an earlier event, and the page kept as evidence. */
struct submit_extra {
    const char *state;
    int is_resolved;
    const char *page; /* SHA-256 of the stored page, or NULL */
};

static int submit(struct store *st, const struct monitor_conf *m, const char *category,
                  const char *fingerprint, const char *summary, json_t *details,
                  const struct submit_extra *x, struct err *e)
{
    struct user as = {.role = ROLE_OFFICER};
    char sum[512];
    snprintf(sum, sizeof sum, "%.200s: %.300s", m->asset[0] ? m->asset : m->url, summary);
    struct event_new in = {.source = "probe",
                           .category = category,
                           .asset = m->asset[0] ? m->asset : NULL,
                           .summary = sum,
                           .fingerprint = fingerprint,
                           .details = details,
                           .state = x ? x->state : NULL,
                           .is_resolved = x ? x->is_resolved : 0};
    char ref[80];
    json_t *evidence = NULL;
    if (x && x->page && x->page[0]) {
        snprintf(ref, sizeof ref, "sha256:%s", x->page);
        evidence = json_pack("[s]", ref);
        in.evidence = evidence;
    }
    int64_t id, count;
    struct err ce = {0};
    int rc = event_check(&as, &in, &ce);
    if (rc == 0)
        rc = event_store(st, &as, &in, &id, &count, e);
    else
        log_warn("probe: monitor %lld: event refused: %s", (long long)m->id, ce.msg);
    json_decref(details);
    json_decref(evidence);
    return rc == ERR_INPUT ? 0 : rc;
}

static json_t *fetch_json(const struct probe_fetch *fe)
{
    return json_pack("{s:i, s:s, s:s, s:s, s:s?, s:{s:f, s:f, s:f, s:f, s:f}}", "status",
                     fe->status, "final_url", fe->final_url, "ip", fe->primary_ip, "content_type",
                     fe->content_type, "dns_answers", fe->dns_answers[0] ? fe->dns_answers : NULL,
                     "timings_ms", "dns", fe->dns_us / 1000.0, "connect", fe->connect_us / 1000.0,
                     "tls", fe->tls_us / 1000.0, "first_byte", fe->ttfb_us / 1000.0, "total",
                     fe->total_us / 1000.0);
}

/* The page as evidence, when its content is not the one kept last. */
static int keep_page(struct store *st, const struct objstore *os, struct monitor_conf *m,
                     const struct probe_fetch *fe, int same_page, int64_t now,
                     char hex[SHA256_HEX_LEN], struct err *e)
{
    hex[0] = 0;
    if (!fe->ok || !os)
        return 0;
    if (same_page && m->page_sha[0]) {
        snprintf(hex, SHA256_HEX_LEN, "%s", m->page_sha);
        return 0;
    }
    unsigned char sum[SHA256_LEN];
    char h[SHA256_HEX_LEN];
    sha256(fe->body.p ? fe->body.p : "", fe->body.len, sum);
    hex_encode(sum, SHA256_LEN, h);
    if (strcmp(h, m->page_sha) == 0) {
        snprintf(hex, SHA256_HEX_LEN, "%s", h);
        return 0;
    }
    int rc = objstore_put(os, fe->body.p ? fe->body.p : "", fe->body.len, hex, e);
    json_t *d = fetch_json(fe);
    /* header lines are not always UTF-8: only valid text is kept */
    json_object_set_new(
        d, "headers", json_string(utf8_valid(fe->headers, strlen(fe->headers)) ? fe->headers : ""));
    char *ds = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    if (!rc)
        rc = store_exec(
            st, e, "INSERT INTO probe_pages (monitor_id, at, object, details) VALUES (?,?,?,?)",
            "ITss", m->id, now, hex, ds ? ds : "{}");
    free(ds);
    if (!rc)
        snprintf(m->page_sha, sizeof m->page_sha, "%s", hex);
    return rc;
}

static int store_result(struct store *st, const struct monitor_conf *m,
                        const struct probe_fetch *fe, int up, int nfind, int64_t now, struct err *e)
{
    double total = fe->total_us / 1000.0;
    int rc = store_exec(st, e,
                        "INSERT INTO probe_results (monitor_id, at, ok, status, dns_ms, "
                        "connect_ms, tls_ms, ttfb_ms, total_ms, size, findings, error) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        "ITiiddddd"
                        "Iis",
                        m->id, now, up, fe->status, fe->dns_us / 1000.0, fe->connect_us / 1000.0,
                        fe->tls_us / 1000.0, fe->ttfb_us / 1000.0, total, (int64_t)fe->body.len,
                        nfind, fe->ok ? "" : fe->error);
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"minute", 60000}, {"hour", 3600000}};
    for (int i = 0; !rc && i < 2; i++)
        rc = store_exec(st, e,
                        "INSERT INTO probe_rollups (monitor_id, unit, start, checks, ups, "
                        "total_ms, max_ms) VALUES (?,?,?,1,?,?,?) "
                        "ON CONFLICT (monitor_id, unit, start) DO UPDATE SET "
                        "checks = checks + 1, ups = ups + excluded.ups, "
                        "total_ms = total_ms + excluded.total_ms, "
                        "max_ms = max(max_ms, excluded.max_ms)",
                        "IsIidd", m->id, units[i].unit, now - now % units[i].ms, up, total, total);
    return rc;
}

/* Every finding but a failure is an event at once, deduplicated by its
 * fingerprint (monitor, kind, key). */
int monitor_record_findings(struct store *st, const struct monitor_conf *m,
                            const struct probe_fetch *fe, const struct probe_findings *f,
                            const char *page, struct err *e)
{
    int rc = 0;
    for (int i = 0; !rc && i < f->n; i++) {
        const struct probe_finding *x = &f->v[i];
        if (is_down_kind(x->kind))
            continue;
        unsigned char sum[SHA256_LEN];
        char kh[SHA256_HEX_LEN], fp[160];
        sha256(x->key, strlen(x->key), sum);
        hex_encode(sum, 8, kh);
        snprintf(fp, sizeof fp, "probe:%lld:%s:%s", (long long)m->id, x->kind, kh);
        json_t *d = json_pack("{s:I, s:s, s:o, s:o, s:s?}", "monitor", (json_int_t)m->id, "url",
                              m->url, "finding", probe_finding_json(x), "fetch", fetch_json(fe),
                              "page", page && page[0] ? page : NULL);
        struct submit_extra extra = {.page = page};
        rc = submit(st, m, x->code, fp, x->message, d, &extra, e);
    }
    return rc;
}

/* A site down is an equipment failure unless the evidence says attack: down
 * while its name resolves elsewhere is the hijacking. */
static const char *down_category(const struct probe_findings *f, const struct probe_finding *down)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->v[i].kind, "dns") == 0)
            return f->v[i].code;
    return down->code;
}

int monitor_record(struct store *st, const struct objstore *os, struct monitor_conf *m,
                   const struct probe_fetch *fe, const struct probe_findings *f,
                   const struct probe_print *pp, int same_page, int *retry_soon, struct err *e)
{
    int64_t now = time_now_ms();
    *retry_soon = 0;
    const struct probe_finding *down = NULL;
    for (int i = 0; i < f->n && !down; i++)
        if (is_down_kind(f->v[i].kind))
            down = &f->v[i];
    char hex[SHA256_HEX_LEN];
    int rc = keep_page(st, os, m, fe, same_page, now, hex, e);
    /* The baseline learns from the first fetches of a page that answered; a
     * fetch of the very page analysed last (no print) counts without adding. */
    if (!rc && m->learn > 0 && fe->ok && !down) {
        struct probe_baseline *b = NULL;
        rc = pp ? monitor_baseline(st, m, &b, e) : 0;
        m->learn--;
        if (!rc && pp) {
            if (!b)
                b = probe_baseline_new();
            probe_baseline_learn(b, pp);
            struct buf t;
            buf_init(&t, 64 << 20);
            rc = probe_baseline_save(b, &t);
            if (!rc)
                rc = store_exec(st, e, "UPDATE monitors SET baseline = ? WHERE id = ?", "sI",
                                t.p ? t.p : "", m->id);
            buf_release(&t);
        }
        if (!rc)
            rc = store_exec(st, e, "UPDATE monitors SET learn = ? WHERE id = ?", "II", m->learn,
                            m->id);
        probe_baseline_free(b);
    }
    /* Failures are confirmed over the retries; recovery is an event too. */
    if (down) {
        if (m->fails++ == 0)
            m->down_since = now;
        if (m->fails <= m->retries)
            *retry_soon = 1;
        else if (strcmp(m->state, "down") != 0) {
            snprintf(m->state, sizeof m->state, "down");
            char fp[96];
            snprintf(fp, sizeof fp, "probe:%lld:down:%lld", (long long)m->id,
                     (long long)m->down_since);
            json_t *d = json_pack("{s:I, s:s, s:o, s:o, s:I}", "monitor", (json_int_t)m->id, "url",
                                  m->url, "finding", probe_finding_json(down), "fetch",
                                  fetch_json(fe), "failures", (json_int_t)m->fails);
            struct submit_extra extra = {.state = "down"};
            if (!rc)
                rc = submit(st, m, down_category(f, down), fp, down->message, d, &extra, e);
            else
                json_decref(d);
        }
    } else {
        if (strcmp(m->state, "down") == 0 && !rc) {
            char fp[96], since[TIME_ISO_LEN], msg[160];
            /* the clearing of the outage's own event */
            snprintf(fp, sizeof fp, "probe:%lld:down:%lld", (long long)m->id,
                     (long long)m->down_since);
            time_format_utc(m->down_since, since);
            snprintf(msg, sizeof msg, "the site answers again (down since %s)", since);
            json_t *d =
                json_pack("{s:I, s:s, s:s, s:s, s:o}", "monitor", (json_int_t)m->id, "url", m->url,
                          "state", "recovered", "down_since", since, "fetch", fetch_json(fe));
            struct submit_extra extra = {.state = "down", .is_resolved = 1};
            rc = submit(st, m, fe->ok ? "equipment-failure/software" : "equipment-failure/other",
                        fp, msg, d, &extra, e);
        }
        snprintf(m->state, sizeof m->state, "up");
        m->fails = 0;
        m->down_since = 0;
    }
    if (!rc)
        rc = monitor_record_findings(st, m, fe, f, hex, e);
    if (!rc)
        rc = store_result(st, m, fe, !down, f->n, now, e);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE monitors SET state = ?, fails = ?, down_since = ?, "
                        "last_check = ?, page_sha = ? WHERE id = ?",
                        "sITTsI", m->state, m->fails, m->down_since, now, m->page_sha, m->id);
    return rc;
}

/* ---- the commands ---------------------------------------------------------------- */

struct monitor_opts {
    const char *url, *asset, *interval, *timeout, *retries, *status, *keyword, *allow, *words, *ips,
        *as;
    int no_cloak, cloak, enable, disable, relearn;
};

/* A whole number from an option into *v; -1 when the option is absent. */
static int num_opt(const char *name, const char *s, int64_t *v, struct err *e)
{
    *v = -1;
    if (!s)
        return 0;
    if (!s[0] || strspn(s, "0123456789") != strlen(s))
        return err_set(e, ERR_USAGE, "monitor: %s wants a whole number, not '%s'", name, s);
    *v = strlen(s) > 18 ? INT64_MAX : atoll(s); /* too large: the range check says so */
    return 0;
}

/* The options as settings, checked; the words file is read to be sure. */
static int settings(const struct monitor_opts *o, int is_add, struct monitor_set *s, struct err *e)
{
    *s = (struct monitor_set)MONITOR_SET_INIT;
    s->url = o->url;
    s->asset = o->asset;
    s->keyword = o->keyword;
    s->allow = o->allow;
    s->words_file = o->words;
    s->expect_ips = o->ips;
    s->relearn = o->relearn;
    if ((o->enable && o->disable) || (o->cloak && o->no_cloak))
        return err_set(e, ERR_USAGE, "monitor: contradictory options");
    s->cloak = o->cloak ? 1 : o->no_cloak ? 0 : -1;
    s->enabled = o->enable ? 1 : o->disable ? 0 : -1;
    int rc;
    if ((rc = num_opt("--interval", o->interval, &s->interval_s, e)) ||
        (rc = num_opt("--timeout", o->timeout, &s->timeout_s, e)) ||
        (rc = num_opt("--retries", o->retries, &s->retries, e)) ||
        (rc = num_opt("--status", o->status, &s->expect_status, e)))
        return rc;
    if ((rc = monitor_set_check(s, is_add, e)))
        return rc;
    if (o->words && o->words[0]) {
        struct probe_words *w;
        if ((rc = monitor_words(o->words, &w, e)))
            return rc;
        probe_words_free(w);
    }
    return 0;
}

#define MONITOR_OPTS(o)                                                                            \
    OPT_V("asset", &(o).asset), OPT_V("interval", &(o).interval), OPT_V("timeout", &(o).timeout),  \
        OPT_V("retries", &(o).retries), OPT_V("status", &(o).status),                              \
        OPT_V("keyword", &(o).keyword), OPT_V("allow", &(o).allow), OPT_V("words", &(o).words),    \
        OPT_V("expect-ip", &(o).ips), OPT_V("as", &(o).as), OPT_F("no-cloak", &(o).no_cloak)

static int open_manager(struct cli *cli, const char *as, struct store **st, struct user *u,
                        struct err *e)
{
    if (!as)
        return err_set(e, ERR_USAGE, "monitor: give --as USER");
    int rc = cli_open_as(cli, as, st, u, e);
    if (!rc && !permission_allows(u->role, ACT_MONITOR_MANAGE)) {
        rc = err_set(e, ERR_DENIED, "monitor: a %s may not manage monitors",
                     role_info(u->role)->code);
        store_close(*st);
    }
    return rc;
}

static int mon_add(struct cli *cli, int argc, char **argv, struct err *e)
{
    struct monitor_opts o = {0};
    const struct opt opts[] = {MONITOR_OPTS(o), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "monitor add", opts, argc, argv, pos, 1, "one URL", e);
    if (rc || cli->help)
        return rc;
    o.url = pos[0];
    struct monitor_set set;
    if ((rc = settings(&o, 1, &set, e)))
        return rc;
    struct store *st;
    struct user u;
    if ((rc = open_manager(cli, o.as, &st, &u, e)))
        return rc;
    int64_t id;
    rc = monitor_add(st, cli->actor, &set, &id, e);
    if (!rc) {
        if (cli->json)
            cli_print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "url", o.url));
        else
            printf("monitor %lld: %s\n", (long long)id, o.url);
    }
    store_close(st);
    return rc;
}

static int mon_edit(struct cli *cli, int argc, char **argv, struct err *e)
{
    struct monitor_opts o = {0};
    const struct opt opts[] = {MONITOR_OPTS(o),
                               OPT_V("url", &o.url),
                               OPT_F("cloak", &o.cloak),
                               OPT_F("enable", &o.enable),
                               OPT_F("disable", &o.disable),
                               OPT_F("relearn", &o.relearn),
                               OPT_END};
    char *pos[1];
    int64_t id;
    int rc = opt_parse_n(cli, "monitor edit", opts, argc, argv, pos, 1, "a monitor id", e);
    if (rc || cli->help)
        return rc;
    struct monitor_set set;
    if ((rc = cli_id("monitor", pos[0], &id, e)) || (rc = settings(&o, 0, &set, e)))
        return rc;
    struct store *st;
    struct user u;
    if ((rc = open_manager(cli, o.as, &st, &u, e)))
        return rc;
    rc = monitor_edit(st, cli->actor, id, &set, e);
    if (!rc && !cli->json)
        printf("monitor %lld changed%s\n", (long long)id,
               o.relearn ? "; its baseline is learned again" : "");
    store_close(st);
    return rc;
}

static int mon_rm(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int64_t id;
    int rc = opt_parse_n(cli, "monitor rm", opts, argc, argv, pos, 1, "a monitor id", e);
    if (rc || cli->help)
        return rc;
    if ((rc = cli_id("monitor", pos[0], &id, e)))
        return rc;
    struct store *st;
    struct user u;
    if ((rc = open_manager(cli, as, &st, &u, e)))
        return rc;
    rc = monitor_remove(st, cli->actor, id, NULL, e);
    if (!rc && !cli->json)
        printf("monitor %lld removed\n", (long long)id);
    store_close(st);
    return rc;
}

static json_t *monitor_json(const struct monitor_conf *m)
{
    char last[TIME_ISO_LEN] = "";
    if (m->last_check)
        time_format_utc(m->last_check, last);
    return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:b, s:b, s:s, "
                     "s:I, s:s?}",
                     "id", (json_int_t)m->id, "url", m->url, "asset", m->asset, "interval_s",
                     (json_int_t)m->interval_s, "timeout_s", (json_int_t)m->timeout_s, "retries",
                     (json_int_t)m->retries, "expect_status", (json_int_t)m->expect_status,
                     "keyword", m->keyword, "allow", m->allow, "words_file", m->words_file,
                     "expect_ips", m->expect_ips, "cloak", m->cloak, "enabled", m->enabled, "state",
                     m->state, "learning", (json_int_t)m->learn, "last_check",
                     m->last_check ? last : NULL);
}

static int list_one(void *ctx, const struct monitor_conf *m)
{
    json_t *a = ctx;
    if (a)
        json_array_append_new(a, monitor_json(m));
    else
        printf("%-5lld %-8s %-8s %5llds  %-16s %s\n", (long long)m->id,
               m->enabled ? m->state : "disabled", m->learn > 0 ? "learning" : "",
               (long long)m->interval_s, m->asset, m->url);
    return 0;
}

static int mon_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    const struct opt opts[] = {OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "monitor list", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    if ((rc = cli_open(cli, &st, &cfg, e)))
        return rc;
    json_t *a = cli->json ? json_array() : NULL;
    rc = monitor_each(st, list_one, a, e);
    if (!rc && a)
        cli_print_json(json_pack("{s:o}", "items", a));
    else
        json_decref(a);
    store_close(st);
    return rc;
}

/* Uptime over the last `hours` from the hourly rollups, -1 without checks. */
static double uptime(struct store *st, int64_t id, int hours, struct err *e)
{
    sqlite3_stmt *q;
    double r = -1;
    int64_t since = time_now_ms() - (int64_t)hours * 3600000;
    if (store_query(st, e, &q,
                    "SELECT sum(checks), sum(ups) FROM probe_rollups WHERE monitor_id = ? AND "
                    "unit = 'hour' AND start >= ?",
                    "IT", id, since - since % 3600000) == 0 &&
        store_step(st, q, e) == 1 && sqlite3_column_int64(q, 0) > 0)
        r = 100.0 * (double)sqlite3_column_int64(q, 1) / (double)sqlite3_column_int64(q, 0);
    store_finish(q);
    return r;
}

/* The p-th percentile of total time over the last 24 hours' raw results. */
static double latency(struct store *st, int64_t id, int p, struct err *e)
{
    int64_t n = 0;
    int64_t since = time_now_ms() - 86400000;
    store_query_int(st, e, &n,
                    "SELECT count(*) FROM probe_results WHERE monitor_id = ? AND at >= ? AND "
                    "status > 0",
                    "IT", id, since);
    if (n == 0)
        return -1;
    sqlite3_stmt *q;
    double r = -1;
    if (store_query(st, e, &q,
                    "SELECT total_ms FROM probe_results WHERE monitor_id = ? AND at >= ? AND "
                    "status > 0 ORDER BY total_ms LIMIT 1 OFFSET ?",
                    "ITI", id, since, (n * p + 99) / 100 - 1) == 0 &&
        store_step(st, q, e) == 1)
        r = sqlite3_column_double(q, 0);
    store_finish(q);
    return r;
}

/* Parses `monitor CMD ID`, opens the data directory and reads the monitor;
 * *st stays NULL when only --help was asked (or on failure). */
static int parse_id_open(struct cli *cli, const char *cmd, int argc, char **argv, int64_t *id,
                         struct store **st, struct monitor_conf *m, struct err *e)
{
    const struct opt opts[] = {OPT_END};
    char *pos[1];
    struct config cfg;
    *st = NULL;
    int rc = opt_parse_n(cli, cmd, opts, argc, argv, pos, 1, "a monitor id", e);
    if (rc || cli->help)
        return rc;
    if ((rc = cli_id("monitor", pos[0], id, e)) || (rc = cli_open(cli, st, &cfg, e)))
        return rc;
    if ((rc = monitor_get(*st, *id, m, e))) {
        store_close(*st);
        *st = NULL;
    }
    return rc;
}

static int mon_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    int64_t id;
    struct store *st;
    struct monitor_conf m;
    int rc = parse_id_open(cli, "monitor show", argc, argv, &id, &st, &m, e);
    if (rc || !st)
        return rc;
    double up[3] = {uptime(st, id, 24, e), uptime(st, id, 24 * 7, e), uptime(st, id, 24 * 30, e)};
    double lat[3] = {latency(st, id, 50, e), latency(st, id, 95, e), latency(st, id, 99, e)};
    int64_t pages = 0;
    store_query_int(st, e, &pages, "SELECT count(*) FROM probe_pages WHERE monitor_id = ?", "I",
                    id);
    if (cli->json) {
        json_t *o = monitor_json(&m);
        /* -1 (no data) is shown as null */
        json_t *u = json_object();
        const char *k[3] = {"24h", "7d", "30d"};
        for (int i = 0; i < 3; i++)
            json_object_set_new(u, k[i], up[i] < 0 ? json_null() : json_real(up[i]));
        json_object_set_new(o, "uptime_percent", u);
        json_t *l = json_object();
        const char *pk[3] = {"p50", "p95", "p99"};
        for (int i = 0; i < 3; i++)
            json_object_set_new(l, pk[i], lat[i] < 0 ? json_null() : json_real(lat[i]));
        json_object_set_new(o, "latency_ms_24h", l);
        json_object_set_new(o, "pages_kept", json_integer(pages));
        cli_print_json(o);
    } else {
        printf("monitor %lld  %s\n  asset %s, every %llds, timeout %llds, %lld retries\n"
               "  state %s%s\n",
               (long long)m.id, m.url, m.asset[0] ? m.asset : "-", (long long)m.interval_s,
               (long long)m.timeout_s, (long long)m.retries, m.enabled ? m.state : "disabled",
               m.learn > 0 ? " (learning the page)" : "");
        printf("  uptime:");
        const char *k[3] = {"24 h", "7 d", "30 d"};
        for (int i = 0; i < 3; i++)
            up[i] < 0 ? printf("  %s -", k[i]) : printf("  %s %.2f%%", k[i], up[i]);
        printf("\n  latency (24 h):");
        const char *pk[3] = {"p50", "p95", "p99"};
        for (int i = 0; i < 3; i++)
            lat[i] < 0 ? printf("  %s -", pk[i]) : printf("  %s %.0f ms", pk[i], lat[i]);
        printf("\n  pages kept as evidence: %lld\n", (long long)pages);
    }
    store_close(st);
    return 0;
}

static int mon_run(struct cli *cli, int argc, char **argv, struct err *e)
{
    int64_t id;
    struct store *st;
    struct monitor_conf m;
    int rc = parse_id_open(cli, "monitor run", argc, argv, &id, &st, &m, e);
    if (rc || !st)
        return rc;
    struct objstore os;
    struct probe_words *words = NULL;
    struct probe_baseline *b = NULL;
    rc = objstore_init(&os, cli_data_dir(cli), 0, e);
    if (!rc)
        rc = monitor_words(m.words_file, &words, e);
    if (!rc && m.learn == 0)
        rc = monitor_baseline(st, &m, &b, e);
    if (rc) {
        store_close(st);
        return rc;
    }
    struct monitor_judge j;
    monitor_judge_init(&m, words, &j);
    j.c.baseline = b;
    struct probe_target t = {
        .url = m.url, .timeout_ms = m.timeout_s * 1000, .body_max = PROBE_BODY_MAX};
    struct probe_fetch fe;
    probe_fetch_init(&fe, t.body_max);
    struct probe_findings f = {0};
    struct probe_print *pp = NULL;
    int retry;
    rc = check_run(&j.c, &t, m.cloak, &fe, &f, &pp, e);
    if (!rc && !(rc = store_begin(st, e))) {
        rc = monitor_record(st, &os, &m, &fe, &f, pp, 0, &retry, e);
        rc = rc ? (store_rollback(st), rc) : store_commit(st, e);
    }
    if (!rc) {
        if (cli->json)
            cli_print_json(check_result_json(m.url, &fe, &f));
        else
            check_print_text(m.url, &fe, &f);
    }
    probe_print_free(pp);
    probe_fetch_release(&fe);
    probe_baseline_free(b);
    probe_words_free(words);
    store_close(st);
    return rc ? rc : f.n > 0;
}

int monitor_words(const char *file, struct probe_words **out, struct err *e)
{
    if (!file || !file[0]) {
        *out = probe_words_builtin(e);
        return *out ? 0 : ERR_INTERNAL;
    }
    struct buf b;
    buf_init(&b, 4 << 20);
    int rc = fs_read_file(file, 4 << 20, &b, e);
    *out = rc ? NULL : probe_words_new(file, b.p ? b.p : "", b.len, e);
    buf_release(&b);
    return *out ? 0 : (rc ? rc : (e && e->code ? e->code : ERR_INPUT));
}

int cmd_monitor(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"add", mon_add}, {"list", mon_list}, {"show", mon_show}, {"edit", mon_edit},
        {"rm", mon_rm},   {"run", mon_run},   {NULL, NULL}};
    return cli_dispatch(cli, "monitor", monitor_usage, subs, argc, argv, e);
}
