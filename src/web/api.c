/* The routes of /api/v1 and their handlers: each decodes its request, calls
 * the domain (which checks permissions again) and returns JSON. */
#include "web_int.h"

#include "../report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern const char web_openapi_yaml[];

/* ---- request helpers ---------------------------------------------------------- */

int req_json(struct req *r, const char *const *allowed, json_t **out, struct err *e)
{
    *out = NULL;
    json_error_t je;
    if (r->body.len == 0)
        return err_set(e, ERR_MALFORMED, "the request needs a JSON body");
    json_t *v = json_loadb(r->body.p, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!v)
        return err_set(e, ERR_MALFORMED, "body is not valid JSON: %s (at byte %d)", je.text,
                       je.position);
    if (!json_is_object(v)) {
        json_decref(v);
        return err_set(e, ERR_MALFORMED, "body must be a JSON object");
    }
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        int known = 0;
        for (size_t i = 0; allowed && allowed[i]; i++)
            known |= strcmp(allowed[i], key) == 0;
        if (!known) {
            err_set(e, ERR_MALFORMED, "%.60s is not a field of this request", key);
            json_decref(v);
            return ERR_MALFORMED;
        }
    }
    *out = v;
    return 0;
}

int json_str(json_t *o, const char *key, int required, const char **out, struct err *e)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? err_set(e, ERR_USAGE, "%s is required", key) : 0;
    if (!json_is_string(v))
        return err_set(e, ERR_MALFORMED, "%s must be a string", key);
    *out = json_string_value(v);
    if (strlen(*out) != json_string_length(v))
        return err_set(e, ERR_MALFORMED, "%s contains a NUL character", key);
    return 0;
}

int json_bool(json_t *o, const char *key, int *out, struct err *e)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return err_set(e, ERR_MALFORMED, "%s must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

/* A time field in the UTC form of the API ("2026-11-27T08:00:00Z"). */
static int json_time(json_t *o, const char *key, int required, int64_t *out, struct err *e)
{
    const char *s;
    int rc = json_str(o, key, required, &s, e);
    if (rc || !s)
        return rc;
    struct err te = {0};
    if (time_parse_utc(s, out, &te) != 0)
        return err_set(e, ERR_INPUT, "%s: %s", key, te.msg);
    return 0;
}

const char *req_query(struct req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* limit (1…200, default 50) and a numeric cursor, both from the query. */
static int paging(struct req *r, int *limit, int64_t *cursor, struct err *e)
{
    const char *l = req_query(r, "limit"), *c = req_query(r, "cursor");
    char *end;
    *limit = 50;
    *cursor = 0;
    if (l) {
        long v = strtol(l, &end, 10);
        if (!*l || *end || v < 1 || v > 200)
            return err_set(e, ERR_INPUT, "limit must be a number from 1 to 200");
        *limit = (int)v;
    }
    if (c) {
        long long v = strtoll(c, &end, 10);
        if (!*c || *end || v < 0)
            return err_set(e, ERR_INPUT, "cursor is not one this server gave");
        *cursor = v;
    }
    return 0;
}

/* Path parameters: references and ids are checked before use. */
static int param_ref(struct req *r, int i, const char *prefix, struct err *e)
{
    const char *p = r->params[i];
    size_t n = strlen(p);
    int ok = n >= 13 && n <= 20 && strncmp(p, prefix, 4) == 0;
    for (size_t k = 4; ok && k < n; k++)
        ok = (p[k] >= '0' && p[k] <= '9') || (k == 8 && p[k] == '-');
    return ok ? 0 : err_set(e, ERR_NOTFOUND, "no such reference");
}

static int param_id(struct req *r, int i, int64_t *out, struct err *e)
{
    char *end;
    long long v = strtoll(r->params[i], &end, 10);
    if (!r->params[i][0] || *end || v < 1)
        return err_set(e, ERR_NOTFOUND, "no such id");
    *out = v;
    return 0;
}

/* A page of an array: items [cursor, cursor + limit) and the next cursor. */
static json_t *page(json_t *all, int limit, int64_t cursor)
{
    json_t *items = json_array();
    size_t n = json_array_size(all);
    for (size_t i = (size_t)cursor; i < n && i < (size_t)cursor + (size_t)limit; i++)
        json_array_append(items, json_array_get(all, i));
    json_t *next = (size_t)cursor + (size_t)limit < n
                       ? json_sprintf("%lld", (long long)(cursor + limit))
                       : json_null();
    json_decref(all);
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
}

/* A whole list as {"items": […]} (lists short enough not to page). items is
 * read only here, after the call that filled it has returned. */
static int items_answer(int rc, json_t *const *items, json_t **out)
{
    if (rc)
        return rc;
    *out = json_pack("{s:o}", "items", *items);
    return 200;
}

/* ---- operations -------------------------------------------------------------------- */

static int h_health(struct req *r, json_t **out, struct err *e)
{
    int64_t one = 0;
    int rc = store_query_int(r->st, e, &one, "SELECT 1", "");
    if (rc)
        return rc;
    *out = json_pack("{s:s, s:s}", "status", "ok", "database", "ok");
    return 200;
}

static int h_metrics(struct req *r, json_t **out, struct err *e)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    int rc = web_metrics_text(r->w, r->st, &b, e);
    if (rc) {
        buf_release(&b);
        return rc;
    }
    *out = json_string(buf_str(&b));
    buf_release(&b);
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return 200;
}

static int h_openapi(struct req *r, json_t **out, struct err *e)
{
    (void)e;
    *out = json_string(web_openapi_yaml);
    r->content_type = "application/yaml; charset=utf-8";
    return 200;
}

/* The actions a role may take, so the interface offers only those. */
static json_t *permission_list(enum role role)
{
    json_t *a = json_array();
    for (int i = 0; i < ACT_COUNT; i++)
        if (permission_allows(role, (enum action)i))
            json_array_append_new(a, json_string(action_info((enum action)i)->code));
    return a;
}

json_t *web_session_json(struct req *r, const char *csrf)
{
    const struct role_info *ri = role_info(r->user.role);
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:o}", "user", r->user.name,
                     "display_name", r->user.display_name, "role", ri->code, "department",
                     r->user.department[0] ? r->user.department : NULL, "csrf_token", csrf,
                     "organisation", r->w->opt.org_name, "timezone", r->w->opt.timezone,
                     "permissions", permission_list(r->user.role));
}

static int h_session_get(struct req *r, json_t **out, struct err *e)
{
    (void)e;
    *out = web_session_json(r, r->via_cookie ? r->csrf : NULL);
    return 200;
}

/* ---- incidents ------------------------------------------------------------------ */

/* A page answer: items and, when the page is full, the cursor of the next. */
static json_t *page_by_id(json_t *items, int limit)
{
    size_t n = json_array_size(items);
    json_t *next = json_null();
    if (n > 0 && (int)n == limit)
        next = json_sprintf("%lld", (long long)json_integer_value(
                                        json_object_get(json_array_get(items, n - 1), "id")));
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
}

static int h_incidents(struct req *r, json_t **out, struct err *e)
{
    int limit, n = 0;
    int64_t cursor, last = 0;
    int rc = paging(r, &limit, &cursor, e);
    if (rc)
        return rc;
    /* The page arrives as JSON text from the database and is sent as it is. */
    struct buf b;
    buf_init(&b, (size_t)16 << 20);
    rc = buf_adds(&b, "{\"items\":");
    if (!rc)
        rc = incident_list_text(r->st, &r->user, req_query(r, "status"),
                                req_query(r, "open") != NULL, limit, cursor, &b, &last, &n, e);
    if (!rc && n == limit)
        rc = buf_addf(&b, ",\"next_cursor\":\"%lld\"}", (long long)last);
    else if (!rc)
        rc = buf_adds(&b, ",\"next_cursor\":null}");
    if (rc) {
        buf_release(&b);
        return rc < 0 ? rc : err_set(e, ERR_TOOBIG, "the page is too large");
    }
    r->raw_json = buf_take(&b);
    *out = NULL;
    return 200;
}

static int h_incident_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"title",  "category",    "asset",   "assets", "level",
                                         "reason", "description", "started", "drill",  NULL};
    json_t *b;
    int rc = req_json(r, fields, &b, e);
    struct incident_new in = {0};
    const char *level = NULL, *asset = NULL;
    int drill = 0;
    if (!rc)
        rc = json_str(b, "title", 1, &in.title, e);
    if (!rc)
        rc = json_str(b, "category", 1, &in.category, e);
    if (!rc)
        rc = json_str(b, "asset", 0, &asset, e);
    if (!rc)
        rc = json_str(b, "level", 0, &level, e);
    if (!rc)
        rc = json_str(b, "reason", 0, &in.level_reason, e);
    if (!rc)
        rc = json_str(b, "description", 0, &in.description, e);
    if (!rc)
        rc = json_time(b, "started", 0, &in.started_at, e);
    if (!rc)
        rc = json_bool(b, "drill", &drill, e);
    in.is_drill = drill;
    if (!rc && level && level_parse(level, &in.level) != 0)
        rc = err_set(e, ERR_INPUT, "level must be I, II, III or IV");
    if (!rc && asset)
        in.assets[in.n_assets++] = asset;
    json_t *list = b ? json_object_get(b, "assets") : NULL;
    if (!rc && list && !json_is_array(list))
        rc = err_set(e, ERR_MALFORMED, "assets must be an array of names");
    size_t i;
    json_t *v;
    if (!rc && list)
        json_array_foreach(list, i, v)
        {
            if (!json_is_string(v) || in.n_assets >= IMPACT_MAX_ASSETS) {
                rc = err_set(e, ERR_INPUT, "assets must be at most %d names", IMPACT_MAX_ASSETS);
                break;
            }
            in.assets[in.n_assets++] = json_string_value(v);
        }
    char ref[INCIDENT_REF_LEN];
    if (!rc)
        rc = incident_open(r->st, &r->user, &in, ref, e);
    json_decref(b);
    if (!rc)
        rc = incident_show_json(r->st, &r->user, ref, out, e);
    return rc ? rc : 201;
}

static int h_incident_show(struct req *r, json_t **out, struct err *e)
{
    int rc = param_ref(r, 0, "INC-", e);
    return rc ? rc : incident_show_json(r->st, &r->user, r->params[0], out, e);
}

/* Runs a change on an incident and answers with the incident as it now is. */
static int answer_incident(struct req *r, int rc, json_t **out, struct err *e)
{
    if (rc)
        return rc;
    return incident_show_json(r->st, &r->user, r->params[0], out, e);
}

