/*
  ntsd - simulated clock driver

  The state is kept as true time plus the clock's error, both doubles
  small enough for sub-nanosecond resolution over a simulated day, and
  converted to a timespec only when read.
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "drv_sim.h"
#include "memory.h"

typedef struct {
  DSC_Driver drv;
  double t;                /* true time */
  double error;            /* clock - true */
  double freq_error;       /* intrinsic, wandering */
  double wander;
  double correction;       /* applied by the discipline */
  uint64_t rng;
  time_t epoch;
  int steps;
  int leap;                /* armed as the kernel's STA_INS/STA_DEL */
  int leaps;               /* applied */
} SimClock;

static double
uniform(SimClock *s)
{
  /* xorshift64*: fast, deterministic, good enough for noise */
  s->rng ^= s->rng >> 12;
  s->rng ^= s->rng << 25;
  s->rng ^= s->rng >> 27;
  return ((s->rng * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static double
gaussian(SimClock *s)
{
  double u1 = uniform(s), u2 = uniform(s);

  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double
sim_set_frequency(DSC_Driver *drv, const struct timespec *now, double freq)
{
  SimClock *s = drv->data;

  s->correction = freq;
  return freq;
}

static int
sim_step(DSC_Driver *drv, const struct timespec *now, double offset)
{
  SimClock *s = drv->data;

  s->error += offset;
  s->steps++;
  return 1;
}

static void
sim_set_sync_status(DSC_Driver *drv, int synchronised, int leap,
                    double est_error, double max_error)
{
  SimClock *s = drv->data;

  s->leap = synchronised && (leap == 1 || leap == 2) ? leap : 0;
}

/* As the kernel: an armed insertion steps the clock back by one second
   when it reaches midnight, a deletion forward when it reaches 23:59:59;
   the flag is then cleared */
static void
kernel_leap(SimClock *s, double raw_before, double raw_after)
{
  double shift = s->leap == 2 ? 1.0 : 0.0;

  if (!s->leap || floor((raw_before + shift) / 86400.0) == floor((raw_after + shift) / 86400.0))
    return;
  s->error += s->leap == 1 ? -1.0 : 1.0;
  s->leap = 0;
  s->leaps++;
}

DSC_Driver *
DRV_CreateSimDriver(double freq_error, double wander, double offset,
                    uint64_t seed, time_t epoch)
{
  SimClock *s = MallocNew(SimClock);

  memset(s, 0, sizeof *s);
  s->drv.name = "sim";
  s->drv.data = s;
  s->drv.max_frequency = 0.5;
  s->drv.set_frequency = sim_set_frequency;
  s->drv.step = sim_step;
  s->drv.set_sync_status = sim_set_sync_status;
  s->drv.can_leap = 1;
  s->freq_error = freq_error;
  s->wander = wander;
  s->error = offset;
  s->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
  s->epoch = epoch;
  return &s->drv;
}

void
DRV_DestroySimDriver(DSC_Driver *drv)
{
  Free(drv->data);
}

void
DRV_SimAdvance(DSC_Driver *drv, double t)
{
  SimClock *s = drv->data;
  double dt = t - s->t, before = (double)s->epoch + s->t + s->error;

  if (dt <= 0.0)
    return;
  s->error += (s->freq_error + s->correction) * dt;
  if (s->wander > 0.0)
    s->freq_error += s->wander * sqrt(dt) * gaussian(s);
  s->t = t;
  kernel_leap(s, before, (double)s->epoch + s->t + s->error);
}

static void
to_timespec(SimClock *s, double x, struct timespec *ts)
{
  double whole = floor(x);

  ts->tv_sec = s->epoch + (time_t)whole;
  ts->tv_nsec = (long)((x - whole) * 1e9);
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

void
DRV_SimRead(DSC_Driver *drv, struct timespec *raw)
{
  SimClock *s = drv->data;

  to_timespec(s, s->t + s->error, raw);
}

void
DRV_SimReadAt(DSC_Driver *drv, double t, struct timespec *raw)
{
  SimClock *s = drv->data;
  double dt = t - s->t;

  to_timespec(s, t + s->error + (s->freq_error + s->correction) * dt, raw);
}

double
DRV_SimError(DSC_Driver *drv)
{
  return ((SimClock *)drv->data)->error;
}

double
DRV_SimRateError(DSC_Driver *drv)
{
  SimClock *s = drv->data;

  return s->freq_error + s->correction;
}

double
DRV_SimFreqError(DSC_Driver *drv)
{
  return ((SimClock *)drv->data)->freq_error;
}

int
DRV_SimSteps(DSC_Driver *drv)
{
  return ((SimClock *)drv->data)->steps;
}

int
DRV_SimLeaps(DSC_Driver *drv)
{
  return ((SimClock *)drv->data)->leaps;
}
