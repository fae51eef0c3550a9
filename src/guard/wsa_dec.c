/* The decoders constant folding applies: base64, hex, URL encoding, ROT13,
 * reversal, zlib (raw, zlib and gzip framing) and uuencode. Every output is
 * bounded by the arena; a decoder that finds no input of its kind returns
 * NULL so the value stays unknown. */
#include "wsa.h"

#include <pthread.h>
#include <string.h>
#include <zlib.h>

/* Decompressed output is capped: a payload that inflates past this is not
 * code an attacker needs, and a bomb stops here. */
#define INFLATE_MAX ((size_t)8 << 20)

/* The value of each base64 character (both alphabets), or -1. */
static signed char b64_table[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;

static void b64_init(void)
{
    memset(b64_table, -1, sizeof(b64_table));
    for (int c = 0; c < 26; c++) {
        b64_table['A' + c] = (signed char)c;
        b64_table['a' + c] = (signed char)(c + 26);
    }
    for (int c = 0; c < 10; c++)
        b64_table['0' + c] = (signed char)(c + 52);
    b64_table['+'] = b64_table['-'] = 62;
    b64_table['/'] = b64_table['_'] = 63;
}

static int b64v(unsigned char c)
{
    return b64_table[c];
}

/* As PHP's base64_decode without strict: characters outside the alphabet are
 * skipped, so payloads wrapped over short lines decode whole. */
char *wsa_base64(struct wsa_arena *a, const char *s, size_t n, size_t *out_n)
{
    pthread_once(&b64_once, b64_init);
    if (n < 2)
        return NULL;
    char *out = wsa_alloc(a, n * 3 / 4 + 2);
    if (!out)
        return NULL;
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64v((unsigned char)s[i]);
        if (s[i] == '=')
            break;
        if (v < 0)
            continue;
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xff);
        }
    }
    if (o == 0)
        return NULL;
    out[o] = 0;
    *out_n = o;
    return out;
}

static int hv(unsigned char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

char *wsa_hex(struct wsa_arena *a, const char *s, size_t n, size_t *out_n)
{
    if (n < 2 || n % 2)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (hv((unsigned char)s[i]) < 0)
            return NULL;
    char *out = wsa_alloc(a, n / 2 + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n / 2; i++)
        out[i] = (char)(hv((unsigned char)s[2 * i]) << 4 | hv((unsigned char)s[2 * i + 1]));
    out[n / 2] = 0;
    *out_n = n / 2;
    return out;
}

char *wsa_url(struct wsa_arena *a, const char *s, size_t n, size_t *out_n)
{
    char *out = wsa_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n + 0 && hv((unsigned char)s[i + 1]) >= 0 &&
            hv((unsigned char)s[i + 2]) >= 0) {
            out[o++] = (char)(hv((unsigned char)s[i + 1]) << 4 | hv((unsigned char)s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = 0;
    *out_n = o;
    return out;
}

char *wsa_rot13(struct wsa_arena *a, const char *s, size_t n, size_t *out_n)
{
    char *out = wsa_alloc(a, n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)('a' + (c - 'a' + 13) % 26);
        else if (c >= 'A' && c <= 'Z')
            c = (char)('A' + (c - 'A' + 13) % 26);
        out[i] = c;
    }
    out[n] = 0;
    *out_n = n;
    return out;
}

char *wsa_reverse(struct wsa_arena *a, const char *s, size_t n, size_t *out_n)
{
    char *out = wsa_alloc(a, n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++)
        out[i] = s[n - 1 - i];
    out[n] = 0;
    *out_n = n;
    return out;
}

char *wsa_inflate(struct wsa_arena *a, const char *s, size_t n, int window, size_t *out_n)
{
    if (n < 2)
        return NULL;
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, window) != Z_OK)
        return NULL;
    size_t cap = n * 4 + 64;
    if (cap > INFLATE_MAX)
        cap = INFLATE_MAX;
    char *out = NULL;
    size_t o = 0;
    int rc = Z_OK;
    z.next_in = (unsigned char *)(uintptr_t)s;
    z.avail_in = (unsigned)n;
    while (rc == Z_OK) {
        char *bigger = wsa_alloc(a, cap + 1);
        if (!bigger)
            break;
        if (o)
            memcpy(bigger, out, o);
        out = bigger;
        z.next_out = (unsigned char *)out + o;
        z.avail_out = (unsigned)(cap - o);
        rc = inflate(&z, Z_NO_FLUSH);
        o = cap - z.avail_out;
        if (rc == Z_OK && z.avail_out == 0) {
            if (cap >= INFLATE_MAX)
                break;
            cap = cap * 2 > INFLATE_MAX ? INFLATE_MAX : cap * 2;
        } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
            break; /* input ended before the stream did: keep what came out */
        }
    }
    inflateEnd(&z);
    if (!out || o == 0 || (rc != Z_STREAM_END && rc != Z_OK && rc != Z_BUF_ERROR))
        return NULL;
    out[o] = 0;
    *out_n = o;
    return out;
}

