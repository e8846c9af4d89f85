/*
  Unit tests of src/clock/regress.c and src/clock/srcstats.c
*/
#include <math.h>
#include <string.h>

#include "regress.h"
#include "srcstats.h"
#include "test.h"
#include "util.h"

static void
test_line(void)
{
  double x[10], y[10], w[10];
  RGR_Result r;
  int i;

  for (i = 0; i < 10; i++) {
    x[i] = i - 9.0;
    y[i] = 0.5 + 2e-6 * x[i] + ((i % 2) ? 1e-6 : -1e-6);
    w[i] = 1.0;
  }
  TEST_CHECK(RGR_WeightedRegression(x, y, w, 10, &r));
  TEST_CHECK(fabs(r.b1 - 2e-6) < 2e-7);
  TEST_CHECK(fabs(r.b0 - 0.5) < 2e-6);
  TEST_CHECK(r.dof == 8);
  TEST_CHECK(r.sb1 > 0.0 && r.sb0 > 0.0);
  /* Alternating residuals: as many runs as points, nothing dropped */
  TEST_CHECK(RGR_FindBestRegression(x, y, w, 10, 3, &r));
  TEST_CHECK(r.start == 0);
  TEST_CHECK(!RGR_WeightedRegression(x, y, w, 1, &r));
  TEST_CHECK(!RGR_FindBestRegression(x, y, w, 2, 3, &r));
}

static void
test_runs(void)
{
  double x[32], y[32], w[32];
  RGR_Result r;
  int i;

  /* The slope changes at point 16: the old half must go */
  for (i = 0; i < 32; i++) {
    x[i] = i - 31.0;
    y[i] = (i < 16 ? 1e-4 * (i - 16) : 0.0) + ((i % 2) ? 1e-7 : -1e-7);
    w[i] = 1.0;
  }
  TEST_CHECK(RGR_FindBestRegression(x, y, w, 32, 3, &r));
  TEST_CHECK(r.start >= 10);
  TEST_CHECK(fabs(r.b1) < 1e-6);
  TEST_CHECK(RGR_CriticalRuns(10, 10) > 5 && RGR_CriticalRuns(10, 10) < 11);
  TEST_CHECK(RGR_CriticalRuns(5, 0) == 1);
  TEST_CHECK(RGR_GetTCoef(1) > 12.0 && RGR_GetTCoef(100) < 2.0);
}

static SRC_Sample
sample(double t, double offset, double delay)
{
  SRC_Sample s;

  memset(&s, 0, sizeof s);
  UTI_DoubleToTimespec(1700000000.0 + t, &s.time);
  s.offset = offset;
  s.delay = delay;
  s.dispersion = 1e-6;
  s.root_delay = delay;
  s.root_dispersion = 1e-5;
  s.stratum = 1;
  return s;
}

static void
test_srcstats(void)
{
  SST_Params p;
  SST_Instance inst;
  SST_SelectionData d;
  SRC_Sample s;
  struct timespec now;
  int i;

  SST_DefaultParams(&p);
  inst = SST_CreateInstance(&p);
  UTI_DoubleToTimespec(1700000000.0 + 200.0, &now);
  TEST_CHECK(!SST_GetSelectionData(inst, &now, &d));

  /* Offset growing 10 ppm: our clock is slow by 10 ppm */
  for (i = 0; i < 10; i++) {
    s = sample(i * 16.0, 1e-3 + 10e-6 * i * 16.0, 1e-4);
    TEST_CHECK(SST_CheckSample(inst, &s) == SST_GOOD);
    SST_AccumulateSample(inst, &s);
    SST_DoNewRegression(inst);
  }
  TEST_CHECK(SST_GetSelectionData(inst, &now, &d));
  TEST_CHECK(fabs(d.frequency - 10e-6) < 1e-8);
  TEST_CHECK(fabs(d.offset - (1e-3 + 10e-6 * 200.0)) < 1e-6);
  TEST_CHECK(d.root_distance > 0.5e-4);

  /* After the discipline applied exactly that, the history reads flat */
  SST_SlewSamples(inst, &now, 10e-6, 1e-3 + 10e-6 * 200.0);
  SST_DoNewRegression(inst);
  TEST_CHECK(SST_GetSelectionData(inst, &now, &d));
  TEST_CHECK(fabs(d.frequency) < 1e-8);
  TEST_CHECK(fabs(d.offset) < 1e-6);

  /* Delay filters, each judged on its own (chronyd's tests A, B, C) */
  s = sample(170.0, 0.0, 5.0);
  TEST_CHECK(SST_CheckSample(inst, &s) == (SST_BAD_MAXDELAY | SST_BAD_MAXDELAYDEVRATIO));
  s = sample(170.0, 0.0, 0.1);
  TEST_CHECK(SST_CheckSample(inst, &s) == SST_BAD_MAXDELAYDEVRATIO);
  SST_DeleteInstance(inst);

  p.max_delay_ratio = 2.0;
  inst = SST_CreateInstance(&p);
  /* As chronyd, no ratio test before 6 samples */
  for (i = 0; i < 5; i++) {
    s = sample(i * 16.0, 1e-6 * (i % 2), 1e-3);
    TEST_CHECK(SST_CheckSample(inst, &s) == SST_GOOD);
    SST_AccumulateSample(inst, &s);
    SST_DoNewRegression(inst);
  }
  s = sample(80.0, 0.0, 0.1);
  TEST_CHECK(SST_CheckSample(inst, &s) == SST_GOOD);
  s = sample(80.0, 1e-6, 1e-3);
  SST_AccumulateSample(inst, &s);
  SST_DoNewRegression(inst);
  /* With 6: twice the minimum delay, plus the frequency error since the
     fit (16 s of the worst skew 2000 ppm while there are few samples,
     32 ms) */
  s = sample(96.0, 0.0, 2e-3);
  TEST_CHECK((SST_CheckSample(inst, &s) & SST_BAD_MAXDELAYRATIO) == 0);
  /* With enough history for the deviation test too */
  for (i = 7; i < 10; i++) {
    s = sample(i * 16.0, 1e-6 * (i % 2), 1e-3);
    SST_AccumulateSample(inst, &s);
    SST_DoNewRegression(inst);
  }
  s = sample(170.0, 0.0, 1e-3);
  TEST_CHECK(SST_CheckSample(inst, &s) == SST_GOOD);
  s = sample(170.0, 0.0, 0.1);
  TEST_CHECK(SST_CheckSample(inst, &s) == (SST_BAD_MAXDELAYRATIO | SST_BAD_MAXDELAYDEVRATIO));
  s = sample(170.0, 0.0, 5.0);
  TEST_CHECK(SST_CheckSample(inst, &s) ==
             (SST_BAD_MAXDELAY | SST_BAD_MAXDELAYRATIO | SST_BAD_MAXDELAYDEVRATIO));
  SST_DeleteInstance(inst);
}

