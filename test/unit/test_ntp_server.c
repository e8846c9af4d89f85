/*
  Unit tests of the NTP server's serverstats counters: chronyd counts a
  request as received only once it passed the layout, mode and access
  checks, as dropped only when the rate limiting refused it, and as
  authenticated only when it was answered with a valid MAC and no KoD.
*/
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "keys.h"
#include "logging.h"
#include "ntp_pkt.h"
#include "ntp_server.h"
#include "stats.h"
#include "test.h"

#define MAX_PKT 1280

static uint8_t req[MAX_PKT], reply[MAX_PKT];
static struct timespec rx_ts = { 1700000000, 0 };
static IPAddr allowed, other_allowed, denied;

static int
make_request(int version, int mode)
{
  memset(req, 0, sizeof req);
  req[0] = NPK_LVM(0, version, mode);
  req[2] = 6;
  memset(req + 40, 0x5a, 8);
  return NPK_HEADER_LEN;
}

static int
serve(int len, const IPAddr *ip)
{
  return NSR_ProcessRequest(req, len, ip, 12345, &rx_ts, reply, sizeof reply);
}

/* Neither received nor dropped: not requests, or not from an allowed host */
static void
test_not_counted(void)
{
  STA_Counters before = STA_counters;
  int len, mode;

  len = make_request(4, NPK_MODE_CLIENT);
  TEST_CHECK(serve(len - 1, &allowed) == 0);
  TEST_CHECK(serve(20, &allowed) == 0);
  TEST_CHECK(serve(len + 8, &allowed) == 0);
  TEST_CHECK(serve(len, &denied) == 0);
  for (mode = 0; mode < 8; mode++) {
    if (mode == NPK_MODE_CLIENT)
      continue;
    len = make_request(4, mode);
    TEST_CHECK(serve(len, &allowed) == 0);
  }
  len = make_request(0, NPK_MODE_CLIENT);
  TEST_CHECK(serve(len, &allowed) == 0);
  len = make_request(7, NPK_MODE_CLIENT);
  TEST_CHECK(serve(len, &allowed) == 0);

  TEST_CHECK(STA_counters.ntp_hits == before.ntp_hits);
  TEST_CHECK(STA_counters.ntp_drops == before.ntp_drops);
  TEST_CHECK(STA_counters.ntp_auth_hits == before.ntp_auth_hits);
}

static void
test_received_and_authenticated(void)
{
  STA_Counters before = STA_counters;
  int len;

  len = make_request(4, NPK_MODE_CLIENT);
  TEST_CHECK(serve(len, &allowed) == NPK_HEADER_LEN);
  len = make_request(3, NPK_MODE_CLIENT);
  TEST_CHECK(serve(len, &allowed) == NPK_HEADER_LEN);
  TEST_CHECK(STA_counters.ntp_hits == before.ntp_hits + 2);
  TEST_CHECK(STA_counters.ntp_auth_hits == before.ntp_auth_hits);

  /* A valid MAC: received and authenticated */
  len = KEY_AddPacketMac(1, 4, req, make_request(4, NPK_MODE_CLIENT), sizeof req);
  TEST_CHECK(len == NPK_HEADER_LEN + 4 + 20);
  TEST_CHECK(serve(len, &allowed) == len);
  TEST_CHECK(STA_counters.ntp_auth_hits == before.ntp_auth_hits + 1);

  /* A wrong one: received (answered with a crypto-NAK), not authenticated,
     and not dropped either, as chronyd */
  req[len - 1] ^= 1;
  TEST_CHECK(serve(len, &allowed) == NPK_HEADER_LEN + 4);
  TEST_CHECK(STA_counters.ntp_hits == before.ntp_hits + 4);
  TEST_CHECK(STA_counters.ntp_auth_hits == before.ntp_auth_hits + 1);
  TEST_CHECK(STA_counters.ntp_drops == before.ntp_drops);
}

/* ratelimit burst 16: the requests that get no reply are the dropped ones,
   and each of them was received */
static void
test_rate_limited(void)
{
  STA_Counters before = STA_counters;
  int i, len, unanswered = 0;

  for (i = 0; i < 50; i++) {
    len = make_request(4, NPK_MODE_CLIENT);
    unanswered += serve(len, &other_allowed) == 0;
  }
  TEST_CHECK(unanswered > 0 && unanswered <= 34);
  TEST_CHECK(STA_counters.ntp_hits == before.ntp_hits + 50);
  TEST_CHECK(STA_counters.ntp_drops == before.ntp_drops + unanswered);
}

int
main(void)
{
  char path[] = "/tmp/ntsd-test-keys.XXXXXX";
  FILE *f;
  int fd;

  LOG_Initialise();
  LOG_SetMinSeverity(LOGS_FATAL);
  CNF_Initialise(0);
  CNF_ParseLine("test", 1, "allow 192.0.2.0/24");
  CNF_ParseLine("test", 2, "deny 192.0.2.99");
  CNF_ParseLine("test", 3, "ratelimit interval 10 burst 16 leak 4");
  fd = mkstemp(path);
  TEST_CHECK(fd >= 0);
  f = fdopen(fd, "w");
  fputs("1 SHA1 HEX:8C5B2F9EC4A86E31B0F4D2E9A7C1D3B5E6F70819\n", f);
  fclose(f);
  TEST_CHECK(KEY_LoadFile(path) == 1);
  unlink(path);
  NSR_Initialise();

  UTI_StringToIP("192.0.2.1", &allowed);
  UTI_StringToIP("192.0.2.2", &other_allowed);
  UTI_StringToIP("192.0.2.99", &denied);

  test_not_counted();
  test_received_and_authenticated();
  test_rate_limited();

  NSR_Finalise();
  KEY_Finalise();
  CNF_Finalise();
  TEST_END();
}
