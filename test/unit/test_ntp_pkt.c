/*
  Unit tests of src/ntp/ntp_pkt.c

  Every packet is parsed from a heap copy of exactly its length, so that a
  sanitizer build catches any read past the end.
*/
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ntp_pkt.h"
#include "test.h"

#define BUF_LEN 2048

static uint8_t buf[BUF_LEN];

static int
parse(const uint8_t *pkt, int len, NPK_Info *info)
{
  uint8_t *copy = malloc(len > 0 ? len : 1);
  int r;

  memcpy(copy, pkt, len > 0 ? len : 0);
  r = NPK_ParsePacket(copy, len, info);
  free(copy);
  return r;
}

static int
header(uint8_t *p, int version, int mode)
{
  memset(p, 0, NPK_HEADER_LEN);
  p[0] = NPK_LVM(NPK_LEAP_NORMAL, version, mode);
  return NPK_HEADER_LEN;
}

/* A raw field: the length field says length_field, len bytes are written */
static int
raw_field(uint8_t *p, int offset, int type, int length_field, int len)
{
  int i;

  for (i = 0; i < len; i++)
    p[offset + i] = (uint8_t)(0xa0 + i);
  p[offset] = (uint8_t)(type >> 8);
  p[offset + 1] = (uint8_t)type;
  p[offset + 2] = (uint8_t)(length_field >> 8);
  p[offset + 3] = (uint8_t)length_field;
  return offset + len;
}

static int
mac(uint8_t *p, int offset, uint32_t key_id, int len)
{
  uint32_t k = htonl(key_id);
  int i;

  memcpy(p + offset, &k, 4);
  for (i = 4; i < len; i++)
    p[offset + i] = (uint8_t)(0x55 ^ i);
  return offset + len;
}

static int
parses_to(const uint8_t *p, int len, int n_efs, int mac_offset, int mac_length)
{
  NPK_Info info;

  if (!parse(p, len, &info))
    return 0;
  return info.length == len && info.n_efs == n_efs && info.mac_offset == mac_offset &&
         info.mac_length == mac_length && info.ef_offset == NPK_HEADER_LEN &&
         info.ef_length == (mac_offset ? mac_offset : len) - NPK_HEADER_LEN;
}

static int
rejected(const uint8_t *p, int len)
{
  NPK_Info info;

  return !parse(p, len, &info) && info.n_efs == 0 && info.mac_length == 0;
}

