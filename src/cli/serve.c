/* tocsin serve: the API on the configured (or given) address. */
#include "../web/web.h"
#include "cli.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char serve_usage[] =
    "usage: tocsin serve [--listen ADDR:PORT] [--port-file FILE] [--ui-dir DIR] [--routes]\n"
    "                    [--data DIR]\n"
    "\n"
    "Serves the web interface (/), the JSON API (/api/v1/), /healthz and /metrics until\n"
    "SIGTERM or SIGINT, then stops gracefully. --ui-dir serves the interface's own files\n"
    "from DIR (the ui/ folder, while developing it) instead of those built in.\n"
    "--listen overrides [server] listen; port 0 takes any free port, which is printed on\n"
    "the URL: line and, with --port-file, written to FILE. --routes prints every route\n"
    "with the action it needs, as JSON, and exits. It also guards the web roots of [guard]\n"
    "protect, follows the access logs of [logwatch] logs (docs/operations.md), runs the\n"
    "website monitors, triages events and sends notifications (docs/triage.md).\n";

int cmd_serve(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *listen = NULL, *port_file = NULL, *ui_dir = NULL;
    int routes = 0;
    const struct opt opts[] = {OPT_V("listen", &listen), OPT_V("port-file", &port_file),
                               OPT_V("ui-dir", &ui_dir), OPT_F("routes", &routes), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "serve", opts, argc, argv, pos, 0, &npos, e);
    if (rc)
        return rc;
    if (cli->help) {
        cli_usage(serve_usage);
        return 0;
    }
    if (routes) {
        cli_print_json(web_routes_json());
        return 0;
    }
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    if (listen) {
        /* The same checks as the config file's. */
        char text[160];
        snprintf(text, sizeof(text), "[server]\nlisten = %.120s\n", listen);
        rc = config_parse(&cfg, "--listen", text, strlen(text), e);
    }
    struct web_options o;
    web_options_default(&o, &cfg);
    o.port_file = port_file;
    o.ui_dir = ui_dir;
    int64_t v;
    if (!rc && (rc = setting_int(st, "session.idle_s", o.session_idle_ms / 1000, &v, e)) == 0)
        o.session_idle_ms = v * 1000;
    if (!rc && (rc = setting_int(st, "session.max_s", o.session_max_ms / 1000, &v, e)) == 0)
        o.session_max_ms = v * 1000;
    if (!rc && (rc = setting_int(st, "server.timeout_s", o.timeout_s, &v, e)) == 0)
        o.timeout_s = (unsigned)v;
    if (!rc && (rc = setting_int(st, "server.max_connections", o.max_connections, &v, e)) == 0)
        o.max_connections = (unsigned)v;
    if (!rc && (rc = setting_int(st, "server.threads", o.threads, &v, e)) == 0)
        o.threads = (unsigned)v;
    if (!rc && (rc = setting_int(st, "server.max_body_bytes", (int64_t)o.max_body, &v, e)) == 0)
        o.max_body = (size_t)v;
    if (!rc && (rc = setting_int(st, "server.max_upload_bytes", (int64_t)o.max_upload, &v, e)) == 0)
        o.max_upload = (uint64_t)v;
    log_set_level(getenv("TOCSIN_QUIET") ? LOG_WARN : LOG_INFO);
    struct buf cert, key;
    buf_init(&cert, 1 << 20);
    buf_init(&key, 1 << 20);
    if (!rc && cfg.tls_cert[0]) {
        rc = fs_read_file(cfg.tls_cert, 1 << 20, &cert, e);
        if (!rc)
            rc = fs_read_file(cfg.tls_key, 1 << 20, &key, e);
        o.tls_cert = cert.p;
        o.tls_key = key.p;
    }
    /* The guards' and logwatch's threads must not take SIGTERM: web_serve
     * waits for it. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    struct serve_guards *guards = NULL;
    struct serve_logwatch *logwatch = NULL;
    struct serve_monitors *monitors = NULL;
    struct serve_notify *notify = NULL;
    struct serve_backup *backup = NULL;
    if (!rc)
        rc = serve_notify_start(cli_data_dir(cli), &notify, e);
    if (!rc)
        rc = serve_backup_start(cli_data_dir(cli), &backup, e);
    if (!rc)
        rc = serve_monitors_start(cli_data_dir(cli), &monitors, e);
    if (!rc)
        rc = serve_guards_start(cli_data_dir(cli), &cfg, &guards, e);
    if (!rc)
        rc = serve_logwatch_start(cli_data_dir(cli), &cfg, &logwatch, e);
    if (!rc)
        rc = web_serve(st, &o, e);
    serve_logwatch_stop(logwatch);
    serve_monitors_stop(monitors);
    serve_guards_stop(guards);
    serve_notify_stop(notify);
    serve_backup_stop(backup);
    if (key.p)
        sodium_memzero(key.p, key.len);
    buf_release(&cert);
    buf_release(&key);
    store_close(st);
    return rc;
}
