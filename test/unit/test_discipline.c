/*
  Unit tests of src/clock/discipline.c with the simulated and read-only
  drivers (never the real clock)
*/
#include <math.h>
#include <string.h>

#include "discipline.h"
#include "drv_sim.h"
#include "test.h"

static DSC_Estimate
estimate(double offset)
{
  DSC_Estimate e;

  memset(&e, 0, sizeof e);
  e.offset = offset;
  e.offset_sd = 1e-5;
  e.skew = 1e-6;
  e.frequency = 2e-6;
  e.root_delay = 1e-3;
  e.root_dispersion = 1e-4;
  e.stratum = 1;
  return e;
}

static void
test_slew_and_step(void)
{
  DSC_Params p;
  DSC_Driver *clk;
  DSC_Change ch;
  DSC_Estimate e;
  REF_Params ref;
  struct timespec raw, when;
  double t = 0.0;
  int i;

  clk = DRV_CreateSimDriver(0.0, 0.0, -0.01, 1, 1700000000);
  DSC_DefaultParams(&p);
  p.makestep_threshold = 1.0;
  p.makestep_limit = 2;
  p.maxchange_offset = 10.0;
  p.maxchange_ignore = 1;
  DRV_SimRead(clk, &raw);
  DSC_Initialise(&p, clk, &raw);
  TEST_CHECK(!DSC_IsSynchronised());

  e = estimate(0.01);
  TEST_CHECK(DSC_Update(&raw, &e, &ch) == DSC_SLEWED);
  TEST_CHECK(ch.doffset == 0.01);
  TEST_CHECK(fabs(ch.dfreq - 2e-6 * 3.0 / (3.0 + 1.0 / 4e6)) < 1e-8);
  TEST_CHECK(fabs(DSC_GetCorrection(&raw) - 0.01) < 1e-12);
  TEST_CHECK(DSC_GetNextEvent(&when));
  for (i = 0; i < 10 && DSC_GetNextEvent(&when); i++) {
    DRV_SimRead(clk, &raw);
    t += UTI_DiffTimespecsToDouble(&when, &raw) / (1.0 + DRV_SimRateError(clk)) + 1e-7;
    DRV_SimAdvance(clk, t);
    DRV_SimRead(clk, &raw);
    DSC_Tick(&raw);
  }
  /* The clock error of -10 ms is slewed away, the rest is the new
     frequency's doing */
  TEST_CHECK(fabs(DRV_SimError(clk)) < 1e-4);
  TEST_CHECK(fabs(DSC_GetCorrection(&raw)) < 1e-6);
  TEST_CHECK(DSC_IsSynchronised());
  DSC_GetReferenceParams(&raw, &ref);
  TEST_CHECK(ref.stratum == 2 && ref.leap == 0);
  TEST_CHECK(ref.root_dispersion >= 1e-4);

  /* Second update may step */
  e = estimate(2.0);
  TEST_CHECK(DSC_Update(&raw, &e, &ch) == DSC_STEPPED);
  TEST_CHECK(DRV_SimSteps(clk) == 1);
  TEST_CHECK(fabs(DRV_SimError(clk) - 2.0) < 1e-3);
  /* Third may not: slewed */
  e = estimate(-1.5);
  TEST_CHECK(DSC_Update(&raw, &e, &ch) == DSC_SLEWED);
  TEST_CHECK(DRV_SimSteps(clk) == 1);
  /* maxchange: ignored once, then give up */
  e = estimate(20.0);
  TEST_CHECK(DSC_Update(&raw, &e, &ch) == DSC_IGNORED);
  TEST_CHECK(DSC_Update(&raw, &e, &ch) == DSC_EXIT);
  /* Skew beyond maxupdateskew: frequency kept */
  e = estimate(0.0);
  e.skew = 2e-3;
  DSC_Update(&raw, &e, &ch);
  TEST_CHECK(ch.dfreq == 0.0);

  DSC_SetUnsynchronised(&raw);
  DSC_GetReferenceParams(&raw, &ref);
  TEST_CHECK(ref.leap == 3 && ref.stratum == 0);
  DSC_Finalise();
  DRV_DestroySimDriver(clk);
}

