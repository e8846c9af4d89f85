/*
  ntsd - the measurement of one NTP exchange

  offset = ((t2 - t1) + (t3 - t4)) / 2, delay = (t4 - t1) - (t3 - t2), and
  the dispersion is both precisions plus PHI times the local interval.
  The server's timestamps are expanded around t1, which lies within the
  same NTP era.
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "ntp_sample.h"

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

NSP_Status
NSP_MakeSample(const NPK_Header *h, const NPK_Info *info, const struct timespec *t1,
               const struct timespec *t4, int precision, SRC_Sample *sample,
               double *server_interval)
{
  struct timespec t2, t3;
  double root_delay, root_dispersion, server, local, delay;

  if (info->leap == NPK_LEAP_UNSYNCHRONISED || h->stratum >= 16)
    return NSP_UNSYNCHRONISED;
  root_delay = UTI_Ntp32ToDouble(h->root_delay);
  root_dispersion = UTI_Ntp32ToDouble(h->root_dispersion);
  if (UTI_IsZeroNtp64(&h->receive_ts) || UTI_IsZeroNtp64(&h->transmit_ts) ||
      root_delay / 2.0 + root_dispersion >= NSP_MAX_DISPERSION)
    return NSP_BOGUS;

  UTI_Ntp64ToTimespec(&h->receive_ts, t1, &t2);
  UTI_Ntp64ToTimespec(&h->transmit_ts, t1, &t3);
  server = UTI_DiffTimespecsToDouble(&t3, &t2);
  local = UTI_DiffTimespecsToDouble(t4, t1);
  /* A negative interval means a bogus server or a stepped clock */
  if (server < 0.0 || local < 0.0 || server > NSP_MAX_DISPERSION)
    return NSP_BOGUS;

  delay = local - server;
  if (delay < ldexp(1.0, precision))
    delay = ldexp(1.0, precision);

  memset(sample, 0, sizeof *sample);
  sample->time = *t4;
  sample->offset = (UTI_DiffTimespecsToDouble(&t2, t1) + UTI_DiffTimespecsToDouble(&t3, t4)) / 2.0;
  sample->delay = delay;
  sample->dispersion = ldexp(1.0, h->precision) + ldexp(1.0, precision) + NSP_PHI * local;
  sample->root_delay = root_delay + delay;
  sample->root_dispersion = root_dispersion + sample->dispersion;
  sample->stratum = h->stratum;
  sample->leap = info->leap;
  *server_interval = server;
  return NSP_OK;
}
