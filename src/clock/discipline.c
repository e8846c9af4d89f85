/*
  ntsd - clock discipline

  One clock, so module state as in chronyd's reference.c and
  sys_generic.c, which this merges: the frequency estimate and its skew,
  and the offset still to be slewed.  Only the driver touches a clock.
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "discipline.h"

/* A slew shorter than this would need a step-like frequency */
#define MIN_SLEW_DURATION 1.0
/* Longer ones would leave the correction pending for most of an hour */
#define MAX_SLEW_DURATION 1.0e4
/* Below this the rest of a slew is noise */
#define MIN_PENDING 1e-10
/* How early a slew may be ended */
#define SLEW_END_SLACK 1e-6
/* Skew of a frequency nobody has estimated (chronyd's worst case) */
#define UNKNOWN_SKEW 2000e-6
/* Weight of a new estimate against the old: chronyd's 3 */
#define NEW_WEIGHT 3.0
/* Samples this close to a leap second may span it (chronyd's 5 s) */
#define LEAP_CLOSE 5.0
/* How early the leap second timer may fire */
#define LEAP_SLACK 1e-3

static DSC_Params params;
static DSC_Driver *driver;
static int initialised;

static double frequency;          /* correction in use, fraction */
static double skew;               /* its error bound */
static double residual_freq;
static double applied_freq;       /* what the driver runs now (with slew) */

static double pending;            /* offset still to slew, as of slew_last */
static double slew_rate;          /* applied_freq - frequency */
static struct timespec slew_last, slew_end;
static int slewing;
static double corr_rate;          /* s^2: offset * duration of a slew */

static int synchronised, n_updates, n_ignored;
/* n_updates when the makestep limit was last set: as chronyd, a limit
   given at run time counts the updates from then on */
static int makestep_base;
static struct timespec last_update;
static double last_interval;
static uint32_t ref_id;
static IPAddr ref_ip;
static int ref_stratum, ref_leap;
static double root_delay, root_dispersion;
static double last_offset, avg2_offset, last_offset_sd;

/* A leap second armed for the end of today: +1 insert, -1 delete, at
   leap_time (the UTC midnight); last_leap_time is the one applied last,
   never armed again (a step back by 1 s returns to the leap day) */
static int leap_sec;
static time_t leap_time, last_leap_time;
static int leap_mode;             /* DSC_LEAP_*, after the driver's check */

void
DSC_DefaultParams(DSC_Params *p)
{
  memset(p, 0, sizeof *p);
  p->corr_time_ratio = 3.0;
  p->max_slew_rate = 1e6 / 12.0;
  p->max_update_skew = 1000.0;
  p->max_drift = 500000.0;
  p->max_clock_error = 1.0;
  p->makestep_threshold = 0.0;
  p->makestep_limit = 0;
  p->maxchange_offset = 0.0;
  p->maxchange_start = 0;
  p->maxchange_ignore = 0;
}

static double
clamp(double x, double limit)
{
  return x > limit ? limit : x < -limit ? -limit : x;
}

/* Raw seconds per true second while slewing: a slewed clock runs faster
   by the rate (8% at the largest), a virtual one does not */
static double
raw_rate(void)
{
  return driver->get_virtual_offset ? 1.0 : 1.0 + slew_rate;
}

/* Offset slewed in a raw interval: the rate is relative to true time */
static double
slewed(double raw_elapsed)
{
  return slew_rate * raw_elapsed / raw_rate();
}

/* Bring pending up to now: the slew ran at slew_rate since slew_last */
static void
account(const struct timespec *now)
{
  double elapsed = UTI_DiffTimespecsToDouble(now, &slew_last);

  if (elapsed > 0.0)
    pending -= slewed(elapsed);
  slew_last = *now;
}

static void
set_frequency(const struct timespec *now, double freq)
{
  freq = clamp(freq, params.max_drift * 1e-6);
  if (driver->max_frequency > 0.0)
    freq = clamp(freq, driver->max_frequency);
  applied_freq = driver->set_frequency(driver, now, freq);
}

/* Start (or restart) slewing the pending offset; account() first */
static void
start_slew(const struct timespec *now)
{
  double duration, rate;

  slewing = 0;
  if (fabs(pending) < MIN_PENDING) {
    pending = 0.0;
    set_frequency(now, frequency);
    slew_rate = applied_freq - frequency;
    return;
  }
  /* As chronyd: the duration is inversely proportional to the offset, so
     a typical (noise-sized) correction is spread over corrtimeratio
     update intervals and a large one is removed quickly */
  duration = corr_rate / fabs(pending);
  if (duration < MIN_SLEW_DURATION)
    duration = MIN_SLEW_DURATION;
  if (duration > MAX_SLEW_DURATION)
    duration = MAX_SLEW_DURATION;
  rate = clamp(pending / duration, params.max_slew_rate * 1e-6);
  set_frequency(now, frequency + rate);
  slew_rate = applied_freq - frequency;
  if (slew_rate * pending > 0.0) {
    UTI_AddDoubleToTimespec(now, pending / slew_rate * raw_rate(), &slew_end);
    slewing = 1;
  }
}

