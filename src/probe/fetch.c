/* Fetching a page with libcurl: bounded in time, size and redirects, with
 * every response of the redirect chain, the timings, the certificate's
 * expiry and the address the page came from. The same easy handle serves
 * `tocsin check` (curl_easy_perform) and the monitors (curl_multi). */
#include "probe_int.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define AGENT                                                                                      \
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "            \
    "Chrome/120.0 Safari/537.36 tocsin/" TOCSIN_VERSION

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void probe_fetch_init(struct probe_fetch *f, size_t body_max)
{
    memset(f, 0, sizeof *f);
    buf_init(&f->body, body_max ? body_max : PROBE_BODY_MAX);
}

void probe_fetch_release(struct probe_fetch *f)
{
    buf_release(&f->body);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct probe_fetch *f = ud;
    if (buf_add(&f->body, p, size * n) != 0) {
        snprintf(f->error, sizeof f->error, "the page is larger than %zu bytes", f->body.max);
        return 0; /* curl stops with CURLE_WRITE_ERROR */
    }
    return size * n;
}

static void header_value(const char *p, size_t n, size_t name, char *out, size_t cap)
{
    size_t a = name;
    while (a < n && (p[a] == ' ' || p[a] == '\t'))
        a++;
    size_t b = n;
    while (b > a && (p[b - 1] == '\r' || p[b - 1] == '\n' || p[b - 1] == ' '))
        b--;
    size_t k = b - a < cap - 1 ? b - a : cap - 1;
    memcpy(out, p + a, k);
    out[k] = 0;
    for (size_t i = 0; i < k; i++)
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] == 0x7f)
            out[i] = ' ';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct probe_fetch *f = ud;
    size_t len = size * n;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* a new response: of a redirect, or the final one */
        if (f->nhops < PROBE_REDIRECTS_MAX + 1) {
            struct probe_hop *h = &f->hops[f->nhops++];
            memset(h, 0, sizeof *h);
            const char *sp = memchr(p, ' ', len);
            h->status = sp ? atoi(sp + 1) : 0;
        }
        f->content_type[0] = 0;
        f->headers[0] = 0;
    } else if (len > 9 && strncasecmp(p, "location:", 9) == 0 && f->nhops > 0)
        header_value(p, len, 9, f->hops[f->nhops - 1].location, sizeof f->hops[0].location);
    else if (len > 13 && strncasecmp(p, "content-type:", 13) == 0)
        header_value(p, len, 13, f->content_type, sizeof f->content_type);
    /* every line kept, as evidence, as far as the bound goes */
    size_t have = strlen(f->headers), line = len;
    while (line > 0 && (p[line - 1] == '\r' || p[line - 1] == '\n'))
        line--;
    if (line > 0 && have + line + 2 < sizeof f->headers) {
        for (size_t i = 0; i < line; i++)
            f->headers[have + i] = (unsigned char)p[i] < 0x20 ? ' ' : p[i];
        f->headers[have + line] = '\n';
        f->headers[have + line + 1] = 0;
    }
    return len;
}

void *probe_fetch_handle(struct probe_fetch *f, const struct probe_target *t, struct err *e)
{
    pthread_once(&curl_once, curl_init);
    CURL *h = curl_easy_init();
    if (!h) {
        err_set(e, ERR_NOMEM, "cannot make an HTTP request: out of memory");
        return NULL;
    }
    int64_t timeout = t->timeout_ms > 0 ? t->timeout_ms : 10000;
    int https = strncasecmp(t->url, "https:", 6) == 0;
    CURLcode c = curl_easy_setopt(h, CURLOPT_URL, t->url);
    if (c == CURLE_OK) {
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)PROBE_REDIRECTS_MAX);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout < 10000 ? timeout : 10000));
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 65536L); /* a page in few reads */
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING,
                         ""); /* decoded bytes count against the bound */
        curl_easy_setopt(h, CURLOPT_USERAGENT, t->user_agent ? t->user_agent : AGENT);
        if (t->referer)
            curl_easy_setopt(h, CURLOPT_REFERER, t->referer);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, f);
        curl_easy_setopt(h, CURLOPT_PRIVATE, f);
        f->detail[0] = 0;
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, f->detail);
        if (https) {
            curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
            /* certificate details come only with a handshake */
            curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
            if (t->ca_file)
                curl_easy_setopt(h, CURLOPT_CAINFO, t->ca_file);
            if (f->cert_error[0]) {
                /* the second try, to judge the page of a site with a bad certificate */
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
            }
        }
    }
    if (c != CURLE_OK) {
        curl_easy_cleanup(h);
        err_set(e, ERR_INPUT, "%s: %s", t->url, curl_easy_strerror(c));
        return NULL;
    }
    return h;
}

static int64_t cert_expiry(CURL *h)
{
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return 0;
    for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next)
        if (strncasecmp(s->data, "Expire date:", 12) == 0) {
            struct tm tm = {0};
            const char *v = s->data + 12;
            while (*v == ' ')
                v++;
            if (strptime(v, "%b %d %H:%M:%S %Y", &tm))
                return (int64_t)timegm(&tm) * 1000;
        }
    return 0;
}

