/*
  ntsd - AEAD_AES_SIV_CMAC_256 over Nettle

  Nettle's SIV-CMAC takes exactly one associated data string and the nonce
  as a separate S2V component, which is what RFC 8915 specifies for both
  the NTP authenticator and (in chronyd's format) the server cookies.
*/
#include "config.h"

#include <string.h>

#include <nettle/aes.h>
#include <nettle/cmac.h>

#include "siv.h"

/* Nettle hashes an empty string from a NULL pointer just fine, but
   passing NULL to memcpy() with a zero length is undefined behaviour and
   trips sanitizers, so empty inputs point here instead */
static const uint8_t empty[1];

/* What siv_cmac_aes128_set_key() does, in its two halves (RFC 5297: the
   first half of the key is S2V's CMAC key, the second CTR's) */
static int
set_key(SIV_Instance *inst, const uint8_t *key, int key_len, int halves)
{
  if (!key || key_len != SIV_KEY_LEN) {
    SIV_Clear(inst);
    return 0;
  }

  aes128_set_encrypt_key(&inst->ctx.cmac_cipher, key);
  cmac128_set_key(&inst->ctx.cmac_key, &inst->ctx.cmac_cipher,
                  (nettle_cipher_func *)aes128_encrypt);
  if (halves == 2)
    aes128_set_encrypt_key(&inst->ctx.ctr_cipher, key + AES128_KEY_SIZE);
  else
    /* Never used: CTR over an empty message produces nothing */
    memset(&inst->ctx.ctr_cipher, 0, sizeof (inst->ctx.ctr_cipher));
  inst->key_set = halves;
  return 1;
}

int
SIV_SetKey(SIV_Instance *inst, const uint8_t *key, int key_len)
{
  return set_key(inst, key, key_len, 2);
}

int
SIV_SetAuthKey(SIV_Instance *inst, const uint8_t *key, int key_len)
{
  return set_key(inst, key, key_len, 1);
}

void
SIV_Clear(SIV_Instance *inst)
{
  SIV_Wipe(inst, sizeof (*inst));
}

void
SIV_Wipe(void *p, size_t len)
{
  /* A byte loop through a volatile pointer costs 5 instructions a byte,
     which on the NTS request path (64-byte key copies, several a
     request) was measurable; memset() followed by an empty asm that
     claims to read the memory is as safe against dead-store elimination
     and runs at memset()'s speed */
  memset(p, 0, len);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

static int
check_args(const SIV_Instance *inst, const uint8_t *nonce, int nonce_len,
           const uint8_t *assoc, int assoc_len, const uint8_t *data, int data_len)
{
  return (inst->key_set == 2 || (inst->key_set == 1 && data_len == 0)) &&
         nonce && nonce_len >= SIV_MIN_NONCE_LEN &&
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

  if (in_len < SIV_TAG_LEN || !in || !out ||
      !check_args(inst, nonce, nonce_len, assoc, assoc_len, in, plain_len))
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
