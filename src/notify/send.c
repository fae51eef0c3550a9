/* Delivery: each due message of the outbox becomes one libcurl transfer in
 * the format of its channel (mail, JSON webhook, DingTalk, WeCom, Feishu),
 * all of a round at once on one multi handle, each bounded in time. The
 * answer decides: sent, or retried with backoff, or failed after the last try. */
#include "notify.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_MAX (64 * 1024)
#define ROUND_MAX  64

struct job {
    int64_t id;
    enum channel_kind kind;
    json_t *config;
    char *recipient, *subject, *body, *facts, *trigger, *object;
    int attempts;
    CURL *h;
    struct curl_slist *headers, *rcpt;
    struct buf payload;
    size_t sent;
    struct buf answer;
    char curl_error[CURL_ERROR_SIZE];
    char url[2400];
    int ok;
    char error[300];
};

static size_t on_answer(char *p, size_t size, size_t n, void *arg)
{
    struct job *j = arg;
    size_t len = size * n;
    if (j->answer.len + len > ANSWER_MAX)
        return 0; /* an answer this long is not one of ours: stop reading */
    buf_add(&j->answer, p, len);
    return len;
}

static size_t on_read(char *p, size_t size, size_t n, void *arg)
{
    struct job *j = arg;
    size_t left = j->payload.len - j->sent, len = size * n < left ? size * n : left;
    memcpy(p, j->payload.p + j->sent, len);
    j->sent += len;
    return len;
}

static const char *conf(const struct job *j, const char *key)
{
    return json_string_value(json_object_get(j->config, key));
}

static void hmac_sha256(const char *key, size_t key_len, const char *msg, size_t msg_len,
                        unsigned char out[32])
{
    crypto_auth_hmacsha256_state s;
    crypto_auth_hmacsha256_init(&s, (const unsigned char *)key, key_len);
    crypto_auth_hmacsha256_update(&s, (const unsigned char *)msg, msg_len);
    crypto_auth_hmacsha256_final(&s, out);
}

static void base64(const unsigned char *p, size_t n, char *out, size_t out_len)
{
    sodium_bin2base64(out, out_len, p, n, sodium_base64_VARIANT_ORIGINAL);
}

/* RFC 2047 for a UTF-8 header, base64 of the body in lines of 76 (RFC 2045). */
static void mail_build(struct job *j, const char *from)
{
    struct buf *b = &j->payload;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    size_t blen = strlen(j->body);
    char *b64 = malloc(sodium_base64_encoded_len(blen, sodium_base64_VARIANT_ORIGINAL));
    base64((const unsigned char *)j->body, blen, b64,
           sodium_base64_encoded_len(blen, sodium_base64_VARIANT_ORIGINAL));
    buf_addf(b, "Date: %s\r\nFrom: tocsin <%s>\r\nTo: <%s>\r\nSubject:", date, from, j->recipient);
    /* encoded words of at most 75 characters (RFC 2047), split between
     * characters, one per folded line */
    for (const char *p = j->subject; *p;) {
        size_t n = 0;
        while (p[n] && n < 42) {
            size_t c = 1;
            while ((p[n + c] & 0xC0) == 0x80)
                c++;
            if (n + c > 42 && n > 0)
                break;
            n += c;
        }
        char word[64];
        base64((const unsigned char *)p, n, word, sizeof word);
        buf_addf(b, "%s=?UTF-8?B?%s?=", p == j->subject ? " " : "\r\n ", word);
        p += n;
    }
    buf_addf(b,
             "\r\nMessage-ID: <outbox-%lld@tocsin>\r\nX-Tocsin-Notification: %lld\r\n"
             "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n",
             (long long)j->id, (long long)j->id);
    for (size_t i = 0, n = strlen(b64); i < n; i += 76) {
        buf_add(b, b64 + i, n - i < 76 ? n - i : 76);
        buf_adds(b, "\r\n");
    }
    free(b64);
}

static void json_payload(struct job *j, json_t *msg)
{
    char *s = json_dumps(msg, JSON_COMPACT);
    buf_adds(&j->payload, s ? s : "{}");
    free(s);
    json_decref(msg);
}

/* The robots' signatures: DingTalk signs timestamp\nsecret with the secret
 * (in the URL); Feishu uses timestamp\nsecret as the key of an empty message. */
