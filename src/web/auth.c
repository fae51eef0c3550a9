/* Who is asking: sessions (cookie + CSRF token), API tokens (Bearer), and
 * sign-in with growing delays after failures. Tokens are 256 random bits,
 * stored only as their SHA-256. */
#include "web_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COOKIE             "tocsin_session"
#define THROTTLE_FREE      5                /* failures before delays start */
#define THROTTLE_BASE_MS   (15 * 1000)      /* the first delay, doubling */
#define THROTTLE_MAX_MS    (15 * 60 * 1000) /* the longest delay */
#define THROTTLE_FORGET_MS (15 * 60 * 1000)

static void token_new(char out[65])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    hex_encode(raw, sizeof(raw), out);
}

static void token_hash(const char *token, char out[SHA256_HEX_LEN])
{
    unsigned char d[SHA256_LEN];
    sha256(token, strlen(token), d);
    hex_encode(d, SHA256_LEN, out);
}

static int token_shape_ok(const char *t)
{
    size_t n = strlen(t);
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
            return 0;
    return 1;
}

/* The user behind an id, if still enabled. */
static int user_by_id(struct store *st, int64_t id, struct user *u, struct err *e)
{
    int rc = user_find_id(st, id, u, e);
    return rc ? rc : u->is_disabled ? ERR_DENIED : 0;
}

static int identify_session(struct req *r, const char *token, struct err *e)
{
    struct store *st = r->st;
    char hash[SHA256_HEX_LEN];
    token_hash(token, hash);
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, user_id, csrf, last_seen_at, expires_at FROM sessions "
                         "WHERE token_hash = ? AND revoked_at IS NULL",
                         "s", hash);
    if (rc)
        return rc;
    int64_t now = time_now_ms(), id = 0, user_id = 0, last = 0, expires = 0;
    if ((rc = store_step(st, q, e)) == 1) {
        id = sqlite3_column_int64(q, 0);
        user_id = sqlite3_column_int64(q, 1);
        snprintf(r->csrf, sizeof(r->csrf), "%s", store_col_text(q, 2));
        last = sqlite3_column_int64(q, 3);
        expires = sqlite3_column_int64(q, 4);
    }
    store_finish(q);
    if (rc <= 0)
        return rc; /* unknown or revoked: not signed in */
    if (now >= expires || now - last >= r->w->opt.session_idle_ms)
        return 0; /* expired */
    if (user_by_id(st, user_id, &r->user, NULL) != 0)
        return 0; /* disabled since */
    /* Touch at most once a minute, so that reading does not mean writing. */
    if (now - last > PLAN_MINUTE_MS)
        store_exec(st, NULL, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", "II", now, id);
    r->has_user = 1;
    r->via_cookie = 1;
    r->session_id = id;
    return 0;
}

/* A token's user, remembered per thread for a second: a busy machine client
 * then costs no lookups. Anything this server changes about tokens or users
 * bumps the generation and forgets them all at once; a change made by another
 * process (tocsin user disable) takes effect within the second. */
#define TOKEN_CACHE    32
#define TOKEN_CACHE_MS 1000

struct token_cached {
    char hash[SHA256_HEX_LEN];
    struct user user; /* with the token's role */
    int64_t at;
    unsigned generation;
};

static __thread struct token_cached token_cache[TOKEN_CACHE];
static unsigned auth_generation;

void auth_forget(void)
{
    __atomic_fetch_add(&auth_generation, 1, __ATOMIC_RELEASE);
}

static struct token_cached *token_slot(const char *hash)
{
    unsigned h = 0;
    for (int i = 0; i < 8; i++)
        h = h * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
    return &token_cache[h % TOKEN_CACHE];
}

