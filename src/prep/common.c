/* What the files of src/prep share. */
#include "prep_int.h"

#include <string.h>

int prep_text(const char *what, const char *s, size_t max, int required, int multiline,
              struct err *e)
{
    if (!s || !*s)
        return required ? err_set(e, ERR_USAGE, "%s is required", what) : 0;
    size_t n = strlen(s);
    int ok = n <= max && (multiline ? utf8_valid(s, n) : text_is_clean(s, n));
    return ok ? 0
              : err_set(e, ERR_INPUT, "%s is not %s of at most %zu bytes", what,
                        multiline ? "UTF-8 text" : "one line of text", max);
}

int prep_finish(struct store *st, int rc, struct err *e)
{
    if (rc) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, e);
}

json_t *prep_time_json(int64_t ms)
{
    return json_time_utc(ms);
}
