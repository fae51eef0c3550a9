/* libFuzzer harness for the webshell source analysis: the tokenizers of every
 * language, constant folding and its decoders, and the scoring. The first byte
 * picks the language; the rest is the file. Whatever the input, the analysis
 * ends within its work bounds and its result is well formed. */
#include "guard/wsa.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum wsa_lang lang = (enum wsa_lang)(1 + data[0] % 4);
    struct wsa_result r;
    wsa_analyse(lang, data + 1, size - 1, &r);
    if (r.score < 0 || r.score > 100 || r.n < 0 || r.n > WSA_FINDINGS_MAX)
        __builtin_trap();
    for (int k = 0; k < r.n; k++) {
        const struct wsa_finding *f = &r.f[k];
        if (f->score <= 0 || f->score > 100 || !f->technique[0] ||
            !memchr(f->detail, 0, sizeof(f->detail)) ||
            !memchr(f->decoded, 0, sizeof(f->decoded)) || !memchr(f->taint, 0, sizeof(f->taint)))
            __builtin_trap();
        if (k > 0 && f->score > r.f[k - 1].score)
            __builtin_trap(); /* best first */
    }
    return 0;
}
