/* libFuzzer harness for the rule-file reader: anything it accepts yields
 * rules with an id, a category with a sub-category, a pattern, a field and a
 * description; a refusal says why. Nothing is compiled here. */
#include "logwatch/logwatch.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lw_rule v[64];
    size_t n = 0;
    struct err e = {0};
    if (lw_rules_parse("fuzz", (const char *)data, size, v, 64, &n, &e) != 0) {
        if (!e.msg[0])
            __builtin_trap();
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!v[i].id[0] || !strchr(v[i].category, '/') || !v[i].pattern[0] || !v[i].fields ||
            !v[i].description[0] || v[i].severity < LW_LOW || v[i].severity > LW_CRITICAL)
            __builtin_trap();
    return 0;
}
