/* libFuzzer harness for the tocsin.conf parser. */
#include "core/core.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config c;
    struct err e = {0};
    config_defaults(&c);
    if (config_parse(&c, "fuzz.conf", (const char *)data, size, &e) == 0) {
        /* what parsed must format and parse back to the same settings */
        struct buf b;
        struct config d;
        buf_init(&b, CONFIG_MAX_BYTES);
        if (config_format(&c, &b) == 0) {
            config_defaults(&d);
            if (config_parse(&d, "formatted", b.p, b.len, &e) != 0 ||
                strcmp(c.listen_host, d.listen_host) != 0 || c.listen_port != d.listen_port ||
                strcmp(c.timezone, d.timezone) != 0 || strcmp(c.org_name, d.org_name) != 0 ||
                strcmp(c.tls_cert, d.tls_cert) != 0 || strcmp(c.tls_key, d.tls_key) != 0 ||
                strcmp(c.guard_dirs, d.guard_dirs) != 0 ||
                strcmp(c.guard_mode, d.guard_mode) != 0 ||
                strcmp(c.guard_allow, d.guard_allow) != 0 ||
                strcmp(c.guard_rules, d.guard_rules) != 0)
                __builtin_trap();
        }
        buf_release(&b);
    } else if (e.msg[0] == '\0') {
        __builtin_trap(); /* every failure must say why */
    }
    return 0;
}
