/* libFuzzer harness for the parsers of what people type: times (UTC and
 * relative), plan codes (categories, levels, colours, states, recipients) and
 * the canonical audit bytes of arbitrary text. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t t;
    struct err e = {0};
    if (cli_time("--due", s, &t, &e) != 0 && e.msg[0] == '\0')
        __builtin_trap(); /* every refusal says why */
    if (time_parse_utc(s, &t, NULL) == 0) {
        char back[TIME_ISO_LEN];
        int64_t again;
        time_format_utc(t, back);
        if (time_parse_utc(back, &again, NULL) != 0 || again != t)
            __builtin_trap(); /* what parses formats and parses back */
    }
    const struct category *c;
    const struct subcategory *sub;
    if (category_parse(s, &c, &sub) == 0 && strncmp(s, c->code, strlen(c->code)) != 0)
        __builtin_trap();
    enum level l;
    enum colour col;
    enum incident_status st;
    enum recipient r;
    enum asset_state as;
    if (level_parse(s, &l) == 0 && strcmp(level_code(l), s) != 0)
        __builtin_trap();
    if (colour_parse(s, &col) == 0 && strcmp(colour_code(col), s) != 0)
        __builtin_trap();
    if (incident_status_parse(s, &st) == 0 && strcmp(incident_status_code(st), s) != 0)
        __builtin_trap();
    if (recipient_parse(s, &r) == 0 && strcmp(recipient_info(r)->code, s) != 0)
        __builtin_trap();
    if (asset_state_parse(s, &as) == 0 && strcmp(asset_state_code(as), s) != 0)
        __builtin_trap();
    struct buf b;
    buf_init(&b, 1 << 16);
    audit_canonical(1, 2, s, s, s, s, &b);
    buf_release(&b);
    free(s);
    return 0;
}
