/*
  Unit tests of src/ntp/ntp_sample.c: the on-wire calculation on exact
  timestamps (offset, delay, dispersion and the root values added to the
  server's), the delay floor of our precision, and the replies that must
  give no sample: an unsynchronised server, zero timestamps, a root
  distance or processing time of NSP_MAX_DISPERSION or more, and
  intervals that run backwards.
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "ntp_sample.h"
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
  UTI_TimespecToNtp64(&s2, &h.receive_ts, NULL);
  UTI_TimespecToNtp64(&s3, &h.transmit_ts, NULL);
  info.leap = NPK_LEAP_NORMAL;
  info.version = 4;
  info.mode = NPK_MODE_SERVER;
}

static NSP_Status
make(double local_interval, SRC_Sample *s, double *server)
{
  ts(&t4, local_interval);
  return NSP_MakeSample(&h, &info, &t1, &t4, -20, s, server);
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
  TEST_CHECK(make(0.021, &s, &server) == NSP_OK);
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
  TEST_CHECK(make(0.02, &s, &server) == NSP_OK);
  TEST_CHECK(near(s.offset, -0.25));
  TEST_CHECK(near(s.delay, 0.02));

  /* A delay below our precision is raised to it */
  reply(0.0, 0.0);
  TEST_CHECK(make(0.0, &s, &server) == NSP_OK);
  TEST_CHECK(near(s.delay, ldexp(1.0, -20)));

  /* No sample; the outputs are left alone */
  memset(&untouched, 0x5a, sizeof untouched);
  s = untouched;
  server = 42.0;
  reply(0.01, 0.01);
  info.leap = NPK_LEAP_UNSYNCHRONISED;
  TEST_CHECK(make(0.02, &s, &server) == NSP_UNSYNCHRONISED);
  reply(0.01, 0.01);
  h.stratum = 16;
  TEST_CHECK(make(0.02, &s, &server) == NSP_UNSYNCHRONISED);
  reply(0.01, 0.01);
  memset(&h.receive_ts, 0, sizeof h.receive_ts);
  TEST_CHECK(make(0.02, &s, &server) == NSP_BOGUS);
  reply(0.01, 0.01);
  memset(&h.transmit_ts, 0, sizeof h.transmit_ts);
  TEST_CHECK(make(0.02, &s, &server) == NSP_BOGUS);
  reply(0.01, 0.01);
  h.root_delay = UTI_DoubleToNtp32(2.0);
  h.root_dispersion = UTI_DoubleToNtp32(15.0);
  TEST_CHECK(make(0.02, &s, &server) == NSP_BOGUS);
  /* The server sent before it received, we received before we sent, and
     a server that took longer than NSP_MAX_DISPERSION */
  reply(0.02, 0.01);
  TEST_CHECK(make(0.03, &s, &server) == NSP_BOGUS);
  reply(0.01, 0.01);
  TEST_CHECK(make(-0.5, &s, &server) == NSP_BOGUS);
  reply(0.0, NSP_MAX_DISPERSION + 1.0);
  TEST_CHECK(make(NSP_MAX_DISPERSION + 2.0, &s, &server) == NSP_BOGUS);
  TEST_CHECK(memcmp(&s, &untouched, sizeof s) == 0 && server == 42.0);

  TEST_END();
}
