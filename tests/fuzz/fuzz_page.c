/* libFuzzer harness for the page analysis: any bytes, decoded as the page's
 * charset says, then analysed with the sample word list and compared with a
 * baseline learned from the same page. Nothing may crash, leak or read out
 * of bounds, every finding's strings are terminated, and a page compared
 * with its own baseline is never "replaced". */
#include "probe/probe.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct probe_words *words;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!words)
        words = probe_words_builtin(NULL);
    char charset[32];
    probe_charset(NULL, (const char *)data, size, charset);
    struct buf html;
    buf_init(&html, 2 * size + 64);
    size_t bad;
    if (probe_to_utf8(charset, (const char *)data, size, &html, &bad, NULL) != 0) {
        buf_release(&html);
        return 0;
    }
    if (html.len && !utf8_valid(html.p, html.len))
        __builtin_trap();
    struct probe_findings *f = calloc(1, sizeof *f);
    struct probe_page_opts o = {.url = "http://www.example.gov.cn/", .words = words};
    struct probe_print *p = NULL;
    if (f && probe_page_analyse(html.p ? html.p : "", html.len, &o, f, &p, NULL) == 0) {
        for (int i = 0; i < f->n; i++)
            if (strlen(f->v[i].message) >= sizeof f->v[i].message ||
                strlen(f->v[i].excerpt) >= sizeof f->v[i].excerpt)
                __builtin_trap();
        struct probe_baseline *b = probe_baseline_new();
        probe_baseline_learn(b, p);
        struct probe_findings g = {0};
        probe_baseline_compare(b, p, &g);
        if (probe_has(&g, "page-replaced") || probe_has(&g, "injected-block"))
            __builtin_trap();
        struct buf saved;
        buf_init(&saved, 64 << 20);
        if (probe_baseline_save(b, &saved) == 0) {
            struct probe_baseline *c = probe_baseline_load("fuzz", saved.p, saved.len, NULL);
            if (!c)
                __builtin_trap();
            probe_baseline_free(c);
        }
        buf_release(&saved);
        probe_baseline_free(b);
    }
    probe_print_free(p);
    free(f);
    buf_release(&html);
    return 0;
}
