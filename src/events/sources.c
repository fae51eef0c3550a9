/* Events from outside the detectors: a department's short report (O-3) and
 * Prometheus Alertmanager's webhook. Both become ordinary events. */
#include "events.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *code, *zh, *state, *category;
} severities[SEVERITY_COUNT] = {
    [SEVERITY_THREAT] = {"threat", "存在威胁或隐患", "", "other"},
    [SEVERITY_IMPAIRED] = {"impaired", "部分功能受损", "degraded", "equipment-failure"},
    [SEVERITY_DOWN] = {"down", "无法使用", "down", "equipment-failure"},
    [SEVERITY_TAMPERED] = {"tampered", "内容被篡改", "tampered",
                           "information-destruction/tampering"},
    [SEVERITY_DATA] = {"data", "数据泄露或丢失", "leaked", "information-destruction/leak"},
};

int report_severity_parse(const char *s, enum report_severity *out)
{
    for (int i = 0; i < SEVERITY_COUNT; i++)
        if (strcmp(s, severities[i].code) == 0) {
            *out = (enum report_severity)i;
            return 0;
        }
    return -1;
}

const char *report_severity_code(enum report_severity s)
{
    return (unsigned)s < SEVERITY_COUNT ? severities[s].code : "threat";
}

int event_report(struct store *st, const struct user *as, const struct department_report *in,
                 int64_t *id, struct err *e)
{
    if ((unsigned)in->how_bad >= SEVERITY_COUNT)
        return err_set(e, ERR_INPUT, "how bad must be threat, impaired, down, tampered or data");
    if (!in->what || !*in->what)
        return err_set(e, ERR_USAGE, "what happened is required");
    if (!in->where || !*in->where)
        return err_set(e, ERR_USAGE, "where (the system affected) is required");
    if (in->detail && (strlen(in->detail) > 8192 || !utf8_valid(in->detail, strlen(in->detail))))
        return err_set(e, ERR_INPUT, "the detail is not UTF-8 text of at most 8192 bytes");
    char source[160];
    snprintf(source, sizeof source, "department:%.120s",
             as->department[0] ? as->department : as->name);
    char summary[1100];
    snprintf(summary, sizeof summary, "%.900s（%s）", in->what, severities[in->how_bad].zh);
    json_t *d =
        json_pack("{s:s, s:s, s:s, s:s, s:s?}", "what", in->what, "where", in->where, "how_bad",
                  severities[in->how_bad].code, "reported_by", as->name, "detail", in->detail);
    struct event_new ev = {
        .source = source,
        .category = in->category && *in->category ? in->category : severities[in->how_bad].category,
        .asset = in->where,
        .summary = summary,
        .details = d,
        .occurred_at = in->when,
        .state = severities[in->how_bad].state};
    int64_t count;
    int rc = event_submit(st, as, &ev, id, &count, e);
    json_decref(d);
    return rc;
}

/* ---- Alertmanager ------------------------------------------------------------ */

static const char *label(const json_t *labels, const char *key)
{
    const char *s = json_string_value(json_object_get(labels, key));
    return s && *s ? s : NULL;
}

/* One alert as an event: labels `category`, `asset` (else `instance`), `state`;
 * annotations `summary` (else `description`, else the alert's name). */