static void
test_header(void)
{
  NPK_Header h, h2;
  uint8_t p[NPK_HEADER_LEN];
  uint32_t code;
  NPK_Info info;
  int i;

  TEST_CHECK(NPK_LVM(3, 4, 3) == 0xe3);
  TEST_CHECK(NPK_LVM(0, 4, 4) == 0x24);
  TEST_CHECK(NPK_LVM_LEAP(0xe3) == 3 && NPK_LVM_VERSION(0xe3) == 4 && NPK_LVM_MODE(0xe3) == 3);
  TEST_CHECK(NPK_LVM_SET_MODE(0xe3, NPK_MODE_SERVER) == 0xe4);
  TEST_CHECK(NPK_LVM_SET_LEAP(0xe3, NPK_LEAP_NORMAL) == 0x23);
  TEST_CHECK(NPK_LVM_SET_VERSION(0xe3, 3) == 0xdb);
  TEST_CHECK(NPK_REFID('R', 'A', 'T', 'E') == 0x52415445U);

  for (i = 0; i < NPK_HEADER_LEN; i++)
    p[i] = (uint8_t)i;
  TEST_CHECK(!NPK_ReadHeader(p, NPK_HEADER_LEN - 1, &h));
  TEST_CHECK(NPK_ReadHeader(p, NPK_HEADER_LEN, &h));
  TEST_CHECK(h.lvm == 0 && h.stratum == 1 && h.poll == 2 && h.precision == 3);
  TEST_CHECK(ntohl(h.root_delay) == 0x04050607U);
  TEST_CHECK(ntohl(h.root_dispersion) == 0x08090a0bU);
  TEST_CHECK(ntohl(h.reference_id) == 0x0c0d0e0fU);
  TEST_CHECK(ntohl(h.reference_ts.hi) == 0x10111213U);
  TEST_CHECK(ntohl(h.originate_ts.lo) == 0x1c1d1e1fU);
  TEST_CHECK(ntohl(h.receive_ts.hi) == 0x20212223U);
  TEST_CHECK(ntohl(h.transmit_ts.lo) == 0x2c2d2e2fU);

  memset(&h2, 0, sizeof h2);
  TEST_CHECK(!NPK_WriteHeader(p, NPK_HEADER_LEN - 1, &h2));
  TEST_CHECK(p[0] == 0);
  h.lvm = NPK_LVM(NPK_LEAP_NORMAL, NTP_VERSION, NPK_MODE_SERVER);
  h.precision = -20;
  TEST_CHECK(NPK_WriteHeader(p, NPK_HEADER_LEN, &h));
  TEST_CHECK(p[0] == 0x24 && (int8_t)p[3] == -20 && p[47] == 47);
  TEST_CHECK(parse(p, sizeof p, &info) && info.mode == NPK_MODE_SERVER &&
             info.version == 4 && info.leap == 0);

  TEST_CHECK(!NPK_IsKoD(&h, &code));
  NPK_MakeKoD(&h, NPK_KOD_NTSN);
  TEST_CHECK(NPK_IsKoD(&h, &code) && code == NPK_KOD_NTSN);
  TEST_CHECK(NPK_IsKoD(&h, NULL));
  TEST_CHECK(h.stratum == 0 && NPK_LVM_LEAP(h.lvm) == NPK_LEAP_UNSYNCHRONISED);
  TEST_CHECK(NPK_LVM_VERSION(h.lvm) == 4 && NPK_LVM_MODE(h.lvm) == NPK_MODE_SERVER);
  TEST_CHECK(memcmp(&h.reference_id, "NTSN", 4) == 0);
  NPK_MakeKoD(&h, NPK_KOD_RATE);
  TEST_CHECK(memcmp(&h.reference_id, "RATE", 4) == 0);
}

static void
test_plain(void)
{
  NPK_Info info;
  int len, v;

  len = header(buf, 4, NPK_MODE_CLIENT);
  TEST_CHECK(parses_to(buf, len, 0, 0, 0));
  TEST_CHECK(parse(buf, len, &info) && info.mode == NPK_MODE_CLIENT && info.version == 4 &&
             info.ef_flags == 0 && info.ef_length == 0);

  /* Truncated headers */
  TEST_CHECK(rejected(buf, 0));
  TEST_CHECK(rejected(buf, 4));
  TEST_CHECK(rejected(buf, 44));
  TEST_CHECK(rejected(buf, 47));
  TEST_CHECK(rejected(buf, -1));
  TEST_CHECK(!NPK_ParsePacket(NULL, 48, &info));

  /* Lengths that are not a multiple of 4 */
  memset(buf + 48, 0, 64);
  TEST_CHECK(rejected(buf, 49));
  TEST_CHECK(rejected(buf, 50));
  TEST_CHECK(rejected(buf, 51));
  TEST_CHECK(rejected(buf, 70));
  mac(buf, 48, 1, 20);
  TEST_CHECK(rejected(buf, 67));
  TEST_CHECK(rejected(buf, 69));

  /* Versions */
  for (v = 0; v < 8; v++) {
    header(buf, v, NPK_MODE_CLIENT);
    TEST_CHECK(parse(buf, 48, &info) == (v >= 1 && v <= 4));
  }

  /* Before v4 anything after the header is a MAC, of any length */
  len = header(buf, 3, NPK_MODE_CLIENT);
  len = mac(buf, len, 7, 20);
  TEST_CHECK(parses_to(buf, len, 0, 48, 20));
  TEST_CHECK(parse(buf, len, &info) && info.mac_key_id == 7);
  len = header(buf, 3, NPK_MODE_CLIENT);
  len = mac(buf, len, 7, 72);                  /* MS-SNTP extended */
  TEST_CHECK(parses_to(buf, len, 0, 48, 72));
  len = header(buf, 2, NPK_MODE_CLIENT);
  len = raw_field(buf, len, NPK_EF_UNIQUE_ID, 36, 36);   /* no fields before v4 */
  TEST_CHECK(parses_to(buf, len, 0, 48, 36));

  /* Crypto-NAK */
  len = header(buf, 4, NPK_MODE_SERVER);
  len = mac(buf, len, 0, 4);
  TEST_CHECK(parses_to(buf, len, 0, 48, 4));
  len = header(buf, 4, NPK_MODE_SERVER);
  len = mac(buf, len, 1, 4);
  TEST_CHECK(rejected(buf, len));
  len = header(buf, 4, NPK_MODE_SERVER);
  len = mac(buf, len, 0, 8);
  TEST_CHECK(rejected(buf, len));
}