void
DSC_Initialise(const DSC_Params *p, DSC_Driver *drv, const struct timespec *now)
{
  params = *p;
  driver = drv;
  initialised = 1;
  frequency = -params.initial_frequency * 1e-6;
  skew = params.initial_skew > 0.0 ? params.initial_skew * 1e-6 : UNKNOWN_SKEW;
  residual_freq = 0.0;
  pending = slew_rate = 0.0;
  corr_rate = 0.0;
  slewing = 0;
  slew_last = *now;
  synchronised = n_updates = n_ignored = 0;
  makestep_base = 0;
  last_interval = 0.0;
  last_offset = avg2_offset = 0.0;
  ref_id = 0;
  memset(&ref_ip, 0, sizeof ref_ip);
  ref_stratum = 0;
  ref_leap = 3;
  root_delay = root_dispersion = 0.0;
  leap_sec = 0;
  leap_time = last_leap_time = 0;
  /* As chronyd: without a kernel that can do it, system mode steps */
  leap_mode = params.leap_mode;
  if (leap_mode == DSC_LEAP_SYSTEM && !driver->can_leap)
    leap_mode = DSC_LEAP_STEP;
  set_frequency(now, frequency);
  if (driver->set_sync_status)
    driver->set_sync_status(driver, 0, 0, 0.0, 16.0);
}

void
DSC_Finalise(void)
{
  if (!initialised)
    return;
  if (driver && driver->finalise)
    driver->finalise(driver);
  driver = NULL;
  initialised = 0;
}

/* The driver's view: STA_INS/STA_DEL only in system mode */
static void
push_sync_status(void)
{
  if (!driver->set_sync_status)
    return;
  if (!synchronised)
    driver->set_sync_status(driver, 0, 0, 0.0, 16.0);
  else
    driver->set_sync_status(driver, 1, leap_mode == DSC_LEAP_SYSTEM ? ref_leap : 0,
                            last_offset_sd, 0.5 * root_delay + root_dispersion);
}

/* Cooked seconds of the raw time now */
static double
cooked_seconds(const struct timespec *now)
{
  return now->tv_sec + now->tv_nsec * 1e-9 + DSC_GetCorrection(now);
}

/* When the leap second is applied: 00:00:00 for an insertion (the clock
   goes back to 23:59:59), 23:59:59 for a deletion (it jumps to 00:00:00) */
static double
leap_event_time(void)
{
  return (double)leap_time - (leap_sec < 0 ? 1.0 : 0.0);
}

/* In system mode the tick must come after the kernel's midnight, or the
   cleared flag would cancel the leap: one second after it by the raw
   clock, which an insertion sets back by that second */
static double
leap_tick_time(void)
{
  return leap_mode == DSC_LEAP_SYSTEM ? (double)leap_time + 1.0 : leap_event_time();
}

static int
leap_due(const struct timespec *now)
{
  if (leap_mode == DSC_LEAP_SYSTEM)
    return now->tv_sec + now->tv_nsec * 1e-9 >= leap_tick_time() - LEAP_SLACK;
  return cooked_seconds(now) >= leap_tick_time() - LEAP_SLACK;
}

/* The sources' vote, or when they announce nothing the leap second
   table, decides; only on the last day of June or December, as chronyd */
static void
update_leap(const struct timespec *now, int voted)
{
  double t = cooked_seconds(now);
  time_t day = (time_t)floor(t);
  int leap = voted == 1 || voted == 2 ? voted : 0;

  if (leap == 0 && params.leap_table)
    leap = LSC_GetLeap(params.leap_table, day, NULL);
  if (leap && (!LSC_IsLeapDay(day) || LSC_EndOfDay(day) == last_leap_time))
    leap = 0;
  /* Too close to midnight to change course */
  if (leap_sec && fabs(t - leap_event_time()) < LEAP_CLOSE) {
    ref_leap = leap_sec > 0 ? 1 : 2;
    return;
  }
  ref_leap = leap;
  leap_sec = leap == 1 ? 1 : leap == 2 ? -1 : 0;
  leap_time = leap_sec ? LSC_EndOfDay(day) : 0;
}

