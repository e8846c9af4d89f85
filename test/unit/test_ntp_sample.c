/*
  Unit tests of src/ntp/ntp_sample.c: the on-wire calculation on exact
  timestamps (offset, delay, dispersion and the root values added to the
  server's), the delay floor of our precision, and the replies that must
  give no sample: an unsynchronised server, zero timestamps, a root
  distance or processing time of NSP_MAX_DISPERSION or more, and
  intervals that run backwards.  Then chronyd's tests: which bit each
  outcome of tests 3, 6, 7, A, B, C and D clears in the ntpdata report's
  ten bits, and test D's decision (the server's reference id against
  that of our own address, the stratum, -q/-Q).
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "ntp_sample.h"
#include "srcstats.h"
#include "test.h"

static struct timespec t1, t4;
static NPK_Header h;
static NPK_Info info;

static int
near(double a, double b)
{
  return fabs(a - b) < 1e-8;
}

/* d seconds after t1 = 1e9 + 0.25 s, exact to the nanosecond (a double
   of 1e9 s would not be) */
static void
ts(struct timespec *t, double d)
{
  long long ns = 250000000LL + llround(d * 1e9);

  t->tv_sec = 1000000000 + (time_t)(ns / 1000000000LL) - (ns < 0 ? 1 : 0);
  t->tv_nsec = (long)(ns % 1000000000LL + (ns < 0 ? 1000000000LL : 0));
  if (t->tv_nsec >= 1000000000L) {
    t->tv_sec++;
    t->tv_nsec -= 1000000000L;
  }
}

/* A synchronised stratum 2 reply: the server received at t2 and sent at
   t3, in seconds after t1 on our clock */
static void
reply(double t2, double t3)
{
  struct timespec s2, s3;

  memset(&h, 0, sizeof h);
  memset(&info, 0, sizeof info);
  ts(&t1, 0.0);
  ts(&s2, t2);
  ts(&s3, t3);
  h.lvm = NPK_LVM(NPK_LEAP_NORMAL, 4, NPK_MODE_SERVER);
  h.stratum = 2;
  h.precision = -20;
  h.root_delay = UTI_DoubleToNtp32(0.01);
  h.root_dispersion = UTI_DoubleToNtp32(0.02);
  h.originate_ts.lo = 0x12345678;
  UTI_TimespecToNtp64(&s2, &h.receive_ts, NULL);
  UTI_TimespecToNtp64(&s3, &h.transmit_ts, NULL);
  info.leap = NPK_LEAP_NORMAL;
  info.version = 4;
  info.mode = NPK_MODE_SERVER;
}

static int
make(double local_interval, SRC_Sample *s, double *server)
{
  ts(&t4, local_interval);
  return NSP_MakeSample(&h, &info, &t1, &t4, -20, s, server);
}

/* The positions chronyc prints, bit 9 (test 1) to bit 0 (test D), as in
   the command protocol's NTP data flags; the valid, synced and good
   groups make up all ten and do not overlap */
static void
test_bits(void)
{
  static const int expected[10] = {
    NSP_TEST_1, NSP_TEST_2, NSP_TEST_3, NSP_TEST_5, NSP_TEST_6,
    NSP_TEST_7, NSP_TEST_A, NSP_TEST_B, NSP_TEST_C, NSP_TEST_D
  };
  int i;

  for (i = 0; i < 10; i++)
    TEST_CHECK(expected[i] == 1 << (9 - i));
  TEST_CHECK(NSP_TESTS_ALL == 0x3FF);
  TEST_CHECK((NSP_TESTS_VALID & NSP_TESTS_SYNCED) == 0 && (NSP_TESTS_VALID & NSP_TESTS_GOOD) == 0 &&
             (NSP_TESTS_SYNCED & NSP_TESTS_GOOD) == 0);
  TEST_CHECK(NSP_TESTS_VALID == 0x3C0 && NSP_TESTS_SYNCED == 0x030 && NSP_TESTS_GOOD == 0x00F);
}

