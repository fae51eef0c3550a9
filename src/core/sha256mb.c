/* SHA-256 of many messages, two at a time on one core.
 *
 * With the CPU's SHA extensions the rounds of one message wait on each
 * other: each SHA256RNDS2 needs the result of the one before, and on current
 * cores the unit could start another well before that result is there. Two
 * messages hashed side by side fill those gaps, so two take little longer
 * than one (the guard hashes tens of thousands of small files, which have no
 * such parallelism within themselves). Without the extensions, or off x86-64,
 * each message goes to OpenSSL in turn. The result is SHA-256 as FIPS 180-4
 * defines it; tests/unit/test_core_sha256mb.c and tests/fuzz/fuzz_sha256mb.c
 * hold it to OpenSSL's on both paths.
 *
 * A lane's state is kept the way the instructions use it: two vectors, one
 * holding the working variables a, b, e, f and the other c, d, g, h. */
#include "core.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define SHA_NI     1
#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#endif

static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

int sha256_mb_hw(void)
{
#ifdef SHA_NI
    static int hw = -1;
    if (hw < 0) {
        unsigned a, b, c, d, ok = 0;
        if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) && (c & bit_SSSE3) &&
            __get_cpuid_count(7, 0, &a, &b, &c, &d))
            ok = (b & bit_SHA) != 0;
        hw = (int)ok;
    }
    return hw;
#else
    return 0;
#endif
}

#ifdef SHA_NI
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/* The message words of group g (rounds 4g..4g+3) into w[g & 3]: read from
 * the block for the first four groups, from the schedule after. */
#define SCHEDULE(w, blk, g)                                                                        \
    do {                                                                                           \
        if ((g) < 4)                                                                               \
            w[(g)&3] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blk) + (g)), bswap);     \
        else                                                                                       \
            w[(g)&3] = _mm_sha256msg2_epu32(                                                       \
                _mm_add_epi32(_mm_sha256msg1_epu32(w[(g)&3], w[((g)-3) & 3]),                      \
                              _mm_alignr_epi8(w[((g)-1) & 3], w[((g)-2) & 3], 4)),                 \
                w[((g)-1) & 3]);                                                                   \
    } while (0)

/* Four rounds: abef and cdgh swap roles after two and back after four. */
#define ROUNDS4(abef, cdgh, wk)                                                                    \
    do {                                                                                           \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);                                              \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));                     \
    } while (0)

/* n blocks of one message. */
SHA_TARGET static void blocks1(uint32_t st[8], const unsigned char *p, size_t n)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i abef = _mm_loadu_si128((const __m128i *)st);
    __m128i cdgh = _mm_loadu_si128((const __m128i *)(st + 4));
    for (; n > 0; n--, p += 64) {
        __m128i w[4], abef0 = abef, cdgh0 = cdgh;
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            SCHEDULE(w, p, g);
            __m128i k = _mm_loadu_si128((const __m128i *)(K + 4 * g));
            ROUNDS4(abef, cdgh, _mm_add_epi32(w[g & 3], k));
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    _mm_storeu_si128((__m128i *)st, abef);
    _mm_storeu_si128((__m128i *)(st + 4), cdgh);
}

/* n blocks of each of two messages, their rounds interleaved. */
SHA_TARGET static void blocks2(uint32_t sa[8], const unsigned char *pa, uint32_t sb[8],
                               const unsigned char *pb, size_t n)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i abef_a = _mm_loadu_si128((const __m128i *)sa);
    __m128i cdgh_a = _mm_loadu_si128((const __m128i *)(sa + 4));
    __m128i abef_b = _mm_loadu_si128((const __m128i *)sb);
    __m128i cdgh_b = _mm_loadu_si128((const __m128i *)(sb + 4));
    for (; n > 0; n--, pa += 64, pb += 64) {
        __m128i wa[4], wb[4];
        __m128i abef_a0 = abef_a, cdgh_a0 = cdgh_a, abef_b0 = abef_b, cdgh_b0 = cdgh_b;
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            __m128i k = _mm_loadu_si128((const __m128i *)(K + 4 * g));
            SCHEDULE(wa, pa, g);
            SCHEDULE(wb, pb, g);
            ROUNDS4(abef_a, cdgh_a, _mm_add_epi32(wa[g & 3], k));
            ROUNDS4(abef_b, cdgh_b, _mm_add_epi32(wb[g & 3], k));
        }
        abef_a = _mm_add_epi32(abef_a, abef_a0);
        cdgh_a = _mm_add_epi32(cdgh_a, cdgh_a0);
        abef_b = _mm_add_epi32(abef_b, abef_b0);
        cdgh_b = _mm_add_epi32(cdgh_b, cdgh_b0);
    }
    _mm_storeu_si128((__m128i *)sa, abef_a);
    _mm_storeu_si128((__m128i *)(sa + 4), cdgh_a);
    _mm_storeu_si128((__m128i *)sb, abef_b);
    _mm_storeu_si128((__m128i *)(sb + 4), cdgh_b);
}
#endif

