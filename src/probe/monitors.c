/* The monitors table: rows read into struct monitor_conf, and the settings
 * people give when they add, change or remove a monitor — checked once here
 * for both the monitor commands and the web interface, written with the
 * audit record in one transaction. */
#include "probe.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define MONITOR_COLS                                                                               \
    "id, url, asset, interval_s, timeout_s, retries, expect_status, keyword, allow, words_file, "  \
    "expect_ips, cloak, enabled, learn, state, fails, coalesce(down_since, 0), "                   \
    "coalesce(last_check, 0), page_sha, updated_at"

static void row_read(sqlite3_stmt *q, struct monitor_conf *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(q, 0);
    snprintf(m->url, sizeof m->url, "%s", store_col_text(q, 1));
    snprintf(m->asset, sizeof m->asset, "%s", store_col_text(q, 2));
    m->interval_s = sqlite3_column_int64(q, 3);
    m->timeout_s = sqlite3_column_int64(q, 4);
    m->retries = sqlite3_column_int64(q, 5);
    m->expect_status = sqlite3_column_int64(q, 6);
    snprintf(m->keyword, sizeof m->keyword, "%s", store_col_text(q, 7));
    snprintf(m->allow, sizeof m->allow, "%s", store_col_text(q, 8));
    snprintf(m->words_file, sizeof m->words_file, "%s", store_col_text(q, 9));
    snprintf(m->expect_ips, sizeof m->expect_ips, "%s", store_col_text(q, 10));
    m->cloak = sqlite3_column_int(q, 11);
    m->enabled = sqlite3_column_int(q, 12);
    m->learn = sqlite3_column_int64(q, 13);
    snprintf(m->state, sizeof m->state, "%s", store_col_text(q, 14));
    m->fails = sqlite3_column_int64(q, 15);
    m->down_since = sqlite3_column_int64(q, 16);
    m->last_check = sqlite3_column_int64(q, 17);
    snprintf(m->page_sha, sizeof m->page_sha, "%s", store_col_text(q, 18));
    m->updated_at = sqlite3_column_int64(q, 19);
}

int monitor_get(struct store *st, int64_t id, struct monitor_conf *m, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " MONITOR_COLS " FROM monitors WHERE id = ?", "I", id);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        row_read(q, m);
        rc = 0;
    } else if (rc == 0)
        rc = err_set(e, ERR_NOTFOUND, "monitor %lld does not exist", (long long)id);
    store_finish(q);
    return rc;
}

int monitor_each(struct store *st, int (*fn)(void *, const struct monitor_conf *), void *ctx,
                 struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " MONITOR_COLS " FROM monitors ORDER BY id", "");
    while (!rc && (rc = store_step(st, q, e)) == 1) {
        struct monitor_conf m;
        row_read(q, &m);
        rc = fn(ctx, &m);
    }
    store_finish(q);
    return rc < 0 ? rc : 0;
}

/* ---- settings ------------------------------------------------------------------ */

/* Each item of a list separated by commas or spaces passes ok(); the first
 * that does not is named in the error. */
static int list_check(const char *what, const char *list, int (*ok)(const char *), struct err *e)
{
    for (const char *p = list; *p;) {
        p += strspn(p, ", ");
        size_t l = strcspn(p, ", ");
        if (!l)
            break;
        char item[256];
        if (l >= sizeof item)
            return err_set(e, ERR_INPUT, "monitor: an item of the %s is longer than %zu bytes",
                           what, sizeof item - 1);
        memcpy(item, p, l);
        item[l] = 0;
        if (!ok(item))
            return err_set(e, ERR_INPUT, "monitor: '%s' in the %s is not %s", item, what,
                           strcmp(what, "expected addresses") == 0 ? "an IPv4 or IPv6 address"
                                                                   : "a domain name");
        p += l;
    }
    return 0;
}

