/* The monitors' scheduler: one libuv loop driving libcurl's multi interface,
 * so thousands of checks run on one thread. Each monitor has a timer; the
 * first run falls at a random point of its interval and every later one
 * moves by a little jitter, so monitors sharing an interval never fire
 * together. libcurl queues transfers beyond the per-host limit. */
#include "probe_int.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <uv.h>

struct sched_monitor {
    int64_t id;
    struct probe_sched *s;
    uv_timer_t timer;
    int64_t interval_ms;
    struct probe_target t;
    char *url;
    int busy;    /* a transfer is running */
    int resolve; /* ask the resolver for every address before each plain check */
    int waiting; /* due, queued for a free transfer slot */
    struct sched_monitor *wait_next;
    int removed; /* freed once its timer closed */
    void *user;
};

struct transfer {
    struct sched_monitor *m;
    struct probe_fetch f;
    int variant; /* 0 plain; else which crawler or referer (1-based) */
    void *easy;  /* CURL * */
    uv_getaddrinfo_t gai;
    int resolving; /* the resolver has it; the transfer starts when it answers */
    struct transfer *prev, *next;
};

struct probe_sched {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t curl_timer;
    probe_sched_result_fn on_result;
    void *ctx;
    size_t body_max;
    struct transfer *transfers; /* running */
    int in_flight;
    struct sched_monitor *wait_head, *wait_tail; /* due, in the order they fell due */
    int closing;
};

/* Transfers at once: more wait their turn (a few ms), so that memory stays
 * bounded however many monitors fall due together. */
#define IN_FLIGHT_MAX 64

static void unlink_transfer(struct probe_sched *s, struct transfer *tr)
{
    s->in_flight--;
    if (tr->prev)
        tr->prev->next = tr->next;
    else
        s->transfers = tr->next;
    if (tr->next)
        tr->next->prev = tr->prev;
}

struct sock {
    uv_poll_t poll;
    curl_socket_t fd;
    struct probe_sched *s;
};

static void check_done(struct probe_sched *s);
static void wait_drain(struct probe_sched *s);

static void on_poll(uv_poll_t *p, int status, int events)
{
    struct sock *k = p->data;
    int flags = 0, running;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(k->s->multi, k->fd, flags, &running);
    check_done(k->s);
}

static void sock_closed(uv_handle_t *h)
{
    free(h->data);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    struct probe_sched *s = userp;
    struct sock *k = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (k) {
            uv_poll_stop(&k->poll);
            curl_multi_assign(s->multi, fd, NULL);
            uv_close((uv_handle_t *)&k->poll, sock_closed);
        }
        return 0;
    }
    if (!k) {
        k = calloc(1, sizeof *k);
        if (!k)
            return -1;
        k->fd = fd;
        k->s = s;
        if (uv_poll_init_socket(s->loop, &k->poll, fd) != 0) {
            free(k);
            return -1;
        }
        k->poll.data = k;
        curl_multi_assign(s->multi, fd, k);
    }
    int ev = (what & CURL_POLL_IN ? UV_READABLE : 0) | (what & CURL_POLL_OUT ? UV_WRITABLE : 0);
    uv_poll_start(&k->poll, ev, on_poll);
    return 0;
}

static void on_curl_timer(uv_timer_t *t)
{
    struct probe_sched *s = t->data;
    int running;
    curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(s);
}

static int on_timer_request(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct probe_sched *s = userp;
    if (timeout_ms < 0)
        uv_timer_stop(&s->curl_timer);
    else
        uv_timer_start(&s->curl_timer, on_curl_timer, timeout_ms ? (uint64_t)timeout_ms : 1, 0);
    return 0;
}

static void monitor_closed(uv_handle_t *h)
{
    struct sched_monitor *m = h->data;
    free(m->url);
    free(m);
}