static void
test_ef_errors(void)
{
  int len, off;

  /* The broken field is followed by enough data that the remainder is
     longer than any MAC, so it cannot be mistaken for one */

  /* Zero length */
  off = header(buf, 4, NPK_MODE_CLIENT);
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 0, 80);
  TEST_CHECK(rejected(buf, len));
  /* Shorter than the minimum */
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 4, 80);
  TEST_CHECK(rejected(buf, len));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 12, 80);
  TEST_CHECK(rejected(buf, len));
  /* The same after a good field */
  off = raw_field(buf, off, NPK_EF_NTS_COOKIE, 16, 16);
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 12, 80);
  TEST_CHECK(rejected(buf, len));
  /* Not a multiple of 4 */
  off = header(buf, 4, NPK_MODE_CLIENT);
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 18, 80);
  TEST_CHECK(rejected(buf, len));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 79, 80);
  TEST_CHECK(rejected(buf, len));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 81, 80);
  TEST_CHECK(rejected(buf, len));
  /* Longer than the packet, by a little and by a lot */
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 84, 80);
  TEST_CHECK(rejected(buf, len));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 0xfffc, 80);
  TEST_CHECK(rejected(buf, len));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 80, 80);
  TEST_CHECK(parses_to(buf, len, 1, 0, 0));
  /* The last field overruns by 4 */
  off = raw_field(buf, off, NPK_EF_NTS_COOKIE, 40, 40);
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 44, 40);
  TEST_CHECK(rejected(buf, len));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 40, 40);
  TEST_CHECK(parses_to(buf, len, 2, 0, 0));

  /* Leftovers too short to be a field or a MAC */
  off = header(buf, 4, NPK_MODE_CLIENT);
  off = raw_field(buf, off, NPK_EF_UNIQUE_ID, 100, 100);
  memset(buf + off, 0, 16);
  TEST_CHECK(rejected(buf, off + 4));
  TEST_CHECK(rejected(buf, off + 8));
  TEST_CHECK(rejected(buf, off + 12));
  TEST_CHECK(rejected(buf, off + 16));        /* zero length field */
  raw_field(buf, off, 0x2005, 16, 16);
  TEST_CHECK(parses_to(buf, off + 16, 2, 0, 0));
  /* Beyond every MAC length and not a field */
  mac(buf, off, 1, 72);
  TEST_CHECK(rejected(buf, off + 72));
}