static int h_incident_status(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"status", "reason", "override", NULL};
    json_t *b = NULL;
    const char *status = NULL, *reason = NULL;
    int override = 0;
    enum incident_status to = INC_REPORTED;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "status", 1, &status, e);
    if (!rc)
        rc = json_str(b, "reason", 0, &reason, e);
    if (!rc)
        rc = json_bool(b, "override", &override, e);
    if (!rc && incident_status_parse(status, &to) != 0)
        rc = err_set(e, ERR_INPUT, "status '%.20s' is not a state of an incident", status);
    if (!rc)
        rc = incident_set_status(r->st, &r->user, r->params[0], to, reason, override, e);
    json_decref(b);
    return answer_incident(r, rc, out, e);
}

static int h_incident_level(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"level", "reason", NULL};
    json_t *b = NULL;
    const char *level_s = NULL, *reason = NULL;
    enum level level = LEVEL_NONE;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "level", 1, &level_s, e);
    if (!rc)
        rc = json_str(b, "reason", 1, &reason, e);
    if (!rc && level_parse(level_s, &level) != 0)
        rc = err_set(e, ERR_INPUT, "level must be I, II, III or IV");
    if (!rc)
        rc = incident_set_level(r->st, &r->user, r->params[0], level, reason, e);
    json_decref(b);
    return answer_incident(r, rc, out, e);
}

static int h_incident_assign(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"department", "person", NULL};
    json_t *b = NULL;
    const char *dept = NULL, *person = NULL;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "department", 0, &dept, e);
    if (!rc)
        rc = json_str(b, "person", 0, &person, e);
    if (!rc)
        rc = incident_assign(r->st, &r->user, r->params[0], dept, person, e);
    json_decref(b);
    return answer_incident(r, rc, out, e);
}

static int h_incident_flag(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"flag", "value", NULL};
    json_t *b = NULL;
    const char *flag = NULL;
    int value = 1;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "flag", 1, &flag, e);
    if (!rc)
        rc = json_bool(b, "value", &value, e);
    if (!rc)
        rc = incident_flag(r->st, &r->user, r->params[0], flag, value, e);
    json_decref(b);
    return answer_incident(r, rc, out, e);
}

static int h_task_add(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"title",    "due",       "department",
                                         "assignee", "mandatory", NULL};
    json_t *b = NULL;
    const char *title = NULL, *dept = NULL, *assignee = NULL;
    int64_t due = 0, id = 0;
    int mandatory = 0;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "title", 1, &title, e);
    if (!rc)
        rc = json_time(b, "due", 1, &due, e);
    if (!rc)
        rc = json_str(b, "department", 0, &dept, e);
    if (!rc)
        rc = json_str(b, "assignee", 0, &assignee, e);
    if (!rc)
        rc = json_bool(b, "mandatory", &mandatory, e);
    if (!rc)
        rc = task_add(r->st, &r->user, r->params[0], title, dept, assignee, due, mandatory, &id, e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "id", (json_int_t)id);
    return 201;
}

static int h_task_done(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"note", NULL};
    json_t *b = NULL;
    const char *note = NULL;
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc && r->body.len)
        rc = req_json(r, fields, &b, e);
    if (!rc && b)
        rc = json_str(b, "note", 0, &note, e);
    if (!rc)
        rc = task_done(r->st, &r->user, id, note, e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:b}", "id", (json_int_t)id, "done", 1);
    return 200;
}

/* The common shape of a request on an incident that carries one required
 * text field: checks the reference and decodes {"<field>": "…"}; *b holds
 * the body, which the caller releases. */
static int ref_and_text(struct req *r, const char *field, json_t **b, const char **text,
                        struct err *e)
{
    const char *const fields[] = {field, NULL};
    *b = NULL;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = req_json(r, fields, b, e);
    if (!rc)
        rc = json_str(*b, field, 1, text, e);
    return rc;
}

static int h_evidence_note(struct req *r, json_t **out, struct err *e)
{
    json_t *b;
    const char *text = NULL;
    int64_t id = 0;
    int rc = ref_and_text(r, "text", &b, &text, e);
    if (!rc)
        rc = evidence_add_note(r->st, &r->user, r->params[0], text, &id, e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "id", (json_int_t)id);
    return 201;
}

static int h_evidence_verify(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = evidence_verify(r->st, &r->user, r->params[0], &items, e);
    if (rc < 0)
        return rc;
    *out = json_pack("{s:b, s:o}", "ok", rc == 0, "items", items);
    return 200;
}

/* An upload arrives in a temporary file (server.c streams it there, bounded by
 * server.max_upload_bytes); the name comes from ?name=, the note from ?note=. */
static int h_evidence_upload(struct req *r, json_t **out, struct err *e)
{
    const char *name = req_query(r, "name"), *note = req_query(r, "note");
    int64_t id = 0;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc && (!name || !*name))
        rc = err_set(e, ERR_USAGE, "name is required (the file's name, as ?name=)");
    if (!rc && r->upload_fd < 0)
        rc = err_set(e, ERR_MALFORMED, "the request needs the file as its body");
    if (!rc)
        rc = evidence_add_file_named(r->st, &r->user, r->params[0], r->upload_path, name, note, &id,
                                     e);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "id", (json_int_t)id);
    return 201;
}

/* A download is written to a temporary file (a fresh name under the object
 * store's tmp/), verified, and sent from it: download_path names the file,
 * download_send opens it for the answer and removes its name. */
static void download_path(struct req *r, char *path, size_t n)
{
    unsigned char rnd[8];
    char rhex[17];
    fs_random(rnd, sizeof(rnd));
    hex_encode(rnd, sizeof(rnd), rhex);
    snprintf(path, n, "%s/tmp/download-%s", r->st->objects.dir, rhex);
}

static int download_send(struct req *r, const char *path, const char *name, json_t **out,
                         struct err *e)
{
    r->response_fd = open(path, O_RDONLY | O_CLOEXEC);
    unlink(path);
    if (r->response_fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot reopen the file to send");
    snprintf(r->download_name, sizeof(r->download_name), "%s", name);
    *out = NULL;
    return 200;
}

static int h_evidence_download(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = param_id(r, 1, &id, e);
    char path[STORE_PATH_MAX + 64], detail[160], name[256] = "";
    download_path(r, path, sizeof(path));
    snprintf(detail, sizeof(detail), "downloaded through the API from %s", r->client);
    if (!rc)
        rc =
            evidence_export(r->st, &r->user, r->params[0], id, path, detail, name, sizeof(name), e);
    return rc ? rc : download_send(r, path, name, out, e);
}

static int h_report_sent(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"to", "via", "at", NULL};
    json_t *b = NULL;
    const char *to = NULL, *via = NULL;
    int64_t id = 0, at = 0;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = param_id(r, 1, &id, e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "to", 1, &to, e);
    if (!rc)
        rc = json_str(b, "via", 1, &via, e);
    if (!rc)
        rc = json_time(b, "at", 0, &at, e);
    if (!rc)
        rc = report_mark_sent(r->st, &r->user, r->params[0], id, to, via, at, e);
    json_decref(b);
    return answer_incident(r, rc, out, e);
}

static int h_report_edit(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"text", NULL};
    json_t *b = NULL;
    const char *text = NULL;
    int64_t id = 0;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = param_id(r, 1, &id, e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "text", 1, &text, e);
    if (!rc)
        rc = report_edit(r->st, &r->user, r->params[0], id, text, e);
    json_decref(b);
    return answer_incident(r, rc, out, e);
}

static int h_statement_draft(struct req *r, json_t **out, struct err *e)
{
    json_t *b;
    const char *text = NULL;
    int64_t id = 0;
    int rc = ref_and_text(r, "text", &b, &text, e);
    if (!rc)
        rc = statement_draft(r->st, &r->user, r->params[0], text, &id, e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "draft");
    return 201;
}

static int h_statement_act(struct req *r, json_t **out, struct err *e, int release)
{
    int64_t id = 0, approval = 0;
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = param_id(r, 1, &id, e);
    if (!rc)
        rc = release ? statement_release(r->st, &r->user, r->params[0], id, e)
                     : statement_submit(r->st, &r->user, r->params[0], id, &approval, e);
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "status",
                     release ? "released" : "pending", "approval", (json_int_t)approval);
    return 200;
}

static int h_statement_submit(struct req *r, json_t **out, struct err *e)
{
    return h_statement_act(r, out, e, 0);
}

static int h_statement_release(struct req *r, json_t **out, struct err *e)
{
    return h_statement_act(r, out, e, 1);
}

static int h_assessment_show(struct req *r, json_t **out, struct err *e)
{
    int rc = param_ref(r, 0, "INC-", e);
    return rc ? rc : assessment_show_json(r->st, &r->user, r->params[0], out, e);
}

static int h_assessment_edit(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"cause",    "nature",       "impact", "responsibility",
                                         "handling", "improvements", NULL};
    json_t *b = NULL;
    struct assessment_fields f = {0};
    const char **slots[] = {&f.cause,          &f.nature,   &f.impact,
                            &f.responsibility, &f.handling, &f.improvements};
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    for (int i = 0; !rc && i < 6; i++)
        rc = json_str(b, fields[i], 0, slots[i], e);
    if (!rc)
        rc = assessment_edit(r->st, &r->user, r->params[0], &f, e);
    json_decref(b);
    return rc ? rc : assessment_show_json(r->st, &r->user, r->params[0], out, e);
}

static int h_assessment_complete(struct req *r, json_t **out, struct err *e)
{
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = assessment_complete(r->st, &r->user, r->params[0], e);
    return rc ? rc : assessment_show_json(r->st, &r->user, r->params[0], out, e);
}

/* ---- warnings, approvals, due ---------------------------------------------------------- */

static int h_warnings(struct req *r, json_t **out, struct err *e)
{
    int limit;
    int64_t cursor;
    json_t *all;
    int rc = paging(r, &limit, &cursor, e);
    if (!rc)
        rc = warning_list_json(r->st, &r->user, &all, e);
    if (rc)
        return rc;
    *out = page(all, limit, cursor);
    return 200;
}