static int identify_token(struct req *r, const char *token, struct err *e)
{
    struct store *st = r->st;
    char hash[SHA256_HEX_LEN];
    token_hash(token, hash);
    struct token_cached *c = token_slot(hash);
    unsigned gen = __atomic_load_n(&auth_generation, __ATOMIC_ACQUIRE);
    if (strcmp(c->hash, hash) == 0 && c->generation == gen &&
        time_now_ms() - c->at < TOKEN_CACHE_MS) {
        r->user = c->user;
        r->has_user = 1;
        return 0;
    }
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, user_id, role, coalesce(last_used_at, 0) FROM api_tokens "
                         "WHERE token_hash = ? AND revoked_at IS NULL",
                         "s", hash);
    if (rc)
        return rc;
    int64_t id = 0, user_id = 0, last = 0, now = time_now_ms();
    enum role role = ROLE_AUDITOR;
    int known = 0;
    if ((rc = store_step(st, q, e)) == 1) {
        id = sqlite3_column_int64(q, 0);
        user_id = sqlite3_column_int64(q, 1);
        known = role_parse(store_col_text(q, 2), &role) == 0;
        last = sqlite3_column_int64(q, 3);
    }
    store_finish(q);
    if (rc <= 0 || !known || user_by_id(st, user_id, &r->user, NULL) != 0)
        return rc < 0 ? rc : 0;
    r->user.role = role; /* the token's scope, never more than its creator's */
    r->has_user = 1;
    memcpy(c->hash, hash, sizeof(hash));
    c->user = r->user;
    c->at = now;
    c->generation = gen;
    /* Like sessions: noted at most once a minute, so that reading stays reading. */
    if (now - last > PLAN_MINUTE_MS)
        store_exec(st, NULL, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", "II", now, id);
    return 0;
}

int auth_identify(struct req *r, struct err *e)
{
    const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    if (authz && strncmp(authz, "Bearer ", 7) == 0)
        return token_shape_ok(authz + 7) ? identify_token(r, authz + 7, e) : 0;
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE);
    if (cookie && token_shape_ok(cookie))
        return identify_session(r, cookie, e);
    return 0;
}

int auth_check_csrf(struct req *r, struct err *e)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    if (!h || strlen(h) != strlen(r->csrf) || sodium_memcmp(h, r->csrf, strlen(r->csrf)) != 0)
        return err_set(e, ERR_DENIED, "missing or wrong X-CSRF-Token header");
    return 0;
}

/* ---- throttling ------------------------------------------------------------------ */

static int64_t throttle_wait(struct store *st, const char *key, int64_t now)
{
    int64_t count = 0, last = 0;
    sqlite3_stmt *q;
    if (store_query(st, NULL, &q, "SELECT count, last_at FROM login_failures WHERE key = ?", "s",
                    key) != 0)
        return 0;
    if (store_step(st, q, NULL) == 1) {
        count = sqlite3_column_int64(q, 0);
        last = sqlite3_column_int64(q, 1);
    }
    store_finish(q);
    if (count < THROTTLE_FREE || now - last > THROTTLE_FORGET_MS)
        return 0;
    int64_t delay = THROTTLE_BASE_MS;
    for (int64_t i = THROTTLE_FREE; i < count && delay < THROTTLE_MAX_MS; i++)
        delay *= 2;
    if (delay > THROTTLE_MAX_MS)
        delay = THROTTLE_MAX_MS;
    return last + delay > now ? last + delay - now : 0;
}

static void throttle_fail(struct store *st, const char *key, int64_t now)
{
    store_exec(st, NULL,
               "INSERT INTO login_failures (key, count, last_at) VALUES (?, 1, ?) "
               "ON CONFLICT (key) DO UPDATE SET count = CASE WHEN ? - last_at > ? THEN 1 "
               "ELSE count + 1 END, last_at = excluded.last_at",
               "sIII", key, now, now, (int64_t)THROTTLE_FORGET_MS);
}

/* ---- sign-in, sign-out, tokens ---------------------------------------------------- */