static int alert_event(const json_t *alert, const json_t *body, struct event_new *ev, char *summary,
                       size_t summary_len, json_t **details, json_t **evidence, struct err *e)
{
    const json_t *labels = json_object_get(alert, "labels");
    const json_t *notes = json_object_get(alert, "annotations");
    if (!json_is_object(labels))
        return err_set(e, ERR_INPUT, "an alert has no labels object");
    const char *name = label(labels, "alertname");
    const char *what = label(notes, "summary");
    if (!what)
        what = label(notes, "description");
    if (!what)
        what = name;
    if (!what)
        return err_set(e, ERR_INPUT, "an alert has neither alertname nor a summary");
    const char *status = json_string_value(json_object_get(alert, "status"));
    if (!status)
        status = json_string_value(json_object_get(body, "status"));
    if (!status || (strcmp(status, "firing") != 0 && strcmp(status, "resolved") != 0))
        return err_set(e, ERR_INPUT, "alert '%.60s': status is neither firing nor resolved", what);
    const struct category *cat;
    const struct subcategory *sub;
    ev->category = label(labels, "category");
    if (!ev->category || category_parse(ev->category, &cat, &sub) != 0)
        ev->category = "other";
    ev->source = "alertmanager";
    ev->asset = label(labels, "asset");
    if (!ev->asset)
        ev->asset = label(labels, "instance");
    ev->state = label(labels, "state");
    snprintf(summary, summary_len, "%s%s%.900s", name ? name : "", name ? ": " : "", what);
    ev->summary = summary;
    ev->fingerprint = json_string_value(json_object_get(alert, "fingerprint"));
    ev->is_resolved = strcmp(status, "resolved") == 0;
    /* Alertmanager's group is the detector's link: its alerts are one proposal */
    ev->link = json_string_value(json_object_get(body, "groupKey"));
    if (ev->link && strlen(ev->link) > 256)
        ev->link = NULL;
    const char *starts = json_string_value(json_object_get(alert, "startsAt"));
    ev->occurred_at = 0;
    if (starts && time_parse_utc(starts, &ev->occurred_at, e) != 0)
        return err_set(e, ERR_INPUT, "alert '%.60s': startsAt '%.40s' is not an RFC 3339 time",
                       what, starts);
    if (ev->occurred_at > time_now_ms())
        ev->occurred_at = 0;
    *details = json_pack("{s:O, s:O?, s:s?, s:s?}", "labels", labels, "annotations", notes,
                         "endsAt", json_string_value(json_object_get(alert, "endsAt")),
                         "generatorURL", json_string_value(json_object_get(alert, "generatorURL")));
    ev->details = *details;
    const char *gen = json_string_value(json_object_get(alert, "generatorURL"));
    *evidence = gen && *gen && strlen(gen) <= 512 ? json_pack("[s]", gen) : NULL;
    ev->evidence = *evidence;
    return 0;
}

#define ALERTS_MAX 1000

int event_alertmanager_check(const struct user *as, const json_t *body, struct err *e)
{
    const json_t *alerts = json_object_get(body, "alerts");
    if (!json_is_object(body) || !json_is_array(alerts))
        return err_set(e, ERR_INPUT, "not an Alertmanager webhook: no alerts array");
    if (json_array_size(alerts) > ALERTS_MAX)
        return err_set(e, ERR_TOOBIG, "more than %d alerts in one notification", ALERTS_MAX);
    /* Every alert is checked before any is stored: all or none. */
    size_t i;
    const json_t *alert;
    json_array_foreach(alerts, i, alert)
    {
        struct event_new ev = {0};
        char summary[1100];
        json_t *details = NULL, *evidence = NULL;
        int rc = alert_event(alert, body, &ev, summary, sizeof summary, &details, &evidence, e);
        if (!rc)
            rc = event_check(as, &ev, e);
        json_decref(details);
        json_decref(evidence);
        if (rc) {
            char msg[sizeof e->msg];
            snprintf(msg, sizeof msg, "%s", e->msg);
            return err_set(e, rc, "alerts[%zu]: %s", i, msg);
        }
    }
    return 0;
}

int event_alertmanager(struct store *st, const struct user *as, const json_t *body, int *n,
                       struct err *e)
{
    *n = 0;
    /* Every alert is checked before any is stored: all or none. */
    int rc = event_alertmanager_check(as, body, e);
    if (rc)
        return rc;
    const json_t *alerts = json_object_get(body, "alerts");
    size_t i;
    const json_t *alert;
    rc = store_begin(st, e);
    json_array_foreach(alerts, i, alert)
    {
        if (rc)
            break;
        struct event_new ev = {0};
        char summary[1100];
        json_t *details = NULL, *evidence = NULL;
        int64_t id, count;
        rc = alert_event(alert, body, &ev, summary, sizeof summary, &details, &evidence, e);
        if (!rc)
            rc = event_store(st, as, &ev, &id, &count, e);
        json_decref(details);
        json_decref(evidence);
    }
    if (rc) {
        store_rollback(st);
        return rc;
    }
    *n = (int)json_array_size(alerts);
    return store_commit(st, e);
}
