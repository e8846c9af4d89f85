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

/* The report of one address; 0 if it has no record */
static int
report_of(const IPAddr *ip, double now, CLG_Report *rep)
{
  int i;

  for (i = 0; i < CLG_GetNumberOfIndices(); i++) {
    if (CLG_GetReport(i, now, rep) && UTI_CompareIPs(&rep->ip, ip) == 0)
      return 1;
  }
  return 0;
}

static int
index_of(const IPAddr *ip)
{
  CLG_Report rep;
  int i;

  for (i = 0; i < CLG_GetNumberOfIndices(); i++) {
    if (CLG_GetReport(i, 0.0, &rep) && UTI_CompareIPs(&rep.ip, ip) == 0)
      return i;
  }
  return -1;
}

/* The Int of a fresh address after two requests `interval` apart */
static int
first_interval(uint32_t addr, double interval)
{
  IPAddr a = ip4(addr);
  CLG_Report rep;

  CLG_LogAccess(CLG_NTP, &a, 1000.0);
  CLG_LogAccess(CLG_NTP, &a, 1000.0 + interval);
  if (!report_of(&a, 1000.0 + interval, &rep))
    return -1000;
  return rep.interval[CLG_NTP];
}

/* Each interval counts as its power of two, rounded up from 0.6875 * 2^n
   (11 of the 16 ticks of a second, times 1.5), the same as chronyd */
static void
test_interval_rounding(void)
{
  CLG_Setup(65536, NULL, NULL);
  TEST_CHECK(first_interval(0x0c000001, 1.0) == 0);
  TEST_CHECK(first_interval(0x0c000002, 0.6875) == 0);
  TEST_CHECK(first_interval(0x0c000003, 0.68) == -1);
  TEST_CHECK(first_interval(0x0c000004, 1.37) == 0);
  TEST_CHECK(first_interval(0x0c000005, 1.38) == 1);
  TEST_CHECK(first_interval(0x0c000006, 64.0) == 6);
  TEST_CHECK(first_interval(0x0c000007, 1024.0) == 10);
  /* Shorter than a tick: the fastest rate, shown as 2^-5 */
  TEST_CHECK(first_interval(0x0c000008, 0.0) == -5);
  TEST_CHECK(first_interval(0x0c000009, 1.0 / 32) == -5);
  TEST_CHECK(first_interval(0x0c00000a, 1.0 / 16) == -4);
  /* The slowest rate is 2^14 s, from 174763 ticks of 1/16 s on */
  TEST_CHECK(first_interval(0x0c00000b, 174762.9 / 16) == 13);
  TEST_CHECK(first_interval(0x0c00000c, 174763.0 / 16) == 14);
  TEST_CHECK(first_interval(0x0c00000d, 1e9) == 14);
}

static void
test_interval_average(void)
{
  /* After each request of the sequence: the Int column */
  static const struct { double gap; int interval; } seq[] = {
    { 0.0, CLG_INTERVAL_UNKNOWN },  /* the first request */
    { 1.0, 0 }, { 1.0, 0 }, { 1.0, 0 },
    /* Slower: half-way down at once (rate -2 quarters, rounded to 1) */
    { 2.0, 1 }, { 2.0, 1 }, { 2.0, 1 },
    /* Faster: a quarter octave a request, so a burst barely counts */
    { 1.0, 1 }, { 1.0, 1 }, { 1.0, 0 },
    /* A long pause brings the average within 2.5 octaves of it at once */
    { 1024.0, 8 }, { 1024.0, 9 }, { 1024.0, 10 }, { 1024.0, 10 },
  };
  IPAddr a = ip4(0x0d000001), b = ip4(0x0d000002);
  CLG_Report rep;
  double t = 50.0;
  unsigned int i;

  CLG_Setup(65536, NULL, NULL);
  for (i = 0; i < sizeof seq / sizeof seq[0]; i++) {
    t += seq[i].gap;
    CLG_LogAccess(CLG_NTP, &a, t);
    TEST_CHECK(report_of(&a, t, &rep) && rep.interval[CLG_NTP] == seq[i].interval);
    if (rep.interval[CLG_NTP] != seq[i].interval)
      printf("  step %u: Int %d, expected %d\n", i, rep.interval[CLG_NTP], seq[i].interval);
  }
  /* Other services have their own averages; none are limited, so no
     interval after a drop */
  TEST_CHECK(rep.interval[CLG_NTSKE] == CLG_INTERVAL_UNKNOWN);
  TEST_CHECK(rep.interval[CLG_CMD] == CLG_INTERVAL_UNKNOWN);
  TEST_CHECK(rep.ntp_timeout_interval == CLG_INTERVAL_UNKNOWN);
  for (i = 0; i < 3; i++)
    CLG_LogAccess(CLG_CMD, &a, t + 4.0 * i);
  CLG_LogAccess(CLG_NTSKE, &a, t);
  CLG_LogAccess(CLG_NTSKE, &a, t + 0.25);
  TEST_CHECK(report_of(&a, t + 8.0, &rep));
  TEST_CHECK(rep.interval[CLG_CMD] == 2 && rep.interval[CLG_NTSKE] == -2 &&
             rep.interval[CLG_NTP] == 10);

  /* Time going back changes nothing but the time of the last request */
  CLG_LogAccess(CLG_NTP, &b, 100.0);
  CLG_LogAccess(CLG_NTP, &b, 104.0);
  CLG_LogAccess(CLG_NTP, &b, 90.0);
  TEST_CHECK(report_of(&b, 100.0, &rep) && rep.interval[CLG_NTP] == 2 &&
             rep.hits[CLG_NTP] == 3 && rep.last_hit_ago[CLG_NTP] == 10.0);
}

