/* SHA-256 of many messages two at a time (core/sha256mb.c): the digests are
 * FIPS 180-4's and OpenSSL's for every length around the block and padding
 * boundaries, in any order of lengths, on the SHA extensions (where this CPU
 * has them) and on the OpenSSL path; each message is reported once; at most
 * two are held. */
#include "core/core.h"
#include "testutil.h"

#define MSGS 64

struct seen {
    unsigned char digest[MSGS][SHA256_LEN];
    int times[MSGS]; /* done called for message i */
    int held;        /* added and not yet done */
    int held_max;
};

static void on_done(void *ctx, void *tag, const unsigned char d[SHA256_LEN])
{
    struct seen *s = ctx;
    size_t i = (size_t)(uintptr_t)tag;
    assert_true(i < MSGS);
    memcpy(s->digest[i], d, SHA256_LEN);
    s->times[i]++;
    s->held--;
}

static void add(struct sha256_mb *m, struct seen *s, const void *p, size_t n, size_t i)
{
    s->held++;
    assert_int_equal(sha256_mb_add(m, p, n, (void *)(uintptr_t)i), 0);
    if (s->held > s->held_max)
        s->held_max = s->held;
    assert_true(s->held <= 2);
}

static void hex_is(const unsigned char d[SHA256_LEN], const char *want)
{
    char hex[SHA256_HEX_LEN];
    hex_encode(d, SHA256_LEN, hex);
    assert_string_equal(hex, want);
}

/* The examples of FIPS 180-4 (one block, two blocks) and the empty message. */
static void known_answers(int hw)
{
    static const char *msg[] = {"abc", "",
                                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"};
    static const char *want[] = {
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"};
    struct seen s = {0};
    struct sha256_mb m;
    sha256_mb_init(&m, on_done, &s);
    m.hw = hw;
    for (size_t i = 0; i < 3; i++)
        add(&m, &s, msg[i], strlen(msg[i]), i);
    sha256_mb_flush(&m);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(s.times[i], 1);
        hex_is(s.digest[i], want[i]);
    }
    assert_int_equal(s.held, 0);
}

static void test_known_answers_openssl(void **state)
{
    (void)state;
    known_answers(0);
}

static void test_known_answers_sha_extensions(void **state)
{
    (void)state;
    if (!sha256_mb_hw()) {
        print_message("# this CPU has no SHA extensions: only the OpenSSL path is tested\n");
        skip();
    }
    known_answers(1);
}

/* Messages of the given lengths, added in batches of varying size and
 * flushed, each compared to OpenSSL's digest of it. */
static void against_openssl(int hw, const size_t *len, size_t n, unsigned seed)
{
    static unsigned char buf[MSGS][70000];
    srand(seed);
    for (size_t done = 0; done < n;) {
        struct seen s = {0};
        struct sha256_mb m;
        sha256_mb_init(&m, on_done, &s);
        m.hw = hw;
        size_t batch = 1 + (size_t)rand() % 9;
        if (batch > n - done)
            batch = n - done;
        for (size_t i = 0; i < batch; i++) {
            size_t k = len[done + i];
            assert_true(k <= sizeof(buf[i]));
            for (size_t j = 0; j < k; j++)
                buf[i][j] = (unsigned char)rand();
            add(&m, &s, buf[i], k, i);
        }
        sha256_mb_flush(&m);
        assert_int_equal(s.held, 0);
        for (size_t i = 0; i < batch; i++) {
            unsigned char want[SHA256_LEN];
            assert_int_equal(s.times[i], 1);
            assert_int_equal(sha256(buf[i], len[done + i], want), 0);
            if (memcmp(want, s.digest[i], SHA256_LEN) != 0)
                fail_msg("a message of %zu bytes (hw %d) hashed wrong", len[done + i], hw);
        }
        if (hw && batch > 2)
            assert_int_equal(s.held_max, 2);
        done += batch;
    }
}

static void lengths_around_blocks(int hw)
{
    /* Every length to five blocks: each way the padding falls. */
    size_t len[321];
    for (size_t i = 0; i < 321; i++)
        len[i] = i;
    against_openssl(hw, len, 321, 1);
    /* Shuffled and long: lanes that finish at different times. */
    size_t mixed[400];
    srand(7);
    for (size_t i = 0; i < 400; i++)
        mixed[i] = i % 5 == 0 ? (size_t)rand() % 70000 : (size_t)rand() % 3000;
    against_openssl(hw, mixed, 400, 2);
}

static void test_lengths_openssl(void **state)
{
    (void)state;
    lengths_around_blocks(0);
}

static void test_lengths_sha_extensions(void **state)
{
    (void)state;
    if (!sha256_mb_hw())
        skip();
    lengths_around_blocks(1);
}

/* A message reported only at a later add stays readable until then: the
 * lanes read from the caller's buffer, not from a copy. */
static void test_held_messages_come_back_by_their_tags(void **state)
{
    (void)state;
    if (!sha256_mb_hw())
        skip();
    static unsigned char a[10000], b[100], c[5000];
    memset(a, 'a', sizeof(a));
    memset(b, 'b', sizeof(b));
    memset(c, 'c', sizeof(c));
    struct seen s = {0};
    struct sha256_mb m;
    sha256_mb_init(&m, on_done, &s);
    add(&m, &s, a, sizeof(a), 0);
    add(&m, &s, b, sizeof(b), 1);
    assert_int_equal(s.times[0] + s.times[1], 0); /* both held */
    add(&m, &s, c, sizeof(c), 2);                 /* the short one finishes first */
    assert_int_equal(s.times[1], 1);
    assert_int_equal(s.times[0], 0);
    sha256_mb_flush(&m);
    unsigned char want[SHA256_LEN];
    sha256(a, sizeof(a), want);
    assert_memory_equal(s.digest[0], want, SHA256_LEN);
    sha256(c, sizeof(c), want);
    assert_memory_equal(s.digest[2], want, SHA256_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers_openssl),
        cmocka_unit_test(test_known_answers_sha_extensions),
        cmocka_unit_test(test_lengths_openssl),
        cmocka_unit_test(test_lengths_sha_extensions),
        cmocka_unit_test(test_held_messages_come_back_by_their_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
