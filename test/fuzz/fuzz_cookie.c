/*
  ntsd - fuzzing NTS cookie opening (NKY_OpenCookie)

  The input is the body of a client's NTS Cookie extension field.  The
  server keys are fixed and the seeds are real cookies, so the fuzzer
  starts from cookies that open and mutates the key id, nonce, tag and
  length around them.  A cookie that opens must give back the keys it
  was made with, and only a seed's exact bytes can open.
*/
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "nts_keyring.h"

static uint8_t c2s[NKY_KEY_LEN], s2c[NKY_KEY_LEN];

void
FUZ_Setup(void)
{
  FUZ_LoadFixedNtsKeys();
  memset(c2s, 0xc2, sizeof c2s);
  memset(s2c, 0x2c, sizeof s2c);
}

void
FUZ_WriteSeeds(void)
{
  uint8_t cookie[NKY_MAX_COOKIE_LEN + 8];
  int len;

  len = NKY_MakeCookie(c2s, s2c, NKY_KEY_LEN, cookie, sizeof cookie);
  FUZ_ASSERT(len > 0);
  FUZ_WriteSeed("cookie", cookie, len);
  FUZ_WriteSeed("short", cookie, len - 4);
  memset(cookie + len, 0, 4);
  FUZ_WriteSeed("long", cookie, len + 4);

  /* One made with the future key: the ring accepts every key it holds */
  NKY_Rotate();
  len = NKY_MakeCookie(c2s, s2c, NKY_KEY_LEN, cookie, sizeof cookie);
  FUZ_WriteSeed("cookie-next-key", cookie, len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  FUZ_Initialise();
  return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint8_t k1[NKY_KEY_LEN + 1], k2[NKY_KEY_LEN + 1];
  int key_len = -1;

  if (size > 4 * NKY_MAX_COOKIE_LEN)
    return 0;

  /* The byte after each key must not be written */
  k1[NKY_KEY_LEN] = k2[NKY_KEY_LEN] = 0xee;
  if (!NKY_OpenCookie(data, size, k1, k2, &key_len)) {
    FUZ_ASSERT(k1[NKY_KEY_LEN] == 0xee && k2[NKY_KEY_LEN] == 0xee);
    return 0;
  }

  FUZ_ASSERT(size == NKY_MAX_COOKIE_LEN);
  FUZ_ASSERT(key_len == NKY_KEY_LEN);
  FUZ_ASSERT(memcmp(k1, c2s, NKY_KEY_LEN) == 0 && memcmp(k2, s2c, NKY_KEY_LEN) == 0);
  FUZ_ASSERT(k1[NKY_KEY_LEN] == 0xee && k2[NKY_KEY_LEN] == 0xee);
  return 0;
}
