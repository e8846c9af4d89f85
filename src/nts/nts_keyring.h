/*
  ntsd - NTS server keys

  Four server keys, in chronyd's arrangement: the current key (used for new
  cookies), the two before it and one future key, so that a cookie stays
  valid for two rotations after the one that retired its key, and servers
  sharing keys through ntsdumpdir can rotate at slightly different times.
  The two low bits of a key id are the key's slot, the rest are random.

  The ntskeys file in ntsdumpdir is chronyd's: ntsd writes the NKS0
  variant, which every chronyd 4.x reads, and reads both NKS0 and NKS1.

    NKS0                       NKS1
    15 <age of current key>    <age of current key>
    <id> <key hex>             <id> <key hex> 15
    ... four keys, oldest first, the future key last

  No timers here: the caller rotates after NKY_GetRotationDelay() seconds.
  Single-threaded, like the rest of the daemon.
*/
#ifndef NTSD_NTS_KEYRING_H
#define NTSD_NTS_KEYRING_H

#include <stdint.h>

#include "nts_cookie.h"

#define NKY_MAX_COOKIE_LEN NCK_COOKIE_LEN
#define NKY_KEY_LEN NCK_KEY_LEN
#define NKY_N_KEYS 4
#define NKY_FILE_NAME "ntskeys"
#define NKY_NONCE_LEN NCK_NONCE_LEN

/* Fill the ring with new random keys */
void NKY_Initialise(void);
/* Wipe the keys */
void NKY_Finalise(void);

/* The future key becomes current and a new future key replaces the
   oldest.  Returns 0 if no random key could be made (cookies are then
   refused until the next successful rotation or load). */
int NKY_Rotate(void);

/* A cookie for the NTP keys of one client (key_len must be NKY_KEY_LEN)
   under the current key.  Returns its length, or 0 on failure. */
int NKY_MakeCookie(const uint8_t *c2s, const uint8_t *s2c, int key_len,
                   uint8_t *out, int out_max);

/* A fresh nonce of NKY_NONCE_LEN bytes, for cookies and for the
   authenticators of NTP replies: never repeated within one process (until
   2^32 nonces, then as unlikely to repeat as random 128-bit values) and
   unpredictable to anyone.  Returns 0 if no random key could be had. */
int NKY_MakeNonce(uint8_t *nonce);

/* Open a cookie made with any of the four keys.  c2s and s2c need room for
   NKY_KEY_LEN bytes.  Returns 0 if the key is unknown or the cookie is
   not authentic (the caller answers with an NTS NAK). */
int NKY_OpenCookie(const uint8_t *cookie, int len, uint8_t *c2s, uint8_t *s2c, int *key_len);

/* Write <dir>/ntskeys atomically (temporary file, fsync, rename, fsync of
   the directory), mode 0600.  Returns 1 on success. */
int NKY_Save(const char *dir);

/* Replace the keys with those of <dir>/ntskeys and take over the age of
   the current key.  Returns 0, changing nothing, if the file is missing
   or not exactly in one of the two formats, or has keys of an AEAD other
   than 15 (as written by a chronyd that uses AES-128-GCM-SIV). */
int NKY_Load(const char *dir);

/* Seconds since the last rotation (or since the keys were made) */
double NKY_GetKeyAge(void);

/* Seconds until the next rotation is due with the given ntsrotate; 0 if
   overdue, -1 if rotate_interval <= 0 (no rotation) */
double NKY_GetRotationDelay(int rotate_interval);

uint32_t NKY_GetCurrentKeyId(void);

#endif
