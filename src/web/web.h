/*
 * web — `tocsin serve`: the HTTP JSON API under /api/v1/ over libmicrohttpd,
 * with sign-in, sessions, CSRF protection, API tokens, strict security
 * headers, one permission table checked per route, /healthz and /metrics.
 *
 * Requests are handled one at a time on the server's own thread, which owns
 * the database connection. Parameters are borrowed.
 */
#ifndef TOCSIN_WEB_H
#define TOCSIN_WEB_H

#include "../notify/notify.h"
#include "../prep/prep.h"

struct web_options {
    char host[64]; /* address to listen on */
    int port;      /* 0: any free port */
    unsigned max_connections;
    unsigned threads;    /* threads answering requests, each with its own connection */
    unsigned timeout_s;  /* a connection idle this long is closed */
    size_t max_body;     /* largest JSON request body */
    uint64_t max_upload; /* largest evidence upload */
    int64_t session_idle_ms;
    int64_t session_max_ms;
    const char *port_file; /* when set, the bound port is written here */
    const char *tls_cert;  /* PEM text of the certificate chain, or NULL for plain HTTP */
    const char *tls_key;   /* PEM text of the private key */
    const char *ui_dir;    /* serve the interface's own files from here (development) */
    char org_name[256];    /* [organisation] name and time zone, for the interface */
    char timezone[64];
    char guard_dirs[1024]; /* [guard] protect and mode, for the interface's guard page */
    char guard_mode[16];
};

void web_options_default(struct web_options *o, const struct config *cfg);
/* Serves until SIGTERM or SIGINT, then stops gracefully: no new connections,
 * requests in flight finish, the database closes. */
int web_serve(struct store *st, const struct web_options *o, struct err *e);
/* Prints every route (method, path, required action) as JSON, for tests and
 * for the API description. */
json_t *web_routes_json(void);

#endif