void probe_fetch_finish(struct probe_fetch *f, void *handle, int curl_code)
{
    CURL *h = handle;
    long status = 0;
    curl_off_t t;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    f->status = (int)status;
    if (curl_easy_getinfo(h, CURLINFO_NAMELOOKUP_TIME_T, &t) == CURLE_OK)
        f->dns_us = t;
    if (curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &t) == CURLE_OK)
        f->connect_us = t;
    if (curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &t) == CURLE_OK && t > 0)
        f->tls_us = t;
    if (curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME_T, &t) == CURLE_OK)
        f->ttfb_us = t;
    if (curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &t) == CURLE_OK)
        f->total_us = t;
    char *s = NULL;
    if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK && s)
        snprintf(f->final_url, sizeof f->final_url, "%s", s);
    s = NULL;
    if (curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &s) == CURLE_OK && s)
        snprintf(f->primary_ip, sizeof f->primary_ip, "%s", s);
    int64_t exp = cert_expiry(h);
    if (exp) {
        f->has_cert = 1;
        f->cert_expiry_ms = exp;
    }
    CURLcode c = (CURLcode)curl_code;
    f->ok = c == CURLE_OK;
    if (!f->ok) {
        if (!f->error[0] || c != CURLE_WRITE_ERROR)
            snprintf(f->error, sizeof f->error, "%s",
                     f->detail[0] ? f->detail : curl_easy_strerror(c));
        f->is_refused = c == CURLE_COULDNT_RESOLVE_HOST || c == CURLE_COULDNT_CONNECT ||
                        c == CURLE_OPERATION_TIMEDOUT || c == CURLE_RECV_ERROR ||
                        c == CURLE_SEND_ERROR || c == CURLE_GOT_NOTHING ||
                        c == CURLE_SSL_CONNECT_ERROR;
        if (c == CURLE_PEER_FAILED_VERIFICATION && !f->cert_error[0])
            snprintf(f->cert_error, sizeof f->cert_error, "%s", f->error);
    }
    curl_easy_cleanup(h);
}

int probe_fetch_many(const struct probe_target *t, struct probe_fetch *f, int n, struct err *e)
{
    pthread_once(&curl_once, curl_init);
    CURLM *multi = curl_multi_init();
    CURL *h[16] = {0};
    if (!multi || n > 16)
        return err_set(e, multi ? ERR_USAGE : ERR_NOMEM, "cannot make %d requests at once", n);
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        if (!(h[i] = probe_fetch_handle(&f[i], &t[i], e)) ||
            curl_multi_add_handle(multi, h[i]) != CURLM_OK)
            rc = e && e->code ? e->code : ERR_INTERNAL;
    int running = 1;
    while (!rc && running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            rc = ERR_INTERNAL;
        else if (running)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        /* the message lives in the handle: read it before the handle goes */
        CURL *done = m->easy_handle;
        int code = (int)m->data.result;
        for (int i = 0; i < n; i++)
            if (h[i] == done) {
                curl_multi_remove_handle(multi, h[i]);
                probe_fetch_finish(&f[i], h[i], code);
                h[i] = NULL;
                break;
            }
    }
    for (int i = 0; i < n; i++)
        if (h[i]) { /* not finished (an error above) */
            curl_multi_remove_handle(multi, h[i]);
            curl_easy_cleanup(h[i]);
        }
    curl_multi_cleanup(multi);
    /* A certificate that failed is fetched again without verifying, alone. */
    for (int i = 0; i < n && !rc; i++)
        if (!f[i].ok && f[i].cert_error[0] && f[i].nhops == 0) {
            probe_fetch_unverified(&f[i]);
            rc = probe_fetch(&t[i], &f[i], e);
        }
    return rc;
}

void probe_answers(const void *addrinfo, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = 0;
    for (const struct addrinfo *a = addrinfo; a; a = a->ai_next) {
        char ip[INET6_ADDRSTRLEN];
        const void *addr = a->ai_family == AF_INET
                               ? (const void *)&((const struct sockaddr_in *)a->ai_addr)->sin_addr
                           : a->ai_family == AF_INET6
                               ? (const void *)&((const struct sockaddr_in6 *)a->ai_addr)->sin6_addr
                               : NULL;
        if (!addr || !inet_ntop(a->ai_family, addr, ip, sizeof ip))
            continue;
        /* once each: getaddrinfo repeats an address per socket type */
        size_t il = strlen(ip);
        int seen = 0;
        for (const char *p = out; *p && !seen; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
            seen = strncmp(p, ip, il) == 0 && (p[il] == ',' || p[il] == 0);
        if (seen || k + il + 2 > cap)
            continue;
        k += (size_t)snprintf(out + k, cap - k, "%s%s", k ? "," : "", ip);
    }
}

void probe_resolve(const char *url, char *out, size_t cap)
{
    char host[256];
    out[0] = 0;
    url_resolver_name(url, host);
    if (!host[0])
        return;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return;
    probe_answers(res, out, cap);
    freeaddrinfo(res);
}

void probe_fetch_unverified(struct probe_fetch *f)
{
    char why[256];
    snprintf(why, sizeof why, "%s",
             f->detail[0]       ? f->detail
             : f->cert_error[0] ? f->cert_error
                                : "not trusted");
    char answers[sizeof f->dns_answers]; /* asked before the fetch: they stay */
    memcpy(answers, f->dns_answers, sizeof answers);
    size_t max = f->body.max;
    probe_fetch_release(f);
    probe_fetch_init(f, max);
    snprintf(f->cert_error, sizeof f->cert_error, "%s", why);
    memcpy(f->dns_answers, answers, sizeof answers);
}

int probe_fetch(const struct probe_target *t, struct probe_fetch *f, struct err *e)
{
    CURL *h = probe_fetch_handle(f, t, e);
    if (!h)
        return e ? e->code : ERR_INTERNAL;
    CURLcode c = curl_easy_perform(h);
    if (c == CURLE_PEER_FAILED_VERIFICATION && !f->cert_error[0]) {
        /* Keep why, and fetch again without verifying to judge the page. */
        curl_easy_cleanup(h);
        probe_fetch_unverified(f);
        if (!(h = probe_fetch_handle(f, t, e)))
            return e ? e->code : ERR_INTERNAL;
        c = curl_easy_perform(h);
    }
    probe_fetch_finish(f, h, (int)c);
    return 0;
}
