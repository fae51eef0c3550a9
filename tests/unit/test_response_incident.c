/* Incidents through their lifecycle: reports, playbooks, levels, upward
 * reports on their own clocks, closing, the assessment, and refusals. */
#include "response_fixture.h"

static void open_officer(struct fixture *f, const char *title, char ref[INCIDENT_REF_LEN])
{
    struct incident_new in = {.title = title,
                              .category = "information-destruction/tampering",
                              .assets = {"门户网站"},
                              .n_assets = 1};
    struct err e = {0};
    if (incident_open(f->st, &f->officer, &in, ref, &e) != 0)
        fail_msg("incident_open: %s", e.msg);
}

static json_t *show(struct fixture *f, const char *ref)
{
    json_t *o = NULL;
    struct err e = {0};
    if (incident_show_json(f->st, &f->officer, ref, &o, &e) != 0)
        fail_msg("show: %s", e.msg);
    return o;
}

static int has_due(struct fixture *f, const char *kind, const char *ref, int64_t due_ms)
{
    json_t *items;
    assert_int_equal(due_list_json(f->st, &f->officer, 0, &items, NULL), 0);
    size_t i;
    json_t *v;
    int found = 0;
    json_array_foreach(items, i, v) found |=
        strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0 &&
        strcmp(json_string_value(json_object_get(v, "ref")), ref) == 0 &&
        (due_ms == 0 || json_integer_value(json_object_get(v, "due_ms")) == due_ms);
    json_decref(items);
    return found;
}

/* The items of one kind in a due list (the list holds other duties too, such
 * as the default backup of tocsin's own data). */
static size_t count_kind(json_t *items, const char *kind)
{
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(items, i, v) n +=
        strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0;
    return n;
}

static void test_incident_department_report_waits_for_acknowledgement(void **state)
{
    struct fixture *f = *state;
    struct incident_new in = {.title = "首页出现陌生链接",
                              .category = "content-security/hidden-links"};
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    assert_int_equal(incident_open(f->st, &f->dept, &in, ref, &e), 0);
    assert_string_equal(ref, "INC-2026-0001");
    json_t *o = show(f, ref);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "reported");
    assert_string_equal(json_string_value(json_object_get(o, "owner_department")), "宣传部");
    assert_string_equal(json_string_value(json_object_get(o, "plan_version")), "2023-02-08");
    json_decref(o);
    /* O-3: the office must acknowledge within 30 minutes */
    assert_true(has_due(f, "acknowledge", ref, fixture_now + 30 * PLAN_MINUTE_MS));
    fixture_now += 10 * PLAN_MINUTE_MS;
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_TRIAGED, NULL, 0, &e), 0);
    assert_false(has_due(f, "acknowledge", ref, 0));
    o = show(f, ref);
    assert_false(json_is_null(json_object_get(o, "acknowledged_at")));
    json_decref(o);
}

static void test_incident_open_instantiates_playbook_from_start_time(void **state)
{
    struct fixture *f = *state;
    int64_t started = fixture_now - 10 * PLAN_MINUTE_MS;
    struct incident_new in = {
        .title = "网站被扫描", .category = "network-attack/scanning", .started_at = started};
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    assert_int_equal(incident_open(f->st, &f->officer, &in, ref, &e), 0);
    json_t *o = show(f, ref);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "triaged");
    json_t *tasks = json_object_get(o, "tasks");
    assert_true(json_array_size(tasks) >= 7);
    json_t *first = json_array_get(tasks, 0);
    assert_string_equal(json_string_value(json_object_get(first, "code")), "contain");
    char due[TIME_ISO_LEN];
    time_format_utc(started + PLAN_HOUR_MS, due);
    assert_string_equal(json_string_value(json_object_get(first, "due_at")), due);
    int block = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t) block |=
        strcmp(json_string_value(json_object_get(t, "code")), "block-source") == 0;
    assert_true(block);
    json_decref(o);
}

static void test_incident_references_count_per_local_year(void **state)
{
    struct fixture *f = *state;
    char a[INCIDENT_REF_LEN], b[INCIDENT_REF_LEN], c[INCIDENT_REF_LEN];
    open_officer(f, "一", a);
    open_officer(f, "二", b);
    assert_string_equal(a, "INC-2026-0001");
    assert_string_equal(b, "INC-2026-0002");
    /* 2026-12-31T16:30Z is already 2027 in Beijing */
    fixture_now = 1798734600000;
    open_officer(f, "三", c);
    assert_string_equal(c, "INC-2027-0001");
}