static void check_done(struct probe_sched *s)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(s->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        struct probe_fetch *f = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&f);
        struct transfer *tr = (struct transfer *)((char *)f - offsetof(struct transfer, f));
        curl_multi_remove_handle(s->multi, easy);
        struct sched_monitor *m = tr->m;
        if (code == CURLE_PEER_FAILED_VERIFICATION && !tr->f.cert_error[0]) {
            /* again without verifying, to judge the page; the reason stays */
            curl_easy_cleanup(easy);
            probe_fetch_unverified(&tr->f);
            struct probe_target t = probe_variant_target(&m->t, tr->variant);
            CURL *again = probe_fetch_handle(&tr->f, &t, NULL);
            tr->easy = again;
            if (again && curl_multi_add_handle(s->multi, again) == CURLM_OK)
                continue;
            tr->easy = NULL;
            if (again)
                curl_easy_cleanup(again);
            snprintf(tr->f.error, sizeof tr->f.error, "%s", tr->f.cert_error);
            m->busy = 0;
            if (!m->removed)
                s->on_result(s->ctx, m->id, m->user, tr->variant, &tr->f);
        } else {
            probe_fetch_finish(&tr->f, easy, (int)code);
            m->busy = 0;
            if (!m->removed)
                s->on_result(s->ctx, m->id, m->user, tr->variant, &tr->f);
        }
        unlink_transfer(s, tr);
        probe_fetch_release(&tr->f);
        free(tr);
        if (m->removed && !m->busy)
            uv_close((uv_handle_t *)&m->timer, monitor_closed);
    }
    wait_drain(s);
}

/* Hands the transfer to libcurl; on failure the transfer is dropped. */
static int add_to_curl(struct probe_sched *s, struct transfer *tr)
{
    struct sched_monitor *m = tr->m;
    struct probe_target t = probe_variant_target(&m->t, tr->variant);
    CURL *h = probe_fetch_handle(&tr->f, &t, NULL);
    if (h && curl_multi_add_handle(s->multi, h) == CURLM_OK) {
        tr->easy = h;
        return 0;
    }
    if (h)
        curl_easy_cleanup(h);
    m->busy = 0;
    unlink_transfer(s, tr);
    probe_fetch_release(&tr->f);
    free(tr);
    return ERR_INTERNAL;
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct transfer *tr = req->data;
    struct probe_sched *s = tr->m->s;
    tr->resolving = 0;
    if (status == 0)
        probe_answers(res, tr->f.dns_answers, sizeof tr->f.dns_answers);
    uv_freeaddrinfo(res);
    if (!s->closing)
        add_to_curl(s, tr);
}

static int start_transfer(struct sched_monitor *m, int variant)
{
    struct probe_sched *s = m->s;
    struct transfer *tr = calloc(1, sizeof *tr);
    if (!tr)
        return ERR_NOMEM;
    tr->m = m;
    tr->variant = variant;
    probe_fetch_init(&tr->f, s->body_max);
    m->busy = 1;
    s->in_flight++;
    tr->next = s->transfers;
    if (s->transfers)
        s->transfers->prev = tr;
    s->transfers = tr;
    if (variant == 0 && m->resolve) {
        char host[256];
        url_resolver_name(m->url, host);
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
        tr->gai.data = tr;
        tr->resolving = 1;
        if (host[0] && uv_getaddrinfo(s->loop, &tr->gai, on_resolved, host, NULL, &hints) == 0)
            return 0;
        tr->resolving = 0;
    }
    return add_to_curl(s, tr);
}

static void wait_push(struct probe_sched *s, struct sched_monitor *m)
{
    if (m->waiting)
        return;
    m->waiting = 1;
    m->wait_next = NULL;
    if (s->wait_tail)
        s->wait_tail->wait_next = m;
    else
        s->wait_head = m;
    s->wait_tail = m;
}

static void wait_unlink(struct probe_sched *s, struct sched_monitor *m)
{
    struct sched_monitor **p = &s->wait_head, *prev = NULL;
    while (*p && *p != m) {
        prev = *p;
        p = &(*p)->wait_next;
    }
    if (*p) {
        *p = m->wait_next;
        if (s->wait_tail == m)
            s->wait_tail = prev;
    }
    m->waiting = 0;
}

/* Starts what waited, as transfer slots free up. */
static void wait_drain(struct probe_sched *s)
{
    while (s->wait_head && s->in_flight < IN_FLIGHT_MAX) {
        struct sched_monitor *m = s->wait_head;
        s->wait_head = m->wait_next;
        if (!s->wait_head)
            s->wait_tail = NULL;
        m->waiting = 0;
        if (!m->busy && !m->removed)
            start_transfer(m, 0);
    }
}

