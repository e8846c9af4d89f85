/*
  ntsd - clock discipline

  Turns the selected (combined) estimate of the sources into corrections of
  the clock: the frequency is a skew-weighted average of the previous and
  the new estimate, and the offset is slewed by a temporary extra frequency,
  larger offsets faster (corrtimeratio), never faster than maxslewrate, or
  stepped as makestep allows.  The clock itself is behind a driver: the
  Linux kernel, a simulated clock for tests, or none (-x).

  Time is the raw reading of the driven clock.  While a slew is in progress
  the clock lags the correct ("cooked") time by DSC_GetCorrection(): the
  NTP client should timestamp with raw + correction, as chronyd does, so
  its measurements do not depend on the progress of the slew.

  Frequencies are fractions (1e-6 = 1 ppm) except in the configuration
  parameters, which keep chrony's units.  A positive frequency correction
  makes the clock run faster.
*/
#ifndef NTSD_DISCIPLINE_H
#define NTSD_DISCIPLINE_H

#include <stdint.h>
#include <time.h>

#include "leapsec.h"
#include "reference.h"
#include "util.h"

/* A clock driver; the discipline owns nothing of it */
typedef struct DSC_Driver DSC_Driver;
struct DSC_Driver {
  const char *name;
  void *data;
  /* Largest |frequency| that set_frequency can apply */
  double max_frequency;
  /* The leap argument of set_sync_status makes the driver (the kernel)
     insert or delete the second at midnight: leapsecmode system */
  int can_leap;
  /* Set the frequency correction; returns the value actually applied */
  double (*set_frequency)(DSC_Driver *drv, const struct timespec *now, double freq);
  /* Step the clock by offset seconds; returns 1 if done */
  int (*step)(DSC_Driver *drv, const struct timespec *now, double offset);
  /* Kernel synchronisation status for other programs (may be NULL);
     leap 1 or 2 (only ever on the day of the leap second, and only in
     leapsecmode system) asks a can_leap driver to apply it at midnight */
  void (*set_sync_status)(DSC_Driver *drv, int synchronised, int leap,
                          double est_error, double max_error);
  /* Correction not applied to the clock, added to the cooked time (NULL
     for drivers that apply everything) */
  double (*get_virtual_offset)(DSC_Driver *drv, const struct timespec *now);
  void (*finalise)(DSC_Driver *drv);
};

/* Drivers.  The Linux one sets the real clock: never used by tests. */
/* rtc_sync: clear STA_UNSYNC while synchronised, so that the kernel
   copies the time to the RTC every 11 minutes (rtcsync) */
DSC_Driver *DSC_CreateLinuxDriver(int rtc_sync);   /* NULL if unavailable */
DSC_Driver *DSC_CreateReadOnlyDriver(void);   /* -x: tracks, never applies */

/* leapsecmode, in conf.h's order */
typedef enum {
  DSC_LEAP_SYSTEM = 0,        /* the driver (kernel); step if it cannot */
  DSC_LEAP_SLEW,              /* slewed from the leap on, as an offset */
  DSC_LEAP_STEP,              /* stepped by the discipline at midnight */
  DSC_LEAP_IGNORE,            /* left to the sources to correct */
} DSC_LeapMode;

typedef struct {
  double corr_time_ratio;     /* corrtimeratio, default 3.0 */
  double max_slew_rate;       /* maxslewrate, ppm, default 83333.333 */
  double max_update_skew;     /* maxupdateskew, ppm, default 1000.0 */
  double max_drift;           /* maxdrift, ppm, default 500000.0 */
  double max_clock_error;     /* maxclockerror, ppm, default 1.0 */
  double makestep_threshold;  /* makestep, s; 0 with limit 0: never step */
  int makestep_limit;         /* updates that may step; negative: any */
  double maxchange_offset;    /* maxchange, s; 0: off (default) */
  int maxchange_start;        /* checked from this update on */
  int maxchange_ignore;       /* ignored updates before giving up; -1: never */
  double initial_frequency;   /* from the drift file, ppm (chrony sign) */
  double initial_skew;        /* from the drift file, ppm; 0: unknown */
  DSC_LeapMode leap_mode;
  /* From leapsectz or leapseclist, used when the sources announce no
     leap; NULL: none.  Must outlive the discipline. */
  const LSC_Table *leap_table;
} DSC_Params;

