/*
  ntsd - fuzzing the ntskeys file reader (NKY_Load)

  The input is the contents of ntsdumpdir/ntskeys, which another server
  sharing the directory (ntsd or chronyd) may have written.  A file that
  is rejected must leave the keys as they were; one that is taken must
  give working keys: a cookie made with the new current key opens.
*/
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "nts_keyring.h"

static const char *dir;
static uint32_t fixed_id;

void
FUZ_Setup(void)
{
  dir = FUZ_LoadFixedNtsKeys();
  fixed_id = NKY_GetCurrentKeyId();
}

void
FUZ_WriteSeeds(void)
{
  static const char nks1[] =
    "NKS1\n"
    "3600.5\n"
    "00000001 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 15\n"
    "00000002 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f 15\n"
    "00000003 404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f 15\n"
    "00000004 606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f 15\n";
  static const char gcm[] =
    "NKS1\n"
    "0\n"
    "00000001 000102030405060708090a0b0c0d0e0f 30\n"
    "00000002 202122232425262728292a2b2c2d2e2f 30\n"
    "00000003 404142434445464748494a4b4c4d4e4f 30\n"
    "00000004 606162636465666768696a6b6c6d6e6f 30\n";
  char buf[4096];
  FILE *f;
  size_t len;

  /* The daemon's own file (NKS0), as NKY_Save writes it */
  FUZ_ASSERT(NKY_Save(dir));
  f = fopen(FUZ_Path(NKY_FILE_NAME), "r");
  FUZ_ASSERT(f);
  len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  FUZ_WriteSeed("nks0", buf, len);

  FUZ_WriteSeed("nks1", nks1, sizeof nks1 - 1);
  FUZ_WriteSeed("nks1-gcm-siv", gcm, sizeof gcm - 1);
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
  uint8_t c2s[NKY_KEY_LEN], s2c[NKY_KEY_LEN], k1[NKY_KEY_LEN], k2[NKY_KEY_LEN];
  uint8_t cookie[NKY_MAX_COOKIE_LEN];
  int len, key_len;

  /* Longer than the reader's limit is one case, not thousands */
  if (size > 8192)
    return 0;

  FUZ_WriteFile(FUZ_Path(NKY_FILE_NAME), data, size);
  if (!NKY_Load(dir)) {
    FUZ_ASSERT(NKY_GetCurrentKeyId() == fixed_id);
    return 0;
  }

  memset(c2s, 0xc2, sizeof c2s);
  memset(s2c, 0x2c, sizeof s2c);
  len = NKY_MakeCookie(c2s, s2c, NKY_KEY_LEN, cookie, sizeof cookie);
  FUZ_ASSERT(len == NKY_MAX_COOKIE_LEN);
  FUZ_ASSERT(NKY_OpenCookie(cookie, len, k1, k2, &key_len));
  FUZ_ASSERT(key_len == NKY_KEY_LEN && memcmp(k1, c2s, sizeof c2s) == 0 &&
             memcmp(k2, s2c, sizeof s2c) == 0);

  /* Back to the fixed keys, so that every input starts from the same */
  FUZ_LoadFixedNtsKeys();
  FUZ_ASSERT(NKY_GetCurrentKeyId() == fixed_id);
  return 0;
}