/* Each delay test clears its own bit and no other */
static void
test_delay_tests(void)
{
  TEST_CHECK(NSP_DelayTests(1, SST_GOOD) == (NSP_TEST_A | NSP_TEST_B | NSP_TEST_C));
  TEST_CHECK(NSP_DelayTests(0, SST_GOOD) == (NSP_TEST_B | NSP_TEST_C));
  TEST_CHECK(NSP_DelayTests(1, SST_BAD_MAXDELAY) == (NSP_TEST_B | NSP_TEST_C));
  TEST_CHECK(NSP_DelayTests(1, SST_BAD_MAXDELAYRATIO) == (NSP_TEST_A | NSP_TEST_C));
  TEST_CHECK(NSP_DelayTests(1, SST_BAD_MAXDELAYDEVRATIO) == (NSP_TEST_A | NSP_TEST_B));
  TEST_CHECK(NSP_DelayTests(1, SST_BAD_MAXDELAYRATIO | SST_BAD_MAXDELAYDEVRATIO) == NSP_TEST_A);
  TEST_CHECK(NSP_DelayTests(0, SST_BAD_MAXDELAY | SST_BAD_MAXDELAYRATIO |
                               SST_BAD_MAXDELAYDEVRATIO) == 0);
}

static IPAddr
ip_of(const char *s)
{
  IPAddr ip;

  UTI_StringToIP(s, &ip);
  return ip;
}

/* Test D: a server synchronised to the address we send from refers to
   it; 127.0.0.1 is 0x7F000001, ::1 is the first word of its MD5 */
static void
test_sync_loop(void)
{
  IPAddr v4 = ip_of("127.0.0.1"), v6 = ip_of("::1"), none;

  memset(&none, 0, sizeof none);
  none.family = AF_UNSPEC;
  TEST_CHECK(!NSP_CheckSyncLoop(2, 0x7F000001, &v4, 1));
  TEST_CHECK(!NSP_CheckSyncLoop(15, 0x7F000001, &v4, 1));
  TEST_CHECK(NSP_CheckSyncLoop(2, 0x7F000002, &v4, 1));
  /* Another server's reference, or the local reference's id */
  TEST_CHECK(NSP_CheckSyncLoop(3, 0x7F7F0101, &v4, 1));
  /* A primary server names its clock, whatever that looks like */
  TEST_CHECK(NSP_CheckSyncLoop(1, 0x7F000001, &v4, 1));
  TEST_CHECK(NSP_CheckSyncLoop(0, 0x7F000001, &v4, 1));
  /* -q/-Q: no one can be synchronised to us */
  TEST_CHECK(NSP_CheckSyncLoop(2, 0x7F000001, &v4, 0));
  TEST_CHECK(!NSP_CheckSyncLoop(2, 0xcf404dc8, &v6, 1));
  TEST_CHECK(NSP_CheckSyncLoop(2, 0x00000000, &v6, 1));
  TEST_CHECK(NSP_CheckSyncLoop(2, 0x7F000001, &v6, 1));
  /* No local address known (no request sent yet) */
  TEST_CHECK(NSP_CheckSyncLoop(2, 0, &none, 1));
}

