/* Internals shared by the files of src/web. */
#ifndef TOCSIN_WEB_INT_H
#define TOCSIN_WEB_INT_H

#include "web.h"

#include <microhttpd.h>
#include <pthread.h>

#define WEB_MAX_PARAMS 3
#define WEB_ANY_USER   ACT_COUNT       /* a route any signed-in user may call */
#define WEB_PUBLIC     (ACT_COUNT + 1) /* a route needing no sign-in */

struct web;
struct req;

/* Returns an HTTP status (200, 201, 202) with *out set, or a negative ERR_*
 * with e filled, which becomes the error response. */
typedef int (*web_handler)(struct req *r, json_t **out, struct err *e);

struct route {
    const char *method;
    const char *path; /* "/api/v1/incidents/{ref}/status" */
    int action;       /* enum action, WEB_ANY_USER or WEB_PUBLIC */
    web_handler fn;
    int streams_body; /* the body goes to a temporary file, not to memory */
};

struct req {
    struct web *w;
    struct store *st; /* the database connection of the thread handling it */
    struct MHD_Connection *conn;
    char method[8];
    char path[512];
    struct buf body;
    int is_too_big;
    char client[64];
    int64_t start_ms;
    const struct route *route;
    char params[WEB_MAX_PARAMS][128];
    /* who is asking */
    int has_user;
    struct user user;
    int via_cookie;
    int64_t session_id;
    char csrf[65];
    char set_cookie[256];     /* a Set-Cookie header to send, or "" */
    const char *content_type; /* for a text answer; NULL: plain text */
    char *raw_json;           /* an answer already encoded as JSON (owned), or NULL */
    /* refusals found from the headers alone, answered once the body is read */
    int early_status;
    const char *early_code;
    struct err early;
    /* a body streamed to a file (routes with streams_body) */
    int upload_fd;
    char upload_path[STORE_PATH_MAX + 64];
    uint64_t upload_size;
    /* a file answer (downloads) */
    int response_fd;
    char download_name[256];
    int is_ui; /* a file of the web interface, not an API call */
    /* an event waiting for the committer (batch.c) */
    int is_suspended;
    int is_batch_done;
    int batch_rc;
    int64_t batch_id, batch_count;
    struct err batch_err;
};

#define WEB_MAX_ROUTES 128

struct web_metrics {
    /* by route (the last row: no route matched) and status class 1xx … 5xx */
    uint64_t requests[WEB_MAX_ROUTES + 1][6];
    uint64_t latency_le[8]; /* cumulative buckets, see web_metrics_buckets */
    uint64_t latency_count;
    uint64_t latency_sum_us;
    uint64_t login_failures;
    uint64_t events_received;
};

struct pending;

struct event_batch {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct pending *items; /* waiting to be committed */
    size_t n, cap;
    int is_stopping;
    pthread_t thread;
    struct store *st; /* the committer's own connection */
};

#define WEB_MAX_THREADS 16

struct web {
    struct store *st; /* the data directory; each thread opens its own connection */
    struct event_batch batch;
    pthread_mutex_t stores_lock;
    struct store *thread_stores[WEB_MAX_THREADS];
    int n_thread_stores;
    struct web_options opt;
    struct MHD_Daemon *daemon;
    struct web_metrics m;
    int ui_fd; /* --ui-dir, or -1 */
};

/* One file of the web interface, embedded at build time (scripts/embed-ui.py);
 * the table ends with a zeroed entry. */
struct web_asset {
    const char *path; /* "/ui/app.js" */
    const char *type; /* Content-Type */
    const char *etag; /* quoted */
    const char *data;
    size_t size;
    int vendor; /* a library's file: always from the table, even with --ui-dir */
};
extern const struct web_asset web_assets[];

/* A file of the interface to answer with. */
struct web_file {
    const char *type;
    char etag[40];
    const char *data;
    size_t size;
    struct buf own; /* holds data read from --ui-dir */
};

/* The website monitors (monitors.c): all, with their last 24 hours by the
 * hour; one, with its checks, uptime, latency, findings and kept pages. */
int web_monitors(struct req *r, json_t **out, struct err *e);
int web_monitor_show(struct req *r, int64_t id, json_t **out, struct err *e);
int web_monitor_add(struct req *r, json_t **out, struct err *e);
int web_monitor_edit(struct req *r, int64_t id, json_t **out, struct err *e);
int web_monitor_remove(struct req *r, int64_t id, json_t **out, struct err *e);
int web_monitor_page(struct req *r, int64_t id, int64_t page, json_t **out, struct err *e);

/* The guarded web roots and the guard's latest events (guard.c). */
int web_guard(struct req *r, json_t **out, struct err *e);
/* {"root","minutes"}: a publishing window on a guarded root; {"paths"}: take
 * the current content of files into their root's baseline. Both audited. */
int web_guard_publish(struct req *r, json_t **out, struct err *e);
int web_guard_accept(struct req *r, json_t **out, struct err *e);

/* Who is signed in, their role's permissions, the organisation and its time
 * zone: the answer of sign-in and of GET /session (csrf NULL for a token). */
json_t *web_session_json(struct req *r, const char *csrf);

/* Whether a request is for the interface (GET or HEAD of / or /ui/…). */
int web_ui_wants(const char *method, const char *path);
/* Finds the interface's file for path: 0, or ERR_NOTFOUND; release f->own after. */
int web_ui_find(struct web *w, const char *path, struct web_file *f, struct err *e);

extern const struct route web_routes[];
extern const double web_metrics_buckets[8];

/* The route for r's method and path, with its parameters filled in r; NULL
 * when none (method_mismatch says whether the path exists for another method). */
const struct route *web_route_find(struct req *r, int *method_mismatch);

/* The request's JSON body as an object, refusing malformed JSON (400) and
 * fields not in `allowed` (NULL-terminated). */
int req_json(struct req *r, const char *const *allowed, json_t **out, struct err *e);
/* A string field: required or optional; wrong type is 400 naming the field. */
int json_str(json_t *o, const char *key, int required, const char **out, struct err *e);
/* A boolean field into *out (1 or 0), left as it is when absent or null. */
int json_bool(json_t *o, const char *key, int *out, struct err *e);
/* A query parameter, or NULL. */
const char *req_query(struct req *r, const char *key);

/* Sign-in and the identity of a request (auth.c). */
int auth_identify(struct req *r, struct err *e);
int auth_check_csrf(struct req *r, struct err *e);
int auth_signin(struct req *r, json_t **out, struct err *e);
int auth_signout(struct req *r, json_t **out, struct err *e);
int auth_token_create(struct req *r, json_t **out, struct err *e);
int auth_token_list(struct req *r, json_t **out, struct err *e);
int auth_token_revoke(struct req *r, json_t **out, struct err *e);
/* Forgets every remembered token → user, after a change to tokens or users. */
void auth_forget(void);

/* Group commit of events (batch.c). */
int batch_start(struct web *w, struct err *e);
void batch_stop(struct web *w);
int batch_add(struct web *w, struct req *r, const struct event_new *in, struct err *e);
#define WEB_SUSPENDED 1 /* a handler's answer: the connection waits for the committer */

/* The Prometheus text of /metrics. */
int web_metrics_text(struct web *w, struct store *st, struct buf *out, struct err *e);

#endif