/* The state's words as the instructions keep them: f e b a, h g d c. */
static const int lane_word[8] = {3, 2, 7, 6, 1, 0, 5, 4}; /* h0..h7 at st[lane_word[i]] */

static void lane_start(struct sha256_lane *l, const unsigned char *p, size_t n, void *tag)
{
    for (int i = 0; i < 8; i++)
        l->st[lane_word[i]] = initial[i];
    size_t whole = n / 64, rest = n % 64;
    size_t tail = rest + 9 <= 64 ? 64 : 128;
    memcpy(l->tail, p + whole * 64, rest);
    l->tail[rest] = 0x80;
    memset(l->tail + rest + 1, 0, tail - rest - 1);
    uint64_t bits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++)
        l->tail[tail - 1 - i] = (unsigned char)(bits >> (8 * i));
    l->p = p;
    l->left = whole;
    l->tail_blocks = tail / 64;
    l->tag = tag;
    l->busy = 1;
    if (!l->left) {
        l->p = l->tail;
        l->left = l->tail_blocks;
        l->tail_blocks = 0;
    }
}

/* After its run of blocks: on to the padded end, or finished (and free). */
static void lane_advance(struct sha256_mb *m, struct sha256_lane *l)
{
    if (l->left)
        return;
    if (l->tail_blocks) {
        l->p = l->tail;
        l->left = l->tail_blocks;
        l->tail_blocks = 0;
        return;
    }
    unsigned char d[SHA256_LEN];
    for (int i = 0; i < 8; i++) {
        uint32_t v = l->st[lane_word[i]];
        d[4 * i] = (unsigned char)(v >> 24);
        d[4 * i + 1] = (unsigned char)(v >> 16);
        d[4 * i + 2] = (unsigned char)(v >> 8);
        d[4 * i + 3] = (unsigned char)v;
    }
    l->busy = 0;
    m->done(m->ctx, l->tag, d);
}

void sha256_mb_init(struct sha256_mb *m, sha256_done_fn done, void *ctx)
{
    memset(m, 0, sizeof(*m));
    m->hw = sha256_mb_hw();
    m->done = done;
    m->ctx = ctx;
}

int sha256_mb_add(struct sha256_mb *m, const void *p, size_t n, void *tag)
{
    if (!m->hw) {
        unsigned char d[SHA256_LEN];
        if (sha256(p, n, d) != 0)
            return ERR_INTERNAL;
        m->done(m->ctx, tag, d);
        return 0;
    }
#ifdef SHA_NI
    struct sha256_lane *a = &m->lane[0], *b = &m->lane[1];
    /* Both lanes busy: hashed side by side until one is free. */
    while (a->busy && b->busy) {
        size_t k = a->left < b->left ? a->left : b->left;
        blocks2(a->st, a->p, b->st, b->p, k);
        a->p += k * 64;
        a->left -= k;
        b->p += k * 64;
        b->left -= k;
        lane_advance(m, a);
        lane_advance(m, b);
    }
    lane_start(a->busy ? b : a, p, n, tag);
#endif
    return 0;
}

void sha256_mb_flush(struct sha256_mb *m)
{
#ifdef SHA_NI
    for (int i = 0; i < 2; i++) {
        struct sha256_lane *l = &m->lane[i];
        while (l->busy) {
            blocks1(l->st, l->p, l->left);
            l->left = 0;
            lane_advance(m, l);
        }
    }
#else
    (void)m;
#endif
}
