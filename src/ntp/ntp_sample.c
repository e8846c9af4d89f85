/*
  ntsd - the measurement of one NTP exchange

  offset = ((t2 - t1) + (t3 - t4)) / 2, delay = (t4 - t1) - (t3 - t2), and
  the dispersion is both precisions plus PHI times the local interval.
  The server's timestamps are expanded around t1, which lies within the
  same NTP era.  The tests are chronyd's (its ntp_core.c), as far as they
  concern a client: no interleaved mode here.
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "ntp_sample.h"
#include "srcstats.h"

int
NSP_MeasurePrecision(void)
{
  struct timespec res;
  int p;

  if (clock_getres(CLOCK_REALTIME, &res) < 0 || (res.tv_sec == 0 && res.tv_nsec == 0))
    return -20;
  frexp(res.tv_sec + res.tv_nsec * 1e-9, &p);
  /* Reading the clock takes longer than its resolution suggests */
  return p < -25 ? -25 : p;
}

int
NSP_CheckReply(const NPK_Header *h, const NPK_Info *info)
{
  int tests = 0;

  if (!UTI_IsZeroNtp64(&h->originate_ts) && !UTI_IsZeroNtp64(&h->receive_ts) &&
      !UTI_IsZeroNtp64(&h->transmit_ts))
    tests |= NSP_TEST_3;
  /* Stratum 0 is a KoD, or unspecified: no time either way */
  if (info->leap != NPK_LEAP_UNSYNCHRONISED && h->stratum > 0 && h->stratum < 16)
    tests |= NSP_TEST_6;
  if (UTI_Ntp32ToDouble(h->root_delay) / 2.0 + UTI_Ntp32ToDouble(h->root_dispersion) <
      NSP_MAX_DISPERSION)
    tests |= NSP_TEST_7;
  return tests;
}

int
NSP_MakeSample(const NPK_Header *h, const NPK_Info *info, const struct timespec *t1,
               const struct timespec *t4, int precision, SRC_Sample *sample,
               double *server_interval)
{
  struct timespec t2, t3;
  double server, local, delay;

  if (NSP_CheckReply(h, info) != (NSP_TEST_3 | NSP_TESTS_SYNCED))
    return 0;

  UTI_Ntp64ToTimespec(&h->receive_ts, t1, &t2);
  UTI_Ntp64ToTimespec(&h->transmit_ts, t1, &t3);
  server = UTI_DiffTimespecsToDouble(&t3, &t2);
  local = UTI_DiffTimespecsToDouble(t4, t1);
  /* A negative interval means a bogus server or a stepped clock */
  if (server < 0.0 || local < 0.0 || server > NSP_MAX_DISPERSION)
    return 0;

  delay = local - server;
  if (delay < ldexp(1.0, precision))
    delay = ldexp(1.0, precision);

  memset(sample, 0, sizeof *sample);
  sample->time = *t4;
  sample->offset = (UTI_DiffTimespecsToDouble(&t2, t1) + UTI_DiffTimespecsToDouble(&t3, t4)) / 2.0;
  sample->delay = delay;
  sample->dispersion = ldexp(1.0, h->precision) + ldexp(1.0, precision) + NSP_PHI * local;
  sample->root_delay = UTI_Ntp32ToDouble(h->root_delay) + delay;
  sample->root_dispersion = UTI_Ntp32ToDouble(h->root_dispersion) + sample->dispersion;
  sample->stratum = h->stratum;
  sample->leap = info->leap;
  *server_interval = server;
  return 1;
}

int
NSP_CheckSyncLoop(int stratum, uint32_t ref_id, const IPAddr *local_addr, int normal)
{
  /* A primary server's reference id names its reference clock, and
     without a local address there is nothing we could be known by */
  if (stratum <= 1 || !normal || local_addr->family == AF_UNSPEC)
    return 1;
  return ref_id != UTI_IPToRefid(local_addr);
}

int
NSP_DelayTests(int within_maxdelay, int failed)
{
  int tests = 0;

  if (within_maxdelay && !(failed & SST_BAD_MAXDELAY))
    tests |= NSP_TEST_A;
  if (!(failed & SST_BAD_MAXDELAYRATIO))
    tests |= NSP_TEST_B;
  if (!(failed & SST_BAD_MAXDELAYDEVRATIO))
    tests |= NSP_TEST_C;
  return tests;
}
