/* Users: names, roles, departments and argon2id password hashes. */
#include "response.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* argon2id at t=2, m=19 MiB: the OWASP minimum for argon2id, about 40 ms here,
 * and small enough that a burst of sign-ins does not swell the server. Hashes
 * carry their parameters, so older ones keep verifying. */
#define USER_PWHASH_OPS 2
#define USER_PWHASH_MEM ((size_t)19 * 1024 * 1024)

static int crypto_ready(struct err *e)
{
    if (sodium_init() < 0)
        return err_set(e, ERR_INTERNAL, "libsodium could not be initialised");
    return 0;
}

int user_name_check(const char *name, struct err *e)
{
    size_t n = strlen(name);
    if (n == 0 || n > USER_NAME_MAX)
        return err_set(e, ERR_INPUT, "user name '%.40s' must have 1 to %d characters", name,
                       USER_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!ok)
            return err_set(e, ERR_INPUT,
                           "user name '%.40s' may hold only a-z, 0-9, '.', '_' and '-', "
                           "and must start with a letter or digit",
                           name);
    }
    return 0;
}

int user_password_check(const char *password, struct err *e)
{
    size_t n = strlen(password);
    if (n < USER_PASSWORD_MIN)
        return err_set(e, ERR_INPUT, "the password is shorter than %d characters",
                       USER_PASSWORD_MIN);
    if (n > USER_PASSWORD_MAX)
        return err_set(e, ERR_INPUT, "the password is longer than %d bytes", USER_PASSWORD_MAX);
    if (!utf8_valid(password, n))
        return err_set(e, ERR_INPUT, "the password is not valid UTF-8");
    return 0;
}

void user_password_generate(char *out, size_t len)
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    if (sodium_init() < 0) {
        out[0] = '\0';
        return;
    }
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[len] = '\0';
}

static int check_text(const char *what, const char *s, size_t max, struct err *e)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return err_set(e, ERR_INPUT, "%s must have 1 to %zu bytes", what, max);
    if (!text_is_clean(s, n))
        return err_set(e, ERR_INPUT, "%s '%.60s' is not clean one-line UTF-8 text", what, s);
    return 0;
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], struct err *e)
{
    int rc = crypto_ready(e);
    if (rc)
        return rc;
    if (crypto_pwhash_str(out, password, strlen(password), USER_PWHASH_OPS, USER_PWHASH_MEM) != 0)
        return err_set(e, ERR_NOMEM, "not enough memory to hash the password");
    return 0;
}

int user_add(struct store *st, const char *actor, const char *name, const char *display_name,
             enum role role, const char *department, const char *password, struct err *e)
{
    const struct role_info *ri = role_info(role);
    if (!ri)
        return err_set(e, ERR_INPUT, "unknown role");
    int rc = user_name_check(name, e);
    if (!rc && display_name)
        rc = check_text("display name", display_name, 128, e);
    if (!rc && department)
        rc = check_text("department", department, 128, e);
    if (!rc && role == ROLE_DEPARTMENT && !department)
        rc = err_set(e, ERR_USAGE, "a user with role 'department' needs --department");
    if (!rc)
        rc = user_password_check(password, e);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    rc = hash_password(password, hash, e);
    if (rc)
        return rc;

    rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t now = time_now_ms(), exists = 0;
    rc = store_query_int(st, e, &exists, "SELECT count(*) FROM users WHERE name = ?", "s", name);
    if (!rc && exists)
        rc = err_set(e, ERR_EXISTS, "user '%s' exists already", name);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO users (name, display_name, role, department, pw_hash, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "sssssII", name, display_name ? display_name : name, ri->code, department,
                        hash, now, now);
    if (!rc)
        rc = audit_append_take(st, actor, "user.add", name,
                               json_pack("{s:s, s:s?}", "role", ri->code, "department", department),
                               e);
    sodium_memzero(hash, sizeof(hash));
    if (!rc)
        return store_commit(st, e);
    store_rollback(st);
    return rc;
}

static void row_to_user(sqlite3_stmt *q, struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(q, 0);
    snprintf(u->name, sizeof(u->name), "%s", store_col_text(q, 1));
    snprintf(u->display_name, sizeof(u->display_name), "%s", store_col_text(q, 2));
    if (role_parse(store_col_text(q, 3), &u->role) != 0)
        u->role = ROLE_AUDITOR; /* an unknown role never grants more than reading */
    snprintf(u->department, sizeof(u->department), "%s", store_col_text(q, 4));
    u->is_disabled = sqlite3_column_int(q, 5);
    u->created_at = sqlite3_column_int64(q, 6);
}