static int report_due(json_t *o, const char *recipient, const char *kind, int64_t *due)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(o, "reports"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "recipient")), recipient) == 0 &&
            strcmp(json_string_value(json_object_get(r, "kind")), kind) == 0) {
            time_parse_utc(json_string_value(json_object_get(r, "due_at")), due, NULL);
            return (int)json_integer_value(json_object_get(r, "id"));
        }
    }
    return 0;
}

static void test_incident_level_III_owes_reports_each_on_its_clock(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    open_officer(f, "首页被篡改", ref);
    json_t *o = show(f, ref);
    assert_int_equal(json_array_size(json_object_get(o, "reports")), 0); /* ungraded, no proposal */
    json_decref(o);
    int64_t t0 = fixture_now;
    assert_int_equal(incident_set_level(f->st, &f->officer, ref, LEVEL_III, "公众可见", &e), 0);
    o = show(f, ref);
    int64_t due = 0;
    assert_true(report_due(o, "city-office", "first", &due));
    assert_int_equal(due, t0 + PLAN_HOUR_MS);
    assert_true(report_due(o, "cac", "first", &due));
    assert_int_equal(due, t0 + 4 * PLAN_HOUR_MS);
    assert_false(report_due(o, "police", "first", &due));
    assert_false(report_due(o, "city-command", "first", &due));
    json_decref(o);
    /* a suspected crime adds the police, with its own clock from now */
    fixture_now += 30 * PLAN_MINUTE_MS;
    assert_int_equal(incident_flag(f->st, &f->officer, ref, "crime", 1, &e), 0);
    /* level I adds the city emergency command (H-2) */
    assert_int_equal(incident_set_level(f->st, &f->officer, ref, LEVEL_I, "两系统瘫痪", &e), 0);
    o = show(f, ref);
    assert_true(report_due(o, "police", "first", &due));
    assert_int_equal(due, fixture_now + 2 * PLAN_HOUR_MS);
    assert_true(report_due(o, "city-command", "first", &due));
    assert_int_equal(json_array_size(json_object_get(o, "reports")), 4);
    json_decref(o);
}

static void test_incident_proposal_of_III_starts_reports_before_grading(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    open_officer(f, "门户中断", ref);
    struct impact im = {.n_assets = 1};
    im.assets[0] = (struct impact_asset){"门户网站", ASSET_PORTAL, IMPORTANCE_CORE, STATE_DOWN, 20};
    struct level_assessment a;
    assert_int_equal(incident_assess(f->st, &f->officer, ref, &im, &a, &e), 0);
    assert_int_equal(a.level, LEVEL_III);
    json_t *o = show(f, ref);
    int64_t due;
    assert_true(json_is_null(json_object_get(o, "level")));
    assert_string_equal(json_string_value(json_object_get(o, "proposed_level")), "III");
    assert_true(report_due(o, "cac", "first", &due));
    json_decref(o);
}

static void test_incident_drill_is_never_reported_upward(void **state)
{
    struct fixture *f = *state;
    struct incident_new in = {.title = "演练：首页篡改",
                              .category = "information-destruction",
                              .level = LEVEL_II,
                              .level_reason = "演练脚本",
                              .is_drill = 1};
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    assert_int_equal(incident_open(f->st, &f->officer, &in, ref, &e), 0);
    assert_int_equal(incident_flag(f->st, &f->officer, ref, "crime", 1, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM reports"), 0);
    int64_t id;
    assert_int_equal(report_add(f->st, &f->officer, ref, RCP_CAC, "followup", &id, &e),
                     ERR_CONFLICT);
}

static void test_incident_report_sent_after_deadline_is_late(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    open_officer(f, "数据泄露", ref);
    assert_int_equal(incident_set_level(f->st, &f->officer, ref, LEVEL_III, "泄露", &e), 0);
    json_t *o = show(f, ref);
    int64_t due;
    int city = report_due(o, "city-office", "first", &due);
    int cac = report_due(o, "cac", "first", &due);
    json_decref(o);
    fixture_now += 2 * PLAN_HOUR_MS; /* past the city office's hour, within the CAC's four */
    assert_int_equal(report_mark_sent(f->st, &f->officer, ref, city, "市网安办", "phone", 0, &e),
                     0);
    assert_int_equal(report_mark_sent(f->st, &f->officer, ref, cac, "省网信办", "system", 0, &e),
                     0);
    assert_int_equal(
        fixture_count(f, "SELECT is_late FROM reports WHERE recipient = 'city-office'"), 1);
    assert_int_equal(fixture_count(f, "SELECT is_late FROM reports WHERE recipient = 'cac'"), 0);
    /* a sent report is a record: no second sending, no edit */
    char before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
    fixture_digest(f, before);
    assert_int_equal(report_mark_sent(f->st, &f->officer, ref, city, "x", "fax", 0, &e),
                     ERR_CONFLICT);
    assert_int_equal(report_edit(f->st, &f->officer, ref, city, "改写", &e), ERR_CONFLICT);
    assert_int_equal(report_mark_sent(f->st, &f->officer, ref, cac + 100, "x", "fax", 0, &e),
                     ERR_NOTFOUND);
    assert_int_equal(report_mark_sent(f->st, &f->officer, ref, city, "x", "pigeon", 0, &e),
                     ERR_INPUT);
    fixture_digest(f, after);
    assert_string_equal(before, after);
}

static void test_incident_illegal_transition_changes_nothing(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN], before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
    struct err e = {0};
    open_officer(f, "x", ref);
    fixture_digest(f, before);
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_RECOVERED, NULL, 0, &e),
                     ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "cannot move"));
    err_clear(&e);
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_ASSESSED, NULL, 0, &e),
                     ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "assessment complete"));
    assert_int_equal(
        incident_set_status(f->st, &f->officer, "INC-2026-9999", INC_CLOSED, "x", 0, &e),
        ERR_NOTFOUND);
    assert_int_equal(incident_set_level(f->st, &f->officer, ref, LEVEL_II, "", &e), ERR_INPUT);
    fixture_digest(f, after);
    assert_string_equal(before, after);
}

