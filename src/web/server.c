/* The HTTP server: libmicrohttpd's daemon, the life of one request (bounded
 * body, identity, CSRF, routing, permission), responses with security
 * headers, and a graceful stop on SIGTERM or SIGINT. */
#include "web_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void web_options_default(struct web_options *o, const struct config *cfg)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->host, sizeof(o->host), "%s", cfg ? cfg->listen_host : "127.0.0.1");
    o->port = cfg ? cfg->listen_port : 8080;
    o->max_connections = 1024;
    o->threads = 1;
    o->timeout_s = 30;
    o->max_body = 1 << 20;
    o->max_upload = (uint64_t)64 << 20;
    o->session_idle_ms = 30 * PLAN_MINUTE_MS;
    o->session_max_ms = 12 * PLAN_HOUR_MS;
    snprintf(o->org_name, sizeof(o->org_name), "%s", cfg ? cfg->org_name : "");
    snprintf(o->timezone, sizeof(o->timezone), "%s", cfg ? cfg->timezone : "Asia/Shanghai");
    snprintf(o->guard_dirs, sizeof(o->guard_dirs), "%s", cfg ? cfg->guard_dirs : "");
    snprintf(o->guard_mode, sizeof(o->guard_mode), "%s", cfg ? cfg->guard_mode : "");
}

/* ---- responses ---------------------------------------------------------------- */

