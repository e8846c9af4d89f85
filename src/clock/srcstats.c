/*
  ntsd - per-source statistics

  The weighting of samples by delay is chronyd's: a sample whose delay is
  above the minimum of the history has an error that grows with the
  excess, so its weight falls with the square of (1 + excess / sd), sd
  being the spread of the delays (median over minimum).  It must not come
  from the fit's own standard deviation: weights that narrow with it make
  the fit rest on the few fastest samples, its standard deviation shrink
  further, and the delay test (10 of them) throw out most samples of a
  source with microseconds of jitter.
*/
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"
#include "regress.h"
#include "srcstats.h"
#include "util.h"

/* chronyd's assumed ratio of the spread of the distances (median over
   minimum) to the standard deviation of the offsets */
#define SD_TO_DIST_RATIO 0.7
#define MIN_SKEW 1e-12
/* The delay tests need a meaningful minimum delay and std dev first
   (chronyd's) */
#define MIN_SAMPLES_FOR_DELAY_TESTS 6

struct SST_Stats {
  SST_Params params;
  int n_samples;
  SRC_Sample samples[SST_MAX_SAMPLES];

  /* Results of the last regression, at the time of the newest sample */
  int n_runs;
  int last_dropped;
  int fitted;                  /* a regression succeeded since the reset */
  double last_orig_offset;     /* of the newest sample, never corrected */
  struct timespec offset_time;
  double offset, offset_sd, frequency, skew, std_dev;
};

void
SST_DefaultParams(SST_Params *p)
{
  memset(p, 0, sizeof *p);
  p->min_samples = 0;
  p->max_samples = SST_MAX_SAMPLES;
  p->max_delay = 3.0;
  p->max_delay_ratio = 0.0;
  p->max_delay_dev_ratio = 10.0;
  p->precision = 1e-7;
  p->max_clock_error = 1e-6;
}

SST_Instance
SST_CreateInstance(const SST_Params *params)
{
  SST_Instance inst = MallocNew(struct SST_Stats);

  memset(inst, 0, sizeof *inst);
  inst->params = *params;
  if (inst->params.max_samples <= 0 || inst->params.max_samples > SST_MAX_SAMPLES)
    inst->params.max_samples = SST_MAX_SAMPLES;
  if (inst->params.min_samples > inst->params.max_samples)
    inst->params.min_samples = inst->params.max_samples;
  SST_ResetInstance(inst);
  return inst;
}

void
SST_DeleteInstance(SST_Instance inst)
{
  Free(inst);
}

void
SST_ResetInstance(SST_Instance inst)
{
  inst->n_samples = 0;
  inst->n_runs = 0;
  inst->last_dropped = 0;
  inst->fitted = 0;
  inst->offset = inst->offset_sd = inst->frequency = 0.0;
  inst->skew = SST_WORST_CASE_SKEW;
  /* Unknown until the first fit (the delay test waits for samples) */
  inst->std_dev = 1.0;
}

static double
min_delay(SST_Instance inst)
{
  double d = inst->samples[0].delay;
  int i;

  for (i = 1; i < inst->n_samples; i++)
    if (inst->samples[i].delay < d)
      d = inst->samples[i].delay;
  return d;
}

int
SST_CheckSample(SST_Instance inst, const SRC_Sample *s)
{
  double elapsed, allowed, increase, predicted;
  int failed = SST_GOOD;

  if (s->delay > inst->params.max_delay)
    failed |= SST_BAD_MAXDELAY;
  if (inst->n_samples < MIN_SAMPLES_FOR_DELAY_TESTS)
    return failed;
  /* As chronyd, the minimum delay may have grown by the frequency error
     since the last fit */
  elapsed = UTI_DiffTimespecsToDouble(&s->time, &inst->offset_time);
  if (inst->params.max_delay_ratio > 1.0 &&
      s->delay > inst->params.max_delay_ratio * min_delay(inst) +
                 elapsed * (inst->skew + inst->params.max_clock_error))
    failed |= SST_BAD_MAXDELAYRATIO;

  if (inst->params.max_delay_dev_ratio <= 0.0)
    return failed;
  allowed = inst->std_dev * inst->params.max_delay_dev_ratio +
            elapsed * (inst->skew + inst->params.max_clock_error);
  increase = (s->delay - min_delay(inst)) / 2.0;
  if (increase < allowed)
    return failed;
  /* An offset change larger than the extra delay can explain is not the
     delay's fault: keep the sample so the change is followed */
  predicted = inst->offset + elapsed * inst->frequency;
  if (fabs(s->offset - predicted) - increase > allowed)
    return failed;
  return failed | SST_BAD_MAXDELAYDEVRATIO;
}