int auth_signin(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"name", "password", NULL};
    json_t *body;
    int rc = req_json(r, fields, &body, e);
    if (rc)
        return rc;
    const char *name, *password;
    rc = json_str(body, "name", 1, &name, e);
    if (!rc)
        rc = json_str(body, "password", 1, &password, e);
    if (rc) {
        json_decref(body);
        return rc;
    }
    struct store *st = r->st;
    /* The name outlives the body, which is released before the answer. */
    char uname[48], ukey[80], ckey[80];
    snprintf(uname, sizeof(uname), "%.40s", name);
    name = uname;
    snprintf(ukey, sizeof(ukey), "user:%.40s", name);
    snprintf(ckey, sizeof(ckey), "client:%s", r->client);
    int64_t now = time_now_ms();
    int64_t wait = throttle_wait(st, ukey, now), wait2 = throttle_wait(st, ckey, now);
    if (wait2 > wait)
        wait = wait2;
    if (wait > 0) {
        json_decref(body);
        err_set(e, ERR_DENIED, "too many failed sign-ins; try again in %lld s",
                (long long)(wait + 999) / 1000);
        return 429;
    }
    struct user u;
    struct err ae = {0};
    rc = user_authenticate(st, name, password, &u, &ae);
    json_decref(body); /* with the password in it */
    if (rc == ERR_DENIED) {
        throttle_fail(st, ukey, now);
        throttle_fail(st, ckey, now);
        r->w->m.login_failures++;
        log_warn("failed sign-in for user name '%.40s' from %s", name, r->client);
        return err_set(e, ERR_DENIED, "wrong user name or password");
    }
    if (rc)
        return err_set(e, rc, "%s", ae.msg);
    char token[65], csrf[65], hash[SHA256_HEX_LEN];
    token_new(token);
    token_new(csrf);
    token_hash(token, hash);
    rc = store_begin(st, e);
    if (!rc)
        rc = store_exec(st, e, "DELETE FROM login_failures WHERE key = ?", "s", ukey);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO sessions (token_hash, user_id, csrf, client, created_at, "
                        "last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "sIssIII", hash, u.id, csrf, r->client, now, now,
                        now + r->w->opt.session_max_ms);
    if (!rc)
        rc = audit_append_take(st, u.name, "session.signin", u.name,
                               json_pack("{s:s}", "client", r->client), e);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    rc = store_commit(st, e);
    if (rc)
        return rc;
    snprintf(r->set_cookie, sizeof(r->set_cookie),
             COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", token,
             (long long)(r->w->opt.session_max_ms / 1000), r->w->opt.tls_cert ? "; Secure" : "");
    r->has_user = 1;
    r->user = u;
    *out = web_session_json(r, csrf);
    sodium_memzero(token, sizeof(token));
    return 200;
}

