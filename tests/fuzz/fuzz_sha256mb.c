/* libFuzzer harness for SHA-256 two at a time: the input is cut into
 * messages (each a two-byte length, then that many bytes, or what is left),
 * hashed together as the guard's walk does, and every digest must be
 * OpenSSL's of the same message, each reported once. */
#include "core/core.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MSGS 64

struct seen {
    unsigned char d[MSGS][SHA256_LEN];
    int times[MSGS];
};

static void on_done(void *ctx, void *tag, const unsigned char d[SHA256_LEN])
{
    struct seen *s = ctx;
    size_t i = (size_t)(uintptr_t)tag;
    memcpy(s->d[i], d, SHA256_LEN);
    s->times[i]++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *msg[MSGS];
    size_t len[MSGS], n = 0;
    while (n < MSGS && size >= 2) {
        size_t k = (size_t)data[0] | (size_t)data[1] << 8;
        data += 2;
        size -= 2;
        if (k > size)
            k = size;
        msg[n] = data;
        len[n++] = k;
        data += k;
        size -= k;
    }
    struct seen s;
    memset(&s, 0, sizeof(s));
    struct sha256_mb m;
    sha256_mb_init(&m, on_done, &s);
    for (size_t i = 0; i < n; i++)
        if (sha256_mb_add(&m, msg[i], len[i], (void *)(uintptr_t)i) != 0)
            __builtin_trap();
    sha256_mb_flush(&m);
    for (size_t i = 0; i < n; i++) {
        unsigned char want[SHA256_LEN];
        if (s.times[i] != 1 || sha256(msg[i], len[i], want) != 0 ||
            memcmp(want, s.d[i], SHA256_LEN) != 0)
            __builtin_trap();
    }
    return 0;
}
