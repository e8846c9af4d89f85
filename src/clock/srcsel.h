/*
  ntsd - source selection and clock updates

  The glue between the source registry (sources.h) and the clock
  discipline, as in chronyd's sources.c: every sample of a source also goes
  into that source's statistics (srcstats.h), the sources are selected
  (select.h) after each one, and the clock is updated from the combined
  estimate whenever the selected source brought a new sample.  The drift
  file is read at start and written every driftfile interval and at exit.
  The command reports read the outcome here.
*/
#ifndef NTSD_SRCSEL_H
#define NTSD_SRCSEL_H

#include <time.h>

#include "conf.h"
#include "discipline.h"
#include "sources.h"
#include "srcstats.h"

/* Start the discipline on the driver (kept until SSL_Finalise); without
   this call or SSL_InitialiseOnce the other functions do nothing */
void SSL_Initialise(DSC_Driver *driver);
/* -q/-Q instead: the sources' statistics without the discipline, and no
   selection until SSL_SelectOnce */
void SSL_InitialiseOnce(void);
/* Select over the samples taken (the normal selection and combining);
   returns 1 with the combined offset (source minus local, s), 0 when no
   source can be selected */
int SSL_SelectOnce(double *offset);
/* Save the drift file and stop the discipline */
void SSL_Finalise(void);

/* A new sample of src; conf is the source's server or pool directive
   (NULL: defaults).  Sample times are cooked (DSC_CookTime).  Returns the
   SST_BAD_* flags of the delay tests (srcstats.h) it failed against the
   source's statistics, which keep it only when it passed them all. */
int SSL_AccumulateSample(SRC_Instance src, const CNF_Source *conf, const SRC_Sample *sample);
/* The same tests of a sample that is not to be kept (another test
   failed); a source without statistics has nothing to fail them against */
int SSL_CheckSample(SRC_Instance src, const SRC_Sample *sample);

/* The SEL_OPT_* (select.h) of a server or pool directive; NULL: none */
int SSL_ConfOptions(const CNF_Source *conf);

/* The source is being destroyed */
void SSL_RemoveSource(SRC_Instance src);

/* Forget the statistics of every source (reset sources) */
void SSL_ResetSources(void);

/* chronyc's commands (chronyd's semantics, see discipline.h); the int
   ones return 0 when the discipline is not running or cannot do it,
   except makestep, which has then nothing to step and succeeds */
int SSL_MakeStep(void);
int SSL_ModifyMakeStep(double threshold, int limit);
int SSL_ModifyMaxUpdateSkew(double skew_ppm);
int SSL_AccumulateDeltaFrequency(double dfreq_ppm);
int SSL_AccumulateOffset(double offset);
/* Select again now, forgetting the selected source */
void SSL_Reselect(void);
/* reselectdist, s: used from the next selection on */
void SSL_SetReselectDistance(double distance);

/* The outcome of the last selection for a source */
typedef struct {
  char state;                  /* SEL_* of select.h */
  char select_state;           /* chronyc selectdata's letter */
  int options;                 /* SEL_OPT_* in effect */
  int leap;
  double last_sample_ago;      /* s, at the time asked; negative: none */
  double score;                /* chronyd's selection score (select.h) */
  double lo_limit, hi_limit;   /* chronyc's sign: positive, we are ahead */
} SSL_SourceState;

/* Returns 0 for a source that has no statistics (no sample yet); now is
   cooked time, or NULL when the age of the last sample is not wanted */
int SSL_GetSourceState(SRC_Instance src, const struct timespec *now, SSL_SourceState *state);
int SSL_GetSourceStats(SRC_Instance src, SST_Report *report);

#endif
