/* Hex encoding and SHA-256 (OpenSSL, which uses the CPU's SHA extensions). */
#include "core.h"

#include <openssl/evp.h>
#include <pthread.h>

void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hex_decode(const char *in, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(in[2 * i]);
        int lo = hi < 0 ? -1 : hex_value(in[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return in[2 * n] == '\0' ? 0 : -1;
}

/* Fetched once: an implicit fetch on every initialisation costs more than
 * hashing a small file. */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256_algo(void)
{
    pthread_once(&sha256_once, sha256_fetch);
    return sha256_md ? sha256_md : EVP_sha256();
}

int sha256_init(struct sha256_ctx *c)
{
    c->md = EVP_MD_CTX_new();
    if (!c->md)
        return ERR_NOMEM;
    if (EVP_DigestInit_ex(c->md, sha256_algo(), NULL) != 1) {
        EVP_MD_CTX_free(c->md);
        c->md = NULL;
        return ERR_INTERNAL;
    }
    return 0;
}

void sha256_update(struct sha256_ctx *c, const void *p, size_t n)
{
    EVP_DigestUpdate(c->md, p, n);
}

void sha256_final(struct sha256_ctx *c, unsigned char out[SHA256_LEN])
{
    unsigned int n = SHA256_LEN;
    EVP_DigestFinal_ex(c->md, out, &n);
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

void sha256_release(struct sha256_ctx *c)
{
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

int sha256(const void *p, size_t n, unsigned char out[SHA256_LEN])
{
    unsigned int len = SHA256_LEN;
    return EVP_Digest(p, n, out, &len, sha256_algo(), NULL) == 1 ? 0 : ERR_INTERNAL;
}
