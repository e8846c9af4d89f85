/*
  ntsd - NTPv4 packet codec

  Telling extension fields from a legacy MAC (RFC 7822 section 7.5): after
  the header, an NTPv4 packet is a chain of extension fields, optionally
  followed by a MAC.  As in chronyd, a remainder of 20 or 24 bytes is always
  the MAC.  A remainder of 36, 52 or 68 bytes (SHA-256, -384 and -512
  digests) is a MAC only if it cannot be read as a chain of valid fields;
  that admits longer digests without giving up fields at the end of the
  packet.  Every read is preceded by a check against the length the caller
  gave.
*/
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ntp_pkt.h"

static unsigned int
read_u16(const uint8_t *p)
{
  return (unsigned int)p[0] << 8 | p[1];
}

static uint32_t
read_u32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
write_u16(uint8_t *p, unsigned int x)
{
  p[0] = (uint8_t)(x >> 8);
  p[1] = (uint8_t)x;
}

static unsigned int
ef_flag(int type)
{
  switch (type) {
    case NPK_EF_UNIQUE_ID:
      return NPK_EFF_UNIQUE_ID;
    case NPK_EF_NTS_COOKIE:
      return NPK_EFF_NTS_COOKIE;
    case NPK_EF_NTS_COOKIE_PLACEHOLDER:
      return NPK_EFF_NTS_COOKIE_PLACEHOLDER;
    case NPK_EF_NTS_AUTH_AND_EEF:
      return NPK_EFF_NTS_AUTH_AND_EEF;
    default:
      return NPK_EFF_UNKNOWN;
  }
}

static int
is_long_mac_length(int length)
{
  return length == 36 || length == 52 || length == NPK_MAC_MAX_LEN;
}

static void
set_mac(const uint8_t *pkt, int offset, int length, NPK_Info *info)
{
  if (!info)
    return;
  info->mac_offset = offset;
  info->mac_length = length;
  info->mac_key_id = read_u32(pkt + offset);
}

/* Check that pkt[offset, len) is extension fields with an optional MAC at
   the end, recording them in info unless it is NULL (a look-ahead).  The
   look-ahead is needed only within the last NPK_MAC_MAX_LEN bytes, where
   fields are at least 16 bytes, so the recursion is at most 4 deep. */
static int
walk_fields(const uint8_t *pkt, int len, int offset, NPK_Info *info)
{
  int remainder, type, body_len, next;
  const uint8_t *body;

  while ((remainder = len - offset) > 0) {
    if (remainder >= NPK_MAC_MIN_LEN && remainder <= NPK_MAC_MAX_V4_SHORT_LEN) {
      set_mac(pkt, offset, remainder, info);
      return 1;
    }

    if (NPK_GetField(pkt, len, offset, &type, &body, &body_len, &next) &&
        (remainder > NPK_MAC_MAX_LEN || walk_fields(pkt, len, next, NULL))) {
      if (info) {
        info->n_efs++;
        info->ef_length += next - offset;
        info->ef_flags |= ef_flag(type);
      }
      offset = next;
      continue;
    }

    if (is_long_mac_length(remainder)) {
      set_mac(pkt, offset, remainder, info);
      return 1;
    }
    return 0;
  }
  return 1;
}

int
NPK_ParsePacket(const uint8_t *pkt, int len, NPK_Info *info)
{
  int remainder;

  memset(info, 0, sizeof *info);

  if (!pkt || len < NPK_HEADER_LEN || len % 4 != 0)
    return 0;

  info->length = len;
  info->leap = NPK_LVM_LEAP(pkt[0]);
  info->version = NPK_LVM_VERSION(pkt[0]);
  info->mode = NPK_LVM_MODE(pkt[0]);
  info->ef_offset = NPK_HEADER_LEN;

  if (info->version < NPK_MIN_VERSION || info->version > NTP_VERSION)
    return 0;

  remainder = len - NPK_HEADER_LEN;
  if (remainder == 0)
    return 1;

  /* Before NTPv4 there are no extension fields; whatever follows the
     header is a MAC (including MS-SNTP's longer authenticators) */
  if (info->version < 4) {
    set_mac(pkt, NPK_HEADER_LEN, remainder, info);
    return 1;
  }

  /* A crypto-NAK: a lone zero key id */
  if (remainder == 4) {
    if (read_u32(pkt + NPK_HEADER_LEN) != 0)
      return 0;
    set_mac(pkt, NPK_HEADER_LEN, remainder, info);
    return 1;
  }

  if (!walk_fields(pkt, len, NPK_HEADER_LEN, info)) {
    memset(info, 0, sizeof *info);
    return 0;
  }
  return 1;
}

