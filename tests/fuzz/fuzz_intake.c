/* libFuzzer harness for what other tools send tocsin and what an
 * administrator configures: an Alertmanager webhook body turned into checked
 * events, and a notification channel's configuration for every kind. Every
 * refusal must say why. */
#include "notify/notify.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    json_t *v = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!v)
        return 0;
    struct user as = {.role = ROLE_OFFICER};
    memcpy(as.name, "fuzz", 5);
    struct err e = {0};
    if (event_alertmanager_check(&as, v, &e) != 0 && e.msg[0] == '\0')
        __builtin_trap();
    for (int k = 0; k < CH_COUNT; k++) {
        err_clear(&e);
        if (channel_config_check((enum channel_kind)k, v, &e) != 0 && e.msg[0] == '\0')
            __builtin_trap();
    }
    json_decref(v);
    return 0;
}
