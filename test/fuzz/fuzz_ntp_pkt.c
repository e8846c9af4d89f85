/*
  ntsd - fuzzing the NTP packet codec (NPK_ParsePacket, NPK_GetField)

  The input is one received datagram.  Whatever the parser accepts must
  describe the packet consistently: the fields lie inside it, walking them
  ends exactly where the MAC starts, and the flags match the types seen.
*/
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "ntp_pkt.h"

#define MAX_PKT 1280

void
FUZ_Setup(void)
{
}

static int
make_header(uint8_t *pkt, int version, int mode)
{
  memset(pkt, 0, MAX_PKT);
  pkt[0] = NPK_LVM(0, version, mode);
  pkt[1] = 2;
  pkt[2] = 6;
  pkt[3] = (uint8_t)-20;
  memset(pkt + 40, 0x5a, 8);          /* transmit timestamp */
  return NPK_HEADER_LEN;
}

void
FUZ_WriteSeeds(void)
{
  uint8_t pkt[MAX_PKT], body[64];
  int len;

  memset(body, 0xa5, sizeof body);

  len = make_header(pkt, 4, NPK_MODE_CLIENT);
  FUZ_WriteSeed("v4-client", pkt, len);
  len = make_header(pkt, 3, NPK_MODE_SERVER);
  FUZ_WriteSeed("v3-server", pkt, len);
  len = make_header(pkt, 1, NPK_MODE_ACTIVE);
  FUZ_WriteSeed("v1-active", pkt, len);

  /* MACs: 20-byte digest (v4 truncation), long digest before v4, crypto-NAK */
  len = make_header(pkt, 4, NPK_MODE_CLIENT);
  memset(pkt + len, 0x11, 24);
  FUZ_WriteSeed("v4-mac20", pkt, len + 24);
  len = make_header(pkt, 3, NPK_MODE_CLIENT);
  memset(pkt + len, 0x22, 36);
  FUZ_WriteSeed("v3-mac32", pkt, len + 36);
  len = make_header(pkt, 4, NPK_MODE_CLIENT);
  FUZ_WriteSeed("v4-cryptonak", pkt, len + 4);

  /* Extension fields, with and without a MAC after them */
  len = make_header(pkt, 4, NPK_MODE_CLIENT);
  NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_UNIQUE_ID, body, 32);
  NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_NTS_COOKIE, body, 64);
  NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_NTS_COOKIE_PLACEHOLDER, body, 64);
  NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_NTS_AUTH_AND_EEF, body, 36);
  FUZ_WriteSeed("v4-nts-fields", pkt, len);

  len = make_header(pkt, 4, NPK_MODE_CLIENT);
  NPK_AddField(pkt, &len, MAX_PKT, 0x2005, body, 12);
  memset(pkt + len, 0x33, 24);
  FUZ_WriteSeed("v4-field-mac", pkt, len + 24);
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
  const uint8_t *body;
  int len, offset, next, type, body_len, end, n = 0;
  unsigned int flags = 0;
  NPK_Header header;
  NPK_Info info;

  if (size > MAX_PKT)
    return 0;
  len = size;

  if (!NPK_ParsePacket(data, len, &info))
    return 0;

  FUZ_ASSERT(NPK_ReadHeader(data, len, &header));
  FUZ_ASSERT(info.length == len);
  FUZ_ASSERT(info.version >= NPK_MIN_VERSION && info.version <= NTP_VERSION);
  FUZ_ASSERT(info.ef_offset == NPK_HEADER_LEN);
  FUZ_ASSERT(info.ef_length >= 0 && info.ef_offset + info.ef_length <= len);
  FUZ_ASSERT(info.mac_length >= 0);
  if (info.mac_length > 0) {
    FUZ_ASSERT(info.mac_offset == info.ef_offset + info.ef_length);
    FUZ_ASSERT(info.mac_offset + info.mac_length == len);
  } else {
    FUZ_ASSERT(info.ef_offset + info.ef_length == len);
  }

  end = info.ef_offset + info.ef_length;
  for (offset = info.ef_offset; offset < end; offset = next) {
    FUZ_ASSERT(NPK_GetField(data, end, offset, &type, &body, &body_len, &next));
    FUZ_ASSERT(body >= data + offset && body_len >= 0 && body + body_len <= data + end);
    FUZ_ASSERT(next > offset && next <= end);
    switch (type) {
      case NPK_EF_UNIQUE_ID: flags |= NPK_EFF_UNIQUE_ID; break;
      case NPK_EF_NTS_COOKIE: flags |= NPK_EFF_NTS_COOKIE; break;
      case NPK_EF_NTS_COOKIE_PLACEHOLDER: flags |= NPK_EFF_NTS_COOKIE_PLACEHOLDER; break;
      case NPK_EF_NTS_AUTH_AND_EEF: flags |= NPK_EFF_NTS_AUTH_AND_EEF; break;
      default: flags |= NPK_EFF_UNKNOWN; break;
    }
    n++;
  }
  FUZ_ASSERT(n == info.n_efs);
  FUZ_ASSERT(flags == info.ef_flags);

  /* The header copies back to the same bytes */
  {
    uint8_t copy[NPK_HEADER_LEN];

    FUZ_ASSERT(NPK_WriteHeader(copy, sizeof copy, &header));
    FUZ_ASSERT(memcmp(copy, data, NPK_HEADER_LEN) == 0);
  }
  return 0;
}