static void
test_ef_and_mac(void)
{
  NPK_Info info;
  int len, off;

  /* MAC right after the header, all digest lengths */
  off = header(buf, 4, NPK_MODE_CLIENT);
  len = mac(buf, off, 1, 20);
  TEST_CHECK(parses_to(buf, len, 0, 48, 20));
  TEST_CHECK(parse(buf, len, &info) && info.mac_key_id == 1);
  len = mac(buf, off, 0xdeadbeefU, 24);
  TEST_CHECK(parses_to(buf, len, 0, 48, 24));
  TEST_CHECK(parse(buf, len, &info) && info.mac_key_id == 0xdeadbeefU);
  len = mac(buf, off, 2, 36);
  TEST_CHECK(parses_to(buf, len, 0, 48, 36));
  len = mac(buf, off, 3, 52);
  TEST_CHECK(parses_to(buf, len, 0, 48, 52));
  len = mac(buf, off, 4, 68);
  TEST_CHECK(parses_to(buf, len, 0, 48, 68));
  TEST_CHECK(rejected(buf, off + 16));        /* key id 4: a bad field */

  /* 20 and 24 bytes are a MAC even when they would also make a field */
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 20, 20);
  TEST_CHECK(parses_to(buf, len, 0, 48, 20));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 24, 24);
  TEST_CHECK(parses_to(buf, len, 0, 48, 24));
  /* Longer remainders are fields when they can be */
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 36, 36);
  TEST_CHECK(parses_to(buf, len, 1, 0, 0));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 28, 28);
  TEST_CHECK(parses_to(buf, len, 1, 0, 0));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 16, 16);
  TEST_CHECK(parses_to(buf, len, 1, 0, 0));
  /* ... and a MAC when they cannot: a field of 16 leaving 20 is read as
     field + MAC, one of 32 leaving 4 makes the whole 36 a MAC */
  raw_field(buf, off, NPK_EF_UNIQUE_ID, 16, 16);
  len = mac(buf, off + 16, 9, 20);
  TEST_CHECK(parses_to(buf, len, 1, 64, 20));
  raw_field(buf, off, NPK_EF_UNIQUE_ID, 32, 32);
  len = mac(buf, off + 32, 9, 4);
  TEST_CHECK(parses_to(buf, len, 0, 48, 36));
  /* Only digest lengths in use make a MAC */
  len = mac(buf, off, 9, 28);
  TEST_CHECK(rejected(buf, len));
  len = mac(buf, off, 9, 32);
  TEST_CHECK(rejected(buf, len));
  len = mac(buf, off, 9, 40);
  TEST_CHECK(rejected(buf, len));
  len = mac(buf, off, 9, 64);
  TEST_CHECK(rejected(buf, len));
  /* A broken field of a MAC's length is a MAC */
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 0, 36);
  TEST_CHECK(parses_to(buf, len, 0, 48, 36));
  len = raw_field(buf, off, NPK_EF_UNIQUE_ID, 0, 40);
  TEST_CHECK(rejected(buf, len));

  /* Field then MAC */
  off = raw_field(buf, header(buf, 4, NPK_MODE_CLIENT), NPK_EF_UNIQUE_ID, 36, 36);
  len = mac(buf, off, 5, 24);
  TEST_CHECK(parses_to(buf, len, 1, off, 24));
  TEST_CHECK(parse(buf, len, &info) && info.mac_key_id == 5 &&
             info.ef_flags == NPK_EFF_UNIQUE_ID);
  len = mac(buf, off, 5, 20);
  TEST_CHECK(parses_to(buf, len, 1, off, 20));
  len = mac(buf, off, 5, 36);
  TEST_CHECK(parses_to(buf, len, 1, off, 36));
  len = mac(buf, off, 5, 68);
  TEST_CHECK(parses_to(buf, len, 1, off, 68));
  off = raw_field(buf, off, NPK_EF_NTS_COOKIE, 100, 100);
  len = mac(buf, off, 6, 20);
  TEST_CHECK(parses_to(buf, len, 2, off, 20));
  TEST_CHECK(parse(buf, len, &info) &&
             info.ef_flags == (NPK_EFF_UNIQUE_ID | NPK_EFF_NTS_COOKIE));
}

static void
test_many(void)
{
  const uint8_t *body;
  int i, len, off, type, body_len, next, ok;
  NPK_Info info;

  len = header(buf, 4, NPK_MODE_CLIENT);
  for (i = 0; i < 100; i++)
    len = raw_field(buf, len, 0x1000 + i, 16, 16);
  TEST_CHECK(parses_to(buf, len, 100, 0, 0));
  TEST_CHECK(parse(buf, len, &info) && info.ef_flags == NPK_EFF_UNKNOWN);
  len = mac(buf, len, 77, 24);
  TEST_CHECK(parses_to(buf, len, 100, 48 + 1600, 24));

  /* Walk them with NPK_GetField, bounded by the field area */
  TEST_CHECK(parse(buf, len, &info));
  off = info.ef_offset;
  for (i = 0, ok = 1; i < info.n_efs; i++) {
    ok = ok && NPK_GetField(buf, info.ef_offset + info.ef_length, off, &type, &body, &body_len, &next);
    ok = ok && type == 0x1000 + i && body == buf + off + 4 && body_len == 12 && next == off + 16;
    off = next;
  }
  TEST_CHECK(ok && off == info.mac_offset);
  TEST_CHECK(!NPK_GetField(buf, info.ef_offset + info.ef_length, off, &type, &body, &body_len, &next));

  /* Mixed sizes */
  len = header(buf, 4, NPK_MODE_CLIENT);
  for (i = 0; i < 20; i++)
    len = raw_field(buf, len, NPK_EF_NTS_COOKIE, 16 + 4 * i, 16 + 4 * i);
  TEST_CHECK(parses_to(buf, len, 20, 0, 0));
}

