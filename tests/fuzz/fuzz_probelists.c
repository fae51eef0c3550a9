/* libFuzzer harness for the probe's two file formats — a harmful-word list
 * (first byte even) and a page baseline (first byte odd) — and, first byte
 * 0x7f, a monitor's settings as a request gives them (lines: URL, allowed
 * domains, expected addresses, asset, keyword). Each loads or is refused
 * with a message; a loaded baseline saves and loads again; accepted settings
 * hold what the check promises. */
#include "probe/probe.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_hit(void *ctx, const char *entry, const char *context)
{
    (void)ctx;
    if (!entry[0] || strlen(context) > 4096)
        __builtin_trap();
}

/* The settings' promises: an http(s) URL naming a host without a user,
 * and every text within its column. */
static void settings(const char *p, size_t n)
{
    char text[8192], *field[5] = {0};
    if (n >= sizeof(text))
        n = sizeof(text) - 1;
    memcpy(text, p, n);
    text[n] = 0;
    if (strlen(text) != n)
        return; /* a NUL never reaches the check: JSON strings are refused with one */
    char *line = text;
    for (int i = 0; i < 5 && line; i++) {
        field[i] = line;
        line = strchr(line, '\n');
        if (line)
            *line++ = 0;
    }
    struct monitor_set s = MONITOR_SET_INIT;
    s.url = field[0];
    s.allow = field[1];
    s.expect_ips = field[2];
    s.asset = field[3];
    s.keyword = field[4];
    struct err e = {0};
    if (monitor_set_check(&s, 1, &e) != 0) {
        if (!e.msg[0])
            __builtin_trap();
        return;
    }
    struct monitor_conf m;
    const char *host = strstr(s.url, "://");
    if (strncmp(s.url, "http", 4) != 0 || !host || strlen(s.url) >= sizeof(m.url) ||
        memchr(host + 3, '@', strcspn(host + 3, "/?#")) || strcspn(host + 3, "/?#") == 0 ||
        (s.asset && strlen(s.asset) >= sizeof(m.asset)) ||
        (s.keyword && strlen(s.keyword) >= sizeof(m.keyword)) ||
        (s.allow && strlen(s.allow) >= sizeof(m.allow)) ||
        (s.expect_ips && strlen(s.expect_ips) >= sizeof(m.expect_ips)))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    struct err e = {0};
    if (data[0] == 0x7f) {
        settings(p, n);
        return 0;
    }
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