static void
test_read_only(void)
{
  DSC_Params p;
  DSC_Driver *drv = DSC_CreateReadOnlyDriver();
  DSC_Change ch;
  DSC_Estimate e;
  struct timespec now = {1700000000, 0}, later;

  DSC_DefaultParams(&p);
  DSC_Initialise(&p, drv, &now);
  e = estimate(0.5);
  e.skew = 2e-3;       /* offset only */
  DSC_Update(&now, &e, &ch);
  /* Nothing applied, so the correction stays while the slew "runs" */
  later = now;
  later.tv_sec += 100;
  DSC_Tick(&later);
  TEST_CHECK(fabs(DSC_GetCorrection(&later) - 0.5) < 1e-9);
  DSC_Finalise();
}

/* A deleted leap second (TAI-UTC down by one at 2017-01-01, from the
   table): announced with leap indicator 2, applied at 23:59:59 by a step
   forward (system mode falls back to step on a driver that cannot leap),
   and measurements around it dropped */
static void
test_leap_deletion(void)
{
  static LSC_Entry entries[] = { {1467331200, 36}, {1483228800, 35} };
  LSC_Table table = { 2, entries, 0 };
  DSC_Params p;
  DSC_Driver *drv = DSC_CreateReadOnlyDriver();
  DSC_Change ch;
  DSC_Estimate e;
  REF_Params ref;
  struct timespec now = {1483228800 - 600, 0}, when, ts = {0, 0};

  DSC_DefaultParams(&p);
  p.leap_mode = DSC_LEAP_SYSTEM;
  p.leap_table = &table;
  DSC_Initialise(&p, drv, &now);
  e = estimate(0.0);
  e.skew = 2e-3;       /* offset only: the cooked time stays the raw time */
  DSC_Update(&now, &e, &ch);
  DSC_GetReferenceParams(&now, &ref);
  TEST_CHECK(ref.leap == 2);
  TEST_CHECK(DSC_GetNextEvent(&when));
  TEST_CHECK(when.tv_sec == 1483228799 && when.tv_nsec == 0);
  /* 5 s either side of 23:59:59 */
  ts.tv_sec = 1483228794;
  TEST_CHECK(!DSC_IsLeapSecondClose(&ts));
  ts.tv_sec = 1483228795;
  TEST_CHECK(DSC_IsLeapSecondClose(&ts));
  ts.tv_sec = 1483228803;
  TEST_CHECK(DSC_IsLeapSecondClose(&ts));
  ts.tv_sec = 1483228804;
  TEST_CHECK(!DSC_IsLeapSecondClose(&ts));

  now.tv_sec = 1483228798;
  now.tv_nsec = 500000000;
  DSC_Tick(&now);
  TEST_CHECK(fabs(DSC_GetCorrection(&now)) < 1e-9);
  now.tv_sec = 1483228799;
  now.tv_nsec = 0;
  DSC_Tick(&now);
  TEST_CHECK(fabs(DSC_GetCorrection(&now) - 1.0) < 1e-9);
  DSC_CookTime(&now, &ts);
  TEST_CHECK(ts.tv_sec == 1483228800 && ts.tv_nsec == 0);
  DSC_GetReferenceParams(&now, &ref);
  TEST_CHECK(ref.leap == 0);
  TEST_CHECK(!DSC_GetNextEvent(&when));
  /* Still dropped just after the new midnight, not later */
  ts.tv_sec = 1483228805;
  TEST_CHECK(DSC_IsLeapSecondClose(&ts));
  ts.tv_sec = 1483228810;
  TEST_CHECK(!DSC_IsLeapSecondClose(&ts));
  /* A source still announcing it is not heeded on the next day */
  now.tv_sec += 60;
  e.leap = 2;
  DSC_Update(&now, &e, &ch);
  DSC_GetReferenceParams(&now, &ref);
  TEST_CHECK(ref.leap == 0);
  TEST_CHECK(!DSC_GetNextEvent(&when));
  DSC_Finalise();

  /* leapsecmode ignore: the sources are reset at 23:59:59, and the clock,
     a second behind, is still on the last day a second longer without
     the leap being armed again */
  drv = DSC_CreateReadOnlyDriver();
  p.leap_mode = DSC_LEAP_IGNORE;
  now.tv_sec = 1483228800 - 600;
  DSC_Initialise(&p, drv, &now);
  e.leap = 0;
  DSC_Update(&now, &e, &ch);
  now.tv_sec = 1483228799;
  TEST_CHECK(DSC_Tick(&now) == DSC_TICK_RESET);
  TEST_CHECK(fabs(DSC_GetCorrection(&now)) < 1e-9);
  now.tv_nsec = 900000000;
  e.leap = 2;
  DSC_Update(&now, &e, &ch);
  DSC_GetReferenceParams(&now, &ref);
  TEST_CHECK(ref.leap == 0);
  TEST_CHECK(!DSC_GetNextEvent(&when));
  DSC_Finalise();
}

