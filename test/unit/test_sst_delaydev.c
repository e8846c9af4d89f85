/*
  Unit test of the delay-deviation test (chronyd's test C) of
  src/clock/srcstats.c on a source with microseconds of jitter, as a
  server on loopback or on a LAN gives: about one sample in ten is
  expected to fail it, as in chronyd.  Weighting the samples by the fit's
  own standard deviation instead of the spread of the delays once made
  it fail most of them (the fit rests on the fastest few, its standard
  deviation shrinks to the clock's precision, and ten of it are less than
  the ordinary jitter).
*/
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "srcstats.h"
#include "test.h"
#include "util.h"

static uint64_t rng = 88172645463325252ULL;

/* xorshift64: the same sequence on every run */
static double
uniform(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

static double
exponential(double mean)
{
  return -mean * log(uniform());
}

/* n samples 1/16 s apart from a server whose clock is ours; each leg
   takes base plus exponential jitter of the mean, and one sample in spike
   has extra on one leg.  Returns the fraction that failed test C. */
static double
run(int n, double base, double mean, int spike, int *n_samples)
{
  SST_Params p;
  SST_Instance inst;
  SRC_Sample s;
  double out, back;
  int i, failed = 0;

  SST_DefaultParams(&p);
  inst = SST_CreateInstance(&p);
  for (i = 0; i < n; i++) {
    out = base + exponential(mean);
    back = base + exponential(mean);
    if (spike && i % spike == spike - 1)
      out += 20 * mean;
    memset(&s, 0, sizeof s);
    UTI_DoubleToTimespec(1700000000.0 + i / 16.0, &s.time);
    s.delay = out + back;
    /* A later reply makes the server look behind */
    s.offset = (out - back) / 2.0;
    s.dispersion = 1e-7;
    s.stratum = 1;
    if (SST_CheckSample(inst, &s) & SST_BAD_MAXDELAYDEVRATIO) {
      failed++;
      continue;
    }
    SST_AccumulateSample(inst, &s);
    SST_DoNewRegression(inst);
  }
  *n_samples = SST_GetNumberOfSamples(inst);
  SST_DeleteInstance(inst);
  return (double)failed / n;
}

int
main(void)
{
  double f;
  int kept;

  /* Loopback: 1.6 us each way, 1 us of jitter, a spike now and then */
  f = run(1000, 1.6e-6, 1e-6, 50, &kept);
  printf("loopback: %.1f%% failed test C, %d samples kept\n", 100 * f, kept);
  TEST_CHECK(f < 0.25);
  TEST_CHECK(kept >= 16);

  /* A LAN: 100 us each way, 20 us of jitter */
  f = run(1000, 100e-6, 20e-6, 0, &kept);
  printf("LAN: %.1f%% failed test C, %d samples kept\n", 100 * f, kept);
  TEST_CHECK(f < 0.25);

  /* The test still works: delays far beyond the jitter fail it */
  f = run(1000, 1.6e-6, 1e-6, 2, &kept);
  printf("every other sample delayed by 20 us: %.1f%% failed test C\n", 100 * f);
  TEST_CHECK(f > 0.3);
  TEST_END();
}
