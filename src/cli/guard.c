/* tocsin guard: real-time protection of web roots; accept and publish. */
#include "cli.h"

#include "../events/events.h"
#include "../guard/guard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char guard_usage[] =
    "usage: tocsin guard DIR… [--mode restore|alert-only|lock] [--allow EXE]… [--recheck SEC]\n"
    "                   [--rules RULEDIR] [--clamav DBDIR] [--data DATA]\n"
    "       tocsin guard accept PATH… [--data DATA]\n"
    "       tocsin guard publish DIR --for DURATION [--data DATA]\n"
    "\n"
    "Watches each DIR until SIGTERM or SIGINT. On the first start the tree as it is becomes\n"
    "the baseline and every file is copied into the protected store of DATA. Any change that\n"
    "was not authorised is kept as evidence and, in mode restore (the default), put back\n"
    "at once: changed and deleted files restored, added ones removed, permissions reset.\n"
    "alert-only reports without touching the tree; lock (as root) also refuses every open\n"
    "for writing by a program not named with --allow. Changes made while the guard was\n"
    "stopped are handled when it starts. Each change is printed as one JSON line and, when\n"
    "DATA holds a tocsin database, becomes an event for triage.\n"
    "\n"
    "accept takes the current content of PATH into the baseline. publish opens a window\n"
    "(--for 10m, 2h, 1d) in which changes to DIR are accepted and recorded. Both are\n"
    "audited with the acting user.\n";

/* Where guard events go: standard output as JSON lines, and the database. */
struct guard_sink {
    struct store *st; /* NULL without a database */
    FILE *out;        /* NULL: not printed */
    pthread_mutex_t lock;
    /* [guard] protect = DIR@ASSET: each guarded root's asset (roots resolved) */
    char *root[16];
    char asset[16][128];
    int nroots;
};

static const char *sink_asset(const struct guard_sink *s, const char *root)
{
    for (int i = 0; i < s->nroots; i++)
        if (strcmp(s->root[i], root) == 0)
            return s->asset[i];
    return NULL;
}