static int h_warning_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"colour",   "category", "scope",  "items",
                                         "measure",  "deadline", "issuer", "start",
                                         "incident", "drill",    NULL};
    json_t *b = NULL;
    struct warning_new in = {0};
    const char *colour = NULL;
    int drill = 0;
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "colour", 1, &colour, e);
    if (!rc)
        rc = json_str(b, "category", 1, &in.category, e);
    if (!rc)
        rc = json_str(b, "scope", 1, &in.scope, e);
    if (!rc)
        rc = json_str(b, "items", 1, &in.items, e);
    if (!rc)
        rc = json_str(b, "measure", 1, &in.measures, e);
    if (!rc)
        rc = json_time(b, "deadline", 1, &in.deadline_at, e);
    if (!rc)
        rc = json_str(b, "issuer", 1, &in.issuer, e);
    if (!rc)
        rc = json_time(b, "start", 0, &in.start_at, e);
    if (!rc)
        rc = json_str(b, "incident", 0, &in.incident, e);
    if (!rc)
        rc = json_bool(b, "drill", &drill, e);
    in.is_drill = drill;
    if (!rc && colour_parse(colour, &in.colour) != 0)
        rc = err_set(e, ERR_INPUT, "colour must be red, orange, yellow or blue");
    char ref[WARNING_REF_LEN];
    if (!rc)
        rc = warning_draft(r->st, &r->user, &in, ref, e);
    json_decref(b);
    if (!rc)
        rc = warning_show_json(r->st, &r->user, ref, out, e);
    return rc ? rc : 201;
}

static int h_warning_show(struct req *r, json_t **out, struct err *e)
{
    int rc = param_ref(r, 0, "WRN-", e);
    return rc ? rc : warning_show_json(r->st, &r->user, r->params[0], out, e);
}

static int warning_act(struct req *r, json_t **out, struct err *e, const char *verb)
{
    static const char *const fields[] = {"reason", NULL};
    json_t *b = NULL;
    const char *reason = NULL;
    int64_t approval = 0;
    int rc = param_ref(r, 0, "WRN-", e);
    if (!rc && r->body.len)
        rc = req_json(r, fields, &b, e);
    if (!rc && b)
        rc = json_str(b, "reason", 0, &reason, e);
    if (!rc && strcmp(verb, "submit") == 0)
        rc = warning_submit(r->st, &r->user, r->params[0], &approval, e);
    else if (!rc && strcmp(verb, "approve") == 0)
        rc = warning_approve(r->st, &r->user, r->params[0], reason, e);
    else if (!rc && strcmp(verb, "publish") == 0)
        rc = warning_publish(r->st, &r->user, r->params[0], e);
    else if (!rc)
        rc = warning_lift(r->st, &r->user, r->params[0], reason, e);
    json_decref(b);
    return rc ? rc : warning_show_json(r->st, &r->user, r->params[0], out, e);
}

static int h_warning_submit(struct req *r, json_t **out, struct err *e)
{
    return warning_act(r, out, e, "submit");
}
static int h_warning_approve(struct req *r, json_t **out, struct err *e)
{
    return warning_act(r, out, e, "approve");
}
static int h_warning_publish(struct req *r, json_t **out, struct err *e)
{
    return warning_act(r, out, e, "publish");
}
static int h_warning_lift(struct req *r, json_t **out, struct err *e)
{
    return warning_act(r, out, e, "lift");
}

static int h_approvals(struct req *r, json_t **out, struct err *e)
{
    json_t *all;
    int rc = approval_list_json(r->st, &r->user, req_query(r, "pending") != NULL, &all, e);
    if (rc)
        return rc;
    *out = json_pack("{s:o, s:n}", "items", all, "next_cursor");
    return 200;
}

static int h_approval_decide(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"decision", "reason", NULL};
    json_t *b = NULL;
    const char *decision = NULL, *reason = NULL;
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "decision", 1, &decision, e);
    if (!rc)
        rc = json_str(b, "reason", 0, &reason, e);
    int approve = decision && strcmp(decision, "approve") == 0;
    if (!rc && !approve && strcmp(decision, "reject") != 0)
        rc = err_set(e, ERR_INPUT, "decision must be approve or reject");
    if (!rc)
        rc = approval_decide(r->st, &r->user, id, approve, reason, e);
    json_decref(b);
    if (rc)
        return rc;
    *out =
        json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", approve ? "approved" : "rejected");
    return 200;
}

static int h_due(struct req *r, json_t **out, struct err *e)
{
    json_t *all;
    int rc = due_list_json(r->st, &r->user, req_query(r, "overdue") != NULL, &all, e);
    if (rc)
        return rc;
    *out = json_pack("{s:o, s:n}", "items", all, "next_cursor");
    return 200;
}

/* ---- events ------------------------------------------------------------------------- */

/* A notification of tocsin sent back to tocsin would be an event that makes
 * a notification that makes an event: such a loop is refused at the door. */
static int refuse_loop(struct req *r, struct err *e)
{
    if (MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Tocsin-Notification"))
        return err_set(e, ERR_CONFLICT,
                       "this is a notification of tocsin itself: taking it as an event would "
                       "loop (check the webhook channel's address)");
    return 0;
}

static int h_event_submit(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"source",      "category", "asset",  "summary",
                                         "fingerprint", "details",  "time",   "state",
                                         "link",        "evidence", "status", NULL};
    json_t *b = NULL;
    struct event_new in = {0};
    const char *status = NULL;
    int rc = refuse_loop(r, e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "source", 1, &in.source, e);
    if (!rc)
        rc = json_str(b, "category", 1, &in.category, e);
    if (!rc)
        rc = json_str(b, "asset", 0, &in.asset, e);
    if (!rc)
        rc = json_str(b, "summary", 1, &in.summary, e);
    if (!rc)
        rc = json_str(b, "fingerprint", 0, &in.fingerprint, e);
    if (!rc)
        rc = json_time(b, "time", 0, &in.occurred_at, e);
    if (!rc)
        rc = json_str(b, "state", 0, &in.state, e);
    if (!rc)
        rc = json_str(b, "link", 0, &in.link, e);
    if (!rc)
        rc = json_str(b, "status", 0, &status, e);
    if (!rc && status && strcmp(status, "firing") != 0 && strcmp(status, "resolved") != 0)
        rc = err_set(e, ERR_INPUT, "status must be firing or resolved");
    in.is_resolved = status && strcmp(status, "resolved") == 0;
    in.details = b ? json_object_get(b, "details") : NULL;
    in.evidence = b ? json_object_get(b, "evidence") : NULL;
    if (!rc && in.details && !json_is_object(in.details))
        rc = err_set(e, ERR_MALFORMED, "details must be an object");
    if (!rc)
        rc = event_check(&r->user, &in, e);
    /* Checked here; stored by the committer with whatever else is waiting. */
    if (!rc)
        rc = batch_add(r->w, r, &in, e);
    json_decref(b);
    if (rc)
        return rc;
    MHD_suspend_connection(r->conn);
    r->is_suspended = 1;
    *out = NULL;
    return WEB_SUSPENDED;
}

static int h_alertmanager(struct req *r, json_t **out, struct err *e)
{
    json_t *b = NULL;
    json_error_t je;
    int n = 0;
    int rc = refuse_loop(r, e);
    if (!rc && !(b = json_loadb(r->body.p ? r->body.p : "", r->body.len, 0, &je)))
        rc = err_set(e, ERR_MALFORMED, "body is not valid JSON: %s (at byte %d)", je.text,
                     je.position);
    if (!rc)
        rc = event_alertmanager(r->st, &r->user, b, &n, e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:i}", "accepted", n);
    return 202;
}

static int h_department_report(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"what",     "where",  "when", "how_bad",
                                         "category", "detail", NULL};
    json_t *b = NULL;
    struct department_report in = {0};
    const char *how = NULL;
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "what", 1, &in.what, e);
    if (!rc)
        rc = json_str(b, "where", 1, &in.where, e);
    if (!rc)
        rc = json_time(b, "when", 0, &in.when, e);
    if (!rc)
        rc = json_str(b, "how_bad", 1, &how, e);
    if (!rc)
        rc = json_str(b, "category", 0, &in.category, e);
    if (!rc)
        rc = json_str(b, "detail", 0, &in.detail, e);
    if (!rc && report_severity_parse(how, &in.how_bad) != 0)
        rc = err_set(e, ERR_INPUT, "how_bad must be threat, impaired, down, tampered or data");
    int64_t id = 0;
    if (!rc)
        rc = event_report(r->st, &r->user, &in, &id, e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "event", (json_int_t)id);
    return 201;
}

/* ---- triage ---------------------------------------------------------------------------- */

static int h_proposals(struct req *r, json_t **out, struct err *e)
{
    int limit;
    int64_t cursor;
    json_t *items;
    int rc = paging(r, &limit, &cursor, e);
    if (!rc)
        rc = proposal_list_json(r->st, &r->user, req_query(r, "status"), limit, cursor, &items, e);
    if (rc)
        return rc;
    *out = page_by_id(items, limit);
    return 200;
}

static int h_proposal_show(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc)
        rc = proposal_show_json(r->st, &r->user, id, out, e);
    return rc ? rc : 200;
}

static int h_proposal_accept(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"incident", "level", "reason", NULL};
    json_t *b = NULL;
    const char *into = NULL, *level_s = NULL, *reason = NULL;
    enum level level = LEVEL_NONE;
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc && r->body.len)
        rc = req_json(r, fields, &b, e);
    if (!rc && b)
        rc = json_str(b, "incident", 0, &into, e);
    if (!rc && b)
        rc = json_str(b, "level", 0, &level_s, e);
    if (!rc && b)
        rc = json_str(b, "reason", 0, &reason, e);
    if (!rc && level_s && level_parse(level_s, &level) != 0)
        rc = err_set(e, ERR_INPUT, "level must be I, II, III or IV");
    char ref[INCIDENT_REF_LEN];
    if (!rc)
        rc = proposal_accept(r->st, &r->user, id, into, level, reason, ref, e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:s}", "proposal", (json_int_t)id, "incident", ref);
    return into ? 200 : 201;
}