int
main(void)
{
  SRC_Sample s, untouched;
  double server = -1.0, root_delay, root_disp;
  int p;

  p = NSP_MeasurePrecision();
  TEST_CHECK(p <= 0 && p >= -25);

  /* The server is 0.5 s ahead: t2 - t1 = 0.51, t3 - t4 = 0.49 with a
     delay of 0.02 and 0.001 s spent in the server */
  reply(0.51, 0.511);
  TEST_CHECK(make(0.021, &s, &server));
  TEST_CHECK(near(s.offset, 0.5));
  TEST_CHECK(near(s.delay, 0.02));
  TEST_CHECK(near(server, 0.001));
  TEST_CHECK(near(s.dispersion, 2.0 * ldexp(1.0, -20) + NSP_PHI * 0.021));
  root_delay = UTI_Ntp32ToDouble(UTI_DoubleToNtp32(0.01));
  root_disp = UTI_Ntp32ToDouble(UTI_DoubleToNtp32(0.02));
  TEST_CHECK(near(s.root_delay, root_delay + s.delay));
  TEST_CHECK(near(s.root_dispersion, root_disp + s.dispersion));
  TEST_CHECK(s.stratum == 2 && s.leap == NPK_LEAP_NORMAL);
  TEST_CHECK(s.time.tv_sec == t4.tv_sec && s.time.tv_nsec == t4.tv_nsec);

  /* Behind by 0.25 s */
  reply(-0.24, -0.24);
  TEST_CHECK(make(0.02, &s, &server));
  TEST_CHECK(near(s.offset, -0.25));
  TEST_CHECK(near(s.delay, 0.02));

  /* A delay below our precision is raised to it */
  reply(0.0, 0.0);
  TEST_CHECK(make(0.0, &s, &server));
  TEST_CHECK(near(s.delay, ldexp(1.0, -20)));

  /* No sample; the outputs are left alone.  NSP_CheckReply names the
     test that failed, and only that one. */
  memset(&untouched, 0x5a, sizeof untouched);
  s = untouched;
  server = 42.0;
  reply(0.01, 0.01);
  TEST_CHECK(NSP_CheckReply(&h, &info) == (NSP_TEST_3 | NSP_TEST_6 | NSP_TEST_7));
  info.leap = NPK_LEAP_UNSYNCHRONISED;
  TEST_CHECK(!make(0.02, &s, &server));
  TEST_CHECK(NSP_CheckReply(&h, &info) == (NSP_TEST_3 | NSP_TEST_7));
  reply(0.01, 0.01);
  h.stratum = 16;
  TEST_CHECK(!make(0.02, &s, &server));
  TEST_CHECK(NSP_CheckReply(&h, &info) == (NSP_TEST_3 | NSP_TEST_7));
  reply(0.01, 0.01);
  h.stratum = 0;
  TEST_CHECK(!make(0.02, &s, &server));
  TEST_CHECK(NSP_CheckReply(&h, &info) == (NSP_TEST_3 | NSP_TEST_7));
  reply(0.01, 0.01);
  memset(&h.receive_ts, 0, sizeof h.receive_ts);
  TEST_CHECK(!make(0.02, &s, &server));
  TEST_CHECK(NSP_CheckReply(&h, &info) == (NSP_TEST_6 | NSP_TEST_7));
  reply(0.01, 0.01);
  memset(&h.transmit_ts, 0, sizeof h.transmit_ts);
  TEST_CHECK(!make(0.02, &s, &server));
  TEST_CHECK(NSP_CheckReply(&h, &info) == (NSP_TEST_6 | NSP_TEST_7));
  reply(0.01, 0.01);
  memset(&h.originate_ts, 0, sizeof h.originate_ts);
  TEST_CHECK(!make(0.02, &s, &server));
  TEST_CHECK(NSP_CheckReply(&h, &info) == (NSP_TEST_6 | NSP_TEST_7));
  reply(0.01, 0.01);
  h.root_delay = UTI_DoubleToNtp32(2.0);
  h.root_dispersion = UTI_DoubleToNtp32(15.0);
  TEST_CHECK(!make(0.02, &s, &server));
  TEST_CHECK(NSP_CheckReply(&h, &info) == (NSP_TEST_3 | NSP_TEST_6));
  /* Just below the limit is still sane */
  h.root_dispersion = UTI_DoubleToNtp32(14.99);
  TEST_CHECK(NSP_CheckReply(&h, &info) & NSP_TEST_7);
  TEST_CHECK(memcmp(&s, &untouched, sizeof s) == 0 && server == 42.0);
  /* The server sent before it received, we received before we sent, and
     a server that took longer than NSP_MAX_DISPERSION: tests 3, 6 and 7
     pass, the intervals are what fails (test A) */
  reply(0.02, 0.01);
  TEST_CHECK(NSP_CheckReply(&h, &info) == (NSP_TEST_3 | NSP_TESTS_SYNCED));
  TEST_CHECK(!make(0.03, &s, &server));
  reply(0.01, 0.01);
  TEST_CHECK(!make(-0.5, &s, &server));
  reply(0.0, NSP_MAX_DISPERSION + 1.0);
  TEST_CHECK(!make(NSP_MAX_DISPERSION + 2.0, &s, &server));
  TEST_CHECK(memcmp(&s, &untouched, sizeof s) == 0 && server == 42.0);

  test_bits();
  test_delay_tests();
  test_sync_loop();

  TEST_END();
}
