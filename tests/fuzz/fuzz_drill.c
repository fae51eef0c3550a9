/* libFuzzer harness for drill scenario scripts: any text given as a script
 * is parsed within its bounds into at most DRILL_STEPS_MAX injections, or
 * refused with a message naming the line — never a crash or an overrun. */
#include "prep/prep.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct drill_step steps[DRILL_STEPS_MAX];
    struct err e = {0};
    int n = -1;
    int rc = drill_script_parse((const char *)data, size, steps, DRILL_STEPS_MAX, &n, &e);
    if (rc != 0 && e.msg[0] == '\0')
        __builtin_trap();
    if (rc == 0) {
        if (n < 1 || n > DRILL_STEPS_MAX)
            __builtin_trap();
        for (int i = 0; i < n; i++)
            if (steps[i].offset_s < 0 || steps[i].offset_s > 24 * 3600 || !steps[i].summary[0] ||
                strlen(steps[i].summary) >= sizeof steps[i].summary)
                __builtin_trap();
    }
    return 0;
}