#define USER_COLUMNS "id, name, display_name, role, department, is_disabled, created_at, pw_hash"

int user_find(struct store *st, const char *name, struct user *out, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " USER_COLUMNS " FROM users WHERE name = ?", "s", name);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        row_to_user(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "no user named '%.40s'", name);
    }
    store_finish(q);
    return rc;
}

int user_find_id(struct store *st, int64_t id, struct user *out, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", "I", id);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        row_to_user(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "no user with id %lld", (long long)id);
    }
    store_finish(q);
    return rc;
}

/* Runs one UPDATE of a user's row with its audit entry, in one transaction. */
static int user_update(struct store *st, const char *actor, const char *name, const char *action,
                       const char *sql, const char *value, int64_t flag, json_t *details,
                       struct err *e)
{
    int rc = store_begin(st, e);
    if (rc)
        return rc;
    if (value)
        rc = store_exec(st, e, sql, "sIs", value, time_now_ms(), name);
    else
        rc = store_exec(st, e, sql, "IIs", flag, time_now_ms(), name);
    if (!rc && store_changes(st) == 0)
        rc = err_set(e, ERR_NOTFOUND, "no user named '%.40s'", name);
    if (!rc)
        rc = audit_append(st, actor, action, name, details, e);
    if (!rc)
        return store_commit(st, e);
    store_rollback(st);
    return rc;
}

int user_set_password(struct store *st, const char *actor, const char *name, const char *password,
                      struct err *e)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = user_password_check(password, e);
    if (!rc)
        rc = hash_password(password, hash, e);
    if (rc)
        return rc;
    rc = user_update(st, actor, name, "user.passwd",
                     "UPDATE users SET pw_hash = ?, updated_at = ? WHERE name = ?", hash, 0, NULL,
                     e);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

int user_set_email(struct store *st, const char *actor, const char *name, const char *email,
                   struct err *e)
{
    const char *at = strchr(email, '@');
    if (*email && (!at || at == email || !at[1] || strchr(at + 1, '@') ||
                   strpbrk(email, " <>,;\"\r\n\t") || strlen(email) > 254))
        return err_set(e, ERR_INPUT, "'%.80s' is not an e-mail address", email);
    json_t *d = json_pack("{s:s}", "email", email);
    int rc =
        user_update(st, actor, name, "user.email",
                    "UPDATE users SET email = ?, updated_at = ? WHERE name = ?", email, 0, d, e);
    json_decref(d);
    return rc;
}

int user_set_disabled(struct store *st, const char *actor, const char *name, int is_disabled,
                      struct err *e)
{
    return user_update(st, actor, name, is_disabled ? "user.disable" : "user.enable",
                       "UPDATE users SET is_disabled = ?, updated_at = ? WHERE name = ?", NULL,
                       is_disabled ? 1 : 0, NULL, e);
}

int user_authenticate(struct store *st, const char *name, const char *password, struct user *out,
                      struct err *e)
{
    int rc = crypto_ready(e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q, "SELECT " USER_COLUMNS " FROM users WHERE name = ?", "s", name);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc < 0) {
        store_finish(q);
        return rc;
    }
    int found = rc == 1, ok = 0;
    if (found) {
        row_to_user(q, out);
        ok = crypto_pwhash_str_verify(store_col_text(q, 7), password, strlen(password)) == 0;
    } else {
        /* Spend the same time on an unknown name, so timing does not tell. */
        char dummy[crypto_pwhash_STRBYTES];
        hash_password("tocsin-unknown-user", dummy, NULL);
    }
    store_finish(q);
    if (!found || !ok || out->is_disabled)
        return err_set(e, ERR_DENIED, "wrong user name or password");
    return 0;
}

int user_each(struct store *st, int (*fn)(const struct user *u, void *arg), void *arg,
              struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " USER_COLUMNS " FROM users ORDER BY name", "");
    if (rc)
        return rc;
    while ((rc = store_step(st, q, e)) == 1) {
        struct user u;
        row_to_user(q, &u);
        if (fn(&u, arg))
            break;
    }
    store_finish(q);
    return rc < 0 ? rc : 0;
}
