/* libFuzzer harness for the fast HTML parser: any bytes. Whenever the fast
 * parser builds a tree, it must be the tree gumbo builds from the same bytes
 * (in everything the page analysis reads); a difference stops the run with
 * where it is. Nothing may crash, leak or read out of bounds. */
#include "probe/probe_int.h"

#include <gumbo.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *html = (const char *)data;
    GumboOutput *f = parse_html_fast(html, size);
    if (f) {
        GumboOutput *g = parse_html_gumbo(html, size);
        char why[400];
        if (!g || fast_parse_differs(g->document, f->document, why, sizeof why)) {
            fprintf(stderr, "fast tree differs from gumbo's: %s\n", g ? why : "gumbo failed");
            __builtin_trap();
        }
    }
    parse_release();
    return 0;
}