/* At the leap second itself */
static int
apply_leap(const struct timespec *now)
{
  int reset = 0;

  switch (leap_mode) {
    case DSC_LEAP_SYSTEM:
      /* The kernel did it */
      break;
    case DSC_LEAP_STEP:
      if (!driver->step(driver, now, -leap_sec)) {
        /* Left to the sources, as in ignore mode */
        reset = DSC_TICK_RESET;
      }
      break;
    case DSC_LEAP_SLEW:
      account(now);
      pending -= leap_sec;
      start_slew(now);
      break;
    case DSC_LEAP_IGNORE:
      /* The sources now differ from the clock by a second */
      reset = DSC_TICK_RESET;
      break;
  }
  last_leap_time = leap_time;
  leap_sec = 0;
  leap_time = 0;
  if (ref_leap == 1 || ref_leap == 2)
    ref_leap = 0;
  push_sync_status();
  return reset;
}

int
DSC_IsLeapSecondClose(const struct timespec *ts)
{
  double t = ts->tv_sec + ts->tv_nsec * 1e-9;

  if (!initialised)
    return 0;
  return (leap_sec && fabs(t - leap_event_time()) < LEAP_CLOSE) ||
         (last_leap_time && fabs(t - (double)last_leap_time) < LEAP_CLOSE + 1.0);
}

static int
want_step(double offset)
{
  if (params.makestep_limit == 0 || fabs(offset) <= params.makestep_threshold)
    return 0;
  return params.makestep_limit < 0 || n_updates - makestep_base <= params.makestep_limit;
}

void
DSC_SetMakeStep(double threshold, int limit)
{
  params.makestep_threshold = threshold;
  params.makestep_limit = limit;
  makestep_base = n_updates;
}

void
DSC_SetMaxUpdateSkew(double skew_ppm)
{
  params.max_update_skew = skew_ppm;
}

void
DSC_AccumulateDeltaFrequency(const struct timespec *now, double dfreq_ppm, DSC_Change *change)
{
  double old = frequency, chrony_ppm = -frequency * 1e6;

  memset(change, 0, sizeof *change);
  if (!initialised)
    return;
  account(now);
  /* chronyd's LCL_AccumulateDeltaFrequency, in its sign: dfreq is the
     gradient of the offset, so it scales with the rest of the second */
  chrony_ppm += dfreq_ppm * 1e-6 * (1e6 - chrony_ppm);
  frequency = clamp(-chrony_ppm * 1e-6, params.max_drift * 1e-6);
  change->dfreq = frequency - old;
  /* The slew in progress continues on top of the new frequency */
  start_slew(now);
}

void
DSC_AccumulateOffset(const struct timespec *now, double offset, DSC_Change *change)
{
  memset(change, 0, sizeof *change);
  if (!initialised)
    return;
  account(now);
  /* offset is chronyd's (positive: the clock is fast), pending ours */
  pending -= offset;
  change->doffset = -offset;
  /* As chronyd's doffset: slewed as fast as maxslewrate allows */
  corr_rate = 0.0;
  start_slew(now);
}

int
DSC_MakeStep(const struct timespec *now, double *step)
{
  *step = 0.0;
  if (!initialised)
    return 0;
  account(now);
  /* The cooked time does not move: what was still to slew is stepped */
  if (!driver->step(driver, now, pending))
    return 0;
  *step = pending;
  pending = 0.0;
  start_slew(now);
  return 1;
}

DSC_Status
DSC_Update(const struct timespec *now, const DSC_Estimate *est, DSC_Change *change)
{
  double old_w, new_w, sum_w, delta, skew1, skew2, new_freq, interval;
  DSC_Status status = DSC_SLEWED;

  memset(change, 0, sizeof *change);
  account(now);

  interval = n_updates > 0 ? UTI_DiffTimespecsToDouble(now, &last_update) : 0.0;
  n_updates++;

  if (params.maxchange_offset > 0.0 && n_updates > params.maxchange_start &&
      fabs(est->offset) > params.maxchange_offset) {
    if (params.maxchange_ignore >= 0 && n_ignored >= params.maxchange_ignore)
      return DSC_EXIT;
    /* As chronyd, the allowance is for the whole run, not per burst */
    n_ignored++;
    return DSC_IGNORED;
  }

  /* Frequency: the previous estimate is relatively 0 with our skew, the
     new one est->frequency with its skew */
  new_freq = frequency;
  if (est->skew > 0.0 && est->skew <= params.max_update_skew * 1e-6) {
    old_w = 1.0 / (skew * skew);
    new_w = NEW_WEIGHT / (est->skew * est->skew);
    sum_w = old_w + new_w;
    delta = est->frequency * new_w / sum_w;
    skew1 = sqrt((delta * delta * old_w +
                  (est->frequency - delta) * (est->frequency - delta) * new_w) / sum_w);
    skew2 = (skew * old_w + est->skew * new_w) / sum_w;
    skew = skew1 + skew2;
    new_freq = clamp(frequency + delta, params.max_drift * 1e-6);
  }
  change->dfreq = new_freq - frequency;
  residual_freq = est->frequency - change->dfreq;
  frequency = new_freq;

  change->doffset = est->offset;
  if (want_step(est->offset)) {
    /* The slew in progress goes with the step */
    if (driver->step(driver, now, pending + est->offset)) {
      pending = 0.0;
      status = DSC_STEPPED;
    } else {
      pending += est->offset;
    }
  } else {
    pending += est->offset;
  }
  corr_rate = params.corr_time_ratio * 0.5 * est->offset_sd * interval;
  start_slew(now);

  if (n_updates > 1)
    last_interval = interval;
  last_update = *now;
  last_offset = est->offset;
  avg2_offset = n_updates == 1 ? est->offset * est->offset :
                avg2_offset + 0.1 * (est->offset * est->offset - avg2_offset);
  synchronised = 1;
  ref_id = est->ref_id;
  ref_ip = est->ref_ip;
  ref_stratum = est->stratum + 1;
  last_offset_sd = est->offset_sd;
  update_leap(now, est->leap);
  root_delay = est->root_delay;
  root_dispersion = est->root_dispersion;

  push_sync_status();
  return status;
}

