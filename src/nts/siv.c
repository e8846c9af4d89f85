/*
  ntsd - AEAD_AES_SIV_CMAC_256 over Nettle

  Nettle's SIV-CMAC takes exactly one associated data string and the nonce
  as a separate S2V component, which is what RFC 8915 specifies for both
  the NTP authenticator and (in chronyd's format) the server cookies.
*/
#include "config.h"

#include <string.h>

#include "siv.h"

/* Nettle hashes an empty string from a NULL pointer just fine, but
   passing NULL to memcpy() with a zero length is undefined behaviour and
   trips sanitizers, so empty inputs point here instead */
static const uint8_t empty[1];

int
SIV_SetKey(SIV_Instance *inst, const uint8_t *key, int key_len)
{
  if (!key || key_len != SIV_KEY_LEN) {
    SIV_Clear(inst);
    return 0;
  }

  siv_cmac_aes128_set_key(&inst->ctx, key);
  inst->key_set = 1;
  return 1;
}

void
SIV_Clear(SIV_Instance *inst)
{
  /* volatile so that the compiler cannot drop the wipe of a dead object */
  volatile uint8_t *p = (volatile uint8_t *)inst;
  size_t i;

  for (i = 0; i < sizeof (*inst); i++)
    p[i] = 0;
}

static int
check_args(const SIV_Instance *inst, const uint8_t *nonce, int nonce_len,
           const uint8_t *assoc, int assoc_len, const uint8_t *data, int data_len)
{
  return inst->key_set && nonce && nonce_len >= SIV_MIN_NONCE_LEN &&
         assoc_len >= 0 && (assoc || assoc_len == 0) &&
         data_len >= 0 && (data || data_len == 0);
}

int
SIV_Encrypt(const SIV_Instance *inst, const uint8_t *nonce, int nonce_len,
            const uint8_t *assoc, int assoc_len, const uint8_t *plain, int plain_len,
            uint8_t *out)
{
  if (!check_args(inst, nonce, nonce_len, assoc, assoc_len, plain, plain_len) || !out ||
      plain_len > 0x7fffffff - SIV_TAG_LEN)
    return 0;

  siv_cmac_aes128_encrypt_message(&inst->ctx, nonce_len, nonce,
                                  assoc_len, assoc_len > 0 ? assoc : empty,
                                  (size_t)plain_len + SIV_TAG_LEN, out,
                                  plain_len > 0 ? plain : empty);
  return 1;
}

int
SIV_Decrypt(const SIV_Instance *inst, const uint8_t *nonce, int nonce_len,
            const uint8_t *assoc, int assoc_len, const uint8_t *in, int in_len,
            uint8_t *out)
{
  int plain_len = in_len - SIV_TAG_LEN;

  if (in_len < SIV_TAG_LEN || !out ||
      !check_args(inst, nonce, nonce_len, assoc, assoc_len, in, in_len))
    return 0;

  if (!siv_cmac_aes128_decrypt_message(&inst->ctx, nonce_len, nonce,
                                       assoc_len, assoc_len > 0 ? assoc : empty,
                                       plain_len, out, in)) {
    /* Nettle decrypts before it checks the tag */
    memset(out, 0, plain_len);
    return 0;
  }
  return 1;
}