/* The sourcestats and sources reports, chronyd's semantics */
static void
test_report(void)
{
  SST_Params p;
  SST_Instance inst;
  SST_Report r;
  SRC_Sample s;
  struct timespec now;
  double off, err;
  int i;

  SST_EmptyReport(&r);
  TEST_CHECK(r.n_samples == 0 && r.std_dev == 4.0 && r.skew == SST_WORST_CASE_SKEW);
  UTI_DoubleToTimespec(1700000000.0 + 100.0, &now);
  SST_ReportOffset(&r, &now, &off, &err);
  TEST_CHECK(off == 0.0 && err == 0.0);

  SST_DefaultParams(&p);
  inst = SST_CreateInstance(&p);
  SST_GetReport(inst, &r);
  TEST_CHECK(r.n_samples == 0 && r.std_dev == 4.0 && r.frequency == 0.0);

  /* One sample: no fit, chronyd's 4 s std dev; the offset is the sample's
     (chronyd 4.3; later versions show 0), the error its root distance */
  s = sample(0.0, 2e-3, 1e-3);
  s.root_delay = 10e-3;
  s.root_dispersion = 5e-3;
  SST_AccumulateSample(inst, &s);
  SST_DoNewRegression(inst);
  SST_GetReport(inst, &r);
  SST_ReportOffset(&r, &now, &off, &err);
  TEST_CHECK(r.n_samples == 1 && r.std_dev == 4.0 && r.span == 0.0);
  TEST_CHECK(off == 2e-3 && fabs(err - 10e-3) < 1e-12);
  TEST_CHECK(r.last_offset == 2e-3 && r.last_orig_offset == 2e-3);
  TEST_CHECK(fabs(r.last_distance - 10e-3) < 1e-12);

  /* Two: the newest sample and its root distance, not extrapolated */
  s = sample(16.0, 3e-3, 1e-3);
  SST_AccumulateSample(inst, &s);
  SST_DoNewRegression(inst);
  SST_GetReport(inst, &r);
  SST_ReportOffset(&r, &now, &off, &err);
  TEST_CHECK(r.n_samples == 2 && r.std_dev == 4.0 && r.span == 16.0);
  TEST_CHECK(off == 3e-3 && fabs(err - (0.5e-3 + 1e-5)) < 1e-12);

  /* A change of the clock corrects the newest sample, not its original */
  SST_SlewSamples(inst, &now, 0.0, 1e-3);
  SST_GetReport(inst, &r);
  TEST_CHECK(fabs(r.last_offset - 2e-3) < 1e-12 && r.last_orig_offset == 3e-3);
  SST_ReportOffset(&r, &now, &off, &err);
  TEST_CHECK(fabs(off - 2e-3) < 1e-12);

  /* Past three: the fit, extrapolated to the time of the report */
  SST_ResetInstance(inst);
  for (i = 0; i < 8; i++) {
    s = sample(i * 16.0, 1e-3 + 10e-6 * i * 16.0 + ((i % 2) ? 1e-7 : -1e-7), 1e-4);
    SST_AccumulateSample(inst, &s);
    SST_DoNewRegression(inst);
  }
  SST_GetReport(inst, &r);
  TEST_CHECK(r.n_samples == 8 && r.std_dev < 1e-5);
  SST_ReportOffset(&r, &now, &off, &err);
  TEST_CHECK(fabs(off - (1e-3 + 10e-6 * 100.0)) < 1e-6);
  TEST_CHECK(err > r.offset_sd && err < 1e-3);
  UTI_DoubleToTimespec(1700000000.0 + 200.0, &now);
  SST_ReportOffset(&r, &now, &off, &err);
  TEST_CHECK(fabs(off - (1e-3 + 10e-6 * 200.0)) < 1e-6);
  SST_DeleteInstance(inst);
}

int
main(void)
{
  test_line();
  test_runs();
  test_srcstats();
  test_report();
  TEST_END();
}
