/*
  ntsd - NTS server cookies in chronyd's format
*/
#include "config.h"

#include <string.h>

#include "nts_cookie.h"

#define NONCE_OFFSET NCK_KEY_ID_LEN
#define SEALED_OFFSET (NCK_KEY_ID_LEN + NCK_NONCE_LEN)

int
NCK_Seal(const SIV_Instance *siv, uint32_t key_id, const uint8_t *nonce,
         const uint8_t *c2s, const uint8_t *s2c, int key_len, uint8_t *out, int out_max)
{
  uint8_t plain[2 * NCK_KEY_LEN];
  int ok;

  if (key_len != NCK_KEY_LEN || !nonce || !c2s || !s2c || !out || out_max < NCK_COOKIE_LEN)
    return 0;

  out[0] = key_id >> 24;
  out[1] = key_id >> 16;
  out[2] = key_id >> 8;
  out[3] = key_id;
  memcpy(out + NONCE_OFFSET, nonce, NCK_NONCE_LEN);

  memcpy(plain, c2s, NCK_KEY_LEN);
  memcpy(plain + NCK_KEY_LEN, s2c, NCK_KEY_LEN);
  ok = SIV_Encrypt(siv, nonce, NCK_NONCE_LEN, NULL, 0, plain, sizeof (plain),
                   out + SEALED_OFFSET);
  SIV_Wipe(plain, sizeof (plain));

  return ok ? NCK_COOKIE_LEN : 0;
}

int
NCK_GetKeyId(const uint8_t *cookie, int len, uint32_t *key_id)
{
  if (!cookie || len < NCK_KEY_ID_LEN)
    return 0;
  *key_id = (uint32_t)cookie[0] << 24 | (uint32_t)cookie[1] << 16 |
            (uint32_t)cookie[2] << 8 | cookie[3];
  return 1;
}

int
NCK_Open(const SIV_Instance *siv, const uint8_t *cookie, int len,
         uint8_t *c2s, uint8_t *s2c, int *key_len)
{
  uint8_t plain[2 * NCK_KEY_LEN];

  /* chronyd also opens cookies holding 16-byte keys (AES-128-GCM-SIV),
     which ntsd could not use; refusing them makes the client start over
     with NTS-KE instead of failing later */
  if (!cookie || len != NCK_COOKIE_LEN ||
      !SIV_Decrypt(siv, cookie + NONCE_OFFSET, NCK_NONCE_LEN, NULL, 0,
                   cookie + SEALED_OFFSET, len - SEALED_OFFSET, plain)) {
    memset(c2s, 0, NCK_KEY_LEN);
    memset(s2c, 0, NCK_KEY_LEN);
    *key_len = 0;
    return 0;
  }

  memcpy(c2s, plain, NCK_KEY_LEN);
  memcpy(s2c, plain + NCK_KEY_LEN, NCK_KEY_LEN);
  *key_len = NCK_KEY_LEN;
  SIV_Wipe(plain, sizeof (plain));
  return 1;
}