int auth_signout(struct req *r, json_t **out, struct err *e)
{
    if (!r->via_cookie)
        return err_set(e, ERR_USAGE, "sign-out ends a session; API tokens are revoked instead");
    int rc = store_begin(r->st, e);
    if (!rc)
        rc = store_exec(r->st, e, "UPDATE sessions SET revoked_at = ? WHERE id = ?", "II",
                        time_now_ms(), r->session_id);
    if (!rc)
        rc = audit_append_take(r->st, r->user.name, "session.signout", r->user.name, NULL, e);
    if (rc) {
        store_rollback(r->st);
        return rc;
    }
    rc = store_commit(r->st, e);
    if (rc)
        return rc;
    snprintf(r->set_cookie, sizeof(r->set_cookie),
             COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    *out = json_pack("{s:b}", "signed_out", 1);
    return 200;
}

/* A token's role may do nothing its creator's role may not. */
static int role_within(enum role scope, enum role creator)
{
    for (int a = 0; a < ACT_COUNT; a++)
        if (permission_allows(scope, (enum action)a) && !permission_allows(creator, (enum action)a))
            return 0;
    return 1;
}

int auth_token_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"name", "role", NULL};
    json_t *body = NULL;
    int rc = req_json(r, fields, &body, e);
    const char *name = NULL, *role_s = NULL;
    if (!rc)
        rc = json_str(body, "name", 1, &name, e);
    if (!rc)
        rc = json_str(body, "role", 0, &role_s, e);
    enum role role = r->user.role;
    if (!rc && role_s && role_parse(role_s, &role) != 0)
        rc = err_set(e, ERR_INPUT, "role '%.30s' is unknown", role_s);
    if (!rc && !role_within(role, r->user.role))
        rc = err_set(e, ERR_DENIED, "a token's role may not exceed its creator's (%s)",
                     role_info(r->user.role)->code);
    if (!rc && (strlen(name) > 64 || !text_is_clean(name, strlen(name))))
        rc = err_set(e, ERR_INPUT, "name must be one line of at most 64 bytes");
    char token[65], hash[SHA256_HEX_LEN];
    int64_t id = 0;
    if (!rc) {
        token_new(token);
        token_hash(token, hash);
        rc = store_begin(r->st, e);
    }
    if (!rc)
        rc = store_exec(r->st, e,
                        "INSERT INTO api_tokens (name, token_hash, user_id, role, created_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "ssIsI", name, hash, r->user.id, role_info(role)->code, time_now_ms());
    if (!rc) {
        id = store_last_id(r->st);
        rc = audit_append_take(
            r->st, r->user.name, "token.create", name,
            json_pack("{s:I, s:s}", "token", (json_int_t)id, "role", role_info(role)->code), e);
        rc = rc ? (store_rollback(r->st), rc) : store_commit(r->st, e);
    }
    if (!rc)
        *out = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "name", name, "role",
                         role_info(role)->code, "token", token);
    json_decref(body);
    if (!rc)
        sodium_memzero(token, sizeof(token));
    return rc ? rc : 201;
}

int auth_token_list(struct req *r, json_t **out, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(r->st, e, &q,
                         "SELECT id, name, role, created_at, coalesce(last_used_at, 0), "
                         "revoked_at IS NOT NULL FROM api_tokens WHERE user_id = ? ORDER BY id",
                         "I", r->user.id);
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(r->st, q, e)) == 1) {
        char created[TIME_ISO_LEN], used[TIME_ISO_LEN] = "";
        time_format_utc(sqlite3_column_int64(q, 3), created);
        if (sqlite3_column_int64(q, 4))
            time_format_utc(sqlite3_column_int64(q, 4), used);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:b}", "id",
                             (json_int_t)sqlite3_column_int64(q, 0), "name", store_col_text(q, 1),
                             "role", store_col_text(q, 2), "created_at", created, "last_used_at",
                             used[0] ? used : NULL, "revoked", sqlite3_column_int(q, 5)));
    }
    store_finish(q);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o, s:n}", "items", items, "next_cursor");
    return 200;
}

/* A user revokes their own tokens; an administrator any. */
int auth_token_revoke(struct req *r, json_t **out, struct err *e)
{
    char *end;
    long long id = strtoll(r->params[0], &end, 10);
    if (!r->params[0][0] || *end || id < 1)
        return err_set(e, ERR_NOTFOUND, "no such token");
    struct store *st = r->st;
    int rc = store_begin(st, e);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL "
                        "AND (user_id = ? OR ? = 1)",
                        "IIIi", time_now_ms(), (int64_t)id, r->user.id,
                        permission_allows(r->user.role, ACT_USER_MANAGE));
    if (!rc && store_changes(st) == 0)
        rc = err_set(e, ERR_NOTFOUND, "no token #%lld of yours that is still valid", id);
    char obj[32];
    snprintf(obj, sizeof(obj), "token:%lld", id);
    if (!rc)
        rc = audit_append_take(st, r->user.name, "token.revoke", obj, NULL, e);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    rc = store_commit(st, e);
    auth_forget();
    if (!rc)
        *out = json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1);
    return rc ? rc : 200;
}
