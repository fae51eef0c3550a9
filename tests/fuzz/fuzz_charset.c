/* libFuzzer harness for the charset decoder: the first byte picks a
 * Content-Type (or none), the rest is the body. Whatever the bytes, the
 * output is valid UTF-8 without NUL bytes, bounded by the buffer's maximum. */
#include "probe/probe.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *types[] = {NULL,
                                  "text/html; charset=gbk",
                                  "text/html; charset=big5",
                                  "text/html; charset=utf-8",
                                  "text/html; charset=\"x-unknown\"",
                                  "text/html; charset=ISO-8859-1"};
    if (size == 0)
        return 0;
    const char *ct = types[data[0] % 6];
    const char *body = (const char *)data + 1;
    size_t n = size - 1;
    char charset[32];
    probe_charset(ct, body, n, charset);
    if (strlen(charset) >= sizeof charset)
        __builtin_trap();
    struct buf out;
    buf_init(&out, 4 * n + 16);
    size_t bad;
    if (probe_to_utf8(charset, body, n, &out, &bad, NULL) == 0 && out.len) {
        if (!utf8_valid(out.p, out.len) || memchr(out.p, 0, out.len))
            __builtin_trap();
    }
    buf_release(&out);
    return 0;
}
