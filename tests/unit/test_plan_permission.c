/* The published permission table (docs/permissions.md) is the code's table. */
#include "core/core.h"
#include "plan/plan.h"
#include "testutil.h"

static const enum role columns[] = {ROLE_LEADER, ROLE_OFFICER, ROLE_DEPARTMENT, ROLE_AUDITOR,
                                    ROLE_ADMIN};

static int find_action(const char *code, enum action *out)
{
    for (int a = 0; a < ACT_COUNT; a++) {
        if (strcmp(action_info((enum action)a)->code, code) == 0) {
            *out = (enum action)a;
            return 0;
        }
    }
    return -1;
}

static void test_permissions_doc_matches_the_code(void **state)
{
    (void)state;
    const char *root = getenv("TOCSIN_ROOT");
    char path[512];
    snprintf(path, sizeof(path), "%s/docs/permissions.md", root ? root : ".");
    struct buf doc;
    struct err e = {0};
    if (fs_read_file(path, 1 << 20, &doc, &e) != 0)
        fail_msg("%s", e.msg);
    int seen[ACT_COUNT] = {0};
    char *save = NULL;
    for (char *line = strtok_r(doc.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "| `", 3) != 0)
            continue;
        char *code = line + 3, *tick = strchr(code, '`');
        assert_non_null(tick);
        *tick = '\0';
        enum action a = ACT_COUNT;
        if (find_action(code, &a) != 0)
            fail_msg("docs/permissions.md names an action the code lacks: %s", code);
        seen[a] = 1;
        /* cells: | code | what | leader | officer | department | auditor | admin | */
        char *cell = strchr(tick + 1, '|');
        assert_non_null(cell);
        cell = strchr(cell + 1, '|'); /* skip "what it allows" */
        for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++) {
            assert_non_null(cell);
            char *next = strchr(cell + 1, '|');
            assert_non_null(next);
            int yes = 0;
            for (char *p = cell + 1; p < next; p++)
                yes |= strncmp(p, "yes", 3) == 0;
            if (yes != permission_allows(columns[c], a))
                fail_msg("docs/permissions.md says %s %s for %s, the code says %s", code,
                         yes ? "yes" : "no", role_info(columns[c])->code, yes ? "no" : "yes");
            cell = next;
        }
    }
    for (int a = 0; a < ACT_COUNT; a++)
        if (!seen[a])
            fail_msg("docs/permissions.md lacks the action %s", action_info((enum action)a)->code);
    buf_release(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_permissions_doc_matches_the_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
