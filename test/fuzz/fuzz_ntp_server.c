/*
  ntsd - fuzzing the NTP server's whole request path (NSR_ProcessRequest)

  The input is one datagram from a client allowed by an "allow" rule.  It
  goes through the layout check, access control, the client log, the
  legacy MAC check with the keys of a real keyfile and, with NTS, the
  cookie check: the server keys are fixed, so that the seeds' cookies open
  and the fuzzer reaches the authenticator and the reply with new cookies.
  The reply must never be longer than the request (no amplification).
*/
#include "config.h"

#include <string.h>
#include <time.h>

#include "clientlog.h"
#include "conf.h"
#include "fuzz.h"
#include "keys.h"
#include "ntp_pkt.h"
#include "ntp_server.h"
#ifdef FEAT_NTS
#include "nts_keyring.h"
#include "siv.h"
#endif

/* As the daemon's receive and send buffers (NIO_MAX_PACKET) */
#define MAX_PKT 1280

static const char keyfile[] =
  "1 MD5 HEX:0102030405060708090A0B0C0D0E0F10\n"
  "2 SHA1 HEX:8C5B2F9EC4A86E31B0F4D2E9A7C1D3B5E6F70819\n"
  "3 SHA256 ASCII:a-long-enough-shared-secret-value\n"
  "4 AES128 HEX:00112233445566778899AABBCCDDEEFF\n"
  "5 SHA512 HEX:00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\n";

static IPAddr client4, client6;

void
FUZ_Setup(void)
{
  char line[512];

  FUZ_WriteFile(FUZ_Path("keys"), keyfile, sizeof keyfile - 1);

  CNF_Initialise(0);
  CNF_ParseLine("fuzz", 1, "allow");
  snprintf(line, sizeof line, "keyfile %s", FUZ_Path("keys"));
  CNF_ParseLine("fuzz", 2, line);
  KEY_Initialise();
  FUZ_ASSERT(KEY_GetNumberOfKeys() == 5);
#ifdef FEAT_NTS
  NKY_Initialise();
  FUZ_LoadFixedNtsKeys();
#endif
  NSR_Initialise();

  UTI_StringToIP("192.0.2.1", &client4);
  UTI_StringToIP("2001:db8::1", &client6);
}

static int
make_request(uint8_t *pkt, int version)
{
  memset(pkt, 0, MAX_PKT);
  pkt[0] = NPK_LVM(0, version, NPK_MODE_CLIENT);
  pkt[2] = 6;
  memset(pkt + 40, 0x5a, 8);
  return NPK_HEADER_LEN;
}

#ifdef FEAT_NTS
/* A request as an NTS client builds it: UID, cookie, placeholders, then
   the authenticator made with the C2S key over everything before it */
static int
make_nts_request(uint8_t *pkt, int placeholders, int bad_auth)
{
  uint8_t c2s[NKY_KEY_LEN], s2c[NKY_KEY_LEN], cookie[NKY_MAX_COOKIE_LEN];
  uint8_t uid[32], nonce[16], *auth;
  int i, len, cookie_len, auth_start;
  SIV_Instance siv;

  memset(c2s, 0xc2, sizeof c2s);
  memset(s2c, 0x2c, sizeof s2c);
  memset(uid, 0xa5, sizeof uid);
  memset(nonce, 0x3c, sizeof nonce);
  cookie_len = NKY_MakeCookie(c2s, s2c, NKY_KEY_LEN, cookie, sizeof cookie);
  FUZ_ASSERT(cookie_len > 0);

  len = make_request(pkt, 4);
  NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_UNIQUE_ID, uid, sizeof uid);
  NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_NTS_COOKIE, cookie, cookie_len);
  memset(cookie, 0, sizeof cookie);
  for (i = 0; i < placeholders; i++)
    NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_NTS_COOKIE_PLACEHOLDER, cookie, cookie_len);

  auth_start = len;
  NPK_AddFieldSpace(pkt, &len, MAX_PKT, NPK_EF_NTS_AUTH_AND_EEF, 4 + 16 + SIV_TAG_LEN, &auth);
  auth[1] = 16;
  auth[3] = SIV_TAG_LEN;
  memcpy(auth + 4, nonce, 16);
  SIV_SetKey(&siv, c2s, sizeof c2s);
  SIV_Encrypt(&siv, nonce, 16, pkt, auth_start, NULL, 0, auth + 20);
  if (bad_auth)
    auth[25] ^= 0x40;
  return len;
}
#endif

void
FUZ_WriteSeeds(void)
{
  uint8_t pkt[MAX_PKT];
  char name[32];
  int len, id, version;

  len = make_request(pkt, 4);
  FUZ_WriteSeed("v4", pkt, len);
  len = make_request(pkt, 3);
  FUZ_WriteSeed("v3", pkt, len);
  len = make_request(pkt, 1);
  FUZ_WriteSeed("v1", pkt, len);

  /* Valid MACs with every key, as NTPv4 and NTPv3; and a wrong one */
  for (id = 1; id <= 5; id++) {
    for (version = 3; version <= 4; version++) {
      len = make_request(pkt, version);
      len = KEY_AddPacketMac(id, version, pkt, len, MAX_PKT);
      FUZ_ASSERT(len > 0);
      snprintf(name, sizeof name, "mac-key%d-v%d", id, version);
      FUZ_WriteSeed(name, pkt, len);
    }
  }
  len = make_request(pkt, 4);
  len = KEY_AddPacketMac(2, 4, pkt, len, MAX_PKT);
  pkt[len - 1] ^= 1;
  FUZ_WriteSeed("mac-bad", pkt, len);
  len = make_request(pkt, 4);
  FUZ_WriteSeed("cryptonak", pkt, len + 4);

#ifdef FEAT_NTS
  len = make_nts_request(pkt, 0, 0);
  FUZ_WriteSeed("nts", pkt, len);
  len = make_nts_request(pkt, 3, 0);
  FUZ_WriteSeed("nts-3placeholders", pkt, len);
  len = make_nts_request(pkt, 7, 0);
  FUZ_WriteSeed("nts-7placeholders", pkt, len);
  len = make_nts_request(pkt, 1, 1);
  FUZ_WriteSeed("nts-badauth", pkt, len);
  /* A cookie that does not open: answered with an NTS NAK */
  len = make_nts_request(pkt, 0, 0);
  pkt[NPK_HEADER_LEN + 36 + 4 + 30] ^= 1;
  FUZ_WriteSeed("nts-badcookie", pkt, len);
#endif
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
  static uint8_t reply[MAX_PKT];
  struct timespec rx_ts;
  const IPAddr *ip;
  int len;

  if (size > MAX_PKT)
    return 0;

  /* Both address families through the access rules and the client log,
     chosen by the stratum byte, which the server ignores in a request */
  ip = size > 1 && data[1] & 1 ? &client6 : &client4;
  clock_gettime(CLOCK_REALTIME, &rx_ts);
  len = NSR_ProcessRequest(data, size, ip, 12345, &rx_ts, reply, sizeof reply);

  FUZ_ASSERT(len >= 0 && len <= (int)size && len <= (int)sizeof reply);
  if (len > 0) {
    FUZ_ASSERT(len >= NPK_HEADER_LEN);
    FUZ_ASSERT(NPK_LVM_MODE(reply[0]) == NPK_MODE_SERVER);
    /* The client's transmit timestamp comes back as the origin */
    FUZ_ASSERT(memcmp(reply + 24, data + 40, 8) == 0);
  }
  return 0;
}
