/*
  ntsd - symmetric keys

  The keyfile in chrony's format ("ID [TYPE] KEY", the key as HEX:..,
  ASCII:.. or bare ASCII) and the legacy NTP MAC computed with it, exactly
  as chronyd does: a hash key is used as H(key || packet), a cipher key as
  AES-CMAC (RFC 8573).  In an NTPv4 packet the digest is truncated to 20
  bytes so that the MAC can be told from extension fields (RFC 7822); in
  older versions it is sent in full.  Key values are never logged.
*/
#ifndef NTSD_KEYS_H
#define NTSD_KEYS_H

#include <stdint.h>

#include "ntp_pkt.h"

/* Longest digest (SHA-512) and the NTPv4 truncation */
#define KEY_MAX_AUTH_LEN 64
#define KEY_MAX_V4_AUTH_LEN (NPK_MAC_MAX_V4_SHORT_LEN - 4)

/* Key types, with chrony's names */
typedef enum {
  KEY_TYPE_NONE = 0,
  KEY_TYPE_MD5,
  KEY_TYPE_SHA1,
  KEY_TYPE_SHA256,
  KEY_TYPE_SHA384,
  KEY_TYPE_SHA512,
  KEY_TYPE_SHA3_224,
  KEY_TYPE_SHA3_256,
  KEY_TYPE_SHA3_384,
  KEY_TYPE_SHA3_512,
  KEY_TYPE_AES128,
  KEY_TYPE_AES256,
} KEY_Type;

/* Load CNF_Get()->keyfile, if any */
void KEY_Initialise(void);
void KEY_Finalise(void);

/* Replace the loaded keys with those of a file.  Bad lines are logged (by
   line number, never with their content) and skipped, as chronyd does.
   Returns the number of keys loaded, or -1 if the file cannot be read. */
int KEY_LoadFile(const char *path);
/* Forget every key, wiping their values */
void KEY_Clear(void);

/* Parse one keyfile line (comments and empty lines give 0).  Returns 1 and
   fills the outputs for a key, 0 for a line without a key, -1 for a bad
   line.  value must hold KEY_MAX_VALUE_LEN bytes. */
#define KEY_MAX_VALUE_LEN 512
int KEY_ParseLine(const char *line, uint32_t *id, KEY_Type *type,
                  uint8_t *value, int *value_len);

KEY_Type KEY_NameToType(const char *name);
const char *KEY_TypeToName(KEY_Type type);

int KEY_GetNumberOfKeys(void);
int KEY_KeyKnown(uint32_t id);
/* Type and length in bits, for the authdata report; 0 if unknown */
int KEY_GetKeyInfo(uint32_t id, KEY_Type *type, int *bits);
/* Length of the untruncated digest, 0 if the key is unknown */
int KEY_GetAuthLength(uint32_t id);

/* The digest of data, truncated to auth_max bytes; returns its length, or
   0 if the key is unknown */
int KEY_GenerateAuth(uint32_t id, const void *data, int data_len,
                     uint8_t *auth, int auth_max);
/* Check a digest, which must be the full one truncated to trunc_len */
int KEY_CheckAuth(uint32_t id, const void *data, int data_len,
                  const uint8_t *auth, int auth_len, int trunc_len);

/* ---- NTP packets ---- */

/* Check the legacy MAC of a parsed packet (info->mac_length > 0): the key
   must be known and the digest valid over everything before the MAC.
   Long digests in an NTPv4 packet are accepted only untruncated. */
int KEY_CheckPacketMac(const uint8_t *pkt, const NPK_Info *info);

/* Append key id and digest to a packet of len bytes in a buffer of max_len
   bytes, the digest truncated for NTPv4 as chronyd.  Returns the new
   length, or 0 if the key is unknown or the MAC does not fit. */
int KEY_AddPacketMac(uint32_t id, int version, uint8_t *pkt, int len, int max_len);

/* NTP version chronyd would use with a key: 3 when an NTPv4 MAC would be
   truncated, so that the full digest goes on the wire */
int KEY_SuggestedVersion(uint32_t id);

#endif