void
DSC_SetUnsynchronised(const struct timespec *now)
{
  synchronised = 0;
  ref_leap = 3;
  /* A leap second already armed stays armed: it is still due */
  if (driver)
    push_sync_status();
}

int
DSC_Tick(const struct timespec *now)
{
  int reset = 0;

  if (!initialised)
    return 0;
  account(now);
  /* A timer may fire a little early */
  if (leap_sec && leap_due(now))
    reset = apply_leap(now);
  if (slewing && UTI_DiffTimespecsToDouble(now, &slew_end) > -SLEW_END_SLACK)
    start_slew(now);
  return reset;
}

int
DSC_GetNextEvent(struct timespec *when)
{
  struct timespec leap;

  if (!initialised || (!slewing && !leap_sec))
    return 0;
  if (leap_sec) {
    /* Raw time of the leap, with the correction as of now; the tick
       checks again and the caller asks again after it */
    leap.tv_sec = leap_time;
    leap.tv_nsec = 0;
    UTI_AddDoubleToTimespec(&leap, leap_tick_time() - (double)leap_time -
                            (leap_mode == DSC_LEAP_SYSTEM ? 0.0 :
                             DSC_GetCorrection(&slew_last)), &leap);
    if (!slewing || UTI_DiffTimespecsToDouble(&leap, &slew_end) < 0.0) {
      *when = leap;
      return 1;
    }
  }
  *when = slew_end;
  return 1;
}

double
DSC_GetCorrection(const struct timespec *now)
{
  double c;

  if (!initialised)
    return 0.0;
  c = pending - slewed(UTI_DiffTimespecsToDouble(now, &slew_last));
  if (driver->get_virtual_offset)
    c += driver->get_virtual_offset(driver, now);
  return c;
}

void
DSC_CookTime(const struct timespec *raw, struct timespec *cooked)
{
  UTI_AddDoubleToTimespec(raw, DSC_GetCorrection(raw), cooked);
}

int
DSC_IsSynchronised(void)
{
  return synchronised;
}

static double
dispersion_at(const struct timespec *now)
{
  double elapsed = UTI_DiffTimespecsToDouble(now, &last_update);

  if (elapsed < 0.0)
    elapsed = 0.0;
  return root_dispersion +
         elapsed * (skew + fabs(residual_freq) + params.max_clock_error * 1e-6);
}

void
DSC_GetReferenceParams(const struct timespec *now, REF_Params *p)
{
  memset(p, 0, sizeof *p);
  if (!synchronised) {
    p->leap = 3;
    p->stratum = 0;
    return;
  }
  p->leap = ref_leap;
  p->stratum = ref_stratum;
  p->ref_id = ref_id;
  p->ref_time = last_update;
  p->root_delay = root_delay;
  p->root_dispersion = dispersion_at(now);
}

void
DSC_GetTracking(const struct timespec *now, DSC_Tracking *t)
{
  memset(t, 0, sizeof *t);
  t->ref_id = ref_id;
  t->ref_ip = ref_ip;
  t->stratum = synchronised ? ref_stratum : 0;
  t->leap = synchronised ? ref_leap : 3;
  t->ref_time = last_update;
  t->current_correction = DSC_GetCorrection(now);
  t->last_offset = -last_offset;
  t->rms_offset = sqrt(avg2_offset);
  t->freq_ppm = -frequency * 1e6;
  t->resid_freq_ppm = -residual_freq * 1e6;
  t->skew_ppm = skew * 1e6;
  t->root_delay = root_delay;
  t->root_dispersion = synchronised ? dispersion_at(now) : 0.0;
  t->last_update_interval = last_interval;
}

void
DSC_GetFrequency(double *freq_ppm, double *skew_ppm)
{
  *freq_ppm = -frequency * 1e6;
  *skew_ppm = skew * 1e6;
}
