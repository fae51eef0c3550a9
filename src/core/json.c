/* JSON helpers over jansson. */
#include "core.h"

#include <stdio.h>

static int to_buf(const char *p, size_t n, void *data)
{
    return buf_add(data, p, n) == 0 ? 0 : -1;
}

int json_canonical(const json_t *v, struct buf *out)
{
    size_t flags = JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY |
                   JSON_REAL_PRECISION(17);
    if (json_dump_callback(v, to_buf, out, flags) != 0)
        return out->p ? ERR_INTERNAL : ERR_TOOBIG;
    if (!out->p)
        return buf_add(out, "", 0);
    return 0;
}

int json_print(const json_t *v, int indent)
{
    size_t flags = JSON_ENCODE_ANY | (indent ? JSON_INDENT(2) : JSON_COMPACT);
    if (json_dumpf(v, stdout, flags) != 0)
        return ERR_IO;
    fputc('\n', stdout);
    return fflush(stdout) == 0 ? 0 : ERR_IO;
}

json_t *json_time_utc(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char t[TIME_ISO_LEN];
    time_format_utc(ms, t);
    return json_string(t);
}