void DSC_DefaultParams(DSC_Params *params);

/* The estimate from source selection */
typedef struct {
  double offset;              /* correct - cooked time, s, at now */
  double offset_sd;
  double frequency;           /* rate the offset grows: the correction to add */
  double skew;
  double root_delay, root_dispersion;  /* of the selected source, ours */
  int stratum;                /* of the selected source */
  int leap;                   /* voted by the sources: 0-2 */
  uint32_t ref_id;
  IPAddr ref_ip;
} DSC_Estimate;

typedef enum {
  DSC_SLEWED = 0,
  DSC_STEPPED,
  DSC_IGNORED,                /* maxchange exceeded, within its allowance */
  DSC_EXIT,                   /* maxchange exceeded too often: chronyd exits */
} DSC_Status;

/* How the clock changed: pass it to SST_SlewSamples of every source */
typedef struct {
  double dfreq;
  double doffset;
} DSC_Change;

/* The driver is kept until DSC_Finalise; its frequency is set at once */
void DSC_Initialise(const DSC_Params *params, DSC_Driver *driver,
                    const struct timespec *now);
void DSC_Finalise(void);

DSC_Status DSC_Update(const struct timespec *now, const DSC_Estimate *est,
                      DSC_Change *change);

/* Run-time changes, as chronyc's commands: makestep THRESHOLD LIMIT (the
   limit counts the updates from this call on) and maxupdateskew (ppm) */
void DSC_SetMakeStep(double threshold, int limit);
void DSC_SetMaxUpdateSkew(double skew_ppm);
/* chronyc dfreq and doffset, in chronyd's signs: dfreq_ppm positive slows
   the clock, offset positive (the clock is fast) is slewed back.  change
   receives what the sources' histories need (SST_SlewSamples). */
void DSC_AccumulateDeltaFrequency(const struct timespec *now, double dfreq_ppm,
                                  DSC_Change *change);
void DSC_AccumulateOffset(const struct timespec *now, double offset, DSC_Change *change);
/* chronyc makestep: step the clock by the correction still to slew, so
   the cooked time stays; *step is that correction (cooked - raw).
   Returns 0 if the driver could not step. */
int DSC_MakeStep(const struct timespec *now, double *step);

/* Selection failed: the frequency is kept, the reference is lost */
void DSC_SetUnsynchronised(const struct timespec *now);

/* Ends or continues slews and applies a leap second; call at the time
   from DSC_GetNextEvent().  Returns DSC_TICK_RESET when the sources'
   histories no longer match the clock (a leap second in leapsecmode
   ignore): reset them. */
#define DSC_TICK_RESET 1
int DSC_Tick(const struct timespec *now);
/* Returns 0 when nothing is due */
int DSC_GetNextEvent(struct timespec *when);

/* Cooked minus raw time at now (raw time of the driven clock) */
double DSC_GetCorrection(const struct timespec *now);
/* raw + DSC_GetCorrection(raw): what the NTP client and server should use
   as the time; raw itself while the discipline is not running (-q/-Q).
   raw and cooked may be the same */
void DSC_CookTime(const struct timespec *raw, struct timespec *cooked);

/* Whether a measurement at cooked time t could span a leap second (from
   a few seconds before it to a few after): chronyd drops those samples */
int DSC_IsLeapSecondClose(const struct timespec *t);

/* What the NTP server publishes (REF_Params) */
int DSC_IsSynchronised(void);
void DSC_GetReferenceParams(const struct timespec *now, REF_Params *params);

/* The tracking report */
typedef struct {
  uint32_t ref_id;
  IPAddr ref_ip;
  int stratum;                /* ours; 0 unsynchronised */
  int leap;                   /* 3 unsynchronised */
  struct timespec ref_time;   /* of the last update */
  double current_correction;  /* cooked - raw now, s */
  double last_offset;         /* s, the last correction (chrony sign: -offset) */
  double rms_offset;
  double freq_ppm;            /* chrony sign: positive, clock fast uncorrected */
  double resid_freq_ppm;
  double skew_ppm;
  double root_delay, root_dispersion;
  double last_update_interval;
} DSC_Tracking;

void DSC_GetTracking(const struct timespec *now, DSC_Tracking *report);

/* The estimate the drift file should record (ppm, chrony sign) */
void DSC_GetFrequency(double *freq_ppm, double *skew_ppm);

#endif
