/*
  Unit tests of the client log and rate limiter
*/
#include "config.h"

#include <string.h>

#include "clientlog.h"
#include "stats.h"
#include "test.h"

static IPAddr
ip4(uint32_t a)
{
  IPAddr ip;

  memset(&ip, 0, sizeof ip);
  ip.family = AF_INET;
  ip.addr.in4 = a;
  return ip;
}

static void
test_no_limit(void)
{
  CLG_Report rep;
  IPAddr a = ip4(0x7f000001);
  int i, found = 0;

  CLG_Setup(4096, NULL, NULL);
  for (i = 0; i < 100; i++)
    TEST_CHECK(CLG_LogAccess(CLG_NTP, &a, 100.0 + i * 0.001) == CLG_PASS);
  for (i = 0; i < CLG_GetNumberOfIndices(); i++) {
    if (CLG_GetReport(i, 200.0, &rep)) {
      found++;
      TEST_CHECK(UTI_CompareIPs(&rep.ip, &a) == 0);
      TEST_CHECK(rep.hits[CLG_NTP] == 100);
      TEST_CHECK(rep.drops[CLG_NTP] == 0);
      TEST_CHECK(rep.last_hit_ago[CLG_NTSKE] < 0.0);
    }
  }
  TEST_CHECK(found == 1);
  TEST_CHECK(!CLG_GetReport(-1, 0.0, &rep));
  TEST_CHECK(!CLG_GetReport(CLG_GetNumberOfIndices(), 0.0, &rep));
}

static void
test_burst_and_leak(void)
{
  CLG_Limit l = { 1, 3, 8, 2, 0 };
  IPAddr a = ip4(0x0a000001), b = ip4(0x0a000002);
  int i, passed = 0;

  CLG_Setup(65536, &l, NULL);
  /* 8 in a burst pass, then roughly 1 in 4 leaks through */
  for (i = 0; i < 8; i++)
    TEST_CHECK(CLG_LogAccess(CLG_NTP, &a, 10.0) == CLG_PASS);
  for (i = 0; i < 4000; i++)
    passed += CLG_LogAccess(CLG_NTP, &a, 10.0) == CLG_PASS;
  TEST_CHECK(passed > 700 && passed < 1300);

  /* Another address is not affected */
  TEST_CHECK(CLG_LogAccess(CLG_NTP, &b, 10.0) == CLG_PASS);

  /* After 8 s (2^3) a new token is there */
  l.leak = 4;
  CLG_Setup(65536, &l, NULL);
  for (i = 0; i < 8; i++)
    CLG_LogAccess(CLG_NTP, &a, 10.0);
  TEST_CHECK(CLG_LogAccess(CLG_NTP, &a, 18.5) == CLG_PASS);
  /* NTS-KE has its own limits: none here */
  for (i = 0; i < 50; i++)
    TEST_CHECK(CLG_LogAccess(CLG_NTSKE, &a, 18.5) == CLG_PASS);
}

static void
test_kod(void)
{
  CLG_Limit l = { 1, 10, 1, 4, 1 };
  IPAddr a = ip4(0x0a000003);
  int i, kod = 0, drop = 0, found = 0;
  CLG_Report rep;

  CLG_Setup(65536, &l, NULL);
  CLG_LogAccess(CLG_NTP, &a, 1.0);
  for (i = 0; i < 1000; i++) {
    switch (CLG_LogAccess(CLG_NTP, &a, 1.0)) {
      case CLG_KOD: kod++; break;
      case CLG_DROP: drop++; break;
      default: break;
    }
  }
  TEST_CHECK(kod > 300 && drop > 300);
  /* A KoD is an answer: the client's drops are the silent ones only */
  for (i = 0; i < CLG_GetNumberOfIndices(); i++) {
    if (CLG_GetReport(i, 2.0, &rep) && UTI_CompareIPs(&rep.ip, &a) == 0)
      found += rep.drops[CLG_NTP] == (uint32_t)drop && rep.hits[CLG_NTP] == 1001;
  }
  TEST_CHECK(found == 1);
}

static void
test_bounded(void)
{
  IPAddr a;
  uint64_t before = STA_counters.log_drops;
  int i, n = 0;
  CLG_Report rep;

  /* A flood of addresses recycles records instead of growing the table */
  CLG_Setup(4096, NULL, NULL);
  for (i = 0; i < 100000; i++) {
    a = ip4(0x0b000000 + i);
    CLG_LogAccess(CLG_NTP, &a, 1.0 + i);
  }
  for (i = 0; i < CLG_GetNumberOfIndices(); i++)
    n += CLG_GetReport(i, 1e6, &rep);
  TEST_CHECK(CLG_GetNumberOfIndices() <= 4096 / 16);
  TEST_CHECK(n <= CLG_GetNumberOfIndices());
  TEST_CHECK(STA_counters.log_drops > before);
}

/* Records are matched by family and the whole address: an IPv6 address
   whose first bytes look like an IPv4 address, and IPv6 addresses that
   differ only in their last byte, each get their own record */
static void
test_families(void)
{
  IPAddr a = ip4(0x7f000001), b, c;
  CLG_Report rep;
  int i, n = 0, hits = 0;

  memset(&b, 0, sizeof b);
  b.family = AF_INET6;
  b.addr.in6[0] = 0x7f;
  b.addr.in6[3] = 0x01;
  c = b;
  c.addr.in6[15] = 0x01;

  CLG_Setup(65536, NULL, NULL);
  CLG_LogAccess(CLG_NTP, &a, 1.0);
  for (i = 0; i < 2; i++)
    CLG_LogAccess(CLG_NTP, &b, 1.0);
  for (i = 0; i < 3; i++)
    CLG_LogAccess(CLG_NTP, &c, 1.0);
  for (i = 0; i < CLG_GetNumberOfIndices(); i++) {
    if (!CLG_GetReport(i, 2.0, &rep))
      continue;
    n++;
    if (UTI_CompareIPs(&rep.ip, &a) == 0)
      hits += rep.hits[CLG_NTP] == 1;
    else if (UTI_CompareIPs(&rep.ip, &b) == 0)
      hits += rep.hits[CLG_NTP] == 2;
    else if (UTI_CompareIPs(&rep.ip, &c) == 0)
      hits += rep.hits[CLG_NTP] == 3;
  }
  TEST_CHECK(n == 3);
  TEST_CHECK(hits == 3);
}

int
main(void)
{
  test_no_limit();
  test_burst_and_leak();
  test_kod();
  test_bounded();
  test_families();
  CLG_Finalise();
  TEST_END();
}