static void finish_mandatory(struct fixture *f, const char *ref)
{
    json_t *o = show(f, ref);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(o, "tasks"), i, t)
    {
        if (json_integer_value(json_object_get(t, "mandatory")) &&
            json_is_null(json_object_get(t, "done_at")))
            assert_int_equal(task_done(f->st, &f->officer,
                                       json_integer_value(json_object_get(t, "id")), "完成", NULL),
                             0);
    }
    json_decref(o);
}

static void test_incident_close_needs_mandatory_tasks_or_override(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    open_officer(f, "x", ref);
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_RESPONDING, NULL, 0, &e), 0);
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_RECOVERED, NULL, 0, &e), 0);
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_CLOSED, NULL, 0, &e),
                     ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "open mandatory tasks"));
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_CLOSED, NULL, 1, &e),
                     ERR_USAGE); /* an override needs a reason */
    assert_int_equal(
        incident_set_status(f->st, &f->officer, ref, INC_CLOSED, "领导决定提前结束", 1, &e), 0);
    json_t *o = show(f, ref);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "closed");
    json_decref(o);
}

static void test_incident_assessment_due_30_days_and_required_to_be_assessed(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    open_officer(f, "x", ref);
    assert_int_equal(
        assessment_edit(f->st, &f->officer, ref, &(struct assessment_fields){.cause = "早"}, &e),
        ERR_CONFLICT); /* no assessment before the response ends */
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_RESPONDING, NULL, 0, &e), 0);
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_RECOVERED, NULL, 0, &e), 0);
    finish_mandatory(f, ref);
    int64_t closed = fixture_now;
    assert_int_equal(incident_set_status(f->st, &f->officer, ref, INC_CLOSED, NULL, 0, &e), 0);
    assert_true(has_due(f, "assessment", ref, closed + 30 * PLAN_DAY_MS));
    /* overdue only after 30 days */
    json_t *items;
    fixture_now = closed + 30 * PLAN_DAY_MS - 1;
    assert_int_equal(due_list_json(f->st, &f->officer, 1, &items, NULL), 0);
    assert_int_equal(count_kind(items, "assessment"), 0);
    json_decref(items);
    fixture_now = closed + 30 * PLAN_DAY_MS + 1;
    assert_int_equal(due_list_json(f->st, &f->officer, 1, &items, NULL), 0);
    assert_int_equal(count_kind(items, "assessment"), 1);
    json_decref(items);

    struct assessment_fields a = {.cause = "弱口令",
                                  .nature = "蓄意篡改",
                                  .impact = "首页两小时",
                                  .responsibility = "宣传部",
                                  .handling = "已恢复"};
    assert_int_equal(assessment_edit(f->st, &f->officer, ref, &a, &e), 0);
    err_clear(&e);
    assert_int_equal(assessment_complete(f->st, &f->officer, ref, &e), ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "'improvements' is empty"));
    assert_int_equal(assessment_edit(f->st, &f->officer, ref,
                                     &(struct assessment_fields){.improvements = "双因素认证"}, &e),
                     0);
    assert_int_equal(assessment_add_improvement(f->st, &f->officer, ref, "启用双因素认证", "宣传部",
                                                fixture_now + 10 * PLAN_DAY_MS, &e),
                     0);
    assert_int_equal(
        assessment_add_record(f->st, &f->officer, ref, "commendation", "张三", "发现及时", &e), 0);
    assert_int_equal(assessment_complete(f->st, &f->leader, ref, &e), 0);
    json_t *o = show(f, ref);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "assessed");
    json_decref(o);
    /* the improvement stays tracked after the incident is assessed */
    assert_true(has_due(f, "task", ref, fixture_now + 10 * PLAN_DAY_MS));
    assert_int_equal(
        assessment_edit(f->st, &f->officer, ref, &(struct assessment_fields){.cause = "改"}, &e),
        ERR_CONFLICT);
}

