/* Channels and routes: configured by an administrator, audited, secrets never
 * shown back. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_codes[CH_COUNT] = {"smtp", "webhook", "dingtalk", "wecom", "feishu"};
static const char *const trigger_codes[NT_COUNT] = {"incident", "escalation", "proposal", "warning",
                                                    "report"};

const char *channel_kind_code(enum channel_kind k)
{
    return (unsigned)k < CH_COUNT ? kind_codes[k] : "webhook";
}

int channel_kind_parse(const char *s, enum channel_kind *out)
{
    for (int i = 0; i < CH_COUNT; i++)
        if (strcmp(s, kind_codes[i]) == 0) {
            *out = (enum channel_kind)i;
            return 0;
        }
    return -1;
}

const char *notice_trigger_code(enum notice_trigger t)
{
    return (unsigned)t < NT_COUNT ? trigger_codes[t] : "incident";
}

int notice_trigger_parse(const char *s, enum notice_trigger *out)
{
    for (int i = 0; i < NT_COUNT; i++)
        if (strcmp(s, trigger_codes[i]) == 0) {
            *out = (enum notice_trigger)i;
            return 0;
        }
    return -1;
}

static int finish(struct store *st, int rc, struct err *e)
{
    if (rc) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, e);
}

/* A configuration value: a string of at most max bytes, one line. */
static int conf_str(const json_t *c, const char *key, int required, size_t max, const char **out,
                    struct err *e)
{
    const json_t *v = json_object_get(c, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? err_set(e, ERR_INPUT, "the channel needs \"%s\"", key) : 0;
    const char *s = json_string_value(v);
    if (!s || strlen(s) > max || !text_is_clean(s, strlen(s)))
        return err_set(e, ERR_INPUT, "\"%s\" must be one line of text up to %zu bytes", key, max);
    *out = s;
    return 0;
}

static int url_check(const char *url, const char *const *schemes, struct err *e)
{
    for (int i = 0; schemes[i]; i++)
        if (strncmp(url, schemes[i], strlen(schemes[i])) == 0 && url[strlen(schemes[i])])
            return 0;
    return err_set(e, ERR_INPUT, "url '%.80s' must start with %s%s%s", url, schemes[0],
                   schemes[1] ? " or " : "", schemes[1] ? schemes[1] : "");
}

static int address_check(const char *a, struct err *e)
{
    const char *at = strchr(a, '@');
    if (!at || at == a || !at[1] || strchr(at + 1, '@') || strpbrk(a, " <>,;\"\r\n") ||
        strlen(a) > 254)
        return err_set(e, ERR_INPUT, "'%.80s' is not an e-mail address", a);
    return 0;
}

int channel_config_check(enum channel_kind kind, const json_t *c, struct err *e)
{
    static const char *const http[] = {"https://", "http://", NULL};
    static const char *const smtp[] = {"smtp://", "smtps://", NULL};
    static const char *const known[CH_COUNT][9] = {
        [CH_SMTP] = {"url", "from", "username", "password", "starttls", "to", "ca", NULL},
        [CH_WEBHOOK] = {"url", "secret", "ca", NULL},
        [CH_DINGTALK] = {"url", "secret", "ca", NULL},
        [CH_WECOM] = {"url", "ca", NULL},
        [CH_FEISHU] = {"url", "secret", "ca", NULL},
    };
    if (!json_is_object(c))
        return err_set(e, ERR_INPUT, "a channel's configuration is a JSON object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)c, key, v)
    {
        int ok = 0;
        for (int i = 0; known[kind][i]; i++)
            ok |= strcmp(key, known[kind][i]) == 0;
        if (!ok)
            return err_set(e, ERR_INPUT, "a %s channel has no setting \"%.40s\"",
                           channel_kind_code(kind), key);
    }
    const char *url, *s;
    int rc = conf_str(c, "url", 1, 2048, &url, e);
    if (!rc)
        rc = url_check(url, kind == CH_SMTP ? smtp : http, e);
    if (!rc)
        rc = conf_str(c, "secret", 0, 512, &s, e);
    if (!rc)
        rc = conf_str(c, "ca", 0, 1024, &s, e);
    if (!rc && s && s[0] != '/')
        rc = err_set(e, ERR_INPUT, "\"ca\" must be an absolute path");
    if (rc || kind != CH_SMTP)
        return rc;
    rc = conf_str(c, "from", 1, 254, &s, e);
    if (!rc)
        rc = address_check(s, e);
    if (!rc)
        rc = conf_str(c, "username", 0, 254, &s, e);
    if (!rc)
        rc = conf_str(c, "password", 0, 512, &s, e);
    if (!rc)
        rc = conf_str(c, "starttls", 0, 16, &s, e);
    if (!rc && s && strcmp(s, "required") != 0 && strcmp(s, "try") != 0 && strcmp(s, "no") != 0)
        rc = err_set(e, ERR_INPUT, "\"starttls\" is required, try or no");
    const json_t *to = json_object_get(c, "to");
    if (!rc && to && (!json_is_array(to) || json_array_size(to) > 50))
        rc = err_set(e, ERR_INPUT, "\"to\" is an array of at most 50 addresses");
    size_t i;
    json_array_foreach(to, i, v)
    {
        if (rc)
            break;
        if (!json_is_string(v))
            rc = err_set(e, ERR_INPUT, "\"to\"[%zu] is not a string", i);
        else
            rc = address_check(json_string_value(v), e);
    }
    return rc;
}

int channel_add(struct store *st, const struct user *as, const char *name, enum channel_kind kind,
                const json_t *config, int64_t *id, struct err *e)
{
    int rc = resp_allow(as, ACT_NOTIFY_MANAGE, e);
    if (!rc && (!name || !*name || strlen(name) > 64 || !text_is_clean(name, strlen(name))))
        rc = err_set(e, ERR_INPUT, "a channel's name is one line of 1 to 64 bytes");
    if (!rc)
        rc = channel_config_check(kind, config, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t n = 0;
    char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
    rc = store_query_int(st, e, &n, "SELECT count(*) FROM notify_channels WHERE name = ?", "s",
                         name);
    if (!rc && n)
        rc = err_set(e, ERR_EXISTS, "channel '%s' exists already", name);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO notify_channels (name, kind, config, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "sssII", name, channel_kind_code(kind), text ? text : "{}", time_now_ms(),
                        time_now_ms());
    free(text);
    *id = store_last_id(st);
    if (!rc) /* the configuration is not in the audit entry: it may hold secrets */
        rc = audit_append_take(st, as->name, "notify.channel.add", name,
                               json_pack("{s:s}", "kind", channel_kind_code(kind)), e);
    return finish(st, rc, e);
}

static int channel_change(struct store *st, const struct user *as, const char *name,
                          const char *action, const char *sql, int value, struct err *e)
{
    int rc = resp_allow(as, ACT_NOTIFY_MANAGE, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = store_exec(st, e, sql, "is", value, name);
    if (!rc && store_changes(st) == 0)
        rc = err_set(e, ERR_NOTFOUND, "channel '%.64s' does not exist", name);
    if (!rc)
        rc = audit_append_take(st, as->name, action, name, json_object(), e);
    return finish(st, rc, e);
}

int channel_remove(struct store *st, const struct user *as, const char *name, struct err *e)
{
    int64_t n = 0;
    int rc = store_query_int(st, e, &n,
                             "SELECT count(*) FROM outbox o JOIN notify_channels c "
                             "ON c.id = o.channel_id WHERE c.name = ?",
                             "s", name);
    if (!rc && n)
        return err_set(e, ERR_CONFLICT,
                       "channel '%.64s' has %lld messages in its history; disable it instead", name,
                       (long long)n);
    /* its routes go with it (ON DELETE CASCADE) */
    return rc ? rc
              : channel_change(st, as, name, "notify.channel.remove",
                               "DELETE FROM notify_channels WHERE name = ?2 AND ?1 = 0", 0, e);
}

int channel_set_config(struct store *st, const struct user *as, const char *name,
                       const json_t *config, struct err *e)
{
    int rc = resp_allow(as, ACT_NOTIFY_MANAGE, e);
    char kind_s[16] = "";
    sqlite3_stmt *q;
    if (!rc)
        rc = store_query(st, e, &q, "SELECT kind FROM notify_channels WHERE name = ?", "s", name);
    if (!rc) {
        if ((rc = store_step(st, q, e)) == 1)
            snprintf(kind_s, sizeof kind_s, "%s", store_col_text(q, 0));
        store_finish(q);
        rc = rc < 0 ? rc : 0;
    }
    enum channel_kind kind = CH_WEBHOOK;
    if (!rc && channel_kind_parse(kind_s, &kind) != 0)
        rc = err_set(e, ERR_NOTFOUND, "channel '%.64s' does not exist", name);
    if (!rc)
        rc = channel_config_check(kind, config, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
    rc = store_exec(st, e, "UPDATE notify_channels SET config = ?, updated_at = ? WHERE name = ?",
                    "sIs", text ? text : "{}", time_now_ms(), name);
    free(text);
    if (!rc)
        rc = audit_append_take(st, as->name, "notify.channel.edit", name, json_object(), e);
    return finish(st, rc, e);
}

int channel_set_enabled(struct store *st, const struct user *as, const char *name, int enabled,
                        struct err *e)
{
    return channel_change(st, as, name,
                          enabled ? "notify.channel.enable" : "notify.channel.disable",
                          "UPDATE notify_channels SET enabled = ? WHERE name = ?", enabled, e);
}

int channel_list_json(struct store *st, const struct user *as, json_t **out, struct err *e)
{
    int rc = resp_allow(as, ACT_NOTIFY_READ, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(
        st, e, &q, "SELECT id, name, kind, config, enabled FROM notify_channels ORDER BY name", "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        json_t *c = json_loads(store_col_text(q, 3), 0, NULL);
        if (!c)
            c = json_object();
        static const char *const secret[] = {"password", "secret", NULL};
        for (int i = 0; secret[i]; i++)
            if (json_object_get(c, secret[i]))
                json_object_set_new(c, secret[i], json_string("********"));
        /* robots' URLs carry their access token */
        const char *url = json_string_value(json_object_get(c, "url"));
        const char *tok = url ? strpbrk(url, "?") : NULL;
        if (tok) {
            char masked[2100];
            snprintf(masked, sizeof masked, "%.*s?********", (int)(tok - url), url);
            json_object_set_new(c, "url", json_string(masked));
        }
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:o, s:b}", "id",
                                               (json_int_t)sqlite3_column_int64(q, 0), "name",
                                               store_col_text(q, 1), "kind", store_col_text(q, 2),
                                               "config", c, "enabled", sqlite3_column_int(q, 4)));
    }
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int route_add(struct store *st, const struct user *as, const struct route_new *in, int64_t *id,
              struct err *e)
{
    int rc = resp_allow(as, ACT_NOTIFY_MANAGE, e);
    const struct category *cat;
    const struct subcategory *sub;
    enum role role;
    if (!rc && in->category && *in->category && category_parse(in->category, &cat, &sub) != 0)
        rc = err_set(e, ERR_INPUT, "category '%.60s' is not a category of the plan", in->category);
    if (!rc && in->role && *in->role && role_parse(in->role, &role) != 0)
        rc = err_set(e, ERR_INPUT, "role '%.30s' is not one of %s", in->role, role_codes_list());
    if (!rc && (in->tier < 0 || in->tier > 9))
        rc = err_set(e, ERR_INPUT, "tier must be 0-9");
    if (!rc && in->tier > 0 && in->trigger != NT_ESCALATION)
        rc = err_set(e, ERR_INPUT, "only escalation routes have a tier above 0");
    if (!rc && in->trigger == NT_ESCALATION && in->tier == 0)
        rc = err_set(e, ERR_INPUT, "an escalation route needs a tier of 1 or more");
    if (!rc && (unsigned)in->min_level - 1 > 3)
        rc = err_set(e, ERR_INPUT, "the level must be I, II, III or IV");
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t channel = 0;
    rc = store_query_int(st, e, &channel, "SELECT id FROM notify_channels WHERE name = ?", "s",
                         in->channel ? in->channel : "");
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        rc = err_set(e, ERR_NOTFOUND, "channel '%.64s' does not exist", in->channel);
    }
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO notify_routes (trigger, min_level, category, role, tier, "
                        "channel_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "ssssiII", notice_trigger_code(in->trigger), level_code(in->min_level),
                        in->category ? in->category : "", in->role ? in->role : "", in->tier,
                        channel, time_now_ms());
    *id = store_last_id(st);
    char obj[32];
    snprintf(obj, sizeof obj, "route:%lld", (long long)*id);
    if (!rc)
        rc = audit_append_take(
            st, as->name, "notify.route.add", obj,
            json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "trigger", notice_trigger_code(in->trigger),
                      "min_level", level_code(in->min_level), "category",
                      in->category ? in->category : "", "role", in->role ? in->role : "", "tier",
                      in->tier, "channel", in->channel),
            e);
    return finish(st, rc, e);
}

int route_remove(struct store *st, const struct user *as, int64_t id, struct err *e)
{
    int rc = resp_allow(as, ACT_NOTIFY_MANAGE, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = store_exec(st, e, "DELETE FROM notify_routes WHERE id = ?", "I", id);
    if (!rc && store_changes(st) == 0)
        rc = err_set(e, ERR_NOTFOUND, "route %lld does not exist", (long long)id);
    char obj[32];
    snprintf(obj, sizeof obj, "route:%lld", (long long)id);
    if (!rc)
        rc = audit_append_take(st, as->name, "notify.route.remove", obj, json_object(), e);
    return finish(st, rc, e);
}

int route_list_json(struct store *st, const struct user *as, json_t **out, struct err *e)
{
    int rc = resp_allow(as, ACT_NOTIFY_READ, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT r.id, r.trigger, r.min_level, r.category, r.role, r.tier, c.name "
                     "FROM notify_routes r JOIN notify_channels c ON c.id = r.channel_id "
                     "ORDER BY r.trigger, r.tier, r.id",
                     "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:s}", "id",
                             (json_int_t)sqlite3_column_int64(q, 0), "trigger",
                             store_col_text(q, 1), "min_level", store_col_text(q, 2), "category",
                             store_col_text(q, 3), "role", store_col_text(q, 4), "tier",
                             sqlite3_column_int(q, 5), "channel", store_col_text(q, 6)));
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int outbox_list_json(struct store *st, const struct user *as, const char *status, int limit,
                     int64_t before_id, json_t **out, struct err *e)
{
    int rc = resp_allow(as, ACT_NOTIFY_READ, e);
    if (!rc && status && strcmp(status, "pending") != 0 && strcmp(status, "sent") != 0 &&
        strcmp(status, "failed") != 0)
        rc = err_set(e, ERR_INPUT, "status '%.20s' is not pending, sent or failed", status);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT o.id, c.name, c.kind, o.trigger, o.object, o.recipient, o.subject, "
                     "o.status, o.attempts, o.next_at, o.last_error, o.created_at, "
                     "coalesce(o.sent_at, 0) FROM outbox o "
                     "JOIN notify_channels c ON c.id = o.channel_id "
                     "WHERE (?1 = 0 OR o.id < ?1) AND (?2 IS NULL OR o.status = ?2) "
                     "ORDER BY o.id DESC LIMIT ?3",
                     "Isi", before_id, status, limit);
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        char created[TIME_ISO_LEN], next[TIME_ISO_LEN], sent[TIME_ISO_LEN];
        time_format_utc(sqlite3_column_int64(q, 11), created);
        time_format_utc(sqlite3_column_int64(q, 9), next);
        int64_t s = sqlite3_column_int64(q, 12);
        time_format_utc(s, sent);
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s?}", "id",
                      (json_int_t)sqlite3_column_int64(q, 0), "channel", store_col_text(q, 1),
                      "kind", store_col_text(q, 2), "trigger", store_col_text(q, 3), "object",
                      store_col_text(q, 4), "recipient", store_col_text(q, 5), "subject",
                      store_col_text(q, 6), "status", store_col_text(q, 7), "attempts",
                      sqlite3_column_int(q, 8), "next_at", next, "last_error",
                      store_col_text(q, 10), "created_at", created, "sent_at", s ? sent : NULL));
    }
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}