static int h_proposal_warn(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"colour",   "scope",  "items", "measure",
                                         "deadline", "issuer", NULL};
    json_t *b = NULL;
    struct warning_new in = {0};
    const char *colour = NULL;
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc && r->body.len)
        rc = req_json(r, fields, &b, e);
    if (!rc && b)
        rc = json_str(b, "colour", 0, &colour, e);
    if (!rc && b)
        rc = json_str(b, "scope", 0, &in.scope, e);
    if (!rc && b)
        rc = json_str(b, "items", 0, &in.items, e);
    if (!rc && b)
        rc = json_str(b, "measure", 0, &in.measures, e);
    if (!rc && b)
        rc = json_time(b, "deadline", 0, &in.deadline_at, e);
    if (!rc && b)
        rc = json_str(b, "issuer", 0, &in.issuer, e);
    if (!rc && colour && colour_parse(colour, &in.colour) != 0)
        rc = err_set(e, ERR_INPUT, "colour must be red, orange, yellow or blue");
    char ref[WARNING_REF_LEN];
    if (!rc)
        rc = proposal_warn(r->st, &r->user, id, &in, ref, e);
    json_decref(b);
    if (!rc)
        rc = warning_show_json(r->st, &r->user, ref, out, e);
    return rc ? rc : 201;
}

static int h_proposal_dismiss(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"reason", NULL};
    json_t *b = NULL;
    const char *reason = NULL;
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "reason", 1, &reason, e);
    if (!rc)
        rc = proposal_dismiss(r->st, &r->user, id, reason, e);
    json_decref(b);
    if (!rc)
        rc = proposal_show_json(r->st, &r->user, id, out, e);
    return rc ? rc : 200;
}

static int h_incident_ack(struct req *r, json_t **out, struct err *e)
{
    int rc = param_ref(r, 0, "INC-", e);
    if (!rc)
        rc = incident_acknowledge(r->st, &r->user, r->params[0], e);
    return answer_incident(r, rc, out, e);
}

/* ---- backups (G-2) ---------------------------------------------------------------------- */

/* Jobs are defined at the host (tocsin backup add): their paths, dump
 * commands and keys are the server's, not something a web session names. */
static int h_backups(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    return items_answer(backup_list_json(r->st, &r->user, &items, e), &items, out);
}

static int h_backup_show(struct req *r, json_t **out, struct err *e)
{
    int rc = backup_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

/* Queues a run for the backup desk of tocsin serve; the answer comes at once. */
static int h_backup_run(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0;
    int rc = backup_queue(r->st, r->user.name, r->params[0], "by hand", &id, e);
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:s}", "archive", (json_int_t)id, "state", "queued");
    return 202;
}

/* ---- website monitors (W-2), read by the web interface ---------------------------------- */

static int h_monitor_show(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    return rc ? rc : web_monitor_show(r, id, out, e);
}

static int h_monitor_edit(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (rc)
        return rc;
    return strcmp(r->method, "DELETE") == 0 ? web_monitor_remove(r, id, out, e)
                                            : web_monitor_edit(r, id, out, e);
}

static int h_monitor_page(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0, page = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc)
        rc = param_id(r, 1, &page, e);
    return rc ? rc : web_monitor_page(r, id, page, out, e);
}

/* ---- drills (P-3, G-4) ------------------------------------------------------------------ */

static int h_drills(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    return items_answer(drill_list_json(r->st, &r->user, &items, e), &items, out);
}

static int h_drill_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"title",   "form",   "scope",        "kind",
                                         "planned", "script", "participants", NULL};
    json_t *b = NULL;
    struct drill_new in = {0};
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "title", 1, &in.title, e);
    if (!rc)
        rc = json_str(b, "form", 1, &in.form, e);
    if (!rc)
        rc = json_str(b, "scope", 1, &in.scope, e);
    if (!rc)
        rc = json_str(b, "kind", 1, &in.kind, e);
    if (!rc)
        rc = json_str(b, "script", 1, &in.script, e);
    if (!rc)
        rc = json_time(b, "planned", 1, &in.planned_at, e);
    json_t *people = b ? json_object_get(b, "participants") : NULL;
    if (!rc && (!json_is_array(people) || json_array_size(people) > DRILL_PARTICIPANTS_MAX))
        rc = err_set(e, ERR_INPUT, "participants is an array of at most %d user names",
                     DRILL_PARTICIPANTS_MAX);
    for (size_t i = 0; !rc && i < json_array_size(people); i++) {
        in.participants[i] = json_string_value(json_array_get(people, i));
        if (!in.participants[i])
            rc = err_set(e, ERR_INPUT, "participants is an array of user names");
    }
    in.n_participants = people ? json_array_size(people) : 0;
    char ref[DRILL_REF_LEN];
    if (!rc)
        rc = drill_add(r->st, &r->user, &in, ref, e);
    if (!rc)
        rc = drill_show_json(r->st, &r->user, ref, out, e);
    json_decref(b);
    return rc ? rc : 201;
}

static int h_drill_show(struct req *r, json_t **out, struct err *e)
{
    int rc = drill_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

static int h_drill_start(struct req *r, json_t **out, struct err *e)
{
    int rc = drill_start(r->st, &r->user, r->params[0], e);
    if (!rc)
        rc = drill_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

static int h_drill_finish(struct req *r, json_t **out, struct err *e)
{
    int rc = drill_finish(r->st, &r->user, r->params[0], e);
    if (!rc)
        rc = drill_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

/* A finding of a held drill {"text","department","due"}: an action with an owner. */
static int h_drill_finding(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"text", "department", "due", NULL};
    json_t *b = NULL;
    const char *text = NULL, *dept = NULL;
    int64_t due = 0, id = 0;
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "text", 1, &text, e);
    if (!rc)
        rc = json_str(b, "department", 1, &dept, e);
    if (!rc)
        rc = json_time(b, "due", 1, &due, e);
    if (!rc)
        rc = drill_finding_add(r->st, &r->user, r->params[0], text, dept, due, &id, e);
    json_decref(b);
    if (!rc)
        *out = json_pack("{s:I}", "finding", (json_int_t)id);
    return rc ? rc : 201;
}

static int h_drill_finding_done(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc)
        rc = drill_finding_done(r->st, &r->user, id, e);
    if (!rc)
        *out = json_pack("{s:I, s:b}", "finding", (json_int_t)id, "done", 1);
    return rc ? rc : 200;
}

/* A practice upward report for one of the drill's incidents {"incident","text"}. */
static int h_drill_report(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"incident", "text", NULL};
    json_t *b = NULL;
    const char *incident = NULL, *text = NULL;
    int64_t id = 0;
    struct buf o;
    buf_init(&o, 64 << 10);
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "incident", 1, &incident, e);
    if (!rc)
        rc = json_str(b, "text", 0, &text, e);
    if (!rc)
        rc = drill_report_draft(r->st, &r->user, r->params[0], incident, text, &id, &o, e);
    if (!rc)
        *out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "incident", incident, "text",
                         buf_str(&o));
    json_decref(b);
    buf_release(&o);
    return rc ? rc : 201;
}

/* ---- emergency supplies (G-1) ------------------------------------------------------------ */

/* A reference of the preparedness records: PREFIX and a number (SUP-0001). */
static int param_seq_ref(struct req *r, const char *prefix, struct err *e)
{
    const char *p = r->params[0];
    size_t n = strlen(p), k = strlen(prefix);
    int ok = n > k && n <= 15 && strncmp(p, prefix, k) == 0 && strspn(p + k, "0123456789") == n - k;
    return ok ? 0 : err_set(e, ERR_NOTFOUND, "no such reference");
}

static int h_supplies(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    return items_answer(supply_list_json(r->st, &r->user, &items, e), &items, out);
}

static int h_supply_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"name",    "kind",     "quantity", "location",
                                         "expires", "maintain", NULL};
    json_t *b = NULL;
    struct supply_new in = {0};
    const char *kind = NULL;
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "name", 1, &in.name, e);
    if (!rc)
        rc = json_str(b, "kind", 1, &kind, e);
    if (!rc)
        rc = json_str(b, "location", 1, &in.location, e);
    if (!rc)
        rc = json_time(b, "expires", 0, &in.expires_at, e);
    if (!rc)
        rc = json_time(b, "maintain", 0, &in.maintain_at, e);
    json_t *qty = b ? json_object_get(b, "quantity") : NULL;
    if (!rc && !json_is_integer(qty))
        rc = err_set(e, ERR_MALFORMED, "quantity must be a whole number");
    in.quantity = rc ? 0 : json_integer_value(qty);
    if (!rc && supply_kind_parse(kind, &in.kind) != 0)
        rc = err_set(e, ERR_INPUT, "kind must be hardware, software or rescue");
    char ref[SUPPLY_REF_LEN];
    if (!rc)
        rc = supply_add(r->st, &r->user, &in, ref, e);
    json_decref(b);
    if (!rc)
        rc = supply_show_json(r->st, &r->user, ref, out, e);
    return rc ? rc : 201;
}

static int h_supply_show(struct req *r, json_t **out, struct err *e)
{
    int rc = param_seq_ref(r, "SUP-", e);
    if (!rc)
        rc = supply_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

static int h_supply_dispatch(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"quantity", "incident", "reason", NULL};
    json_t *b = NULL;
    const char *incident = NULL, *reason = NULL;
    int64_t approval = 0;
    int rc = param_seq_ref(r, "SUP-", e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "incident", 1, &incident, e);
    if (!rc)
        rc = json_str(b, "reason", 0, &reason, e);
    json_t *qty = b ? json_object_get(b, "quantity") : NULL;
    if (!rc && !json_is_integer(qty))
        rc = err_set(e, ERR_MALFORMED, "quantity must be a whole number");
    if (!rc)
        rc = supply_dispatch(r->st, &r->user, r->params[0], json_integer_value(qty), incident,
                             reason, &approval, e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "approval", (json_int_t)approval);
    return 201;
}

static int h_dispatch_return(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"quantity", NULL};
    json_t *b = NULL;
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    json_t *qty = b ? json_object_get(b, "quantity") : NULL;
    if (!rc && !json_is_integer(qty))
        rc = err_set(e, ERR_MALFORMED, "quantity must be a whole number");
    if (!rc)
        rc = supply_return(r->st, &r->user, id, json_integer_value(qty), e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "dispatch", (json_int_t)id);
    return 200;
}

/* ---- hazards (P-1) ------------------------------------------------------------------------ */

static int h_hazards(struct req *r, json_t **out, struct err *e)
{
    const char *overdue = req_query(r, "overdue");
    json_t *items;
    int rc = hazard_list_json(r->st, &r->user, req_query(r, "status"),
                              overdue && strcmp(overdue, "0") != 0, &items, e);
    if (rc)
        return rc;
    *out = json_pack("{s:o}", "items", items);
    return 200;
}

