/*
  ntsd - fuzzing the symmetric keyfile (KEY_LoadFile, KEY_ParseLine)

  The input is a keyfile.  It is loaded as the daemon loads it, and each
  of its lines is also parsed on its own; every key a line gives must then
  be usable: its MAC of a packet is made and checks, truncated as in NTPv4
  as well as in full.
*/
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "keys.h"

#define MAX_FILE 4096

void
FUZ_Setup(void)
{
}

void
FUZ_WriteSeeds(void)
{
  static const char *const seeds[] = {
    ("1 MD5 HEX:0102030405060708090A0B0C0D0E0F10\n"
     "2 SHA1 HEX:8C5B2F9EC4A86E31B0F4D2E9A7C1D3B5E6F70819\n"
     "3 SHA256 ASCII:a-long-enough-shared-secret-value\n"
     "4 AES128 HEX:00112233445566778899AABBCCDDEEFF\n"),
    ("# comment\n\n10 plainasciikey\n11 SHA512 HEX:00112233445566778899aabbccddeeff00112233\n"
     "12 AES256 HEX:00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\n"),
    "20 SHA3-256 ASCII:x\n21 SHA384 HEX:ff\n22 SHA3-512 HEX:0\n1 MD5 dup\n",
    "4294967295 SHA3-224 HEX:abcdef\n  \t 7 MD5 ASCII:spaces  # trailing\n",
  };
  char name[16];
  size_t i;

  for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
    snprintf(name, sizeof name, "keys%zu", i);
    FUZ_WriteSeed(name, seeds[i], strlen(seeds[i]));
  }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  FUZ_Initialise();
  return 0;
}

/* A key from a line was loaded: its MACs must work */
static void
check_key(uint32_t id)
{
  static const uint8_t data[68] = "a packet to authenticate, longer than one block of any hash";
  uint8_t auth[KEY_MAX_AUTH_LEN];
  int len, full;
  KEY_Type type;
  int bits;

  FUZ_ASSERT(KEY_KeyKnown(id));
  FUZ_ASSERT(KEY_GetKeyInfo(id, &type, &bits) && type != KEY_TYPE_NONE && bits > 0);
  full = KEY_GetAuthLength(id);
  FUZ_ASSERT(full > 0 && full <= KEY_MAX_AUTH_LEN);

  len = KEY_GenerateAuth(id, data, sizeof data, auth, sizeof auth);
  FUZ_ASSERT(len == full);
  FUZ_ASSERT(KEY_CheckAuth(id, data, sizeof data, auth, len, len));

  len = KEY_GenerateAuth(id, data, sizeof data, auth, KEY_MAX_V4_AUTH_LEN);
  FUZ_ASSERT(len > 0 && len <= KEY_MAX_V4_AUTH_LEN);
  FUZ_ASSERT(KEY_CheckAuth(id, data, sizeof data, auth, len, len));
  auth[0] ^= 1;
  FUZ_ASSERT(!KEY_CheckAuth(id, data, sizeof data, auth, len, len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint8_t value[KEY_MAX_VALUE_LEN];
  char text[MAX_FILE + 1], *line, *next;
  int r, n, value_len;
  KEY_Type type;
  uint32_t id;

  if (size > MAX_FILE)
    return 0;

  FUZ_WriteFile(FUZ_Path("keys"), data, size);
  n = KEY_LoadFile(FUZ_Path("keys"));
  FUZ_ASSERT(n >= 0 && n == KEY_GetNumberOfKeys());

  /* The same lines one by one (a NUL ends the line, as in the file) */
  memcpy(text, data, size);
  text[size] = '\0';
  for (line = text; line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    value_len = -1;
    r = KEY_ParseLine(line, &id, &type, value, &value_len);
    FUZ_ASSERT(r >= -1 && r <= 1);
    if (r != 1)
      continue;
    FUZ_ASSERT(value_len > 0 && value_len <= KEY_MAX_VALUE_LEN);
    FUZ_ASSERT(type != KEY_TYPE_NONE);
    check_key(id);
  }

  KEY_Clear();
  return 0;
}
