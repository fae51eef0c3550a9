/* libFuzzer harness for the Core Rule Set reader and evaluator: any rule
 * text must load what it can (a rule it cannot take is named and left out)
 * or be refused with a reason, and whatever loads must evaluate any request
 * within its bounds: the score is the sum of the matched rules' scores, and
 * an index is never past the rules. The input is also a request's URI and
 * user agent for the rules of tests/data/crs/rules.conf. */
#include "logwatch/crs.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct crs *c, struct crs_scratch *s, const struct crs_request *q)
{
    uint16_t hit[64];
    int score;
    int n = crs_match(c, s, q, hit, 64, &score);
    int sum = 0;
    if (n < 0 || n > 64)
        __builtin_trap();
    for (int i = 0; i < n; i++) {
        if (hit[i] >= crs_count(c) || (i && hit[i] <= hit[i - 1]))
            __builtin_trap();
        sum += crs_info(c, hit[i])->score;
    }
    if (n < 64 && sum != score)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct crs *fixed;
    static struct crs_scratch *fs;
    setenv("TOCSIN_CACHE", "/dev/null/tocsin-fuzz", 1); /* never stored */
    if (!fixed) {
        const char *dir = getenv("TOCSIN_ROOT") ? getenv("TOCSIN_ROOT") : ".";
        char path[4096];
        snprintf(path, sizeof(path), "%s/tests/data/crs", dir);
        char file[4200];
        snprintf(file, sizeof(file), "%s/rules.conf", path);
        FILE *f = fopen(file, "r");
        static char text[1 << 16];
        size_t n = f ? fread(text, 1, sizeof(text), f) : 0;
        if (f)
            fclose(f);
        if (crs_load_text("rules.conf", text, n, path, 4, NULL, NULL, &fixed, NULL) != 0 ||
            crs_scratch_new(fixed, &fs, NULL) != 0)
            __builtin_trap();
    }
    const char *p = (const char *)data;
    struct crs_request q = {.method = "GET",
                            .method_n = 3,
                            .uri = p,
                            .uri_n = size,
                            .protocol = "HTTP/1.1",
                            .protocol_n = 8,
                            .ua = p,
                            .ua_n = size / 2,
                            .referer = p + size / 2,
                            .referer_n = size - size / 2};
    check(fixed, fs, &q);

    struct crs *c = NULL;
    struct err e = {0};
    if (crs_load_text("fuzz.conf", p, size, NULL, 4, NULL, NULL, &c, &e) != 0) {
        if (!e.msg[0])
            __builtin_trap(); /* a refusal says why */
        return 0;
    }
    struct crs_scratch *s = NULL;
    if (crs_scratch_new(c, &s, NULL) == 0) {
        struct crs_request r = {.method = "POST",
                                .method_n = 4,
                                .uri = "/a/b.php?x=1%27%20or%201=1--&y=%3Cscript%3E",
                                .uri_n = 43,
                                .ua = "Mozilla/5.0 (X11)",
                                .ua_n = 17};
        check(c, s, &r);
        check(c, s, &q);
    }
    crs_scratch_free(s);
    crs_free(c);
    return 0;
}