char *wsa_uudecode(struct wsa_arena *a, const char *s, size_t n, size_t *out_n)
{
    char *out = wsa_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len = (size_t)((s[i] - 32) & 63), k = i + 1;
        if (len == 0)
            break;
        for (size_t got = 0; got < len && k + 3 < n; k += 4) {
            unsigned v = (unsigned)((s[k] - 32) & 63) << 18 |
                         (unsigned)((s[k + 1] - 32) & 63) << 12 |
                         (unsigned)((s[k + 2] - 32) & 63) << 6 | (unsigned)((s[k + 3] - 32) & 63);
            for (int b = 2; b >= 0 && got < len; b--, got++)
                out[o++] = (char)(v >> (8 * b) & 0xff);
        }
        const char *nl = memchr(s + i, '\n', n - i);
        if (!nl)
            break;
        i = (size_t)(nl - s) + 1;
    }
    if (!o)
        return NULL;
    out[o] = 0;
    *out_n = o;
    return out;
}

/* Microsoft's Script Encoder (VBScript.Encode, JScript.Encode, the `#@~^`
 * blocks of .asp pages): each printable character is substituted through one
 * of three alphabets, picked by the character's position among the ASCII
 * characters of the block, in a pattern that repeats every 64. These are the
 * three alphabets as decoded characters for the bytes 32 to 127; tab decodes
 * to TAB9. '<', '>' and '@' stand for themselves. */
static const char scr_alpha[3][97] = {
    ".GzVBj/&IA42[vrC89pEhqO\x09"
    "bD#uJ~J^@wJa]\"KoN;LPg*}tT+-,0nkf5%!dMRc?{x)(sY3\x7f"
    "mUS|:_eFX1ilZH'\\=$y7`Q 6",
    "-uR`q^I\\b})6 |z\x7f"
    "kc3+hQfv1dTCL:L~LE,*t'7DyY/o&rj9{?8wgSG4x]0#Z[lHUpi.L!$NP\x09"
    "Vs5aKX;W\"mM%(FJ2A=_OBe",
    "20!)[83=X:5e9\\VsfNEkbYx^}JmqA`AS@B'Hru17MR\"TjGd- \x7f"
    ".L]~loytC&v%$+(#A4\x09"
    "*D?w;UiacPgQIOFh|6pnz/_KZ,W"};
static const char scr_tab[3] = {'W', 'n', '{'};
static const char scr_pick[] = "0120121221210212021200122102122100212120200120210212001220012021";

char *wsa_script_decode(struct wsa_arena *a, const char *s, size_t n, size_t *out_n)
{
    char *out = wsa_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t o = 0, index = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '@' && i + 1 < n) {
            static const char esc[] = "&\n#\r*>!<$@";
            const char *e = strchr(esc, s[i + 1]);
            if (e && (e - esc) % 2 == 0 && s[i + 1]) {
                out[o++] = e[1];
                index++;
                i++;
                continue;
            }
        }
        if (c < 128)
            index++;
        if ((c == 9 || (c >= 32 && c < 128)) && c != '<' && c != '>' && c != '@') {
            int k = scr_pick[(index - 1) % 64] - '0';
            c = c == 9 ? (unsigned char)scr_tab[k] : (unsigned char)scr_alpha[k][c - 32];
        }
        out[o++] = (char)c;
    }
    out[o] = 0;
    *out_n = o;
    return out;
}