int
NPK_GetField(const uint8_t *pkt, int len, int offset, int *type,
             const uint8_t **body, int *body_len, int *next_offset)
{
  int ef_len;

  if (!pkt || offset < NPK_HEADER_LEN || offset % 4 != 0 || len < offset ||
      len - offset < NPK_EF_MIN_LEN)
    return 0;

  ef_len = (int)read_u16(pkt + offset + 2);
  if (ef_len < NPK_EF_MIN_LEN || ef_len % 4 != 0 || ef_len > len - offset)
    return 0;

  *type = (int)read_u16(pkt + offset);
  *body = pkt + offset + NPK_EF_HEADER_LEN;
  *body_len = ef_len - NPK_EF_HEADER_LEN;
  *next_offset = offset + ef_len;
  return 1;
}

/* Length of the field holding a body of body_len bytes, or 0 if none can */
static int
field_length(int body_len)
{
  int ef_len;

  if (body_len < 0 || body_len > NPK_EF_MAX_LEN - NPK_EF_HEADER_LEN)
    return 0;
  ef_len = (NPK_EF_HEADER_LEN + body_len + 3) / 4 * 4;
  return ef_len < NPK_EF_MIN_LEN ? NPK_EF_MIN_LEN : ef_len;
}

static int
check_room(const uint8_t *pkt, const int *len, int max_len, int type, int ef_len)
{
  return pkt && len && ef_len > 0 && type >= 0 && type <= 0xffff &&
         *len >= NPK_HEADER_LEN && *len % 4 == 0 && max_len >= *len &&
         ef_len <= max_len - *len;
}

static void
write_field_header(uint8_t *pkt, int offset, int type, int ef_len)
{
  write_u16(pkt + offset, (unsigned int)type);
  write_u16(pkt + offset + 2, (unsigned int)ef_len);
}

int
NPK_AddField(uint8_t *pkt, int *len, int max_len, int type,
             const void *body, int body_len)
{
  int ef_len = field_length(body_len), start;

  if (!check_room(pkt, len, max_len, type, ef_len) || (!body && body_len > 0))
    return 0;

  start = *len + NPK_EF_HEADER_LEN;
  /* The body first, in case it came from the caller's own buffer */
  if (body_len > 0)
    memmove(pkt + start, body, body_len);
  memset(pkt + start + body_len, 0, ef_len - NPK_EF_HEADER_LEN - body_len);
  write_field_header(pkt, *len, type, ef_len);
  *len += ef_len;
  return 1;
}

int
NPK_AddFieldSpace(uint8_t *pkt, int *len, int max_len, int type,
                  int body_len, uint8_t **body_out)
{
  int ef_len = field_length(body_len);

  if (!check_room(pkt, len, max_len, type, ef_len) || !body_out)
    return 0;

  memset(pkt + *len, 0, ef_len);
  write_field_header(pkt, *len, type, ef_len);
  *body_out = pkt + *len + NPK_EF_HEADER_LEN;
  *len += ef_len;
  return 1;
}

int
NPK_ReadHeader(const uint8_t *pkt, int len, NPK_Header *header)
{
  if (!pkt || len < NPK_HEADER_LEN)
    return 0;
  memcpy(header, pkt, NPK_HEADER_LEN);
  return 1;
}

int
NPK_WriteHeader(uint8_t *pkt, int max_len, const NPK_Header *header)
{
  if (!pkt || max_len < NPK_HEADER_LEN)
    return 0;
  memcpy(pkt, header, NPK_HEADER_LEN);
  return 1;
}

void
NPK_MakeKoD(NPK_Header *header, uint32_t code)
{
  header->lvm = NPK_LVM_SET_LEAP(header->lvm, NPK_LEAP_UNSYNCHRONISED);
  header->stratum = 0;
  header->reference_id = htonl(code);
}

int
NPK_IsKoD(const NPK_Header *header, uint32_t *code)
{
  if (header->stratum != 0)
    return 0;
  if (code)
    *code = ntohl(header->reference_id);
  return 1;
}