static int h_hazard_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"title", "severity",    "department", "deadline",
                                         "asset", "description", NULL};
    json_t *b = NULL;
    struct hazard_new in = {0};
    const char *severity = NULL;
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "title", 1, &in.title, e);
    if (!rc)
        rc = json_str(b, "severity", 1, &severity, e);
    if (!rc)
        rc = json_str(b, "department", 1, &in.department, e);
    if (!rc)
        rc = json_time(b, "deadline", 1, &in.deadline_at, e);
    if (!rc)
        rc = json_str(b, "asset", 0, &in.asset, e);
    if (!rc)
        rc = json_str(b, "description", 0, &in.description, e);
    if (!rc && hazard_severity_parse(severity, &in.severity) != 0)
        rc = err_set(e, ERR_INPUT, "severity must be low, medium, high or critical");
    char ref[HAZARD_REF_LEN];
    if (!rc)
        rc = hazard_add(r->st, &r->user, &in, ref, e);
    json_decref(b);
    if (!rc)
        rc = hazard_show_json(r->st, &r->user, ref, out, e);
    return rc ? rc : 201;
}

static int h_hazard_show(struct req *r, json_t **out, struct err *e)
{
    int rc = param_seq_ref(r, "HZD-", e);
    if (!rc)
        rc = hazard_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

static int h_hazard_status(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"status", "note", NULL};
    json_t *b = NULL;
    const char *status = NULL, *note = NULL;
    enum hazard_status to = HAZ_OPEN;
    int rc = param_seq_ref(r, "HZD-", e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "status", 1, &status, e);
    if (!rc)
        rc = json_str(b, "note", 0, &note, e);
    if (!rc && hazard_status_parse(status, &to) != 0)
        rc = err_set(e, ERR_INPUT, "status must be remediating, fixed or verified");
    if (!rc)
        rc = hazard_set_status(r->st, &r->user, r->params[0], to, note, e);
    json_decref(b);
    if (!rc)
        rc = hazard_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

/* ---- risk assessments (P-1) ---------------------------------------------------------------- */

static int h_risks(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    return items_answer(risk_list_json(r->st, &r->user, req_query(r, "asset"), &items, e), &items,
                        out);
}

static int h_risk_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"asset", "review", "note", "threats", NULL};
    static const char *const threat_fields[] = {"threat", "likelihood", "impact", "treatment",
                                                "owner"};
    json_t *b = NULL;
    struct risk_assessment_new in = {0};
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "asset", 1, &in.asset, e);
    if (!rc)
        rc = json_time(b, "review", 1, &in.next_review_at, e);
    if (!rc)
        rc = json_str(b, "note", 0, &in.note, e);
    json_t *ts = b ? json_object_get(b, "threats") : NULL;
    if (!rc && (!json_is_array(ts) || json_array_size(ts) > RISK_THREATS_MAX))
        rc = err_set(e, ERR_MALFORMED, "threats must be an array of at most %d objects",
                     RISK_THREATS_MAX);
    size_t i;
    json_t *t;
    json_array_foreach(ts, i, t)
    {
        if (rc)
            break;
        const char *key;
        json_t *v;
        if (!json_is_object(t))
            rc = err_set(e, ERR_MALFORMED, "threats[%zu] is not an object", i);
        json_object_foreach(json_is_object(t) ? t : NULL, key, v)
        {
            int known = 0;
            for (size_t k = 0; k < 5; k++)
                known |= strcmp(key, threat_fields[k]) == 0;
            if (!rc && !known)
                rc = err_set(e, ERR_MALFORMED, "%.40s is not a field of a threat", key);
        }
        struct risk_threat *x = &in.threats[i];
        if (!rc)
            rc = json_str(t, "threat", 1, &x->threat, e);
        if (!rc)
            rc = json_str(t, "treatment", 1, &x->treatment, e);
        if (!rc)
            rc = json_str(t, "owner", 1, &x->owner, e);
        json_t *l = json_object_get(t, "likelihood"), *m = json_object_get(t, "impact");
        if (!rc && (!json_is_integer(l) || !json_is_integer(m)))
            rc = err_set(e, ERR_MALFORMED, "threats[%zu]: likelihood and impact are numbers", i);
        x->likelihood = rc ? 0 : (int)json_integer_value(l);
        x->impact = rc ? 0 : (int)json_integer_value(m);
        in.n_threats = i + 1;
    }
    char ref[RISK_REF_LEN];
    if (!rc)
        rc = risk_assess(r->st, &r->user, &in, ref, e);
    if (!rc)
        rc = risk_show_json(r->st, &r->user, ref, out, e);
    json_decref(b);
    return rc ? rc : 201;
}

static int h_risk_show(struct req *r, json_t **out, struct err *e)
{
    int rc = param_seq_ref(r, "RSK-", e);
    if (!rc)
        rc = risk_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

/* ---- security checks (P-1) --------------------------------------------------------------- */

static int h_checklists(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    return items_answer(checklist_list_json(r->st, &r->user, &items, e), &items, out);
}

static int h_checklist_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"name", "schedule", "date", "items", NULL};
    json_t *b = NULL;
    struct checklist_new in = {0};
    const char *schedule = NULL;
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "name", 1, &in.name, e);
    if (!rc)
        rc = json_str(b, "schedule", 1, &schedule, e);
    if (!rc)
        rc = json_time(b, "date", 0, &in.due_at, e);
    if (!rc && check_schedule_parse(schedule, &in.schedule) != 0)
        rc = err_set(e, ERR_INPUT, "schedule must be daily, weekly, monthly or once");
    json_t *items = b ? json_object_get(b, "items") : NULL;
    if (!rc && (!json_is_array(items) || json_array_size(items) > CHECK_ITEMS_MAX))
        rc = err_set(e, ERR_MALFORMED, "items must be an array of at most %d objects",
                     CHECK_ITEMS_MAX);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (rc)
            break;
        struct check_item *x = &in.items[in.n_items++];
        if (!json_is_object(it) || json_object_size(it) > 3)
            rc =
                err_set(e, ERR_MALFORMED, "items[%zu] is {\"text\",\"expected\"} or {\"auto\"}", i);
        if (!rc)
            rc = json_str(it, "text", 0, &x->text, e);
        if (!rc)
            rc = json_str(it, "expected", 0, &x->expected, e);
        if (!rc)
            rc = json_str(it, "auto", 0, &x->auto_code, e);
    }
    if (!rc)
        rc = checklist_add(r->st, &r->user, &in, e);
    if (!rc) /* in.name lives in b */
        *out = json_pack("{s:s, s:i}", "name", in.name, "items", (int)in.n_items);
    json_decref(b);
    return rc ? rc : 201;
}

static int h_check_run_start(struct req *r, json_t **out, struct err *e)
{
    int64_t run = 0;
    int rc = check_run_start(r->st, &r->user, r->params[0], &run, e);
    if (!rc)
        rc = check_run_show_json(r->st, &r->user, run, out, e);
    return rc ? rc : 201;
}

static int h_check_run_show(struct req *r, json_t **out, struct err *e)
{
    int64_t run = 0;
    int rc = param_id(r, 0, &run, e);
    if (!rc)
        rc = check_run_show_json(r->st, &r->user, run, out, e);
    return rc ? rc : 200;
}

static int h_check_run_record(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"result", "note", NULL};
    json_t *b = NULL;
    const char *result = NULL, *note = NULL;
    int64_t run = 0, item = 0;
    int rc = param_id(r, 0, &run, e);
    if (!rc)
        rc = param_id(r, 1, &item, e);
    if (!rc && item > CHECK_ITEMS_MAX)
        rc = err_set(e, ERR_NOTFOUND, "no such item");
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "result", 1, &result, e);
    if (!rc)
        rc = json_str(b, "note", 0, &note, e);
    if (!rc)
        rc = check_run_record(r->st, &r->user, run, (int)item, result, note, e);
    json_decref(b);
    if (!rc)
        rc = check_run_show_json(r->st, &r->user, run, out, e);
    return rc ? rc : 200;
}

static int h_check_run_finish(struct req *r, json_t **out, struct err *e)
{
    int64_t run = 0;
    int rc = param_id(r, 0, &run, e);
    if (!rc)
        rc = check_run_finish(r->st, &r->user, run, e);
    if (!rc)
        rc = check_run_show_json(r->st, &r->user, run, out, e);
    return rc ? rc : 200;
}

static int h_check_run_hazard(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"department", "severity", "deadline", NULL};
    json_t *b = NULL;
    const char *dept = NULL, *severity = NULL;
    int64_t run = 0, item = 0, deadline = 0;
    enum hazard_severity sev = HAZ_MEDIUM;
    int rc = param_id(r, 0, &run, e);
    if (!rc)
        rc = param_id(r, 1, &item, e);
    if (!rc && item > CHECK_ITEMS_MAX)
        rc = err_set(e, ERR_NOTFOUND, "no such item");
    if (!rc)
        rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "department", 1, &dept, e);
    if (!rc)
        rc = json_str(b, "severity", 1, &severity, e);
    if (!rc)
        rc = json_time(b, "deadline", 1, &deadline, e);
    if (!rc && hazard_severity_parse(severity, &sev) != 0)
        rc = err_set(e, ERR_INPUT, "severity must be low, medium, high or critical");
    char ref[HAZARD_REF_LEN];
    if (!rc)
        rc = check_run_hazard(r->st, &r->user, run, (int)item, dept, sev, deadline, ref, e);
    json_decref(b);
    if (!rc)
        rc = hazard_show_json(r->st, &r->user, ref, out, e);
    return rc ? rc : 201;
}

/* ---- training and publicity (P-4) ---------------------------------------------------------- */

static int h_trainings(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    return items_answer(training_list_json(r->st, &r->user, &items, e), &items, out);
}

static int h_training_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"topic", "date", "trainer", "place", "publicity", NULL};
    json_t *b = NULL;
    struct training_new in = {0};
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "topic", 1, &in.topic, e);
    if (!rc)
        rc = json_time(b, "date", 1, &in.held_at, e);
    if (!rc)
        rc = json_str(b, "trainer", 1, &in.trainer, e);
    if (!rc)
        rc = json_str(b, "place", 0, &in.place, e);
    if (!rc)
        rc = json_bool(b, "publicity", &in.is_publicity, e);
    char ref[TRAINING_REF_LEN];
    if (!rc)
        rc = training_add(r->st, &r->user, &in, ref, e);
    json_decref(b);
    if (!rc)
        rc = training_show_json(r->st, &r->user, ref, out, e);
    return rc ? rc : 201;
}

