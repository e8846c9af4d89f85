/*
  ntsd - NTS server cookies in chronyd's format

  A cookie is what a server gives an NTS client instead of keeping state:
  the client's C2S and S2C keys sealed under a server key.  The layout is
  chronyd's (nts_ke_server.c, NKS_GenerateCookie/NKS_DecodeCookie), so that
  ntsd and chronyd sharing an ntsdumpdir accept each other's cookies:

    key id (4, big-endian) || nonce (16) || SIV tag (16) || E(C2S || S2C)

  sealed with AEAD_AES_SIV_CMAC_256 under the server key with that nonce
  and empty associated data.  The AEAD of the NTP keys is not stored; it
  follows from their length (32 bytes: AEAD 15, the only one supported).
*/
#ifndef NTSD_NTS_COOKIE_H
#define NTSD_NTS_COOKIE_H

#include <stdint.h>

#include "siv.h"

#define NCK_KEY_ID_LEN 4
#define NCK_NONCE_LEN 16
#define NCK_KEY_LEN SIV_KEY_LEN
#define NCK_COOKIE_LEN (NCK_KEY_ID_LEN + NCK_NONCE_LEN + SIV_TAG_LEN + 2 * NCK_KEY_LEN)

/* Seal c2s and s2c (key_len bytes each, which must be NCK_KEY_LEN) under
   the server key siv with the given id and nonce.  Returns NCK_COOKIE_LEN,
   or 0 if out_max is too small or the arguments are bad. */
int NCK_Seal(const SIV_Instance *siv, uint32_t key_id, const uint8_t *nonce,
             const uint8_t *c2s, const uint8_t *s2c, int key_len, uint8_t *out, int out_max);

/* The id of the server key a cookie claims to be sealed with; 0 if the
   cookie is too short to have one */
int NCK_GetKeyId(const uint8_t *cookie, int len, uint32_t *key_id);

/* Open a cookie with the server key it names (the caller has looked it
   up).  c2s and s2c need room for NCK_KEY_LEN bytes.  Returns 0 if the
   length is not NCK_COOKIE_LEN or the cookie is not authentic; the
   outputs are then zeroed. */
int NCK_Open(const SIV_Instance *siv, const uint8_t *cookie, int len,
             uint8_t *c2s, uint8_t *s2c, int *key_len);

#endif