static int is_address(const char *s)
{
    unsigned char a[16];
    return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* A domain, "*.domain" for its subdomains; letters outside ASCII are let
 * through for internationalised names. */
static int is_domain(const char *s)
{
    if (strncmp(s, "*.", 2) == 0)
        s += 2;
    if (!*s || *s == '.' || *s == '-')
        return 0;
    for (; *s; s++)
        if (!((unsigned char)*s >= 0x80 || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '.' || *s == '-'))
            return 0;
    return 1;
}

static int text_check(const char *what, const char *s, size_t max, struct err *e)
{
    if (!s)
        return 0;
    if (strlen(s) >= max)
        return err_set(e, ERR_INPUT, "monitor: the %s is longer than %zu bytes", what, max - 1);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return err_set(e, ERR_INPUT, "monitor: the %s holds a control character", what);
    if (!utf8_valid(s, strlen(s)))
        return err_set(e, ERR_INPUT, "monitor: the %s is not UTF-8 text", what);
    return 0;
}

int monitor_set_check(const struct monitor_set *s, int is_add, struct err *e)
{
    struct monitor_conf m; /* for the columns' sizes */
    if (is_add && !s->url)
        return err_set(e, ERR_INPUT, "monitor: a URL is needed");
    if (s->url && strncmp(s->url, "http://", 7) != 0 && strncmp(s->url, "https://", 8) != 0)
        return err_set(e, ERR_INPUT, "monitor: '%.200s' is not an http:// or https:// URL", s->url);
    int rc = text_check("URL", s->url, sizeof m.url, e);
    if (rc)
        return rc;
    if (s->url) {
        const char *host = strstr(s->url, "://") + 3;
        size_t hl = strcspn(host, "/?#");
        if (hl == 0)
            return err_set(e, ERR_INPUT, "monitor: the URL '%.200s' names no host", s->url);
        /* A password in the URL would travel into events, lists and logs. */
        if (memchr(host, '@', hl))
            return err_set(e, ERR_INPUT,
                           "monitor: the URL carries a user name or password; "
                           "monitors check public pages without them");
        if (strchr(s->url, ' '))
            return err_set(e, ERR_INPUT, "monitor: the URL holds a space");
    }
    if ((rc = text_check("asset name", s->asset, sizeof m.asset, e)) ||
        (rc = text_check("keyword", s->keyword, sizeof m.keyword, e)) ||
        (rc = text_check("list of allowed domains", s->allow, sizeof m.allow, e)) ||
        (rc = text_check("list of expected addresses", s->expect_ips, sizeof m.expect_ips, e)) ||
        (rc = text_check("words file", s->words_file, sizeof m.words_file, e)))
        return rc;
    if (s->allow && (rc = list_check("allowed domains", s->allow, is_domain, e)))
        return rc;
    if (s->expect_ips && (rc = list_check("expected addresses", s->expect_ips, is_address, e)))
        return rc;
    if (s->words_file && s->words_file[0] && s->words_file[0] != '/')
        return err_set(e, ERR_INPUT,
                       "monitor: the words file needs an absolute path "
                       "(serve reads it from its own directory)");
    if (s->interval_s != -1 && (s->interval_s < 1 || s->interval_s > 86400))
        return err_set(e, ERR_INPUT, "monitor: the interval must be 1 to 86400 seconds");
    if (s->timeout_s != -1 && (s->timeout_s < 1 || s->timeout_s > 600))
        return err_set(e, ERR_INPUT, "monitor: the timeout must be 1 to 600 seconds");
    if (s->retries != -1 && (s->retries < 0 || s->retries > 20))
        return err_set(e, ERR_INPUT, "monitor: the retries must be 0 to 20");
    if (s->expect_status != -1 && s->expect_status != 0 &&
        (s->expect_status < 100 || s->expect_status > 599))
        return err_set(e, ERR_INPUT,
                       "monitor: the expected status must be an HTTP status (100-599), "
                       "or 0 for any success");
    if (s->cloak < -1 || s->cloak > 1 || s->enabled < -1 || s->enabled > 1)
        return err_set(e, ERR_INPUT, "monitor: cloak and enabled are yes or no");
    return 0;
}

static int audited_commit(struct store *st, int rc, const char *actor, const char *action,
                          int64_t id, json_t *details, struct err *e)
{
    char obj[32];
    snprintf(obj, sizeof obj, "monitor:%lld", (long long)id);
    if (!rc)
        rc = audit_append_take(st, actor, action, obj, details, e);
    else
        json_decref(details);
    return rc ? (store_rollback(st), rc) : store_commit(st, e);
}

static int64_t or (int64_t v, int64_t dflt)
{
    return v == -1 ? dflt : v;
}

int monitor_add(struct store *st, const char *actor, const struct monitor_set *s, int64_t *id,
                struct err *e)
{
    int rc = monitor_set_check(s, 1, e);
    if (rc)
        return rc;
    int64_t now = time_now_ms();
    if ((rc = store_begin(st, e)))
        return rc;
    rc = store_exec(st, e,
                    "INSERT INTO monitors (url, asset, interval_s, timeout_s, retries, "
                    "expect_status, keyword, allow, words_file, expect_ips, cloak, enabled, "
                    "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    "ssIIIIssssiiTT", s->url, s->asset ? s->asset : "", or (s->interval_s, 60),
                    or (s->timeout_s, 10), or (s->retries, 2), or (s->expect_status, 0),
                    s->keyword ? s->keyword : "", s->allow ? s->allow : "",
                    s->words_file ? s->words_file : "", s->expect_ips ? s->expect_ips : "",
                    s->cloak != 0, s->enabled != 0, now, now);
    *id = rc ? 0 : store_last_id(st);
    return audited_commit(st, rc, actor, "monitor.add", *id, json_pack("{s:s}", "url", s->url), e);
}

/* A number for SQL's coalesce: NULL (as text) leaves the column. */
static const char *num(int64_t v, char buf[24])
{
    if (v == -1)
        return NULL;
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

int monitor_edit(struct store *st, const char *actor, int64_t id, const struct monitor_set *s,
                 struct err *e)
{
    int rc = monitor_set_check(s, 0, e);
    if (rc)
        return rc;
    if ((rc = store_begin(st, e)))
        return rc;
    struct monitor_conf m;
    char b[6][24];
    rc = monitor_get(st, id, &m, e);
    if (!rc)
        rc = store_exec(
            st, e,
            "UPDATE monitors SET url = coalesce(?, url), asset = coalesce(?, asset), "
            "interval_s = coalesce(?, interval_s), timeout_s = coalesce(?, timeout_s), "
            "retries = coalesce(?, retries), expect_status = coalesce(?, expect_status), "
            "keyword = coalesce(?, keyword), allow = coalesce(?, allow), "
            "words_file = coalesce(?, words_file), expect_ips = coalesce(?, expect_ips), "
            "cloak = coalesce(?, cloak), enabled = coalesce(?, enabled), "
            "baseline = CASE WHEN ? THEN '' ELSE baseline END, "
            "learn = CASE WHEN ? THEN 3 ELSE learn END, updated_at = ? WHERE id = ?",
            "ssssssssssssiiTI", s->url, s->asset, num(s->interval_s, b[0]), num(s->timeout_s, b[1]),
            num(s->retries, b[2]), num(s->expect_status, b[3]), s->keyword, s->allow, s->words_file,
            s->expect_ips, num(s->cloak, b[4]), num(s->enabled, b[5]), s->relearn, s->relearn,
            time_now_ms(), id);
    return audited_commit(st, rc, actor, s->relearn ? "monitor.relearn" : "monitor.edit", id, NULL,
                          e);
}

int monitor_remove(struct store *st, const char *actor, int64_t id, char url[2048], struct err *e)
{
    int rc = store_begin(st, e);
    if (rc)
        return rc;
    struct monitor_conf m;
    rc = monitor_get(st, id, &m, e);
    if (!rc)
        rc = store_exec(st, e, "DELETE FROM monitors WHERE id = ?", "I", id);
    if (!rc && url)
        snprintf(url, 2048, "%s", m.url);
    return audited_commit(st, rc, actor, "monitor.rm", id,
                          rc ? NULL : json_pack("{s:s}", "url", m.url), e);
}