static int h_training_show(struct req *r, json_t **out, struct err *e)
{
    int rc = param_seq_ref(r, "TRN-", e);
    if (!rc)
        rc = training_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

/* {"users":["zhou"], "people":["张三@宣传部"]} */
static int h_training_attend(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"users", "people", NULL};
    json_t *b = NULL;
    const char *lists[2][TRAINING_ATTENDEES_MAX];
    size_t n[2] = {0, 0};
    int rc = param_seq_ref(r, "TRN-", e);
    if (!rc)
        rc = req_json(r, fields, &b, e);
    for (int k = 0; k < 2 && !rc; k++) {
        json_t *a = json_object_get(b, fields[k]);
        if (!a)
            continue;
        if (!json_is_array(a) || json_array_size(a) > TRAINING_ATTENDEES_MAX)
            rc = err_set(e, ERR_MALFORMED, "%s must be an array of at most %d strings", fields[k],
                         TRAINING_ATTENDEES_MAX);
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
        {
            if (rc)
                break;
            if (!json_is_string(v))
                rc = err_set(e, ERR_MALFORMED, "%s[%zu] is not a string", fields[k], i);
            else
                lists[k][n[k]++] = json_string_value(v);
        }
    }
    if (!rc)
        rc = training_attend(r->st, &r->user, r->params[0], lists[0], n[0], lists[1], n[1], e);
    json_decref(b);
    if (!rc)
        rc = training_show_json(r->st, &r->user, r->params[0], out, e);
    return rc ? rc : 200;
}

static int h_training_attendance(struct req *r, json_t **out, struct err *e)
{
    int year = 0;
    int rc = time_year("year", req_query(r, "year"), &year, e);
    if (!rc)
        rc = training_attendance_json(r->st, &r->user, year, out, e);
    return rc ? rc : 200;
}

/* A new version of the plan, without its document (POST …/files adds it). */
static int h_plan_revise(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"version", "title", "effective", "approved_by",
                                         "note",    "cites", NULL};
    json_t *b = NULL;
    struct plan_revision in = {0};
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "version", 1, &in.version, e);
    if (!rc)
        rc = json_str(b, "title", 1, &in.title, e);
    if (!rc)
        rc = json_time(b, "effective", 1, &in.effective_at, e);
    if (!rc)
        rc = json_str(b, "approved_by", 1, &in.approved_by, e);
    if (!rc)
        rc = json_str(b, "note", 0, &in.note, e);
    json_t *cites = b ? json_object_get(b, "cites") : NULL;
    if (!rc && cites && (!json_is_array(cites) || json_array_size(cites) > PLAN_CITES_MAX))
        rc = err_set(e, ERR_MALFORMED, "cites must be a list of at most %d references",
                     PLAN_CITES_MAX);
    for (size_t i = 0; !rc && i < json_array_size(cites); i++) {
        in.cites[i] = json_string_value(json_array_get(cites, i));
        if (!in.cites[i])
            rc = err_set(e, ERR_MALFORMED, "cites must be a list of references");
        in.n_cites = i + 1;
    }
    if (!rc)
        rc = plan_revise(r->st, &r->user, &in, e);
    if (!rc)
        *out = json_pack("{s:s}", "version", in.version);
    json_decref(b);
    return rc ? rc : 201;
}

/* A file for a preparedness record, streamed as the request's body. */
static int file_upload(struct req *r, enum prep_file_owner o, const char *ref, json_t **out,
                       struct err *e)
{
    const char *name = req_query(r, "name"), *note = req_query(r, "note");
    int64_t id = 0;
    int rc = 0;
    if (!name || !*name)
        rc = err_set(e, ERR_USAGE, "name is required (the file's name, as ?name=)");
    if (!rc && r->upload_fd < 0)
        rc = err_set(e, ERR_MALFORMED, "the request needs the file as its body");
    if (!rc)
        rc = prep_file_add(r->st, &r->user, o, ref, r->upload_path, name, note, &id, e);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "id", (json_int_t)id);
    return 201;
}

static int h_check_run_file(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    return rc ? rc : file_upload(r, PREP_FILE_CHECK_RUN, r->params[0], out, e);
}

static int h_training_file(struct req *r, json_t **out, struct err *e)
{
    return file_upload(r, PREP_FILE_TRAINING, r->params[0], out, e);
}

static int h_plan_file(struct req *r, json_t **out, struct err *e)
{
    return file_upload(r, PREP_FILE_PLAN, r->params[0], out, e);
}

/* A kept file, its hash checked, through a temporary file. */
static int h_file_download(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    char path[STORE_PATH_MAX + 64], name[256] = "";
    download_path(r, path, sizeof(path));
    if (!rc)
        rc = prep_file_export(r->st, &r->user, id, path, name, sizeof(name), e);
    return rc ? rc : download_send(r, path, name, out, e);
}

/* The year's statistics, drills left out; ?year=YYYY, this year by default. */
static int h_statistics(struct req *r, json_t **out, struct err *e)
{
    int year = 0;
    int rc = time_year("year", req_query(r, "year"), &year, e);
    if (!rc)
        rc = stats_year_json(r->st, &r->user, year, out, e);
    return rc ? rc : 200;
}

static int h_plan_versions(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    return items_answer(plan_list_json(r->st, &r->user, &items, e), &items, out);
}

/* ---- notifications -------------------------------------------------------------------- */

static int h_channels(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    return items_answer(channel_list_json(r->st, &r->user, &items, e), &items, out);
}

static int h_channel_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"name", "kind", "config", NULL};
    json_t *b = NULL;
    const char *name = NULL, *kind_s = NULL;
    enum channel_kind kind = CH_WEBHOOK;
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "name", 1, &name, e);
    if (!rc)
        rc = json_str(b, "kind", 1, &kind_s, e);
    if (!rc && channel_kind_parse(kind_s, &kind) != 0)
        rc = err_set(e, ERR_INPUT, "kind must be smtp, webhook, dingtalk, wecom or feishu");
    int64_t id = 0;
    if (!rc)
        rc = channel_add(r->st, &r->user, name, kind, json_object_get(b, "config"), &id, e);
    if (!rc) /* name lives in b */
        *out = json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name);
    json_decref(b);
    return rc ? rc : 201;
}

static int h_channel_act(struct req *r, json_t **out, struct err *e)
{
    int rc;
    const char *last = strrchr(r->path, '/');
    if (strcmp(r->method, "DELETE") == 0)
        rc = channel_remove(r->st, &r->user, r->params[0], e);
    else if (strcmp(last, "/test") == 0)
        rc = channel_test(r->st, &r->user, r->params[0], e);
    else
        rc = channel_set_enabled(r->st, &r->user, r->params[0], strcmp(last, "/enable") == 0, e);
    if (rc)
        return rc;
    *out = json_pack("{s:s}", "name", r->params[0]);
    return 200;
}

static int h_routes(struct req *r, json_t **out, struct err *e)
{
    json_t *items = NULL;
    return items_answer(route_list_json(r->st, &r->user, &items, e), &items, out);
}

static int h_route_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"trigger", "min_level", "category", "role",
                                         "tier",    "channel",   NULL};
    json_t *b = NULL;
    const char *trigger = NULL, *level = NULL;
    struct route_new in = {.min_level = LEVEL_IV};
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "trigger", 1, &trigger, e);
    if (!rc)
        rc = json_str(b, "min_level", 0, &level, e);
    if (!rc)
        rc = json_str(b, "category", 0, &in.category, e);
    if (!rc)
        rc = json_str(b, "role", 0, &in.role, e);
    if (!rc)
        rc = json_str(b, "channel", 1, &in.channel, e);
    json_t *tier = b ? json_object_get(b, "tier") : NULL;
    if (!rc && tier && !json_is_integer(tier))
        rc = err_set(e, ERR_MALFORMED, "tier must be a whole number");
    in.tier = tier ? (int)json_integer_value(tier) : 0;
    if (!rc && notice_trigger_parse(trigger, &in.trigger) != 0)
        rc = err_set(e, ERR_INPUT,
                     "trigger must be incident, escalation, proposal, warning or report");
    if (!rc && level && level_parse(level, &in.min_level) != 0)
        rc = err_set(e, ERR_INPUT, "min_level must be I, II, III or IV");
    int64_t id = 0;
    if (!rc)
        rc = route_add(r->st, &r->user, &in, &id, e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "id", (json_int_t)id);
    return 201;
}

static int h_route_remove(struct req *r, json_t **out, struct err *e)
{
    int64_t id = 0;
    int rc = param_id(r, 0, &id, e);
    if (!rc)
        rc = route_remove(r->st, &r->user, id, e);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "id", (json_int_t)id);
    return 200;
}

static int h_outbox(struct req *r, json_t **out, struct err *e)
{
    int limit;
    int64_t cursor;
    json_t *items;
    int rc = paging(r, &limit, &cursor, e);
    if (!rc)
        rc = outbox_list_json(r->st, &r->user, req_query(r, "status"), limit, cursor, &items, e);
    if (rc)
        return rc;
    *out = page_by_id(items, limit);
    return 200;
}

static int h_events(struct req *r, json_t **out, struct err *e)
{
    int limit;
    int64_t cursor;
    json_t *items;
    int rc = paging(r, &limit, &cursor, e);
    if (!rc)
        rc = event_list_json(r->st, &r->user, limit, cursor, &items, e);
    if (rc)
        return rc;
    *out = page_by_id(items, limit);
    return 200;
}

/* ---- audit and users ----------------------------------------------------------------- */

static int h_audit(struct req *r, json_t **out, struct err *e)
{
    int limit;
    int64_t cursor;
    int rc = paging(r, &limit, &cursor, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(r->st, e, &q,
                     "SELECT id, at, actor, action, object, details FROM audit "
                     "WHERE (? = 0 OR id < ?) AND (?4 IS NULL OR actor = ?4) "
                     "AND (?5 IS NULL OR action = ?5) ORDER BY id DESC LIMIT ?3",
                     "IIiss", cursor, cursor, limit, req_query(r, "actor"), req_query(r, "action"));
    if (rc)
        return rc;
    json_t *items = json_array();
    int64_t last = 0;
    while ((rc = store_step(r->st, q, e)) == 1) {
        char at[TIME_ISO_LEN];
        time_format_utc(sqlite3_column_int64(q, 1), at);
        last = sqlite3_column_int64(q, 0);
        json_array_append_new(items,
                              json_pack("{s:I, s:s, s:s, s:s, s:s, s:o*}", "id", (json_int_t)last,
                                        "at", at, "actor", store_col_text(q, 2), "action",
                                        store_col_text(q, 3), "object", store_col_text(q, 4),
                                        "details", json_loads(store_col_text(q, 5), 0, NULL)));
    }
    store_finish(q);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor",
                     (int)json_array_size(items) == limit ? json_sprintf("%lld", (long long)last)
                                                          : json_null());
    return 200;
}