static void sink_event(void *ctx, const struct guard_event *ev)
{
    struct guard_sink *s = ctx;
    struct buf path, summary;
    buf_init(&path, 2 * GUARD_ESC_MAX);
    buf_init(&summary, 2048);
    guard_escape(ev->root, strlen(ev->root), &path);
    buf_addc(&path, '/');
    guard_escape(ev->path, strlen(ev->path), &path);
    char kinds[80], when[TIME_ISO_LEN];
    gchange_kinds(ev->kinds, kinds, sizeof(kinds));
    time_format_utc(ev->detected_ms, when);
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "time", when, "root", ev->root,
                          "path", buf_str(&path), "action", ev->action, "change", kinds,
                          "before_sha256", ev->before_sha, "after_sha256", ev->after_sha);
    if (ev->category)
        json_object_set_new(d, "category", json_string(ev->category));
    if (ev->webshell_rule)
        json_object_set_new(d, "webshell_rule", json_string(ev->webshell_rule));
    if (ev->webshell_why && utf8_valid(ev->webshell_why, strlen(ev->webshell_why)))
        json_object_set_new(d, "webshell_why", json_string(ev->webshell_why));
    if (ev->process)
        json_object_set_new(d, "process", json_string(ev->process));
    if (ev->latency_us >= 0)
        json_object_set_new(d, "restore_ms", json_real((double)ev->latency_us / 1000.0));
    if (ev->after_sha[0])
        json_object_set_new(d, "evidence_object", json_string(ev->after_sha));
    pthread_mutex_lock(&s->lock);
    if (s->out) {
        json_dumpf(d, s->out, JSON_COMPACT | JSON_SORT_KEYS);
        fputc('\n', s->out);
        fflush(s->out);
    }
    struct err e = {0};
    if (s->st && ev->category) {
        const char *what = strcmp(ev->action, "refused") == 0 ? "写入被拒绝"
                           : ev->webshell_rule                ? "发现网页后门"
                           : (ev->kinds & 1)                  ? "新增文件"
                           : (ev->kinds & 2)                  ? "文件被删除"
                                                              : "网页文件被篡改";
        const char *done = strcmp(ev->action, "restored") == 0  ? "，已恢复"
                           : strcmp(ev->action, "removed") == 0 ? "，已清除"
                           : strcmp(ev->action, "refused") == 0 ? ""
                                                                : "，未处置";
        buf_addf(&summary, "%s%s：%.900s", what, done, buf_str(&path));
        if (ev->webshell_why && utf8_valid(ev->webshell_why, strlen(ev->webshell_why)))
            buf_addf(&summary, "（%s：%.600s）", ev->webshell_rule, ev->webshell_why);
        char fpsrc[GUARD_PATH_MAX * 2], fp[SHA256_HEX_LEN];
        unsigned char dg[SHA256_LEN];
        snprintf(fpsrc, sizeof(fpsrc), "%s\n%s\n%s\n%s", ev->root, ev->path, ev->action,
                 ev->after_sha);
        sha256(fpsrc, strlen(fpsrc), dg);
        hex_encode(dg, SHA256_LEN, fp);
        struct user as = {.role = ROLE_OFFICER};
        snprintf(as.name, sizeof(as.name), "guard");
        /* restored, removed or refused: found and already put right */
        char ref[80];
        snprintf(ref, sizeof ref, "sha256:%s", ev->after_sha);
        json_t *evidence = ev->after_sha[0] ? json_pack("[s]", ref) : NULL;
        struct event_new in = {.source = "guard",
                               .category = ev->category,
                               .asset = sink_asset(s, ev->root),
                               .summary = buf_str(&summary),
                               .fingerprint = fp,
                               .details = d,
                               .evidence = evidence,
                               .is_resolved = strcmp(ev->action, "restored") == 0 ||
                                              strcmp(ev->action, "removed") == 0 ||
                                              strcmp(ev->action, "refused") == 0};
        int64_t id, count;
        if (event_submit(s->st, &as, &in, &id, &count, &e) != 0)
            log_error("guard: cannot store the event for %s: %s", buf_str(&path), e.msg);
        json_decref(evidence);
    } else if (s->st && strcmp(ev->action, "accepted") == 0) {
        int rc = store_begin(s->st, &e);
        if (!rc)
            rc = audit_append(s->st, "guard", "guard.accepted", buf_str(&path), d, &e);
        if (!rc)
            rc = store_commit(s->st, &e);
        else
            store_rollback(s->st);
        if (rc)
            log_error("guard: cannot record the accepted change of %s: %s", buf_str(&path), e.msg);
    }
    pthread_mutex_unlock(&s->lock);
    json_decref(d);
    buf_release(&path);
    buf_release(&summary);
}

/* Opens the database of DATA when it has one: events then go to triage. */
static struct store *sink_store(const char *data)
{
    char db[STORE_PATH_MAX + 16];
    snprintf(db, sizeof(db), "%s/tocsin.db", data);
    if (!fs_exists(db))
        return NULL;
    struct store *st;
    struct err e = {0};
    if (store_open(&st, data, 0, &e) != 0) {
        log_warn("guard: events are not stored: %s", e.msg);
        return NULL;
    }
    return st;
}

static int stop_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    (void)sig;
    char c = 1;
    ssize_t k = write(stop_pipe[1], &c, 1);
    (void)k;
}

