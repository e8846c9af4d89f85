/*
  ntsd - unit test of AEAD_AES_SIV_CMAC_256: known answers (the vectors
  chronyd's test suite uses for the same Nettle functions, so passing them
  means byte-for-byte interoperability), round trips and tampering.
*/
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "logging.h"
#include "siv.h"
#include "test.h"
#include "util.h"

#define KEY "0123456789abcdeff0123456789abcdeef0123456789abcddef0123456789abc"

static const struct {
  const char *nonce, *assoc, *plain, *out;
} vectors[] = {
  { "101112131415161718191a1b1c1d1e1f", "", "", "223eb594e0e0254b00258e219a1ca421" },
  { "101112131415161718191a1b1c1d1e1f", "4c9d4fcaed8ae2baad3f3ea6e93c8c8b", "",
    "d7201989c6dbc6d661fc62bc865eeeef" },
  { "101112131415161718191a1b1c1d1e1f", "", "4c9d4fcaed8ae2baad3f3ea6e93c8c8b",
    "b6c160e9c2fd2ae8dec5368b2a33ede114ffb397345ccbe44aa4deacd9369046" },
  { "101112131415161718191a1b1c1d1e", "4c9d4fcaed8ae2baad3f3ea6e93c8c",
    "ba997931237e3c53587ed49302abe4",
    "038c4151ba7a8f776e563199420bc703e76c67c9dab70d5b4406265ad0d23b" },
  { "101112131415161718191a1b1c1d1e1f", "4c9d4fcaed8ae2baad3f3ea6e93c8c8b",
    "ba997931237e3c53587ed49302abe4a7",
    "5c052365f4570aa0fb383ece9b7585eb688519360c7c481140cb9b579a0e6532" },
  { "101112131415161718191a1b1c1d1e1fd5", "4c9d4fcaed8ae2baad3f3ea6e93c8c8ba0",
    "ba997931237e3c53587ed49302abe4a708",
    "af584be7821e9619299125e0dd803b49a511cdb608f376a0b6fa1582f395e1ebbd" },
};

static int
hex(const char *s, uint8_t *buf, int max)
{
  int n = UTI_HexToBytes(s, buf, max);

  if (n < 0) {
    printf("bad test vector %s\n", s);
    exit(1);
  }
  return n;
}

static int
is_zero(const uint8_t *p, int len)
{
  while (len-- > 0) {
    if (*p++)
      return 0;
  }
  return 1;
}

static void
test_vectors(void)
{
  uint8_t key[SIV_KEY_LEN], nonce[64], assoc[64], plain[64], want[80], out[80], dec[64];
  int i, j, nl, al, pl, ol;
  SIV_Instance siv;

  TEST_CHECK(hex(KEY, key, sizeof key) == SIV_KEY_LEN);
  TEST_CHECK(SIV_SetKey(&siv, key, SIV_KEY_LEN));

  for (i = 0; i < (int)(sizeof vectors / sizeof vectors[0]); i++) {
    nl = hex(vectors[i].nonce, nonce, sizeof nonce);
    al = hex(vectors[i].assoc, assoc, sizeof assoc);
    pl = hex(vectors[i].plain, plain, sizeof plain);
    ol = hex(vectors[i].out, want, sizeof want);
    TEST_CHECK(ol == pl + SIV_TAG_LEN);

    memset(out, 0xaa, sizeof out);
    TEST_CHECK(SIV_Encrypt(&siv, nonce, nl, al ? assoc : NULL, al, pl ? plain : NULL, pl, out));
    TEST_CHECK(memcmp(out, want, ol) == 0);
    TEST_CHECK(out[ol] == 0xaa);

    memset(dec, 0xaa, sizeof dec);
    TEST_CHECK(SIV_Decrypt(&siv, nonce, nl, assoc, al, want, ol, dec));
    TEST_CHECK(memcmp(dec, plain, pl) == 0);
    TEST_CHECK(dec[pl] == 0xaa);

    /* Every flipped bit of the output, nonce or associated data fails,
       and leaves no unauthenticated plaintext behind */
    for (j = 0; j < ol * 8; j++) {
      want[j / 8] ^= 1 << (j % 8);
      memset(dec, 0xaa, sizeof dec);
      TEST_CHECK(!SIV_Decrypt(&siv, nonce, nl, assoc, al, want, ol, dec));
      TEST_CHECK(is_zero(dec, pl));
      want[j / 8] ^= 1 << (j % 8);
    }
    for (j = 0; j < nl; j++) {
      nonce[j] ^= 0x01;
      TEST_CHECK(!SIV_Decrypt(&siv, nonce, nl, assoc, al, want, ol, dec));
      nonce[j] ^= 0x01;
    }
    for (j = 0; j < al; j++) {
      assoc[j] ^= 0x80;
      TEST_CHECK(!SIV_Decrypt(&siv, nonce, nl, assoc, al, want, ol, dec));
      assoc[j] ^= 0x80;
    }
    /* Shorter or longer nonce, associated data or input */
    TEST_CHECK(!SIV_Decrypt(&siv, nonce, nl - 1, assoc, al, want, ol, dec) || nl == 1);
    TEST_CHECK(!SIV_Decrypt(&siv, nonce, nl, assoc, al + 1, want, ol, dec));
    TEST_CHECK(!SIV_Decrypt(&siv, nonce, nl, assoc, al, want, ol - 1, dec));
    TEST_CHECK(SIV_Decrypt(&siv, nonce, nl, assoc, al, want, ol, dec));
  }
  SIV_Clear(&siv);
}