static int h_audit_verify(struct req *r, json_t **out, struct err *e)
{
    struct audit_report rep;
    int rc = audit_verify(r->st, &rep, e);
    if (rc < 0)
        return rc;
    *out = json_pack("{s:b, s:I, s:I, s:s}", "ok", rc == 0, "entries", (json_int_t)rep.entries,
                     "bad_entry", (json_int_t)rep.bad_id, "reason", rep.reason);
    return 200;
}

static int add_user_json(const struct user *u, void *arg)
{
    json_array_append_new(arg,
                          json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", u->name, "display_name",
                                    u->display_name, "role", role_info(u->role)->code, "department",
                                    u->department, "disabled", u->is_disabled));
    return 0;
}

static int h_users(struct req *r, json_t **out, struct err *e)
{
    json_t *items = json_array();
    int rc = user_each(r->st, add_user_json, items, e);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o, s:n}", "items", items, "next_cursor");
    return 200;
}

static int h_user_create(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"name",         "role",     "department",
                                         "display_name", "password", NULL};
    json_t *b = NULL;
    const char *name = NULL, *role_s = NULL, *dept = NULL, *display = NULL, *password = NULL;
    enum role role = ROLE_AUDITOR;
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "name", 1, &name, e);
    if (!rc)
        rc = json_str(b, "role", 1, &role_s, e);
    if (!rc)
        rc = json_str(b, "department", 0, &dept, e);
    if (!rc)
        rc = json_str(b, "display_name", 0, &display, e);
    if (!rc)
        rc = json_str(b, "password", 1, &password, e);
    if (!rc && role_parse(role_s, &role) != 0)
        rc = err_set(e, ERR_INPUT, "role '%.20s' is not one of %s", role_s, role_codes_list());
    if (!rc)
        rc = user_add(r->st, r->user.name, name, display, role, dept, password, e);
    if (!rc)
        *out = json_pack("{s:s, s:s}", "name", name, "role", role_s);
    json_decref(b);
    return rc ? rc : 201;
}

/* disable, enable, password: what an administrator does to one user */
static int h_user_act(struct req *r, json_t **out, struct err *e)
{
    const char *name = r->params[0];
    int rc = user_name_check(name, e);
    if (rc)
        return err_reset(e, ERR_NOTFOUND, "no such user");
    const char *verb = strrchr(r->path, '/') + 1;
    if (strcmp(verb, "password") == 0) {
        static const char *const fields[] = {"password", NULL};
        json_t *b = NULL;
        const char *pw = NULL;
        rc = req_json(r, fields, &b, e);
        if (!rc)
            rc = json_str(b, "password", 1, &pw, e);
        if (!rc)
            rc = user_set_password(r->st, r->user.name, name, pw, e);
        json_decref(b);
    } else {
        rc = user_set_disabled(r->st, r->user.name, name, strcmp(verb, "disable") == 0, e);
    }
    auth_forget(); /* a disabled user's tokens stop at once */
    if (rc)
        return rc;
    *out = json_pack("{s:s, s:s}", "name", name, "done", verb);
    return 200;
}

/* ---- the table ------------------------------------------------------------------------ */

#define A(x) ((int)(x))