static void test_incident_departments_see_only_their_own(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    open_officer(f, "宣传部的门户", ref); /* owner from the asset: 宣传部 */
    json_t *o;
    assert_int_equal(incident_show_json(f->st, &f->dept, ref, &o, &e), 0);
    json_decref(o);
    assert_int_equal(incident_show_json(f->st, &f->other_dept, ref, &o, &e), ERR_NOTFOUND);
    json_t *list;
    assert_int_equal(incident_list_json(f->st, &f->other_dept, NULL, 0, 0, 0, &list, &e), 0);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    assert_int_equal(incident_list_json(f->st, &f->auditor, NULL, 0, 0, 0, &list, &e), 0);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    assert_int_equal(incident_list_json(f->st, &f->dept, NULL, 0, 0, 0, &list, &e), 0);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    /* paging: newest first, below a cursor */
    char second[INCIDENT_REF_LEN];
    open_officer(f, "另一个", second);
    assert_int_equal(incident_list_json(f->st, &f->auditor, NULL, 0, 1, 0, &list, &e), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "ref")), second);
    json_int_t last = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
    json_decref(list);
    assert_int_equal(incident_list_json(f->st, &f->auditor, NULL, 0, 1, last, &list, &e), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "ref")), ref);
    json_decref(list);
}

static void test_incident_roles_beyond_their_power_change_nothing(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN], before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
    struct err e = {0};
    open_officer(f, "x", ref);
    fixture_digest(f, before);
    struct incident_new in = {.title = "审计员", .category = "other"};
    char r2[INCIDENT_REF_LEN];
    assert_int_equal(incident_open(f->st, &f->auditor, &in, r2, &e), ERR_DENIED);
    assert_int_equal(incident_open(f->st, &f->admin, &in, r2, &e), ERR_DENIED);
    in.level = LEVEL_II;
    in.level_reason = "部门自定";
    assert_int_equal(incident_open(f->st, &f->dept, &in, r2, &e), ERR_DENIED);
    assert_int_equal(incident_set_level(f->st, &f->auditor, ref, LEVEL_I, "x", &e), ERR_DENIED);
    assert_int_equal(incident_set_level(f->st, &f->dept, ref, LEVEL_I, "x", &e), ERR_DENIED);
    assert_int_equal(incident_set_status(f->st, &f->dept, ref, INC_RESPONDING, NULL, 0, &e),
                     ERR_DENIED);
    assert_int_equal(incident_flag(f->st, &f->auditor, ref, "sabotage", 1, &e), ERR_DENIED);
    int64_t id;
    assert_int_equal(task_add(f->st, &f->dept, ref, "t", NULL, NULL, fixture_now + 1, 0, &id, &e),
                     ERR_DENIED);
    /* a department finishes only its own department's tasks */
    assert_int_equal(task_done(f->st, &f->other_dept, 3, NULL, &e), ERR_DENIED);
    fixture_digest(f, after);
    assert_string_equal(before, after);
    assert_int_equal(task_done(f->st, &f->dept, 3, "已备份", &e), 0); /* backup: 宣传部's */
}

