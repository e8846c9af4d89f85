/*
  ntsd - AEAD_AES_SIV_CMAC_256 (RFC 5297, IANA AEAD id 15)

  The only AEAD algorithm NTS requires.  The work is done by Nettle's
  siv_cmac_aes128 message functions, the same ones chronyd uses, so the
  output interoperates with chronyd byte for byte (cookies included).
  An instance holds the expanded key schedule, so a key that is used many
  times (a server key, a client's C2S/S2C keys) is set up once; instances
  are plain structures meant to be embedded, and no operation allocates.
*/
#ifndef NTSD_SIV_H
#define NTSD_SIV_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/siv-cmac.h>

#define SIV_AEAD_AES_SIV_CMAC_256 15
#define SIV_KEY_LEN 32           /* two AES-128 keys: CMAC and CTR */
#define SIV_TAG_LEN 16           /* the synthetic IV, output first */
#define SIV_MIN_NONCE_LEN 1

typedef struct {
  struct siv_cmac_aes128_ctx ctx;
  int key_set;        /* 0: none, 1: the S2V half only, 2: both halves */
} SIV_Instance;

/* Returns 1 if key_len is SIV_KEY_LEN and the key was set, 0 otherwise
   (the instance then has no key and every operation fails) */
int SIV_SetKey(SIV_Instance *inst, const uint8_t *key, int key_len);

/* The same, but only the S2V (CMAC) half of the key is expanded: enough
   to encrypt or decrypt messages with an empty plaintext (the tag alone),
   and every operation on a non-empty one fails.  An NTS request's
   authenticator usually has nothing encrypted, and the CTR half's key
   expansion is about 900 instructions of a 14k-instruction request. */
int SIV_SetAuthKey(SIV_Instance *inst, const uint8_t *key, int key_len);

/* Wipe the key schedule */
void SIV_Clear(SIV_Instance *inst);

/* Zero len bytes of secret data (keys, plaintext copies) in a way the
   compiler may not drop as a dead store; as fast as memset() */
void SIV_Wipe(void *p, size_t len);

/* Writes SIV_TAG_LEN + plain_len bytes to out: the tag followed by the
   ciphertext.  out must not overlap the inputs.  Returns 0 without a key
   or with bad lengths (nonce_len < 1, negative lengths). */
int SIV_Encrypt(const SIV_Instance *inst, const uint8_t *nonce, int nonce_len,
                const uint8_t *assoc, int assoc_len, const uint8_t *plain, int plain_len,
                uint8_t *out);

/* in is tag || ciphertext, in_len >= SIV_TAG_LEN; writes in_len -
   SIV_TAG_LEN bytes of plaintext to out (which must not overlap in).
   Returns 0 if the input is not authentic or the lengths are bad; out is
   then zeroed, never left holding unauthenticated plaintext. */
int SIV_Decrypt(const SIV_Instance *inst, const uint8_t *nonce, int nonce_len,
                const uint8_t *assoc, int assoc_len, const uint8_t *in, int in_len,
                uint8_t *out);

#endif