/* The chronyc commands: makestep, makestep THRESHOLD LIMIT,
   maxupdateskew, dfreq and doffset */
static void
test_commands(void)
{
  DSC_Params p;
  DSC_Driver *clk;
  DSC_Change ch;
  DSC_Estimate e;
  DSC_Tracking t;
  struct timespec raw;
  double step, f0;

  clk = DRV_CreateSimDriver(0.0, 0.0, 0.0, 1, 1700000000);
  DSC_DefaultParams(&p);
  DRV_SimRead(clk, &raw);
  DSC_Initialise(&p, clk, &raw);

  /* dfreq +1 ppm (chronyd's sign): tracking's frequency grows by 1 ppm,
     the clock runs 1 ppm slower, the histories are told */
  DSC_GetTracking(&raw, &t);
  f0 = t.freq_ppm;
  DSC_AccumulateDeltaFrequency(&raw, 1.0, &ch);
  DSC_GetTracking(&raw, &t);
  TEST_CHECK(fabs(t.freq_ppm - f0 - 1.0) < 1e-9);
  TEST_CHECK(fabs(ch.dfreq + 1e-6) < 1e-12 && ch.doffset == 0.0);
  DRV_SimAdvance(clk, 1000.0);
  DRV_SimRead(clk, &raw);
  TEST_CHECK(fabs(DRV_SimError(clk) + 1e-3) < 1e-6);
  DSC_AccumulateDeltaFrequency(&raw, -1.0, &ch);

  /* doffset 0.5: the clock is fast, half a second is to be slewed back */
  DSC_AccumulateOffset(&raw, 0.5, &ch);
  TEST_CHECK(ch.doffset == -0.5);
  TEST_CHECK(fabs(DSC_GetCorrection(&raw) + 0.5) < 1e-9);
  /* makestep steps all of it at once, the cooked time stays */
  TEST_CHECK(DSC_MakeStep(&raw, &step));
  TEST_CHECK(fabs(step + 0.5) < 1e-9);
  TEST_CHECK(DRV_SimSteps(clk) == 1);
  TEST_CHECK(fabs(DSC_GetCorrection(&raw)) < 1e-9);
  TEST_CHECK(!DSC_GetNextEvent(&raw));

  /* The configuration never steps; makestep 1 2 lets the next two
     updates step, counted from the command */
  e = estimate(3.0);
  TEST_CHECK(DSC_Update(&raw, &e, &ch) == DSC_SLEWED);
  TEST_CHECK(DSC_MakeStep(&raw, &step) && fabs(step - 3.0) < 1e-9);
  DSC_SetMakeStep(1.0, 2);
  TEST_CHECK(DSC_Update(&raw, &e, &ch) == DSC_STEPPED);
  TEST_CHECK(DSC_Update(&raw, &e, &ch) == DSC_STEPPED);
  TEST_CHECK(DSC_Update(&raw, &e, &ch) == DSC_SLEWED);
  DSC_SetMakeStep(0.0, 0);

  /* maxupdateskew: an estimate with 1 ppm skew updates the frequency
     until the limit is set below it */
  e = estimate(0.0);
  DSC_Update(&raw, &e, &ch);
  TEST_CHECK(ch.dfreq != 0.0);
  DSC_SetMaxUpdateSkew(0.5);
  DSC_Update(&raw, &e, &ch);
  TEST_CHECK(ch.dfreq == 0.0);

  DSC_Finalise();
  DRV_DestroySimDriver(clk);
}

int
main(void)
{
  test_slew_and_step();
  test_read_only();
  test_leap_deletion();
  test_commands();
  TEST_END();
}
