/* libFuzzer harness for the probe's two file formats: a harmful-word list
 * (first byte even) and a page baseline (first byte odd). Either loads or is
 * refused with a message; a loaded baseline saves and loads again. */
#include "probe/probe.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_hit(void *ctx, const char *entry, const char *context)
{
    (void)ctx;
    if (!entry[0] || strlen(context) > 4096)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    struct err e = {0};
    if (data[0] % 2 == 0) {
        struct probe_words *w = probe_words_new("fuzz.txt", p, n, &e);
        if (!w && !e.msg[0])
            __builtin_trap();
        if (w)
            probe_words_scan(w, p, n > 4096 ? 4096 : n, on_hit, NULL); /* the list as text */
        probe_words_free(w);
        return 0;
    }
    struct probe_baseline *b = probe_baseline_load("fuzz.json", p, n, &e);
    if (!b) {
        if (!e.msg[0])
            __builtin_trap();
        return 0;
    }
    struct buf out;
    buf_init(&out, 64 << 20);
    if (probe_baseline_save(b, &out) == 0) {
        struct probe_baseline *c = probe_baseline_load("again", out.p, out.len, NULL);
        if (!c)
            __builtin_trap();
        probe_baseline_free(c);
    }
    buf_release(&out);
    probe_baseline_free(b);
    return 0;
}