const struct route web_routes[] = {
    {"GET", "/healthz", WEB_PUBLIC, h_health, 0},
    {"GET", "/metrics", WEB_PUBLIC, h_metrics, 0},
    {"GET", "/api/v1/openapi.yaml", WEB_PUBLIC, h_openapi, 0},
    {"POST", "/api/v1/session", WEB_PUBLIC, auth_signin, 0},
    {"GET", "/api/v1/session", WEB_ANY_USER, h_session_get, 0},
    {"DELETE", "/api/v1/session", WEB_ANY_USER, auth_signout, 0},
    {"POST", "/api/v1/tokens", WEB_ANY_USER, auth_token_create, 0},
    {"GET", "/api/v1/tokens", WEB_ANY_USER, auth_token_list, 0},
    {"DELETE", "/api/v1/tokens/{id}", WEB_ANY_USER, auth_token_revoke, 0},
    {"GET", "/api/v1/incidents", WEB_ANY_USER, h_incidents, 0},
    {"POST", "/api/v1/incidents", A(ACT_INCIDENT_REPORT), h_incident_create, 0},
    {"GET", "/api/v1/incidents/{ref}", WEB_ANY_USER, h_incident_show, 0},
    {"POST", "/api/v1/incidents/{ref}/status", A(ACT_INCIDENT_MANAGE), h_incident_status, 0},
    {"POST", "/api/v1/incidents/{ref}/level", A(ACT_INCIDENT_MANAGE), h_incident_level, 0},
    {"POST", "/api/v1/incidents/{ref}/assign", A(ACT_INCIDENT_MANAGE), h_incident_assign, 0},
    {"POST", "/api/v1/incidents/{ref}/flags", A(ACT_INCIDENT_MANAGE), h_incident_flag, 0},
    {"POST", "/api/v1/incidents/{ref}/tasks", A(ACT_TASK_MANAGE), h_task_add, 0},
    {"POST", "/api/v1/tasks/{id}/done", A(ACT_TASK_DONE), h_task_done, 0},
    {"POST", "/api/v1/incidents/{ref}/evidence", A(ACT_EVIDENCE_ADD), h_evidence_note, 0},
    {"POST", "/api/v1/incidents/{ref}/evidence/verify", WEB_ANY_USER, h_evidence_verify, 0},
    {"POST", "/api/v1/incidents/{ref}/evidence/files", A(ACT_EVIDENCE_ADD), h_evidence_upload, 1},
    {"GET", "/api/v1/incidents/{ref}/evidence/{id}", A(ACT_EVIDENCE_EXPORT), h_evidence_download,
     0},
    {"PUT", "/api/v1/incidents/{ref}/reports/{id}", A(ACT_REPORT_MANAGE), h_report_edit, 0},
    {"POST", "/api/v1/incidents/{ref}/reports/{id}/sent", A(ACT_REPORT_MANAGE), h_report_sent, 0},
    {"POST", "/api/v1/incidents/{ref}/statements", A(ACT_STATEMENT_DRAFT), h_statement_draft, 0},
    {"POST", "/api/v1/incidents/{ref}/statements/{id}/submit", A(ACT_STATEMENT_DRAFT),
     h_statement_submit, 0},
    {"POST", "/api/v1/incidents/{ref}/statements/{id}/release", A(ACT_STATEMENT_RELEASE),
     h_statement_release, 0},
    {"GET", "/api/v1/incidents/{ref}/assessment", WEB_ANY_USER, h_assessment_show, 0},
    {"PUT", "/api/v1/incidents/{ref}/assessment", A(ACT_ASSESSMENT_MANAGE), h_assessment_edit, 0},
    {"POST", "/api/v1/incidents/{ref}/assessment/complete", A(ACT_ASSESSMENT_MANAGE),
     h_assessment_complete, 0},
    {"GET", "/api/v1/warnings", WEB_ANY_USER, h_warnings, 0},
    {"POST", "/api/v1/warnings", A(ACT_WARNING_DRAFT), h_warning_create, 0},
    {"GET", "/api/v1/warnings/{ref}", WEB_ANY_USER, h_warning_show, 0},
    {"POST", "/api/v1/warnings/{ref}/submit", A(ACT_WARNING_DRAFT), h_warning_submit, 0},
    {"POST", "/api/v1/warnings/{ref}/approve", A(ACT_APPROVE), h_warning_approve, 0},
    {"POST", "/api/v1/warnings/{ref}/publish", A(ACT_WARNING_PUBLISH_LOW), h_warning_publish, 0},
    {"POST", "/api/v1/warnings/{ref}/lift", A(ACT_WARNING_LIFT), h_warning_lift, 0},
    {"GET", "/api/v1/approvals", WEB_ANY_USER, h_approvals, 0},
    {"POST", "/api/v1/approvals/{id}/decide", A(ACT_APPROVE), h_approval_decide, 0},
    {"GET", "/api/v1/due", WEB_ANY_USER, h_due, 0},
    {"POST", "/api/v1/events", A(ACT_EVENT_SUBMIT), h_event_submit, 0},
    {"GET", "/api/v1/events", A(ACT_EVENT_READ), h_events, 0},
    {"POST", "/api/v1/integrations/alertmanager", A(ACT_EVENT_SUBMIT), h_alertmanager, 0},
    {"POST", "/api/v1/department-reports", A(ACT_EVENT_SUBMIT), h_department_report, 0},
    {"GET", "/api/v1/proposals", A(ACT_EVENT_READ), h_proposals, 0},
    {"GET", "/api/v1/proposals/{id}", A(ACT_EVENT_READ), h_proposal_show, 0},
    {"POST", "/api/v1/proposals/{id}/accept", A(ACT_TRIAGE), h_proposal_accept, 0},
    {"POST", "/api/v1/proposals/{id}/warn", A(ACT_TRIAGE), h_proposal_warn, 0},
    {"POST", "/api/v1/proposals/{id}/dismiss", A(ACT_TRIAGE), h_proposal_dismiss, 0},
    {"POST", "/api/v1/incidents/{ref}/ack", A(ACT_INCIDENT_ACK), h_incident_ack, 0},
    {"GET", "/api/v1/notify/channels", A(ACT_NOTIFY_READ), h_channels, 0},
    {"POST", "/api/v1/notify/channels", A(ACT_NOTIFY_MANAGE), h_channel_create, 0},
    {"DELETE", "/api/v1/notify/channels/{name}", A(ACT_NOTIFY_MANAGE), h_channel_act, 0},
    {"POST", "/api/v1/notify/channels/{name}/test", A(ACT_NOTIFY_MANAGE), h_channel_act, 0},
    {"POST", "/api/v1/notify/channels/{name}/enable", A(ACT_NOTIFY_MANAGE), h_channel_act, 0},
    {"POST", "/api/v1/notify/channels/{name}/disable", A(ACT_NOTIFY_MANAGE), h_channel_act, 0},
    {"GET", "/api/v1/notify/routes", A(ACT_NOTIFY_READ), h_routes, 0},
    {"POST", "/api/v1/notify/routes", A(ACT_NOTIFY_MANAGE), h_route_create, 0},
    {"DELETE", "/api/v1/notify/routes/{id}", A(ACT_NOTIFY_MANAGE), h_route_remove, 0},
    {"GET", "/api/v1/notify/outbox", A(ACT_NOTIFY_READ), h_outbox, 0},
    {"GET", "/api/v1/monitors", A(ACT_MONITOR_READ), web_monitors, 0},
    {"GET", "/api/v1/guard", A(ACT_EVENT_READ), web_guard, 0},
    {"POST", "/api/v1/guard/publish", A(ACT_GUARD_MANAGE), web_guard_publish, 0},
    {"POST", "/api/v1/guard/accept", A(ACT_GUARD_MANAGE), web_guard_accept, 0},
    {"GET", "/api/v1/monitors/{id}", A(ACT_MONITOR_READ), h_monitor_show, 0},
    {"POST", "/api/v1/monitors", A(ACT_MONITOR_MANAGE), web_monitor_add, 0},
    {"PATCH", "/api/v1/monitors/{id}", A(ACT_MONITOR_MANAGE), h_monitor_edit, 0},
    {"DELETE", "/api/v1/monitors/{id}", A(ACT_MONITOR_MANAGE), h_monitor_edit, 0},
    {"GET", "/api/v1/monitors/{id}/pages/{page}", A(ACT_MONITOR_READ), h_monitor_page, 0},
    {"GET", "/api/v1/drills", A(ACT_DRILL_READ), h_drills, 0},
    {"POST", "/api/v1/drills", A(ACT_DRILL_MANAGE), h_drill_create, 0},
    {"GET", "/api/v1/drills/{ref}", A(ACT_DRILL_READ), h_drill_show, 0},
    {"POST", "/api/v1/drills/{ref}/start", A(ACT_DRILL_MANAGE), h_drill_start, 0},
    {"POST", "/api/v1/drills/{ref}/finish", A(ACT_DRILL_MANAGE), h_drill_finish, 0},
    {"POST", "/api/v1/drills/{ref}/reports", A(ACT_DRILL_MANAGE), h_drill_report, 0},
    {"POST", "/api/v1/drills/{ref}/findings", A(ACT_DRILL_MANAGE), h_drill_finding, 0},
    {"POST", "/api/v1/drill-findings/{id}/done", A(ACT_DRILL_MANAGE), h_drill_finding_done, 0},
    {"GET", "/api/v1/backups", A(ACT_BACKUP_READ), h_backups, 0},
    {"GET", "/api/v1/backups/{name}", A(ACT_BACKUP_READ), h_backup_show, 0},
    {"POST", "/api/v1/backups/{name}/run", A(ACT_BACKUP_MANAGE), h_backup_run, 0},
    {"GET", "/api/v1/supplies", WEB_ANY_USER, h_supplies, 0},
    {"POST", "/api/v1/supplies", A(ACT_SUPPLY_MANAGE), h_supply_create, 0},
    {"GET", "/api/v1/supplies/{ref}", WEB_ANY_USER, h_supply_show, 0},
    {"POST", "/api/v1/supplies/{ref}/dispatch", A(ACT_SUPPLY_DISPATCH), h_supply_dispatch, 0},
    {"POST", "/api/v1/dispatches/{id}/return", A(ACT_SUPPLY_DISPATCH), h_dispatch_return, 0},
    {"GET", "/api/v1/hazards", WEB_ANY_USER, h_hazards, 0},
    {"POST", "/api/v1/hazards", A(ACT_HAZARD_REPORT), h_hazard_create, 0},
    {"GET", "/api/v1/hazards/{ref}", WEB_ANY_USER, h_hazard_show, 0},
    {"POST", "/api/v1/hazards/{ref}/status", A(ACT_HAZARD_WORK), h_hazard_status, 0},
    {"GET", "/api/v1/risk-assessments", WEB_ANY_USER, h_risks, 0},
    {"POST", "/api/v1/risk-assessments", A(ACT_RISK_ASSESS), h_risk_create, 0},
    {"GET", "/api/v1/risk-assessments/{ref}", WEB_ANY_USER, h_risk_show, 0},
    {"GET", "/api/v1/checklists", WEB_ANY_USER, h_checklists, 0},
    {"POST", "/api/v1/checklists", A(ACT_CHECK_MANAGE), h_checklist_create, 0},
    {"POST", "/api/v1/checklists/{name}/runs", A(ACT_CHECK_RUN), h_check_run_start, 0},
    {"GET", "/api/v1/check-runs/{id}", WEB_ANY_USER, h_check_run_show, 0},
    {"POST", "/api/v1/check-runs/{id}/items/{item}", A(ACT_CHECK_RUN), h_check_run_record, 0},
    {"POST", "/api/v1/check-runs/{id}/finish", A(ACT_CHECK_RUN), h_check_run_finish, 0},
    {"POST", "/api/v1/check-runs/{id}/items/{item}/hazard", A(ACT_HAZARD_REPORT),
     h_check_run_hazard, 0},
    {"GET", "/api/v1/trainings", WEB_ANY_USER, h_trainings, 0},
    {"POST", "/api/v1/trainings", A(ACT_TRAINING_MANAGE), h_training_create, 0},
    {"GET", "/api/v1/trainings/{ref}", WEB_ANY_USER, h_training_show, 0},
    {"POST", "/api/v1/trainings/{ref}/attendees", A(ACT_TRAINING_MANAGE), h_training_attend, 0},
    {"GET", "/api/v1/training-attendance", WEB_ANY_USER, h_training_attendance, 0},
    {"GET", "/api/v1/plan/versions", WEB_ANY_USER, h_plan_versions, 0},
    {"POST", "/api/v1/plan/versions", A(ACT_PLAN_REVISE), h_plan_revise, 0},
    {"POST", "/api/v1/plan/versions/{version}/files", A(ACT_PLAN_REVISE), h_plan_file, 1},
    {"POST", "/api/v1/check-runs/{id}/files", A(ACT_CHECK_RUN), h_check_run_file, 1},
    {"POST", "/api/v1/trainings/{ref}/files", A(ACT_TRAINING_MANAGE), h_training_file, 1},
    {"GET", "/api/v1/files/{id}", WEB_ANY_USER, h_file_download, 0},
    {"GET", "/api/v1/statistics", A(ACT_STATS_READ), h_statistics, 0},
    {"GET", "/api/v1/audit", A(ACT_AUDIT_READ), h_audit, 0},
    {"GET", "/api/v1/audit/verify", A(ACT_AUDIT_READ), h_audit_verify, 0},
    {"GET", "/api/v1/users", A(ACT_USER_MANAGE), h_users, 0},
    {"POST", "/api/v1/users", A(ACT_USER_MANAGE), h_user_create, 0},
    {"POST", "/api/v1/users/{name}/disable", A(ACT_USER_MANAGE), h_user_act, 0},
    {"POST", "/api/v1/users/{name}/enable", A(ACT_USER_MANAGE), h_user_act, 0},
    {"POST", "/api/v1/users/{name}/password", A(ACT_USER_MANAGE), h_user_act, 0},
    {NULL, NULL, 0, NULL, 0},
};

_Static_assert(sizeof(web_routes) / sizeof(web_routes[0]) <= WEB_MAX_ROUTES,
               "raise WEB_MAX_ROUTES: the metrics keep a row per route");

json_t *web_routes_json(void)
{
    json_t *a = json_array();
    for (const struct route *r = web_routes; r->method; r++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s}", "method", r->method, "path", r->path, "action",
                         r->action == WEB_PUBLIC     ? "public"
                         : r->action == WEB_ANY_USER ? "signed-in"
                                                     : action_info((enum action)r->action)->code));
    return a;
}

/* ---- metrics ---------------------------------------------------------------------------- */

const double web_metrics_buckets[8] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0};

int web_metrics_text(struct web *w, struct store *st, struct buf *b, struct err *e)
{
    struct web_metrics *m = &w->m;
    buf_adds(b, "# HELP tocsin_http_requests_total HTTP requests by route and status class.\n"
                "# TYPE tocsin_http_requests_total counter\n");
    for (size_t i = 0; i <= WEB_MAX_ROUTES; i++) {
        const struct route *rt = i < WEB_MAX_ROUTES ? &web_routes[i] : NULL;
        if (rt && !rt->method) {
            i = WEB_MAX_ROUTES - 1; /* past the table: on to the row of unmatched requests */
            continue;
        }
        for (int c = 1; c <= 5; c++)
            if (m->requests[i][c])
                buf_addf(b, "tocsin_http_requests_total{route=\"%s %s\",code=\"%dxx\"} %llu\n",
                         rt ? rt->method : "", rt ? rt->path : "unmatched", c,
                         (unsigned long long)m->requests[i][c]);
    }
    buf_adds(b, "# HELP tocsin_http_request_duration_seconds Time to answer a request.\n"
                "# TYPE tocsin_http_request_duration_seconds histogram\n");
    for (int i = 0; i < 8; i++)
        buf_addf(b, "tocsin_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                 web_metrics_buckets[i], (unsigned long long)m->latency_le[i]);
    buf_addf(b,
             "tocsin_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
             "tocsin_http_request_duration_seconds_sum %.6f\n"
             "tocsin_http_request_duration_seconds_count %llu\n",
             (unsigned long long)m->latency_count, (double)m->latency_sum_us / 1e6,
             (unsigned long long)m->latency_count);
    buf_addf(b,
             "# HELP tocsin_login_failures_total Failed sign-ins.\n"
             "# TYPE tocsin_login_failures_total counter\n"
             "tocsin_login_failures_total %llu\n"
             "# HELP tocsin_events_received_total Events submitted through the API.\n"
             "# TYPE tocsin_events_received_total counter\n"
             "tocsin_events_received_total %llu\n",
             (unsigned long long)m->login_failures, (unsigned long long)m->events_received);
    buf_adds(b, "# HELP tocsin_incidents_open Open incidents by level.\n"
                "# TYPE tocsin_incidents_open gauge\n");
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT coalesce(level, 'ungraded'), count(*) FROM incidents "
                         "WHERE status NOT IN ('closed', 'assessed') GROUP BY 1 ORDER BY 1",
                         "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1)
        buf_addf(b, "tocsin_incidents_open{level=\"%s\"} %lld\n", store_col_text(q, 0),
                 (long long)sqlite3_column_int64(q, 1));
    store_finish(q);
    return rc < 0 ? rc : (b->p ? 0 : ERR_TOOBIG);
}