static void test_incident_override_keeps_proposal_and_reason(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    open_officer(f, "x", ref);
    struct impact im = {.n_assets = 1, .is_public = 1};
    im.assets[0] =
        (struct impact_asset){"门户网站", ASSET_PORTAL, IMPORTANCE_CORE, STATE_TAMPERED, 5};
    struct level_assessment a;
    assert_int_equal(incident_assess(f->st, &f->officer, ref, &im, &a, &e), 0);
    assert_int_equal(a.level, LEVEL_III);
    assert_int_equal(incident_set_level(f->st, &f->officer, ref, LEVEL_II, "涉及政务公开栏目", &e),
                     0);
    json_t *o = show(f, ref);
    assert_string_equal(json_string_value(json_object_get(o, "level")), "II");
    assert_string_equal(json_string_value(json_object_get(o, "proposed_level")), "III");
    assert_string_equal(json_string_value(json_object_get(o, "level_reason")), "涉及政务公开栏目");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(o, "proposal"), 0), "rule")),
                        "core-tampered-public");
    json_decref(o);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'incident.level' "
                                      "AND details LIKE '%\"override\":true%'"),
                     1);
}

static void test_incident_list_sees_every_change(void **state)
{
    struct fixture *f = *state;
    char a[INCIDENT_REF_LEN], b[INCIDENT_REF_LEN];
    struct err e = {0};
    json_t *list;
    open_officer(f, "第一", a);
    assert_int_equal(incident_list_json(f->st, &f->officer, NULL, 0, 50, 0, &list, &e), 0);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    /* a change through this connection shows at once */
    open_officer(f, "第二", b);
    assert_int_equal(incident_list_json(f->st, &f->officer, NULL, 0, 50, 0, &list, &e), 0);
    assert_int_equal(json_array_size(list), 2);
    json_decref(list);
    /* and so does one through another connection, as another process's would */
    struct store *other;
    assert_int_equal(store_open(&other, f->dir, 0, &e), 0);
    assert_int_equal(incident_set_status(other, &f->officer, a, INC_RESPONDING, NULL, 0, &e), 0);
    store_close(other);
    assert_int_equal(incident_list_json(f->st, &f->officer, "responding", 0, 50, 0, &list, &e), 0);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    assert_int_equal(incident_list_json(f->st, &f->officer, NULL, 0, 50, 0, &list, &e), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "status")),
                        "responding");
    json_decref(list);
}

static void test_incident_sabotage_adds_police_task_once(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    open_officer(f, "x", ref);
    assert_int_equal(incident_flag(f->st, &f->officer, ref, "sabotage", 1, &e), 0);
    assert_int_equal(incident_flag(f->st, &f->officer, ref, "sabotage", 1, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM tasks WHERE code = 'police-contact'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT is_crime FROM incidents"), 1);
    assert_int_equal(incident_flag(f->st, &f->officer, ref, "drill", 1, &e), ERR_INPUT);
}

static void test_incident_bad_input_is_refused(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN], before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
    struct err e = {0};
    fixture_digest(f, before);
    struct incident_new in = {.title = "x", .category = "alien-invasion"};
    assert_int_equal(incident_open(f->st, &f->officer, &in, ref, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "unknown category 'alien-invasion'"));
    in.category = "network-attack/ddos-of-doom";
    assert_int_equal(incident_open(f->st, &f->officer, &in, ref, &e), ERR_INPUT);
    in.category = "other";
    in.title = "";
    assert_int_equal(incident_open(f->st, &f->officer, &in, ref, &e), ERR_INPUT);
    in.title = "two\nlines";
    assert_int_equal(incident_open(f->st, &f->officer, &in, ref, &e), ERR_INPUT);
    in.title = "ok";
    in.level = LEVEL_III;
    assert_int_equal(incident_open(f->st, &f->officer, &in, ref, &e), ERR_INPUT); /* no reason */
    in.level = LEVEL_NONE;
    in.started_at = fixture_now + PLAN_DAY_MS;
    assert_int_equal(incident_open(f->st, &f->officer, &in, ref, &e), ERR_INPUT);
    fixture_digest(f, after);
    assert_string_equal(before, after);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_incident_department_report_waits_for_acknowledgement),
        T(test_incident_open_instantiates_playbook_from_start_time),
        T(test_incident_references_count_per_local_year),
        T(test_incident_level_III_owes_reports_each_on_its_clock),
        T(test_incident_proposal_of_III_starts_reports_before_grading),
        T(test_incident_drill_is_never_reported_upward),
        T(test_incident_report_sent_after_deadline_is_late),
        T(test_incident_illegal_transition_changes_nothing),
        T(test_incident_close_needs_mandatory_tasks_or_override),
        T(test_incident_assessment_due_30_days_and_required_to_be_assessed),
        T(test_incident_departments_see_only_their_own),
        T(test_incident_roles_beyond_their_power_change_nothing),
        T(test_incident_override_keeps_proposal_and_reason),
        T(test_incident_list_sees_every_change),
        T(test_incident_sabotage_adds_police_task_once),
        T(test_incident_bad_input_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