static void
test_arguments(void)
{
  uint8_t key[SIV_KEY_LEN], nonce[16], buf[64], out[80];
  SIV_Instance siv;
  int i;

  memset(key, 1, sizeof key);
  memset(nonce, 2, sizeof nonce);
  memset(buf, 3, sizeof buf);

  /* No key yet */
  memset(&siv, 0, sizeof siv);
  TEST_CHECK(!SIV_Encrypt(&siv, nonce, 16, NULL, 0, buf, 16, out));

  for (i = -1; i <= 64; i++)
    TEST_CHECK(SIV_SetKey(&siv, key, i) == (i == SIV_KEY_LEN));
  /* A failed SetKey leaves no key behind */
  TEST_CHECK(!SIV_Encrypt(&siv, nonce, 16, NULL, 0, buf, 16, out));
  TEST_CHECK(!SIV_SetKey(&siv, NULL, SIV_KEY_LEN));
  TEST_CHECK(SIV_SetKey(&siv, key, SIV_KEY_LEN));

  TEST_CHECK(!SIV_Encrypt(&siv, nonce, 0, NULL, 0, buf, 16, out));
  TEST_CHECK(!SIV_Encrypt(&siv, NULL, 16, NULL, 0, buf, 16, out));
  TEST_CHECK(!SIV_Encrypt(&siv, nonce, 16, NULL, 5, buf, 16, out));
  TEST_CHECK(!SIV_Encrypt(&siv, nonce, 16, buf, -1, buf, 16, out));
  TEST_CHECK(!SIV_Encrypt(&siv, nonce, 16, NULL, 0, buf, -1, out));
  TEST_CHECK(!SIV_Encrypt(&siv, nonce, 16, NULL, 0, NULL, 16, out));
  TEST_CHECK(!SIV_Encrypt(&siv, nonce, 16, NULL, 0, buf, 16, NULL));
  TEST_CHECK(SIV_Encrypt(&siv, nonce, 1, NULL, 0, NULL, 0, out));
  TEST_CHECK(SIV_Decrypt(&siv, nonce, 1, NULL, 0, out, SIV_TAG_LEN, buf));

  TEST_CHECK(SIV_Encrypt(&siv, nonce, 16, buf, 7, buf, 64, out));
  for (i = -1; i < SIV_TAG_LEN; i++)
    TEST_CHECK(!SIV_Decrypt(&siv, nonce, 16, buf, 7, out, i, buf));
  TEST_CHECK(!SIV_Decrypt(&siv, nonce, 16, buf, 7, NULL, 80, buf));
  TEST_CHECK(!SIV_Decrypt(&siv, nonce, 16, buf, 7, out, 80, NULL));

  /* A different key does not open it */
  key[31] ^= 1;
  TEST_CHECK(SIV_SetKey(&siv, key, SIV_KEY_LEN));
  TEST_CHECK(!SIV_Decrypt(&siv, nonce, 16, buf, 7, out, 80, buf));

  SIV_Clear(&siv);
  TEST_CHECK(is_zero((const uint8_t *)&siv, sizeof siv));
  TEST_CHECK(!SIV_Encrypt(&siv, nonce, 16, NULL, 0, buf, 16, out));
}

