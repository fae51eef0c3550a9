/* Training and publicity (P-4, G-3): sessions and activities with who
 * attended, and each department's attendance over the year. */
#include "prep_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int training_add(struct store *st, const struct user *as, const struct training_new *in,
                 char ref[TRAINING_REF_LEN], struct err *e)
{
    int rc = resp_allow(as, ACT_TRAINING_MANAGE, e);
    if (!rc)
        rc = prep_text("--topic", in->topic, 256, 1, 0, e);
    if (!rc)
        rc = prep_text("--trainer", in->trainer, 128, 1, 0, e);
    if (!rc)
        rc = prep_text("--place", in->place, 128, 0, 0, e);
    if (!rc && in->held_at <= 0)
        rc = err_set(e, ERR_USAGE, "--date (when it was held) is required");
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t seq = 0;
    rc = store_query_int(st, e, &seq, "SELECT coalesce(max(id), 0) + 1 FROM trainings", "");
    snprintf(ref, TRAINING_REF_LEN, "TRN-%04lld", (long long)seq);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO trainings (ref, kind, topic, held_at, trainer, place, "
                        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        "sssIsssI", ref, in->is_publicity ? "publicity" : "training", in->topic,
                        in->held_at, in->trainer, in->place ? in->place : "", as->name,
                        time_now_ms());
    if (!rc)
        rc = audit_append_take(st, as->name, "training.add", ref,
                               json_pack("{s:s, s:s}", "kind",
                                         in->is_publicity ? "publicity" : "training", "topic",
                                         in->topic),
                               e);
    return prep_finish(st, rc, e);
}

int training_attend(struct store *st, const struct user *as, const char *ref,
                    const char *const *users, size_t n_users, const char *const *people,
                    size_t n_people, struct err *e)
{
    int rc = resp_allow(as, ACT_TRAINING_MANAGE, e);
    if (!rc && n_users + n_people == 0)
        rc = err_set(e, ERR_USAGE, "name who attended (--user NAME or --person NAME@DEPARTMENT)");
    if (!rc && n_users + n_people > TRAINING_ATTENDEES_MAX)
        rc = err_set(e, ERR_INPUT, "at most %d attendees at once", TRAINING_ATTENDEES_MAX);
    for (size_t i = 0; !rc && i < n_people; i++) {
        const char *at = strrchr(people[i], '@');
        rc = prep_text("a person", people[i], 256, 1, 0, e);
        if (!rc && (!at || at == people[i] || !at[1]))
            rc = err_set(e, ERR_INPUT, "'%.60s' is not NAME@DEPARTMENT", people[i]);
    }
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t id = 0;
    rc = store_query_int(st, e, &id, "SELECT id FROM trainings WHERE ref = ?", "s", ref);
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        rc = err_set(e, ERR_NOTFOUND, "no training %.20s", ref);
    }
    for (size_t i = 0; !rc && i < n_users; i++) {
        struct user u;
        rc = user_find(st, users[i], &u, e);
        if (!rc)
            rc = store_exec(st, e,
                            "INSERT OR IGNORE INTO training_attendees (training_id, person, "
                            "department, is_user) VALUES (?, ?, ?, 1)",
                            "Iss", id, u.name, u.department);
    }
    for (size_t i = 0; !rc && i < n_people; i++) {
        const char *at = strrchr(people[i], '@');
        char name[257];
        snprintf(name, sizeof name, "%.*s", (int)(at - people[i]), people[i]);
        rc = store_exec(st, e,
                        "INSERT OR IGNORE INTO training_attendees (training_id, person, "
                        "department) VALUES (?, ?, ?)",
                        "Iss", id, name, at + 1);
    }
    if (!rc)
        rc = audit_append_take(st, as->name, "training.attend", ref,
                               json_pack("{s:i}", "attendees", (int)(n_users + n_people)), e);
    return prep_finish(st, rc, e);
}

#define TRAINING_COLUMNS                                                                           \
    "id, ref, kind, topic, held_at, trainer, place, (SELECT count(*) FROM training_attendees a "   \
    "WHERE a.training_id = trainings.id) FROM trainings "

static json_t *training_row(sqlite3_stmt *q)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:i}", "ref", store_col_text(q, 1), "kind",
                     store_col_text(q, 2), "topic", store_col_text(q, 3), "held_at",
                     prep_time_json(sqlite3_column_int64(q, 4)), "trainer", store_col_text(q, 5),
                     "place", store_col_text(q, 6), "attendees", sqlite3_column_int(q, 7));
}

int training_list_json(struct store *st, const struct user *as, json_t **out, struct err *e)
{
    (void)as;
    sqlite3_stmt *q;
    int rc =
        store_query(st, e, &q, "SELECT " TRAINING_COLUMNS "ORDER BY held_at DESC, id DESC", "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(items, training_row(q));
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int training_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                       struct err *e)
{
    (void)as;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " TRAINING_COLUMNS "WHERE ref = ?", "s", ref);
    if (rc)
        return rc;
    if ((rc = store_step(st, q, e)) != 1) {
        store_finish(q);
        return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "no training %.20s", ref);
    }
    int64_t id = sqlite3_column_int64(q, 0);
    json_t *o = training_row(q);
    store_finish(q);
    rc = store_query(st, e, &q,
                     "SELECT person, department, is_user FROM training_attendees "
                     "WHERE training_id = ? ORDER BY department, person",
                     "I", id);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *who = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(who, json_pack("{s:s, s:s, s:b}", "person", store_col_text(q, 0),
                                             "department", store_col_text(q, 1), "user",
                                             sqlite3_column_int(q, 2)));
    store_finish(q);
    if (rc < 0) {
        json_decref(o);
        json_decref(who);
        return rc;
    }
    json_object_set_new(o, "attendee_list", who);
    json_t *files = NULL;
    if ((rc = prep_files_json(st, PREP_FILE_TRAINING, ref, &files, e)) != 0) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "files", files);
    *out = o;
    return 0;
}

int training_attendance_json(struct store *st, const struct user *as, int year, json_t **out,
                             struct err *e)
{
    (void)as;
    if (year < 2000 || year > 2200)
        return err_set(e, ERR_INPUT, "the year %d is out of range", year);
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT u.department, count(DISTINCT a.person) FROM users u "
                         "LEFT JOIN training_attendees a ON a.person = u.name AND a.is_user = 1 "
                         "AND a.training_id IN (SELECT id FROM trainings WHERE kind = 'training' "
                         "AND held_at >= ?1 AND held_at < ?2) "
                         "WHERE u.is_disabled = 0 AND coalesce(u.department, '') != '' "
                         "GROUP BY u.department ORDER BY u.department",
                         "II", time_month_start(year, 0), time_month_start(year + 1, 0));
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(items, json_pack("{s:s, s:I}", "department", store_col_text(q, 0),
                                               "attended", (json_int_t)sqlite3_column_int64(q, 1)));
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    /* the users of each department, counted apart from the join */
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        int64_t staff = 0;
        rc = store_query_int(st, e, &staff,
                             "SELECT count(*) FROM users WHERE is_disabled = 0 AND department = ?",
                             "s", json_string_value(json_object_get(v, "department")));
        if (rc) {
            json_decref(items);
            return rc;
        }
        int64_t att = json_integer_value(json_object_get(v, "attended"));
        json_object_set_new(v, "users", json_integer(staff));
        json_object_set_new(v, "rate", json_real(staff ? (double)att / (double)staff : 0.0));
    }
    *out = json_pack("{s:i, s:o}", "year", year, "departments", items);
    return 0;
}