static int robot_sign(struct job *j, char *sign, size_t sign_len, char *ts, size_t ts_len)
{
    const char *secret = conf(j, "secret");
    if (!secret || !*secret)
        return 0;
    int64_t now = time_now_ms();
    if (j->kind == CH_FEISHU)
        snprintf(ts, ts_len, "%lld", (long long)(now / 1000));
    else
        snprintf(ts, ts_len, "%lld", (long long)now);
    char text[600];
    snprintf(text, sizeof text, "%s\n%s", ts, secret);
    unsigned char mac[32];
    if (j->kind == CH_FEISHU)
        hmac_sha256(text, strlen(text), "", 0, mac);
    else
        hmac_sha256(secret, strlen(secret), text, strlen(text), mac);
    base64(mac, sizeof mac, sign, sign_len);
    return 1;
}

static int job_setup(struct job *j, long timeout_ms)
{
    j->h = curl_easy_init();
    if (!j->h)
        return -1;
    buf_init(&j->payload, 1 << 20);
    buf_init(&j->answer, ANSWER_MAX + 1);
    const char *url = conf(j, "url");
    snprintf(j->url, sizeof j->url, "%s", url ? url : "");
    char sign[64], ts[32];
    switch (j->kind) {
    case CH_SMTP: {
        const char *tls = conf(j, "starttls");
        mail_build(j, conf(j, "from"));
        curl_easy_setopt(j->h, CURLOPT_MAIL_FROM, conf(j, "from"));
        char to[300];
        snprintf(to, sizeof to, "<%s>", j->recipient);
        j->rcpt = curl_slist_append(NULL, to);
        curl_easy_setopt(j->h, CURLOPT_MAIL_RCPT, j->rcpt);
        curl_easy_setopt(j->h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(j->h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(j->h, CURLOPT_READDATA, j);
        curl_easy_setopt(j->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)j->payload.len);
        curl_easy_setopt(j->h, CURLOPT_USE_SSL,
                         !tls || strcmp(tls, "required") == 0 ? CURLUSESSL_ALL
                         : strcmp(tls, "try") == 0            ? CURLUSESSL_TRY
                                                              : CURLUSESSL_NONE);
        if (conf(j, "username")) {
            curl_easy_setopt(j->h, CURLOPT_USERNAME, conf(j, "username"));
            curl_easy_setopt(j->h, CURLOPT_PASSWORD,
                             conf(j, "password") ? conf(j, "password") : "");
        }
        curl_easy_setopt(j->h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        break;
    }
    case CH_WEBHOOK: {
        json_t *facts = json_loads(j->facts, 0, NULL);
        if (!facts)
            facts = json_object();
        char at[TIME_ISO_LEN];
        time_format_utc(time_now_ms(), at);
        json_payload(j, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)j->id,
                                  "trigger", j->trigger, "object", j->object, "subject", j->subject,
                                  "text", j->body, "facts", facts, "sent_at", at));
        const char *secret = conf(j, "secret");
        if (secret && *secret) {
            unsigned char mac[32];
            char hex[65], h[100];
            hmac_sha256(secret, strlen(secret), j->payload.p, j->payload.len, mac);
            hex_encode(mac, 32, hex);
            snprintf(h, sizeof h, "X-Tocsin-Signature: sha256=%s", hex);
            j->headers = curl_slist_append(j->headers, h);
        }
        break;
    }
    case CH_DINGTALK: {
        char md[9000];
        snprintf(md, sizeof md, "### %s\n\n%s", j->subject, j->body);
        json_payload(j, json_pack("{s:s, s:{s:s, s:s}}", "msgtype", "markdown", "markdown", "title",
                                  j->subject, "text", md));
        if (robot_sign(j, sign, sizeof sign, ts, sizeof ts)) {
            char *esc = curl_easy_escape(j->h, sign, 0);
            size_t n = strlen(j->url);
            snprintf(j->url + n, sizeof j->url - n, "%stimestamp=%s&sign=%s",
                     strchr(j->url, '?') ? "&" : "?", ts, esc ? esc : "");
            curl_free(esc);
        }
        break;
    }
    case CH_WECOM: {
        char md[9000];
        snprintf(md, sizeof md, "**%s**\n%s", j->subject, j->body);
        json_payload(j,
                     json_pack("{s:s, s:{s:s}}", "msgtype", "markdown", "markdown", "content", md));
        break;
    }
    case CH_FEISHU: {
        char text[9000];
        snprintf(text, sizeof text, "%s\n%s", j->subject, j->body);
        json_t *m = json_pack("{s:s, s:{s:s}}", "msg_type", "text", "content", "text", text);
        if (robot_sign(j, sign, sizeof sign, ts, sizeof ts)) {
            json_object_set_new(m, "timestamp", json_string(ts));
            json_object_set_new(m, "sign", json_string(sign));
        }
        json_payload(j, m);
        break;
    }
    default:
        return -1;
    }
    if (j->kind != CH_SMTP) {
        char id[64];
        snprintf(id, sizeof id, "X-Tocsin-Notification: %lld", (long long)j->id);
        j->headers = curl_slist_append(j->headers, "Content-Type: application/json; charset=utf-8");
        j->headers = curl_slist_append(j->headers, id);
        curl_easy_setopt(j->h, CURLOPT_HTTPHEADER, j->headers);
        curl_easy_setopt(j->h, CURLOPT_POSTFIELDS, j->payload.p);
        curl_easy_setopt(j->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->payload.len);
        curl_easy_setopt(j->h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(j->h, CURLOPT_USERAGENT, "tocsin-notify");
    }
    if (conf(j, "ca"))
        curl_easy_setopt(j->h, CURLOPT_CAINFO, conf(j, "ca"));
    curl_easy_setopt(j->h, CURLOPT_URL, j->url);
    curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(j->h, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(j->h, CURLOPT_ERRORBUFFER, j->curl_error);
    curl_easy_setopt(j->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(j->h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(j->h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
    curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
    return 0;
}

/* What the far end said: any 2xx for mail and webhooks; the robots also
 * answer 200 to a refused message, with an error code in the body. */
static void job_judge(struct job *j, CURLcode res)
{
    long status = 0;
    curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &status);
    if (res != CURLE_OK) {
        snprintf(j->error, sizeof j->error, "%s",
                 j->curl_error[0] ? j->curl_error : curl_easy_strerror(res));
        return;
    }
    if (j->kind == CH_SMTP) {
        j->ok = 1;
        return;
    }
    if (status < 200 || status > 299) {
        snprintf(j->error, sizeof j->error, "HTTP status %ld", status);
        return;
    }
    if (j->kind == CH_WEBHOOK) {
        j->ok = 1;
        return;
    }
    json_t *a = json_loadb(j->answer.p ? j->answer.p : "", j->answer.len, 0, NULL);
    const char *key = j->kind == CH_FEISHU ? "code" : "errcode";
    json_t *code = json_object_get(a, key);
    if (!code && j->kind == CH_FEISHU)
        code = json_object_get(a, "StatusCode");
    if (!a)
        snprintf(j->error, sizeof j->error, "the answer is not JSON");
    else if (!json_is_integer(code))
        snprintf(j->error, sizeof j->error, "the answer has no %s", key);
    else if (json_integer_value(code) != 0) {
        const char *msg = json_string_value(json_object_get(a, "errmsg"));
        if (!msg)
            msg = json_string_value(json_object_get(a, "msg"));
        snprintf(j->error, sizeof j->error, "%s %lld: %.200s", key,
                 (long long)json_integer_value(code), msg ? msg : "");
    } else
        j->ok = 1;
    json_decref(a);
}

static void job_free(struct job *j)
{
    if (j->h)
        curl_easy_cleanup(j->h);
    curl_slist_free_all(j->headers);
    curl_slist_free_all(j->rcpt);
    json_decref(j->config);
    free(j->recipient);
    free(j->subject);
    free(j->body);
    free(j->facts);
    free(j->trigger);
    free(j->object);
    buf_release(&j->payload);
    buf_release(&j->answer);
}

static char *dup_col(sqlite3_stmt *q, int col)
{
    return strdup(store_col_text(q, col));
}

int notify_deliver(struct store *st, int64_t now, int max, int *sent, int *failed, struct err *e)
{
    *sent = *failed = 0;
    int64_t timeout_s = 10, retry_s = 30, attempts_max = 6, per_minute = 60;
    int rc = setting_int(st, "notify.timeout_s", timeout_s, &timeout_s, e);
    if (!rc)
        rc = setting_int(st, "notify.retry_s", retry_s, &retry_s, e);
    if (!rc)
        rc = setting_int(st, "notify.max_attempts", attempts_max, &attempts_max, e);
    if (!rc)
        rc = setting_int(st, "notify.per_minute", per_minute, &per_minute, e);
    if (rc)
        return rc;
    if (max > ROUND_MAX)
        max = ROUND_MAX;
    sqlite3_stmt *q;
    /* A channel sends at most per_minute messages a minute: a loop or a storm
     * waits instead of flooding the group. */
    rc = store_query(st, e, &q,
                     "SELECT o.id, c.kind, c.config, o.recipient, o.subject, o.body, o.facts, "
                     "o.trigger, o.object, o.attempts FROM outbox o "
                     "JOIN notify_channels c ON c.id = o.channel_id "
                     "WHERE o.status = 'pending' AND o.next_at <= ? AND c.enabled = 1 "
                     "AND (SELECT count(*) FROM outbox s WHERE s.channel_id = o.channel_id "
                     "     AND s.sent_at > ?) < ? "
                     "ORDER BY o.next_at, o.id LIMIT ?",
                     "IIIi", now, now - PLAN_MINUTE_MS, per_minute, max);
    if (rc)
        return rc;
    struct job *jobs = calloc((size_t)max, sizeof(*jobs));
    int n = 0;
    while (n < max && (rc = store_step(st, q, e)) == 1) {
        struct job *j = &jobs[n++];
        j->id = sqlite3_column_int64(q, 0);
        if (channel_kind_parse(store_col_text(q, 1), &j->kind) != 0)
            j->kind = CH_COUNT;
        j->config = json_loads(store_col_text(q, 2), 0, NULL);
        j->recipient = dup_col(q, 3);
        j->subject = dup_col(q, 4);
        j->body = dup_col(q, 5);
        j->facts = dup_col(q, 6);
        j->trigger = dup_col(q, 7);
        j->object = dup_col(q, 8);
        j->attempts = sqlite3_column_int(q, 9);
    }
    store_finish(q);
    if (rc < 0 || n == 0) {
        free(jobs);
        return rc < 0 ? rc : 0;
    }
    CURLM *m = curl_multi_init();
    for (int i = 0; i < n; i++) {
        if (job_setup(&jobs[i], (long)timeout_s * 1000) != 0) {
            snprintf(jobs[i].error, sizeof jobs[i].error, "the channel cannot be used");
            continue;
        }
        curl_multi_add_handle(m, jobs[i].h);
    }
    int running = 1;
    int64_t deadline = time_now_ms() + timeout_s * 1000 + 2000;
    while (running && time_now_ms() < deadline) {
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct job *j;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            job_judge(j, msg->data.result);
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 200, NULL);
    }
    for (int i = 0; i < n; i++)
        if (jobs[i].h) {
            curl_multi_remove_handle(m, jobs[i].h);
            if (!jobs[i].ok && !jobs[i].error[0])
                snprintf(jobs[i].error, sizeof jobs[i].error, "no answer in %lld s",
                         (long long)timeout_s);
        }
    curl_multi_cleanup(m);
    rc = store_begin(st, e);
    int64_t done_at = time_now_ms();
    for (int i = 0; i < n && !rc; i++) {
        struct job *j = &jobs[i];
        if (j->ok) {
            rc = store_exec(st, e,
                            "UPDATE outbox SET status = 'sent', attempts = attempts + 1, "
                            "sent_at = ?, last_error = '' WHERE id = ?",
                            "II", done_at, j->id);
            (*sent)++;
            continue;
        }
        int tries = j->attempts + 1;
        int64_t wait = retry_s * 1000 * ((int64_t)1 << (tries - 1 < 10 ? tries - 1 : 10));
        if (wait > PLAN_HOUR_MS)
            wait = PLAN_HOUR_MS;
        int last = tries >= attempts_max;
        rc = store_exec(st, e,
                        "UPDATE outbox SET status = ?, attempts = ?, next_at = ?, last_error = ? "
                        "WHERE id = ?",
                        "siIsI", last ? "failed" : "pending", tries, done_at + wait, j->error,
                        j->id);
        if (last)
            (*failed)++;
        log_warn("notify: message %lld (%s to %s) %s: %s", (long long)j->id, j->trigger,
                 j->recipient[0] ? j->recipient : channel_kind_code(j->kind),
                 last ? "failed for good" : "will be retried", j->error);
    }
    if (!rc)
        rc = store_commit(st, e);
    else
        store_rollback(st);
    for (int i = 0; i < n; i++)
        job_free(&jobs[i]);
    free(jobs);
    return rc;
}