static int guard_run_cmd(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *mode_s = "restore", *recheck_s = NULL, *rules = NULL, *clamav = NULL;
    const char *allow[16], *dirs[16];
    int nallow = 0;
    const struct opt opts[] = {OPT_V("mode", &mode_s),         OPT_V("recheck", &recheck_s),
                               OPT_V("rules", &rules),         OPT_V("clamav", &clamav),
                               OPT_M("allow", allow, &nallow), OPT_END};
    char *pos[16];
    int npos, rc = opt_parse(cli, "guard", opts, argc, argv, pos, 16, &npos, e);
    if (cli->help)
        cli_usage(guard_usage);
    if (rc || cli->help)
        return rc;
    if (npos < 1)
        return err_set(e, ERR_USAGE, "tocsin guard: give at least one directory");
    struct guard_opts o = {.data_dir = cli_data_dir(cli), .rules_dir = rules, .clamav_dir = clamav};
    if (guard_mode_parse(mode_s, &o.mode) != 0)
        return err_set(e, ERR_USAGE,
                       "tocsin guard: --mode '%.40s' is not restore, alert-only or lock", mode_s);
    if (recheck_s) {
        int64_t v;
        if ((rc = cli_id("--recheck", recheck_s, &v, e)))
            return rc;
        o.recheck_s = v > 86400 ? 86400 : (int)v;
    }
    for (int i = 0; i < nallow; i++)
        if (allow[i][0] != '/')
            return err_set(e, ERR_USAGE, "tocsin guard: --allow '%.100s' is not an absolute path",
                           allow[i]);
    memcpy(o.allow, allow, sizeof(allow[0]) * (size_t)nallow);
    o.nallow = nallow;
    if ((rc = fs_mkdirs(o.data_dir, 0700, e)))
        return rc;
    if (!getenv("TOCSIN_DEBUG"))
        log_set_level(getenv("TOCSIN_QUIET") ? LOG_WARN : LOG_INFO);
    struct guard_sink sink = {.st = sink_store(o.data_dir), .out = stdout};
    pthread_mutex_init(&sink.lock, NULL);
    o.on_event = sink_event;
    o.ctx = &sink;
    struct guard *gs[16];
    int n = 0;
    for (int i = 0; !rc && i < npos; i++) {
        dirs[i] = pos[i];
        rc = guard_open(&gs[n], dirs[i], &o, e);
        n += !rc;
    }
    if (!rc && pipe2(stop_pipe, O_CLOEXEC) != 0)
        rc = err_errno(e, ERR_IO, errno, "cannot create a pipe");
    if (!rc) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        rc = guard_run_many(gs, n, stop_pipe[0], e);
    }
    for (int i = 0; i < n; i++)
        guard_close(gs[i]);
    if (sink.st)
        store_close(sink.st);
    pthread_mutex_destroy(&sink.lock);
    return rc;
}

static int guard_accept_cmd(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[64];
    int npos, rc = opt_parse(cli, "guard accept", NULL, argc, argv, pos, 64, &npos, e);
    if (cli->help)
        cli_usage(guard_usage);
    if (rc || cli->help)
        return rc;
    if (npos < 1)
        return err_set(e, ERR_USAGE, "tocsin guard accept: give at least one path");
    const char *data = cli_data_dir(cli);
    char state[GUARD_PATH_MAX], first_state[GUARD_PATH_MAX] = "";
    char rels[64][GUARD_PATH_MAX];
    const char *relp[64];
    for (int i = 0; !rc && i < npos; i++) {
        rc = guard_locate(data, pos[i], state, sizeof(state), rels[i], sizeof(rels[i]), e);
        if (!rc && first_state[0] && strcmp(state, first_state) != 0)
            rc = err_set(e, ERR_USAGE,
                         "tocsin guard accept: the paths lie in different guarded directories");
        snprintf(first_state, sizeof(first_state), "%s", state);
        relp[i] = rels[i];
    }
    if (!rc)
        rc = guard_accept(data, first_state, relp, npos, cli->actor, e);
    struct store *st = rc ? NULL : sink_store(data);
    if (st) {
        json_t *paths = json_array();
        for (int i = 0; i < npos; i++)
            json_array_append_new(paths, json_string(pos[i]));
        rc = store_begin(st, e);
        if (!rc)
            rc = audit_append_take(st, cli->actor, "guard.accept", first_state,
                                   json_pack("{s:o}", "paths", paths), e);
        else
            json_decref(paths);
        rc = rc ? (store_rollback(st), rc) : store_commit(st, e);
        store_close(st);
    }
    if (!rc)
        printf("accepted %d path%s into the baseline\n", npos, npos == 1 ? "" : "s");
    return rc;
}

