/*
  ntsd - simulated clock driver

  A clock with a frequency error that wanders as a random walk, advanced
  by the caller in simulated true time.  It applies the discipline's
  frequency and steps exactly, and knows its own true error, which is what
  the simulation test bed measures.  Like the Linux kernel it can insert
  a leap second (STA_INS: back by one second at midnight) or delete one
  (STA_DEL: forward by one second at 23:59:59), for leapsecmode system.
  Deterministic for a given seed.
*/
#ifndef NTSD_DRV_SIM_H
#define NTSD_DRV_SIM_H

#include <stdint.h>
#include <time.h>

#include "discipline.h"

/* freq_error: intrinsic rate error (positive: fast); wander: std dev of
   the frequency random walk per sqrt(second); offset: initial error of the
   clock (positive: ahead); epoch: the raw clock's seconds at true time 0 */
DSC_Driver *DRV_CreateSimDriver(double freq_error, double wander, double offset,
                                uint64_t seed, time_t epoch);
void DRV_DestroySimDriver(DSC_Driver *drv);

/* Advance to true time t (seconds since the start; never backwards) */
void DRV_SimAdvance(DSC_Driver *drv, double t);
/* The raw clock now */
void DRV_SimRead(DSC_Driver *drv, struct timespec *raw);
/* The raw clock at true time t near now (no wander in between) */
void DRV_SimReadAt(DSC_Driver *drv, double t, struct timespec *raw);
/* Clock minus true time, s */
double DRV_SimError(DSC_Driver *drv);
/* Rate error of the clock with the correction applied (0: perfect) */
double DRV_SimRateError(DSC_Driver *drv);
/* The intrinsic (wandering) rate error alone */
double DRV_SimFreqError(DSC_Driver *drv);
/* Steps asked by the discipline */
int DRV_SimSteps(DSC_Driver *drv);
/* Leap seconds applied by the simulated kernel (leapsecmode system) */
int DRV_SimLeaps(DSC_Driver *drv);

#endif