void
SST_AccumulateSample(SST_Instance inst, const SRC_Sample *sample)
{
  if (inst->n_samples >= inst->params.max_samples) {
    memmove(&inst->samples[0], &inst->samples[1],
            (inst->n_samples - 1) * sizeof inst->samples[0]);
    inst->n_samples--;
  }
  inst->samples[inst->n_samples++] = *sample;
  inst->last_orig_offset = sample->offset;
}

static void
drop_oldest(SST_Instance inst, int n)
{
  if (n <= 0)
    return;
  memmove(&inst->samples[0], &inst->samples[n],
          (inst->n_samples - n) * sizeof inst->samples[0]);
  inst->n_samples -= n;
}

static int
compare_doubles(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double
median(const double *v, int n)
{
  double sorted[SST_MAX_SAMPLES];

  memcpy(sorted, v, n * sizeof v[0]);
  qsort(sorted, n, sizeof sorted[0], compare_doubles);
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

void
SST_DoNewRegression(SST_Instance inst)
{
  double x[SST_MAX_SAMPLES], y[SST_MAX_SAMPLES], w[SST_MAX_SAMPLES];
  double dist[SST_MAX_SAMPLES], min_dist, sd, sdw, sw;
  const SRC_Sample *last;
  RGR_Result r;
  int i, n = inst->n_samples, min_points;

  inst->last_dropped = 0;
  if (n == 0)
    return;
  last = &inst->samples[n - 1];
  inst->offset_time = last->time;

  min_dist = 0.0;
  for (i = 0; i < n; i++) {
    dist[i] = 0.5 * inst->samples[i].delay + inst->samples[i].dispersion;
    if (i == 0 || dist[i] < min_dist)
      min_dist = dist[i];
  }
  /* chronyd's: the spread of the distances, at least the clock's
     precision and at most the smallest distance itself; samples within
     the precision of the smallest distance all count fully */
  sd = (median(dist, n) - min_dist) / SD_TO_DIST_RATIO;
  if (sd > min_dist)
    sd = min_dist;
  if (sd < inst->params.precision)
    sd = inst->params.precision;
  min_dist += inst->params.precision;

  for (i = 0; i < n; i++) {
    x[i] = UTI_DiffTimespecsToDouble(&inst->samples[i].time, &last->time);
    y[i] = inst->samples[i].offset;
    sdw = 1.0;
    if (dist[i] > min_dist)
      sdw += (dist[i] - min_dist) / sd;
    w[i] = 1.0 / (sdw * sdw);
  }

  min_points = inst->params.min_samples > 3 ? inst->params.min_samples : 3;
  if (n >= 3 && RGR_FindBestRegression(x, y, w, n, min_points, &r)) {
    inst->offset = r.b0;
    inst->offset_sd = r.sb0;
    inst->frequency = r.b1;
    inst->skew = RGR_GetTCoef(r.dof) * r.sb1;
    if (inst->skew < MIN_SKEW)
      inst->skew = MIN_SKEW;
    if (inst->skew > SST_WORST_CASE_SKEW)
      inst->skew = SST_WORST_CASE_SKEW;
    /* chronyd's standard deviation of the points: of one of the mean
       weight, not of one of weight 1 (the fastest), which the
       delay test would compare the others' jitter with */
    for (i = r.start, sw = 0.0; i < n; i++)
      sw += w[i];
    inst->std_dev = sqrt(r.s2 * (n - r.start) / sw);
    if (inst->std_dev < inst->params.precision)
      inst->std_dev = inst->params.precision;
    if (inst->offset_sd < inst->params.precision)
      inst->offset_sd = inst->params.precision;
    inst->n_runs = r.n_runs;
    inst->fitted = 1;
    inst->last_dropped = r.start;
    drop_oldest(inst, r.start);
  } else {
    /* Too few samples for a frequency: the newest offset, and an error
       bound from its delay */
    inst->offset = last->offset;
    inst->offset_sd = 0.5 * last->delay + last->dispersion;
    if (inst->offset_sd < inst->params.precision)
      inst->offset_sd = inst->params.precision;
    inst->frequency = 0.0;
    inst->skew = SST_WORST_CASE_SKEW;
    inst->n_runs = 0;
  }
}

void
SST_SlewSamples(SST_Instance inst, const struct timespec *when,
                double dfreq, double doffset)
{
  double delta;
  int i;

  /* Re-read the history as if the new frequency and offset had applied
     all along, pivoting at `when`: the local clock would have read later
     by delta, so each sample was taken at a later local time and the
     source was less ahead.  Moving the times too keeps them in order with
     the samples to come after a large step. */
  for (i = 0; i < inst->n_samples; i++) {
    delta = doffset + dfreq * UTI_DiffTimespecsToDouble(&inst->samples[i].time, when);
    inst->samples[i].offset -= delta;
    UTI_AddDoubleToTimespec(&inst->samples[i].time, delta, &inst->samples[i].time);
  }
  if (inst->n_samples > 0) {
    delta = doffset + dfreq * UTI_DiffTimespecsToDouble(&inst->offset_time, when);
    inst->offset -= delta;
    UTI_AddDoubleToTimespec(&inst->offset_time, delta, &inst->offset_time);
    inst->frequency -= dfreq;
  }
}

int
SST_GetSelectionData(SST_Instance inst, const struct timespec *now,
                     SST_SelectionData *d)
{
  const SRC_Sample *last;
  double elapsed;

  memset(d, 0, sizeof *d);
  if (inst->n_samples == 0)
    return 0;
  last = &inst->samples[inst->n_samples - 1];
  elapsed = UTI_DiffTimespecsToDouble(now, &inst->offset_time);
  if (elapsed < 0.0)
    elapsed = 0.0;
  d->n_samples = inst->n_samples;
  d->offset = inst->offset + elapsed * inst->frequency;
  d->offset_sd = inst->offset_sd + elapsed * inst->skew;
  d->frequency = inst->frequency;
  d->skew = inst->skew;
  d->std_dev = inst->std_dev;
  d->root_delay = last->root_delay;
  d->root_dispersion = last->root_dispersion +
                       elapsed * (inst->skew + inst->params.max_clock_error);
  d->root_distance = 0.5 * d->root_delay + d->root_dispersion + d->offset_sd;
  d->last_sample_ago = UTI_DiffTimespecsToDouble(now, &last->time);
  d->first_sample_ago = UTI_DiffTimespecsToDouble(now, &inst->samples[0].time);
  d->stratum = last->stratum;
  d->leap = last->leap;
  return 1;
}

static double
root_distance(const SRC_Sample *s)
{
  return 0.5 * s->root_delay + s->root_dispersion;
}

void
SST_EmptyReport(SST_Report *rep)
{
  memset(rep, 0, sizeof *rep);
  rep->skew = SST_WORST_CASE_SKEW;
  rep->std_dev = SST_UNKNOWN_STD_DEV;
}

void
SST_GetReport(SST_Instance inst, SST_Report *rep)
{
  const SRC_Sample *last, *s;
  double d, elapsed, best = 0.0;
  int i;

  SST_EmptyReport(rep);
  rep->n_samples = inst->n_samples;
  rep->n_runs = inst->n_runs;
  rep->frequency = inst->frequency;
  rep->skew = inst->skew;
  /* Our own starting value weights the first samples; chronyd shows its
     own until there is a fit */
  rep->std_dev = inst->fitted ? inst->std_dev : SST_UNKNOWN_STD_DEV;
  if (inst->n_samples == 0)
    return;
  last = &inst->samples[inst->n_samples - 1];
  rep->span = UTI_DiffTimespecsToDouble(&last->time, &inst->samples[0].time);
  rep->offset_time = inst->offset_time;
  rep->offset = inst->offset;
  rep->offset_sd = inst->offset_sd;
  rep->last_time = last->time;
  rep->last_offset = last->offset;
  rep->last_orig_offset = inst->last_orig_offset;
  rep->last_distance = root_distance(last);
  rep->last_stratum = last->stratum;

  /* chronyd's best single sample: the smallest root distance grown by
     the skew up to the newest sample; the report grows it up to now */
  for (i = 0; i < inst->n_samples; i++) {
    s = &inst->samples[i];
    elapsed = UTI_DiffTimespecsToDouble(&last->time, &s->time);
    d = root_distance(s) + elapsed * inst->skew;
    if (i == 0 || d < best) {
      best = d;
      rep->best_time = s->time;
      rep->best_distance = root_distance(s);
    }
  }
}

void
SST_ReportOffset(const SST_Report *rep, const struct timespec *now,
                 double *offset, double *error)
{
  if (rep->n_samples == 0) {
    *offset = *error = 0.0;
  } else if (rep->n_samples <= 3) {
    *offset = rep->last_offset;
    *error = rep->last_distance;
  } else {
    *offset = rep->offset + rep->frequency * UTI_DiffTimespecsToDouble(now, &rep->offset_time);
    *error = rep->offset_sd + rep->skew * UTI_DiffTimespecsToDouble(now, &rep->best_time) +
             rep->best_distance;
  }
}

int
SST_GetNumberOfSamples(SST_Instance inst)
{
  return inst->n_samples;
}

int
SST_GetLastDropped(SST_Instance inst)
{
  return inst->last_dropped;
}