static void
test_get_field(void)
{
  const uint8_t *body;
  int type, body_len, next, len;

  len = raw_field(buf, header(buf, 4, NPK_MODE_CLIENT), NPK_EF_NTS_COOKIE, 20, 20);
  TEST_CHECK(NPK_GetField(buf, len, 48, &type, &body, &body_len, &next));
  TEST_CHECK(type == NPK_EF_NTS_COOKIE && body == buf + 52 && body_len == 16 && next == 68);
  TEST_CHECK(!NPK_GetField(buf, len - 4, 48, &type, &body, &body_len, &next));
  TEST_CHECK(!NPK_GetField(buf, len, 44, &type, &body, &body_len, &next));
  TEST_CHECK(!NPK_GetField(buf, len, 50, &type, &body, &body_len, &next));
  TEST_CHECK(!NPK_GetField(buf, len, len, &type, &body, &body_len, &next));
  TEST_CHECK(!NPK_GetField(buf, len, len + 4, &type, &body, &body_len, &next));
  TEST_CHECK(!NPK_GetField(buf, len, -4, &type, &body, &body_len, &next));
  TEST_CHECK(!NPK_GetField(NULL, len, 48, &type, &body, &body_len, &next));
  raw_field(buf, 48, NPK_EF_NTS_COOKIE, 0, 20);
  TEST_CHECK(!NPK_GetField(buf, len, 48, &type, &body, &body_len, &next));
  raw_field(buf, 48, NPK_EF_NTS_COOKIE, 14, 20);
  TEST_CHECK(!NPK_GetField(buf, len, 48, &type, &body, &body_len, &next));
  raw_field(buf, 48, NPK_EF_NTS_COOKIE, 18, 20);
  TEST_CHECK(!NPK_GetField(buf, len, 48, &type, &body, &body_len, &next));
  raw_field(buf, 48, NPK_EF_NTS_COOKIE, 24, 20);
  TEST_CHECK(!NPK_GetField(buf, len, 48, &type, &body, &body_len, &next));
}

