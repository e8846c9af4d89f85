/*
  ntsd - unit test of the symmetric keys: keyfile parsing, known-answer
  MACs (hash digests computed independently, CMAC from RFC 4493) and the
  NTP MAC rules chronyd follows.
*/
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys.h"
#include "logging.h"
#include "ntp_pkt.h"
#include "test.h"
#include "util.h"

static int
hex_equal(const uint8_t *buf, int len, const char *hex)
{
  uint8_t want[KEY_MAX_AUTH_LEN];
  int n = UTI_HexToBytes(hex, want, sizeof want);

  return n == len && memcmp(buf, want, len) == 0;
}

static void
test_parse_line(void)
{
  uint8_t v[KEY_MAX_VALUE_LEN];
  KEY_Type t;
  uint32_t id;
  int len;
  char long_line[3000];

  TEST_CHECK(KEY_ParseLine("1 MD5 HEX:0102", &id, &t, v, &len) == 1);
  TEST_CHECK(id == 1 && t == KEY_TYPE_MD5 && len == 2 && v[0] == 1 && v[1] == 2);
  TEST_CHECK(KEY_ParseLine("  7   SHA256   ASCII:secret  \n", &id, &t, v, &len) == 1);
  TEST_CHECK(id == 7 && t == KEY_TYPE_SHA256 && len == 6 && memcmp(v, "secret", 6) == 0);
  /* Two words: an MD5 key given as bare ASCII */
  TEST_CHECK(KEY_ParseLine("4294967295 password", &id, &t, v, &len) == 1);
  TEST_CHECK(id == 4294967295U && t == KEY_TYPE_MD5 && len == 8);
  TEST_CHECK(KEY_ParseLine("3 SHA1 plain", &id, &t, v, &len) == 1 && len == 5);
  TEST_CHECK(KEY_ParseLine("5 AES128 HEX:2b7e151628aed2a6abf7158809cf4f3c", &id, &t, v, &len) == 1);
  TEST_CHECK(t == KEY_TYPE_AES128 && len == 16);
  TEST_CHECK(KEY_ParseLine("6 SHA3-512 HEX:00", &id, &t, v, &len) == 1 && t == KEY_TYPE_SHA3_512);

  /* No key: comments and blank lines */
  TEST_CHECK(KEY_ParseLine("", &id, &t, v, &len) == 0);
  TEST_CHECK(KEY_ParseLine("   \n", &id, &t, v, &len) == 0);
  TEST_CHECK(KEY_ParseLine("# 1 MD5 x", &id, &t, v, &len) == 0);
  TEST_CHECK(KEY_ParseLine("  ; comment", &id, &t, v, &len) == 0);
  TEST_CHECK(KEY_ParseLine("!x", &id, &t, v, &len) == 0);
  TEST_CHECK(KEY_ParseLine("% x", &id, &t, v, &len) == 0);

  /* Malformed */
  TEST_CHECK(KEY_ParseLine("1", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("1 MD5 HEX:01 extra", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("x MD5 HEX:01", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("-1 MD5 HEX:01", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("4294967296 MD5 HEX:01", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("1 md5 HEX:01", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("1 SHA7 HEX:01", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("1 MD5 HEX:0", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("1 MD5 HEX:zz", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("1 MD5 HEX:", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("1 MD5 ASCII:", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("1 AES128 HEX:0011", &id, &t, v, &len) == -1);
  TEST_CHECK(KEY_ParseLine("1 AES256 HEX:2b7e151628aed2a6abf7158809cf4f3c", &id, &t, v, &len) == -1);
  memset(long_line, 'a', sizeof long_line - 1);
  long_line[sizeof long_line - 1] = '\0';
  memcpy(long_line, "1 MD5 ", 6);
  TEST_CHECK(KEY_ParseLine(long_line, &id, &t, v, &len) == -1);
  long_line[6 + KEY_MAX_VALUE_LEN + 1] = '\0';
  TEST_CHECK(KEY_ParseLine(long_line, &id, &t, v, &len) == -1);
  long_line[6 + KEY_MAX_VALUE_LEN] = '\0';
  TEST_CHECK(KEY_ParseLine(long_line, &id, &t, v, &len) == 1 && len == KEY_MAX_VALUE_LEN);
}

static void
test_load_file(void)
{
  char path[] = "/tmp/ntsd-test-keys.XXXXXX";
  KEY_Type type;
  FILE *f;
  int fd, bits;

  fd = mkstemp(path);
  TEST_CHECK(fd >= 0);
  f = fdopen(fd, "w");
  fputs("# keys\n"
        "10 SHA1 ASCII:abcdefghijklmnopqrst\n"
        "bad line here too many\n"
        "\n"
        "2 MD5 HEX:0102030405060708090A0B0C0D0E0F10\n"
        "3 AES128 HEX:2b7e151628aed2a6abf7158809cf4f3c\n"
        "2 SHA512 HEX:ff\n"
        "4 NOPE HEX:00\n"
        "5 SHA256 ASCII:abcdefghijklmnopqrst\n"
        "6 SHA512 ASCII:abcdefghijklmnopqrst\n"
        "7 SHA3-256 ASCII:abcdefghijklmnopqrst\n"
        "8 SHA384 ASCII:abcdefghijklmnopqrst\n"
        "9 MD5 abcdefghijklmnopqrst", f);
  fclose(f);

  TEST_CHECK(KEY_LoadFile(path) == 8);
  TEST_CHECK(KEY_GetNumberOfKeys() == 8);
  TEST_CHECK(KEY_KeyKnown(2) && KEY_KeyKnown(10) && !KEY_KeyKnown(4) && !KEY_KeyKnown(0));
  /* The first of duplicate ids wins */
  TEST_CHECK(KEY_GetKeyInfo(2, &type, &bits) && type == KEY_TYPE_MD5 && bits == 128);
  TEST_CHECK(KEY_GetAuthLength(2) == 16 && KEY_GetAuthLength(10) == 20);
  TEST_CHECK(KEY_GetAuthLength(3) == 16 && KEY_GetAuthLength(6) == 64);
  TEST_CHECK(KEY_GetAuthLength(99) == 0);
  TEST_CHECK(KEY_SuggestedVersion(2) == 4 && KEY_SuggestedVersion(10) == 4);
  TEST_CHECK(KEY_SuggestedVersion(5) == 3 && KEY_SuggestedVersion(3) == 4);
  unlink(path);

  TEST_CHECK(KEY_LoadFile("/nonexistent/keys") == -1);
  TEST_CHECK(KEY_GetNumberOfKeys() == 0);
  TEST_CHECK(KEY_LoadFile(path) == -1);
}

static void
test_known_answers(void)
{
  char path[] = "/tmp/ntsd-test-keys.XXXXXX";
  uint8_t data[48], auth[KEY_MAX_AUTH_LEN], msg[16];
  int fd, i, len;
  FILE *f;

  fd = mkstemp(path);
  f = fdopen(fd, "w");
  fputs("1 MD5 ASCII:abcdefghijklmnopqrst\n"
        "2 SHA1 ASCII:abcdefghijklmnopqrst\n"
        "3 SHA256 ASCII:abcdefghijklmnopqrst\n"
        "4 SHA384 ASCII:abcdefghijklmnopqrst\n"
        "5 SHA512 ASCII:abcdefghijklmnopqrst\n"
        "6 SHA3-256 ASCII:abcdefghijklmnopqrst\n"
        "7 AES128 HEX:2b7e151628aed2a6abf7158809cf4f3c\n", f);
  fclose(f);
  TEST_CHECK(KEY_LoadFile(path) == 7);
  unlink(path);

  for (i = 0; i < 48; i++)
    data[i] = (uint8_t)i;

  /* H(key || data), checked against an independent implementation */
  len = KEY_GenerateAuth(1, data, 48, auth, sizeof auth);
  TEST_CHECK(hex_equal(auth, len, "cc819549d05663dc395ce6e9dacbde0f"));
  len = KEY_GenerateAuth(2, data, 48, auth, sizeof auth);
  TEST_CHECK(hex_equal(auth, len, "47ea381ec72e3cd9337907f989f44bbb467ce74b"));
  len = KEY_GenerateAuth(3, data, 48, auth, sizeof auth);
  TEST_CHECK(hex_equal(auth, len, "a5e717acd5a2bec1fd8644b711747c323b4ee5c3b8c543517f3a5a53376dbdca"));
  len = KEY_GenerateAuth(4, data, 48, auth, sizeof auth);
  TEST_CHECK(hex_equal(auth, len, "f068b384d50e48e73926ebb8ce16e932e36906b402f241a026a526b4ee60d395"
                                  "da4064a0710cde3d9189ee5279236203"));
  len = KEY_GenerateAuth(5, data, 48, auth, sizeof auth);
  TEST_CHECK(hex_equal(auth, len, "5eefe0daf95ea2a0f61b46b9634240307f0301d24b3616060e41b09ad03ac09e"
                                  "19cab6e27251cafed66eebf0aa4126b62c090cdf93d953fd0bb7ef4468392fb3"));
  len = KEY_GenerateAuth(6, data, 48, auth, sizeof auth);
  TEST_CHECK(hex_equal(auth, len, "336aa574d46d37973d191c71afa1c5d7100e2a183593d51c23fbef592d17baed"));
  /* Truncation */
  len = KEY_GenerateAuth(3, data, 48, auth, 20);
  TEST_CHECK(hex_equal(auth, len, "a5e717acd5a2bec1fd8644b711747c323b4ee5c3"));
  TEST_CHECK(KEY_GenerateAuth(99, data, 48, auth, sizeof auth) == 0);

  /* AES-CMAC, RFC 4493 examples 1 and 2 */
  len = KEY_GenerateAuth(7, data, 0, auth, sizeof auth);
  TEST_CHECK(hex_equal(auth, len, "bb1d6929e95937287fa37d129b756746"));
  UTI_HexToBytes("6bc1bee22e409f96e93d7e117393172a", msg, sizeof msg);
  len = KEY_GenerateAuth(7, msg, 16, auth, sizeof auth);
  TEST_CHECK(hex_equal(auth, len, "070a16b46b4d4144f79bdd9dd04a287c"));

  /* Checks: full digest truncated to trunc_len, nothing shorter or longer */
  len = KEY_GenerateAuth(3, data, 48, auth, sizeof auth);
  TEST_CHECK(KEY_CheckAuth(3, data, 48, auth, 32, 64));
  TEST_CHECK(KEY_CheckAuth(3, data, 48, auth, 20, 20));
  TEST_CHECK(!KEY_CheckAuth(3, data, 48, auth, 20, 64));
  TEST_CHECK(!KEY_CheckAuth(3, data, 48, auth, 16, 20));
  TEST_CHECK(!KEY_CheckAuth(3, data, 47, auth, 32, 64));
  TEST_CHECK(!KEY_CheckAuth(2, data, 48, auth, 20, 20));
  TEST_CHECK(!KEY_CheckAuth(99, data, 48, auth, 20, 20));
  auth[5] ^= 1;
  TEST_CHECK(!KEY_CheckAuth(3, data, 48, auth, 32, 64));
}

static int
make_request(uint8_t *pkt, int version)
{
  NPK_Header h;

  memset(&h, 0, sizeof h);
  h.lvm = NPK_LVM(0, version, NPK_MODE_CLIENT);
  h.transmit_ts.hi = 0x12345678;
  h.transmit_ts.lo = 0x9abcdef0;
  NPK_WriteHeader(pkt, NPK_HEADER_LEN, &h);
  return NPK_HEADER_LEN;
}

static void
test_packets(void)
{
  uint8_t pkt[200];
  NPK_Info info;
  int len;

  /* MD5 in NTPv4: 4 + 16 */
  len = KEY_AddPacketMac(1, 4, pkt, make_request(pkt, 4), sizeof pkt);
  TEST_CHECK(len == 68);
  TEST_CHECK(NPK_ParsePacket(pkt, len, &info) && info.mac_length == 20 && info.mac_key_id == 1);
  TEST_CHECK(KEY_CheckPacketMac(pkt, &info));
  pkt[10] ^= 1;
  TEST_CHECK(NPK_ParsePacket(pkt, len, &info) && !KEY_CheckPacketMac(pkt, &info));

  /* SHA-512 truncated to 20 bytes in NTPv4, full in NTPv3 */
  len = KEY_AddPacketMac(5, 4, pkt, make_request(pkt, 4), sizeof pkt);
  TEST_CHECK(len == 72);
  TEST_CHECK(NPK_ParsePacket(pkt, len, &info) && KEY_CheckPacketMac(pkt, &info));
  len = KEY_AddPacketMac(5, 3, pkt, make_request(pkt, 3), sizeof pkt);
  TEST_CHECK(len == 116);
  TEST_CHECK(NPK_ParsePacket(pkt, len, &info) && KEY_CheckPacketMac(pkt, &info));
  /* A truncated digest in NTPv3 is not accepted */
  TEST_CHECK(NPK_ParsePacket(pkt, 72, &info) && !KEY_CheckPacketMac(pkt, &info));

  /* Long MAC in NTPv4 straight after the header: accepted untruncated */
  make_request(pkt, 4);
  len = NPK_HEADER_LEN;
  pkt[len] = 0; pkt[len + 1] = 0; pkt[len + 2] = 0; pkt[len + 3] = 3;
  TEST_CHECK(KEY_GenerateAuth(3, pkt, len, pkt + len + 4, 64) == 32);
  TEST_CHECK(NPK_ParsePacket(pkt, len + 36, &info) && info.mac_length == 36);
  TEST_CHECK(KEY_CheckPacketMac(pkt, &info));

  /* Unknown key, crypto-NAK, no room */
  TEST_CHECK(KEY_AddPacketMac(99, 4, pkt, make_request(pkt, 4), sizeof pkt) == 0);
  TEST_CHECK(KEY_AddPacketMac(1, 4, pkt, make_request(pkt, 4), 67) == 0);
  TEST_CHECK(KEY_AddPacketMac(1, 4, pkt, 40, sizeof pkt) == 0);
  make_request(pkt, 4);
  memset(pkt + 48, 0, 4);
  TEST_CHECK(NPK_ParsePacket(pkt, 52, &info) && info.mac_length == 4);
  TEST_CHECK(!KEY_CheckPacketMac(pkt, &info));
  /* Key id 99 unknown */
  len = KEY_AddPacketMac(1, 4, pkt, make_request(pkt, 4), sizeof pkt);
  pkt[51] = 99;
  TEST_CHECK(NPK_ParsePacket(pkt, len, &info) && !KEY_CheckPacketMac(pkt, &info));
}

int
main(void)
{
  LOG_Initialise();
  LOG_SetMinSeverity(LOGS_FATAL);

  test_parse_line();
  test_load_file();
  test_known_answers();
  test_packets();
  KEY_Finalise();

  TEST_END();
}