static int status_of(int code, const char **name)
{
    static const struct {
        int code, status;
        const char *name;
    } map[] = {
        {ERR_INPUT, 422, "invalid"},      {ERR_USAGE, 422, "invalid"},
        {ERR_NOTFOUND, 404, "not_found"}, {ERR_EXISTS, 409, "conflict"},
        {ERR_CONFLICT, 409, "conflict"},  {ERR_DENIED, 403, "forbidden"},
        {ERR_TOOBIG, 413, "too_large"},   {ERR_DAMAGED, 500, "damaged"},
        {ERR_VERSION, 500, "internal"},   {ERR_DB, 503, "unavailable"},
        {ERR_IO, 500, "internal"},        {ERR_NOMEM, 503, "unavailable"},
        {ERR_INTERNAL, 500, "internal"},  {ERR_MALFORMED, 400, "bad_request"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (map[i].code == code) {
            *name = map[i].name;
            return map[i].status;
        }
    }
    *name = "internal";
    return 500;
}

static void add_headers(struct req *r, struct MHD_Response *resp, const char *type)
{
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    /* The interface's files may be kept, but are checked each time (ETag). */
    MHD_add_response_header(resp, "Cache-Control", r->is_ui ? "no-cache" : "no-store");
    if (r->w->opt.tls_cert)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (r->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
}

static enum MHD_Result send_body(struct req *r, unsigned status, const char *type, const char *p,
                                 size_t n)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(n, (void *)p, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    add_headers(r, resp, type);
    if (status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"tocsin\"");
    if (status == 429)
        MHD_add_response_header(resp, "Retry-After", "15");
    enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_json(struct req *r, unsigned status, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    if (!text)
        return MHD_NO;
    enum MHD_Result ret =
        send_body(r, status, "application/json; charset=utf-8", text, strlen(text));
    free(text);
    return ret;
}

/* The error shape of every failure: {"error":{"code","message","field"}}. */
static enum MHD_Result send_error(struct req *r, unsigned status, const char *code,
                                  const char *message, const char *field)
{
    return send_json(r, status,
                     json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", code, "message", message,
                               "field", field));
}

/* Whether the request's JSON body has the key name ("name" and a colon). */
static int body_has_key(const struct req *r, const char *name)
{
    char quoted[72];
    int n = snprintf(quoted, sizeof(quoted), "\"%s\"", name);
    const char *p = r->body.p, *end = p ? p + r->body.len : NULL;
    while (p && (p = memmem(p, (size_t)(end - p), quoted, (size_t)n)) != NULL) {
        p += n;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (p < end && *p == ':')
            return 1;
    }
    return 0;
}

/* The field a message starts with ("title is required" → "title"), when
 * the request names such a field or the message says it is required;
 * otherwise none ("a smtp channel has …" names no field "a"). */
static const char *field_of(const struct req *r, const char *msg, char *buf, size_t n)
{
    size_t i = 0;
    const char *p = msg;
    if (strncmp(p, "--", 2) == 0)
        p += 2;
    while (p[i] && i + 1 < n && ((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_'))
        i++;
    if (i == 0 || (p[i] != ' ' && p[i] != '\0'))
        return NULL;
    memcpy(buf, p, i);
    buf[i] = '\0';
    if (!body_has_key(r, buf) && strncmp(p + i, " is required", 12) != 0)
        return NULL;
    return buf;
}

static enum MHD_Result send_err(struct req *r, int code, const struct err *e)
{
    const char *name;
    unsigned status = (unsigned)status_of(code, &name);
    if (status == 403 && !r->has_user) {
        status = 401;
        name = "unauthorized";
    }
    char field[64];
    /* Internal failures are logged in full and answered in general terms. */
    if (status >= 500) {
        log_error("%s %s: %s", r->method, r->path, e->msg);
        return send_error(r, status, name, "the server could not complete the request", NULL);
    }
    return send_error(r, status, name, e->msg[0] ? e->msg : name,
                      status == 422 || status == 400 ? field_of(r, e->msg, field, sizeof(field))
                                                     : NULL);
}

/* ---- routing ------------------------------------------------------------------ */

/* Matches path against a pattern, filling {params}; 1 on a match. */
static int match(const char *pattern, const char *path, char params[][128])
{
    int np = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            const char *slash = strchr(path, '/');
            size_t n = slash ? (size_t)(slash - path) : strlen(path);
            if (!close || n == 0 || n >= 128 || np >= WEB_MAX_PARAMS)
                return 0;
            memcpy(params[np], path, n);
            params[np++][n] = '\0';
            pattern = close + 1;
            path += n;
            continue;
        }
        if (*pattern++ != *path++)
            return 0;
    }
    return *pattern == '\0' && *path == '\0';
}

const struct route *web_route_find(struct req *r, int *method_mismatch)
{
    *method_mismatch = 0;
    for (const struct route *rt = web_routes; rt->method; rt++) {
        /* Zeroed, so that the slots a route does not use hold no stale text. */
        char params[WEB_MAX_PARAMS][128] = {{0}};
        if (!match(rt->path, r->path, params))
            continue;
        if (strcmp(rt->method, r->method) != 0) {
            *method_mismatch = 1;
            continue;
        }
        memcpy(r->params, params, sizeof(params));
        return rt;
    }
    return NULL;
}

static int is_mutating(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* Everything that can be decided from the request line and headers, before
 * the body is read: a refusal found here means the body is never kept. */
static void early_checks(struct req *r)
{
    int method_mismatch;
    struct err *e = &r->early;
    r->route = web_route_find(r, &method_mismatch);
    if (!r->route) {
        r->early_status = method_mismatch ? 405 : 404;
        r->early_code = method_mismatch ? "method_not_allowed" : "not_found";
        err_set(e, ERR_NOTFOUND, method_mismatch ? "method not allowed here" : "no such resource");
        return;
    }
    if (r->route->action == WEB_PUBLIC)
        return;
    int rc = auth_identify(r, e);
    if (rc) {
        const char *name;
        r->early_status = status_of(rc, &name);
        r->early_code = name;
    } else if (!r->has_user) {
        r->early_status = 401;
        r->early_code = "unauthorized";
        err_set(e, ERR_DENIED, "sign in first");
    } else if (r->via_cookie && is_mutating(r->method) && auth_check_csrf(r, e) != 0) {
        r->early_status = 403;
        r->early_code = "csrf";
    } else if (r->route->action < ACT_COUNT &&
               !permission_allows(r->user.role, (enum action)r->route->action)) {
        r->early_status = 403;
        r->early_code = "forbidden";
        err_set(e, ERR_DENIED, "your role may not do this");
    }
}

/* Percent-encodes a file name for Content-Disposition's filename*. */
static void disposition(const char *name, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = (size_t)snprintf(out, n, "attachment; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == '-' || *p == '_') {
            out[k++] = (char)*p;
        } else {
            out[k++] = '%';
            out[k++] = hex[*p >> 4];
            out[k++] = hex[*p & 15];
        }
    }
    out[k] = '\0';
}

static enum MHD_Result send_file(struct req *r)
{
    struct stat sb;
    if (fstat(r->response_fd, &sb) != 0)
        return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_fd64((uint64_t)sb.st_size, r->response_fd);
    if (!resp)
        return MHD_NO;
    r->response_fd = -1; /* the response owns it now */
    char cd[1024];
    disposition(r->download_name, cd, sizeof(cd));
    add_headers(r, resp, "application/octet-stream");
    MHD_add_response_header(resp, "Content-Disposition", cd);
    enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A file of the web interface; 304 when the browser's copy is current. */
static enum MHD_Result send_ui(struct req *r)
{
    struct web_file f;
    struct err e = {0};
    if (web_ui_find(r->w, r->path, &f, &e) != 0) {
        r->is_ui = 0;
        return send_error(r, 404, "not_found", "no such resource", NULL);
    }
    const char *inm =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    int fresh = inm && strcmp(inm, f.etag) == 0;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        fresh ? 0 : f.size, fresh ? NULL : (void *)f.data, MHD_RESPMEM_MUST_COPY);
    buf_release(&f.own);
    if (!resp)
        return MHD_NO;
    add_headers(r, resp, f.type);
    MHD_add_response_header(resp, "ETag", f.etag);
    enum MHD_Result ret = MHD_queue_response(r->conn, fresh ? 304 : 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result handle(struct req *r)
{
    struct err e = {0};
    if (r->is_ui)
        return send_ui(r);
    if (r->early_status)
        return send_error(r, (unsigned)r->early_status, r->early_code, r->early.msg, NULL);
    if (r->is_too_big)
        return send_error(r, 413, "too_large", "the request body is larger than allowed", NULL);
    json_t *out = NULL;
    int rc = r->route->fn(r, &out, &e);
    if (rc == WEB_SUSPENDED)
        return MHD_YES; /* answered when the committer resumes the connection */
    if (rc == 429)
        return send_error(r, 429, "throttled", e.msg, NULL);
    if (rc < 0)
        return send_err(r, rc, &e);
    if (rc == 0)
        rc = 200;
    if (r->response_fd >= 0)
        return send_file(r);
    if (r->raw_json) {
        enum MHD_Result ret = send_body(r, (unsigned)rc, "application/json; charset=utf-8",
                                        r->raw_json, strlen(r->raw_json));
        json_decref(out);
        return ret;
    }
    if (json_is_string(out)) { /* text: the metrics, the API description */
        const char *s = json_string_value(out);
        enum MHD_Result ret = send_body(
            r, (unsigned)rc, r->content_type ? r->content_type : "text/plain; charset=utf-8", s,
            strlen(s));
        json_decref(out);
        return ret;
    }
    return send_json(r, (unsigned)rc, out ? out : json_object());
}

/* ---- one database connection per answering thread ---------------------- */

static __thread struct store *thread_store;

/* The calling thread's connection, opened on its first request. */
static struct store *store_of_thread(struct web *w, struct err *e)
{
    if (thread_store)
        return thread_store;
    pthread_mutex_lock(&w->stores_lock);
    int rc = w->n_thread_stores < WEB_MAX_THREADS ? store_open(&thread_store, w->st->dir, 0, e)
                                                  : err_set(e, ERR_INTERNAL, "too many threads");
    if (!rc)
        w->thread_stores[w->n_thread_stores++] = thread_store;
    pthread_mutex_unlock(&w->stores_lock);
    return rc ? NULL : thread_store;
}

/* ---- the request's life ---------------------------------------------------------- */

static void client_of(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)n);
}

/* Opens the temporary file an upload streams into. */
static void upload_open(struct req *r)
{
    unsigned char rnd[8];
    char rhex[17];
    fs_random(rnd, sizeof(rnd));
    hex_encode(rnd, sizeof(rnd), rhex);
    snprintf(r->upload_path, sizeof(r->upload_path), "%s/tmp/upload-%s", r->st->objects.dir, rhex);
    r->upload_fd = open(r->upload_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (r->upload_fd < 0) {
        r->early_status = 500;
        r->early_code = "internal";
        err_errno(&r->early, ERR_IO, errno, "cannot store the upload");
        log_error("cannot create %s: %s", r->upload_path, strerror(errno));
    }
}

static void upload_chunk(struct req *r, const char *p, size_t n)
{
    if (r->upload_size + n > r->w->opt.max_upload) {
        r->is_too_big = 1;
        return;
    }
    if (fs_write_all(r->upload_fd, p, n) != 0) {
        r->early_status = 500;
        r->early_code = "internal";
        err_errno(&r->early, ERR_IO, errno, "cannot store the upload");
        return;
    }
    r->upload_size += n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct web *w = cls;
    struct req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        r->w = w;
        r->conn = conn;
        r->upload_fd = -1;
        r->response_fd = -1;
        r->start_ms = time_now_ms();
        snprintf(r->method, sizeof(r->method), "%s", method);
        if (strlen(url) >= sizeof(r->path))
            r->is_too_big = 1;
        snprintf(r->path, sizeof(r->path), "%s", url);
        buf_init(&r->body, w->opt.max_body);
        client_of(conn, r->client, sizeof(r->client));
        r->is_ui = !r->is_too_big && web_ui_wants(r->method, r->path);
        r->st = r->is_ui ? NULL : store_of_thread(w, &r->early);
        if (r->is_ui) {
            ; /* the interface's files need no database and no sign-in */
        } else if (!r->st) {
            r->early_status = 503;
            r->early_code = "unavailable";
        } else {
            early_checks(r);
        }
        if (!r->early_status && r->route && r->route->streams_body)
            upload_open(r);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        /* A refused or oversized request is read to its end but not kept. */
        if (r->early_status || r->is_too_big)
            ;
        else if (r->upload_fd >= 0)
            upload_chunk(r, upload_data, *upload_size);
        else if (buf_add(&r->body, upload_data, *upload_size) != 0)
            r->is_too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->is_batch_done) { /* resumed by the committer */
        r->is_batch_done = 0;
        if (r->batch_rc)
            return send_err(r, r->batch_rc, &r->batch_err);
        return send_json(r, 202,
                         json_pack("{s:I, s:I}", "id", (json_int_t)r->batch_id, "count",
                                   (json_int_t)r->batch_count));
    }
    if (r->is_suspended)
        return MHD_YES;
    return handle(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct web *w = cls;
    struct req *r = *con_cls;
    if (!r)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_HTTP_STATUS);
    unsigned status = ci ? ci->http_status : 0;
    double secs = (double)(time_now_ms() - r->start_ms) / 1000.0;
    size_t route = r->route ? (size_t)(r->route - web_routes) : WEB_MAX_ROUTES;
    if (route > WEB_MAX_ROUTES)
        route = WEB_MAX_ROUTES;
    /* Several threads answer requests: the counters are atomic. */
    if (status >= 100 && status < 600)
        __atomic_fetch_add(&w->m.requests[route][status / 100], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&w->m.latency_count, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&w->m.latency_sum_us, (uint64_t)(secs * 1e6), __ATOMIC_RELAXED);
    for (int i = 0; i < 8; i++)
        if (secs <= web_metrics_buckets[i])
            __atomic_fetch_add(&w->m.latency_le[i], 1, __ATOMIC_RELAXED);
    /* One line per request; never a body, cookie or token. */
    log_info("%s %s %u %.1fms %s%s", r->method, r->path, status, secs * 1000.0,
             r->has_user ? r->user.name : "-",
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    buf_release(&r->body);
    if (r->upload_fd >= 0) {
        close(r->upload_fd);
        unlink(r->upload_path);
    }
    if (r->response_fd >= 0)
        close(r->response_fd);
    free(r->raw_json);
    free(r);
    *con_cls = NULL;
}

/* ---- the daemon ------------------------------------------------------------------ */

static int write_port(const struct web_options *o, struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int port = di ? di->port : o->port;
    printf("URL: %s://%s%s%s:%d/\n", o->tls_cert ? "https" : "http",
           strchr(o->host, ':') ? "[" : "", o->host, strchr(o->host, ':') ? "]" : "", port);
    fflush(stdout);
    if (o->port_file) {
        char text[16];
        int n = snprintf(text, sizeof(text), "%d\n", port);
        FILE *f = fopen(o->port_file, "w");
        if (f) {
            fwrite(text, 1, (size_t)n, f);
            fclose(f);
        }
    }
    return port;
}

int web_serve(struct store *st, const struct web_options *o, struct err *e)
{
    struct web w = {.st = st, .opt = *o, .ui_fd = -1};
    struct sockaddr_in sin = {0};
    struct sockaddr_in6 sin6 = {0};
    const struct sockaddr *addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME;
    if (inet_pton(AF_INET, o->host, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)o->port);
        addr = (const struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, o->host, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)o->port);
        addr = (const struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        return err_set(e, ERR_INPUT, "listen address '%s' is not an IP address", o->host);
    }
    /* Signals are taken by sigwait below, not by any thread. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert},
        {MHD_OPTION_END, 0, NULL},
    };
    if (o->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            return err_set(e, ERR_INPUT, "this libmicrohttpd has no TLS; remove tls_cert");
        flags |= MHD_USE_TLS;
    } else {
        tls[0].option = MHD_OPTION_END;
    }
    if (o->ui_dir) {
        w.ui_fd = open(o->ui_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (w.ui_fd < 0)
            return err_errno(e, ERR_INPUT, errno, "--ui-dir %s", o->ui_dir);
    }
    pthread_mutex_init(&w.stores_lock, NULL);
    unsigned threads = o->threads < 1                 ? 1
                       : o->threads > WEB_MAX_THREADS ? WEB_MAX_THREADS
                                                      : o->threads;
    w.daemon = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_request, &w, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &w,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_ARRAY, tls,
        MHD_OPTION_END);
    if (!w.daemon) {
        int err = errno;
        if (w.ui_fd >= 0)
            close(w.ui_fd);
        return err_errno(e, ERR_IO, err, "cannot listen on %s:%d", o->host, o->port);
    }
    int rc = batch_start(&w, e);
    if (rc) {
        MHD_stop_daemon(w.daemon);
        if (w.ui_fd >= 0)
            close(w.ui_fd);
        return rc;
    }
    int port = write_port(o, w.daemon);
    log_info("serving %s on %s:%d", st->dir, o->host, port);

    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: stopping; finishing requests in flight", sig);
    /* Stop accepting, let open connections finish (bounded), then stop. */
    MHD_socket lsock = MHD_quiesce_daemon(w.daemon);
    if (lsock != MHD_INVALID_SOCKET)
        close(lsock);
    for (int i = 0; i < 100; i++) {
        const union MHD_DaemonInfo *di =
            MHD_get_daemon_info(w.daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!di || di->num_connections == 0)
            break;
        usleep(100 * 1000);
    }
    /* The committer resumes every waiting event before it ends; only then may
     * the daemon stop (it must not stop with suspended connections). */
    batch_stop(&w);
    MHD_stop_daemon(w.daemon);
    for (int i = 0; i < w.n_thread_stores; i++)
        store_close(w.thread_stores[i]);
    pthread_mutex_destroy(&w.stores_lock);
    if (w.ui_fd >= 0)
        close(w.ui_fd);
    log_info("stopped");
    return 0;
}