static void on_monitor_timer(uv_timer_t *t)
{
    struct sched_monitor *m = t->data;
    /* a little jitter on every run: ±2% of the interval */
    int64_t j = m->interval_ms / 50;
    uint64_t next =
        (uint64_t)(m->interval_ms + (j > 0 ? (int64_t)(random() % (2 * j + 1)) - j : 0));
    uv_timer_start(&m->timer, on_monitor_timer, next, 0);
    if (m->busy)
        return;
    if (m->s->in_flight >= IN_FLIGHT_MAX)
        wait_push(m->s, m);
    else
        start_transfer(m, 0);
}

struct probe_sched *probe_sched_new(void *loop, size_t body_max, int per_host,
                                    probe_sched_result_fn on_result, void *ctx, struct err *e)
{
    struct probe_sched *s = calloc(1, sizeof *s);
    probe_fetch_init(&(struct probe_fetch){0}, 1); /* curl's global set-up, once */
    if (!s) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->loop = loop;
    s->on_result = on_result;
    s->ctx = ctx;
    s->body_max = body_max;
    s->multi = curl_multi_init();
    if (!s->multi) {
        free(s);
        err_set(e, ERR_INTERNAL, "libcurl's multi interface did not start");
        return NULL;
    }
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, on_timer_request);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
    curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)(per_host > 0 ? per_host : 6));
    curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 512L);
    uv_timer_init(s->loop, &s->curl_timer);
    s->curl_timer.data = s;
    return s;
}

struct sched_monitor *probe_sched_add(struct probe_sched *s, int64_t id, const char *url,
                                      int64_t interval_ms, int64_t timeout_ms, int64_t first_ms,
                                      int resolve, void *user)
{
    struct sched_monitor *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->id = id;
    m->s = s;
    m->user = user;
    m->resolve = resolve;
    m->interval_ms = interval_ms > 1000 ? interval_ms : 1000;
    m->url = strdup(url);
    if (!m->url) {
        free(m);
        return NULL;
    }
    m->t.url = m->url;
    m->t.timeout_ms = timeout_ms;
    m->t.body_max = s->body_max;
    uv_timer_init(s->loop, &m->timer);
    m->timer.data = m;
    if (first_ms < 0)
        first_ms = (int64_t)(random() % (m->interval_ms > 0 ? m->interval_ms : 1));
    uv_timer_start(&m->timer, on_monitor_timer, (uint64_t)first_ms, 0);
    return m;
}

void probe_sched_soon(struct sched_monitor *m, int64_t delay_ms)
{
    uv_timer_start(&m->timer, on_monitor_timer, (uint64_t)(delay_ms > 0 ? delay_ms : 0), 0);
}

int probe_sched_variant(struct sched_monitor *m, int variant)
{
    return m->busy ? ERR_CONFLICT : start_transfer(m, variant);
}

void probe_sched_remove(struct sched_monitor *m)
{
    if (!m)
        return;
    m->removed = 1;
    if (m->waiting)
        wait_unlink(m->s, m);
    uv_timer_stop(&m->timer);
    if (!m->busy)
        uv_close((uv_handle_t *)&m->timer, monitor_closed);
}

static void close_ours(uv_handle_t *h, void *arg)
{
    if (uv_is_closing(h))
        return;
    if (h->type == UV_POLL)
        uv_close(h, sock_closed);
    else if (h->data == arg)
        uv_close(h, NULL); /* the curl timer */
    else if (h->type == UV_TIMER)
        uv_close(h, monitor_closed);
}

void probe_sched_free(struct probe_sched *s)
{
    if (!s)
        return;
    /* Transfers still running are dropped with their handles; requests the
     * resolver holds are cancelled, and answer (to nobody) in the last run. */
    s->closing = 1;
    for (struct transfer *tr = s->transfers; tr; tr = tr->next) {
        if (tr->resolving)
            uv_cancel((uv_req_t *)&tr->gai);
        if (tr->easy) {
            curl_multi_remove_handle(s->multi, tr->easy);
            curl_easy_cleanup(tr->easy);
            tr->easy = NULL;
        }
    }
    curl_multi_cleanup(s->multi);
    /* the caller closed its own handles: what is left is ours */
    uv_walk(s->loop, close_ours, s);
    uv_run(s->loop, UV_RUN_DEFAULT);
    while (s->transfers) {
        struct transfer *tr = s->transfers;
        unlink_transfer(s, tr);
        probe_fetch_release(&tr->f);
        free(tr);
    }
    free(s);
}
