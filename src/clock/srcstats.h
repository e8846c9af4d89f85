/*
  ntsd - per-source statistics

  For each time source the clock discipline keeps its own copy of the
  recent samples (the registry's copy in sources.c is never modified),
  filters them by delay, and fits a regression giving the source's offset
  and frequency relative to our clock, their errors, and the root distance
  used by source selection.  Samples are corrected whenever the discipline
  changes the clock, so the history always reads as if the current
  frequency and offset had applied all along.  Pure: no I/O.

  Convention: offsets are source minus local, so a positive frequency means
  the offset grows, i.e. our clock is slow and must be sped up by it.
*/
#ifndef NTSD_SRCSTATS_H
#define NTSD_SRCSTATS_H

#include <time.h>

#include "sources.h"

#define SST_MAX_SAMPLES 64

/* Largest frequency error a source may have, and the skew reported when
   there are too few samples to know better (chronyd's) */
#define SST_WORST_CASE_SKEW 2000e-6

typedef struct {
  int min_samples;             /* minsamples; 0: default (3) */
  int max_samples;             /* maxsamples; 0: default (64) */
  double max_delay;            /* maxdelay, s; chrony default 3.0 */
  double max_delay_ratio;      /* maxdelayratio; 0: off (default) */
  double max_delay_dev_ratio;  /* maxdelaydevratio; default 10.0 */
  double precision;            /* of the local clock, s: floor of std dev */
  double max_clock_error;      /* maxclockerror as a fraction (1 ppm) */
} SST_Params;

void SST_DefaultParams(SST_Params *params);

typedef struct SST_Stats *SST_Instance;

SST_Instance SST_CreateInstance(const SST_Params *params);
void SST_DeleteInstance(SST_Instance inst);
/* Forget all samples (e.g. the source was replaced) */
void SST_ResetInstance(SST_Instance inst);

/* Flags of the delay tests a sample fails */
typedef enum {
  SST_GOOD = 0,
  SST_BAD_MAXDELAY = 1,
  SST_BAD_MAXDELAYRATIO = 2,
  SST_BAD_MAXDELAYDEVRATIO = 4,
} SST_SampleCheck;

/* Delay tests of a new sample against the history, before accumulating:
   the SST_BAD_* flags of those it fails, each test judged on its own as
   chronyd reports them (SST_GOOD: none).  As chronyd, maxdelayratio and
   maxdelaydevratio apply from 6 samples on. */
int SST_CheckSample(SST_Instance inst, const SRC_Sample *sample);

/* Keep a sample (the oldest is dropped beyond max samples); sample times
   must not go backwards */
void SST_AccumulateSample(SST_Instance inst, const SRC_Sample *sample);

/* Fit the regression; drops old samples that fail the runs test */
void SST_DoNewRegression(SST_Instance inst);

/* The clock was changed at `when`: its frequency by dfreq (positive:
   faster) and its offset by doffset (positive: stepped or slewed forward) */
void SST_SlewSamples(SST_Instance inst, const struct timespec *when,
                     double dfreq, double doffset);

/* What source selection needs, extrapolated to now */
typedef struct {
  int n_samples;
  double offset;               /* source - local at now */
  double offset_sd;
  double frequency, skew;      /* fractions */
  double std_dev;              /* of the samples around the fit */
  double root_delay;
  double root_dispersion;      /* grown with the age of the last sample */
  double root_distance;        /* root_delay / 2 + root_dispersion + offset_sd */
  double last_sample_ago, first_sample_ago;
  int stratum, leap;
} SST_SelectionData;

/* Returns 0 when there is no sample */
int SST_GetSelectionData(SST_Instance inst, const struct timespec *now,
                         SST_SelectionData *data);

/* chronyd's standard deviation of a source before its first regression
   (the sourcestats report shows it for fewer than 3 samples) */
#define SST_UNKNOWN_STD_DEV 4.0

/* The sourcestats and sources reports */
typedef struct {
  int n_samples;
  int n_runs;
  double span;                 /* seconds from the oldest to the newest */
  double frequency, skew;      /* fractions */
  double std_dev;              /* SST_UNKNOWN_STD_DEV before the first fit */
  /* The fit: offset at offset_time, its sd */
  struct timespec offset_time;
  double offset, offset_sd;
  /* The sample with the smallest root distance at the newest one's time
     (grown by the skew), and that distance */
  struct timespec best_time;
  double best_distance;
  /* The newest sample: its offset corrected for every change of the clock
     since it was taken, as measured, and its root distance */
  struct timespec last_time;
  double last_offset, last_orig_offset, last_distance;
  int last_stratum;
} SST_Report;

/* A report of a source without samples (what a new instance gives) */
void SST_EmptyReport(SST_Report *report);
void SST_GetReport(SST_Instance inst, SST_Report *report);
/* The sourcestats estimate of the offset at now (source - local) and its
   error bound, chronyd 4.3's: the newest sample and its root distance for
   up to three samples, then the fit extrapolated to now */
void SST_ReportOffset(const SST_Report *report, const struct timespec *now,
                      double *offset, double *error);
int SST_GetNumberOfSamples(SST_Instance inst);
/* Number of samples the last runs test dropped (a hint to poll faster) */
int SST_GetLastDropped(SST_Instance inst);

#endif
