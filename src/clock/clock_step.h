/*
  ntsd - one-off clock step

  The clock-driver hook of -q: step the system clock once by an offset.
  It refuses, without trying, when the process lacks CAP_SYS_TIME in its
  effective set, so a test run without that capability can never change
  the clock, even by mistake.
*/
#ifndef NTSD_CLOCK_STEP_H
#define NTSD_CLOCK_STEP_H

/* 1 if the process may set the clock */
int CLS_CanStep(void);

/* Step the clock by offset seconds (positive: forward).  Returns 1 if
   stepped, 0 if refused or failed (logged). */
int CLS_StepOnce(double offset);

#endif