static int guard_publish_cmd(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *for_s = NULL;
    const struct opt opts[] = {OPT_V("for", &for_s), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "guard publish", opts, argc, argv, pos, 1, "one directory", e);
    if (cli->help)
        cli_usage(guard_usage);
    if (rc || cli->help)
        return rc;
    if (!for_s)
        return err_set(e, ERR_USAGE, "tocsin guard publish: give --for DURATION (10m, 2h, 1d)");
    /* A duration: a number and s, m, h or d. */
    char *end;
    long long n = strtoll(for_s, &end, 10);
    int64_t unit = strcmp(end, "s") == 0   ? 1000
                   : strcmp(end, "m") == 0 ? 60000
                   : strcmp(end, "h") == 0 ? 3600000
                   : strcmp(end, "d") == 0 ? 86400000
                                           : 0;
    if (!unit || end == for_s || n < 1 || n > 7 * 86400 || n * unit > (int64_t)7 * 86400000)
        return err_set(e, ERR_USAGE,
                       "tocsin guard publish: --for '%.20s' is not a duration up to 7d (90s, 10m, "
                       "2h, 1d)",
                       for_s);
    int64_t until = time_now_ms() + n * unit;
    const char *data = cli_data_dir(cli);
    char state[GUARD_PATH_MAX], rel[GUARD_PATH_MAX];
    rc = guard_locate(data, pos[0], state, sizeof(state), rel, sizeof(rel), e);
    if (!rc)
        rc = guard_publish(state, until, cli->actor, e);
    struct store *st = rc ? NULL : sink_store(data);
    char when[TIME_ISO_LEN];
    time_format_local(until, when);
    if (st) {
        rc = store_begin(st, e);
        if (!rc)
            rc = audit_append_take(st, cli->actor, "guard.publish", pos[0],
                                   json_pack("{s:s}", "until", when), e);
        rc = rc ? (store_rollback(st), rc) : store_commit(st, e);
        store_close(st);
    }
    /* Give a running guard a moment to read the window before files change. */
    if (!rc) {
        usleep(100 * 1000);
        printf("publishing window open on %s until %s\n", pos[0], when);
    }
    return rc;
}

int cmd_guard(struct cli *cli, int argc, char **argv, struct err *e)
{
    if (argc > 0 && strcmp(argv[0], "accept") == 0)
        return guard_accept_cmd(cli, argc - 1, argv + 1, e);
    if (argc > 0 && strcmp(argv[0], "publish") == 0)
        return guard_publish_cmd(cli, argc - 1, argv + 1, e);
    return guard_run_cmd(cli, argc, argv, e);
}

/* ---- inside tocsin serve ------------------------------------------------ */

struct serve_guards {
    struct guard *g[16];
    int n;
    struct guard_sink sink;
    struct cli_thread t;
};

static void *serve_guards_main(void *arg)
{
    struct serve_guards *s = arg;
    struct err e = {0};
    if (guard_run_many(s->g, s->n, s->t.stop[0], &e) != 0)
        log_error("guard: %s", e.msg);
    return NULL;
}

int serve_guards_start(const char *data, const struct config *cfg, struct serve_guards **out,
                       struct err *e)
{
    *out = NULL;
    if (!cfg->guard_dirs[0])
        return 0;
    struct serve_guards *s = calloc(1, sizeof(*s));
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    cli_thread_init(&s->t);
    pthread_mutex_init(&s->sink.lock, NULL);
    s->sink.st = sink_store(data);
    struct guard_opts o = {.data_dir = data,
                           .on_event = sink_event,
                           .ctx = &s->sink,
                           .rules_dir = cfg->guard_rules[0] ? cfg->guard_rules : NULL};
    int rc = guard_mode_parse(cfg->guard_mode[0] ? cfg->guard_mode : "restore", &o.mode);
    char allow[sizeof(cfg->guard_allow)];
    snprintf(allow, sizeof(allow), "%s", cfg->guard_allow);
    char *save = NULL;
    for (char *a = strtok_r(allow, ", ", &save); a && o.nallow < 16;
         a = strtok_r(NULL, ", ", &save))
        o.allow[o.nallow++] = a;
    struct cli_asset_path dirs[16];
    int ndirs = cli_asset_paths(cfg->guard_dirs, dirs, 16);
    for (int i = 0; !rc && i < ndirs && i < 16; i++) {
        if (dirs[i].asset[0] && (s->sink.root[s->sink.nroots] = realpath(dirs[i].path, NULL)))
            snprintf(s->sink.asset[s->sink.nroots++], sizeof(s->sink.asset[0]), "%s",
                     dirs[i].asset);
        rc = guard_open(&s->g[s->n], dirs[i].path, &o, e);
        s->n += !rc;
    }
    if (!rc)
        rc = cli_thread_start(&s->t, serve_guards_main, s, "guard", e);
    if (rc) {
        serve_guards_stop(s);
        return rc;
    }
    *out = s;
    return 0;
}

void serve_guards_stop(struct serve_guards *s)
{
    if (!s)
        return;
    cli_thread_stop(&s->t);
    for (int i = 0; i < s->n; i++)
        guard_close(s->g[i]);
    if (s->sink.st)
        store_close(s->sink.st);
    pthread_mutex_destroy(&s->sink.lock);
    for (int i = 0; i < s->sink.nroots; i++)
        free(s->sink.root[i]);
    free(s);
}