static void
test_round_trip(void)
{
  static uint8_t plain[2000], ct[2000 + SIV_TAG_LEN], dec[2000];
  uint8_t key[SIV_KEY_LEN], nonce[16], assoc[100];
  SIV_Instance siv;
  int i, len;

  for (i = 0; i < (int)sizeof plain; i++)
    plain[i] = i * 7;
  for (i = 0; i < (int)sizeof assoc; i++)
    assoc[i] = i;
  memset(key, 0x5a, sizeof key);
  memset(nonce, 0x17, sizeof nonce);
  TEST_CHECK(SIV_SetKey(&siv, key, sizeof key));

  for (len = 0; len <= (int)sizeof plain; len += 97) {
    TEST_CHECK(SIV_Encrypt(&siv, nonce, sizeof nonce, assoc, sizeof assoc, plain, len, ct));
    TEST_CHECK(len == 0 || memcmp(ct + SIV_TAG_LEN, plain, len) != 0);
    memset(dec, 0, sizeof dec);
    TEST_CHECK(SIV_Decrypt(&siv, nonce, sizeof nonce, assoc, sizeof assoc, ct,
                           len + SIV_TAG_LEN, dec));
    TEST_CHECK(memcmp(dec, plain, len) == 0);
  }
}

/* A key with only its S2V half expanded makes and checks the same tags
   as a full one, for empty plaintexts only (the known answers 1 and 2) */
static void
test_auth_key(void)
{
  uint8_t key[SIV_KEY_LEN], nonce[32], assoc[32], expect[16], tag[SIV_TAG_LEN], out[32];
  uint8_t plain[16] = { 1 };
  SIV_Instance full, auth;
  int i, nonce_len, assoc_len;

  TEST_CHECK(hex(KEY, key, sizeof key) == SIV_KEY_LEN);
  TEST_CHECK(SIV_SetKey(&full, key, sizeof key));
  TEST_CHECK(SIV_SetAuthKey(&auth, key, sizeof key));
  for (i = 0; i < 2; i++) {
    nonce_len = hex(vectors[i].nonce, nonce, sizeof nonce);
    assoc_len = hex(vectors[i].assoc, assoc, sizeof assoc);
    TEST_CHECK(hex(vectors[i].out, expect, sizeof expect) == SIV_TAG_LEN);
    TEST_CHECK(SIV_Encrypt(&auth, nonce, nonce_len, assoc, assoc_len, NULL, 0, tag));
    TEST_CHECK(memcmp(tag, expect, SIV_TAG_LEN) == 0);
    TEST_CHECK(SIV_Decrypt(&auth, nonce, nonce_len, assoc, assoc_len, expect, SIV_TAG_LEN, out));
    TEST_CHECK(SIV_Decrypt(&full, nonce, nonce_len, assoc, assoc_len, tag, SIV_TAG_LEN, out));
    tag[3] ^= 1;
    TEST_CHECK(!SIV_Decrypt(&auth, nonce, nonce_len, assoc, assoc_len, tag, SIV_TAG_LEN, out));
  }

  /* Anything to encrypt or decrypt needs the CTR half */
  TEST_CHECK(!SIV_Encrypt(&auth, nonce, 16, NULL, 0, plain, sizeof plain, out));
  TEST_CHECK(SIV_Encrypt(&full, nonce, 16, NULL, 0, plain, sizeof plain, out));
  TEST_CHECK(!SIV_Decrypt(&auth, nonce, 16, NULL, 0, out, SIV_TAG_LEN + sizeof plain, plain));
  TEST_CHECK(!SIV_SetAuthKey(&auth, key, 16));
  TEST_CHECK(!SIV_Encrypt(&auth, nonce, 16, NULL, 0, NULL, 0, tag));
}

int
main(void)
{
  LOG_Initialise();
  LOG_SetMinSeverity(LOGS_FATAL);

  test_vectors();
  test_arguments();
  test_round_trip();
  test_auth_key();

  LOG_Finalise();
  TEST_END();
}