/* NTP requests that follow a dropped one average apart (IntL): a client
   retrying without answers is told from its normal polling */
static void
test_timeout_interval(void)
{
  /* Leak 1 in 2^30: every limited request is dropped */
  CLG_Limit l = { 1, 3, 1, 30, 0 };
  IPAddr a = ip4(0x0e000001);
  CLG_Report rep;

  CLG_Setup(65536, &l, NULL);
  TEST_CHECK(CLG_LogAccess(CLG_NTP, &a, 10.0) == CLG_PASS);
  TEST_CHECK(CLG_LogAccess(CLG_NTP, &a, 10.0) == CLG_DROP);
  TEST_CHECK(report_of(&a, 10.0, &rep) && rep.interval[CLG_NTP] == -5 &&
             rep.ntp_timeout_interval == CLG_INTERVAL_UNKNOWN);
  /* Retries 1 s apart, still without a token */
  TEST_CHECK(CLG_LogAccess(CLG_NTP, &a, 11.0) == CLG_DROP);
  TEST_CHECK(CLG_LogAccess(CLG_NTP, &a, 12.0) == CLG_DROP);
  TEST_CHECK(report_of(&a, 12.0, &rep) && rep.interval[CLG_NTP] == -5 &&
             rep.ntp_timeout_interval == 0 && rep.drops[CLG_NTP] == 3);
  /* 8 s later a token: this request followed a drop too, the next one
     does not */
  TEST_CHECK(CLG_LogAccess(CLG_NTP, &a, 20.0) == CLG_PASS);
  TEST_CHECK(report_of(&a, 20.0, &rep) && rep.ntp_timeout_interval == 1 &&
             rep.interval[CLG_NTP] == -5);
  CLG_LogAccess(CLG_NTP, &a, 21.0);
  TEST_CHECK(report_of(&a, 21.0, &rep) && rep.ntp_timeout_interval == 1 &&
             rep.interval[CLG_NTP] == -3);
}

/* clients -r: hits and drops start again from zero, the rest stays */
static void
test_reset(void)
{
  CLG_Limit l = { 1, 3, 1, 30, 0 };
  IPAddr a = ip4(0x0f000001), b = ip4(0x0f000002);
  CLG_Report rep;
  int i;

  CLG_Setup(65536, &l, NULL);
  for (i = 0; i < 4; i++) {
    CLG_LogAccess(CLG_NTP, &a, 10.0 + i);
    CLG_LogAccess(CLG_CMD, &a, 10.0 + i);
    CLG_LogAccess(CLG_NTSKE, &b, 10.0 + i);
  }
  TEST_CHECK(report_of(&a, 14.0, &rep) && rep.hits[CLG_NTP] == 4 && rep.drops[CLG_NTP] == 3 &&
             rep.hits[CLG_CMD] == 4);
  CLG_ResetCounters(index_of(&a));
  CLG_ResetCounters(-1);
  CLG_ResetCounters(CLG_GetNumberOfIndices());
  TEST_CHECK(report_of(&a, 14.0, &rep));
  TEST_CHECK(rep.hits[CLG_NTP] == 0 && rep.drops[CLG_NTP] == 0 && rep.hits[CLG_CMD] == 0);
  TEST_CHECK(rep.interval[CLG_CMD] == 0 && rep.ntp_timeout_interval == 0 &&
             rep.last_hit_ago[CLG_NTP] == 1.0);
  /* Only that record */
  TEST_CHECK(report_of(&b, 14.0, &rep) && rep.hits[CLG_NTSKE] == 4);
  /* and counting goes on */
  CLG_LogAccess(CLG_NTP, &a, 14.0);
  TEST_CHECK(report_of(&a, 14.0, &rep) && rep.hits[CLG_NTP] == 1 && rep.drops[CLG_NTP] == 1);
}

int
main(void)
{
  test_no_limit();
  test_burst_and_leak();
  test_kod();
  test_bounded();
  test_families();
  test_interval_rounding();
  test_interval_average();
  test_timeout_interval();
  test_reset();
  CLG_Finalise();
  TEST_END();
}