static void
test_add_field(void)
{
  static const uint8_t uid[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
  uint8_t pkt[200], *space;
  const uint8_t *body;
  int len, type, body_len, next, auth_offset;
  NPK_Info info;

  memset(pkt, 0xee, sizeof pkt);
  len = header(pkt, 4, NPK_MODE_CLIENT);

  /* Small bodies are padded to the 16-byte minimum */
  TEST_CHECK(NPK_AddField(pkt, &len, sizeof pkt, 0x2005, NULL, 0) && len == 64);
  TEST_CHECK(pkt[48] == 0x20 && pkt[49] == 0x05 && pkt[50] == 0 && pkt[51] == 16);
  TEST_CHECK(pkt[52] == 0 && pkt[63] == 0);
  TEST_CHECK(NPK_AddField(pkt, &len, sizeof pkt, 0x2005, "abcde", 5) && len == 80);
  TEST_CHECK(memcmp(pkt + 68, "abcde", 5) == 0 && pkt[73] == 0 && pkt[79] == 0);
  /* Others to a multiple of 4 */
  TEST_CHECK(NPK_AddField(pkt, &len, sizeof pkt, NPK_EF_UNIQUE_ID, uid, 13) && len == 100);
  TEST_CHECK(pkt[83] == 20 && pkt[96] == 13 && pkt[97] == 0 && pkt[99] == 0);
  TEST_CHECK(NPK_AddField(pkt, &len, sizeof pkt, NPK_EF_UNIQUE_ID, uid, 32) && len == 136);
  TEST_CHECK(pkt[103] == 36 && memcmp(pkt + 104, uid, 32) == 0);

  /* Reserve space for an authenticator and fill it in place */
  auth_offset = len;
  TEST_CHECK(NPK_AddFieldSpace(pkt, &len, sizeof pkt, NPK_EF_NTS_AUTH_AND_EEF, 34, &space));
  TEST_CHECK(len == 176 && space == pkt + auth_offset + 4);
  TEST_CHECK(pkt[auth_offset] == 0x04 && pkt[auth_offset + 1] == 0x04 && pkt[auth_offset + 3] == 40);
  TEST_CHECK(space[0] == 0 && space[35] == 0);
  memset(space, 0x77, 34);

  TEST_CHECK(parse(pkt, len, &info) && info.n_efs == 5 && info.mac_length == 0 &&
             info.ef_flags == (NPK_EFF_UNKNOWN | NPK_EFF_UNIQUE_ID | NPK_EFF_NTS_AUTH_AND_EEF));
  TEST_CHECK(NPK_GetField(pkt, len, auth_offset, &type, &body, &body_len, &next));
  TEST_CHECK(type == NPK_EF_NTS_AUTH_AND_EEF && body == space && body_len == 36 && next == len);
  TEST_CHECK(body[33] == 0x77 && body[34] == 0 && body[35] == 0);

  /* Not enough room: nothing changes */
  TEST_CHECK(!NPK_AddField(pkt, &len, sizeof pkt, NPK_EF_UNIQUE_ID, uid, 32) && len == 176);
  TEST_CHECK(!NPK_AddField(pkt, &len, 191, NPK_EF_UNIQUE_ID, NULL, 0) && len == 176);
  TEST_CHECK(NPK_AddField(pkt, &len, 192, NPK_EF_UNIQUE_ID, NULL, 0) && len == 192);
  TEST_CHECK(!NPK_AddFieldSpace(pkt, &len, sizeof pkt, NPK_EF_UNIQUE_ID, 5, &space) && len == 192);
  TEST_CHECK(!NPK_AddFieldSpace(pkt, &len, 200, NPK_EF_UNIQUE_ID, 0, &space));

  /* Bad arguments */
  len = 48;
  TEST_CHECK(!NPK_AddField(pkt, &len, sizeof pkt, -1, NULL, 0));
  TEST_CHECK(!NPK_AddField(pkt, &len, sizeof pkt, 0x10000, NULL, 0));
  TEST_CHECK(!NPK_AddField(pkt, &len, sizeof pkt, 1, uid, -1));
  TEST_CHECK(!NPK_AddField(pkt, &len, sizeof pkt, 1, NULL, 4));
  TEST_CHECK(!NPK_AddField(pkt, &len, 0x7fffffff, 1, uid, 0xfffc));
  TEST_CHECK(!NPK_AddFieldSpace(pkt, &len, sizeof pkt, 1, 4, NULL));
  TEST_CHECK(!NPK_AddField(pkt, NULL, sizeof pkt, 1, uid, 4));
  TEST_CHECK(!NPK_AddField(NULL, &len, sizeof pkt, 1, uid, 4));
  TEST_CHECK(!NPK_AddField(pkt, &len, 40, 1, uid, 4));
  TEST_CHECK(len == 48);
  len = 44;
  TEST_CHECK(!NPK_AddField(pkt, &len, sizeof pkt, 1, uid, 4));
  len = 50;
  TEST_CHECK(!NPK_AddField(pkt, &len, sizeof pkt, 1, uid, 4));
  TEST_CHECK(len == 50);
}

/* Random packets of every length: the result does not matter, only that
   nothing is read out of bounds and a success is self-consistent */
static void
test_random(void)
{
  uint32_t seed = 12345;
  NPK_Info info;
  int i, j, len, ok = 1;

  for (i = 0; i < 20000; i++) {
    len = 48 + 4 * (i % 40);
    header(buf, 4, NPK_MODE_CLIENT);
    for (j = 48; j < len; j++) {
      seed = seed * 1103515245 + 12345;
      buf[j] = (uint8_t)(seed >> 16);
      /* Lengths mostly small, so that fields are found */
      if (j % 4 == 2)
        buf[j] = 0;
      else if (j % 4 == 3)
        buf[j] &= 0x3c;
    }
    if (parse(buf, len, &info)) {
      ok = ok && info.ef_offset + info.ef_length + info.mac_length == len &&
           (info.mac_length == 0 || info.mac_offset == info.ef_offset + info.ef_length) &&
           info.ef_length >= 16 * info.n_efs;
    }
  }
  TEST_CHECK(ok);
}

int
main(void)
{
  test_header();
  test_plain();
  test_ef_errors();
  test_ef_and_mac();
  test_many();
  test_get_field();
  test_add_field();
  test_random();
  TEST_END();
}
