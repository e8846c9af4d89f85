/*
  ntsd - weighted linear regression

  The runs test follows chronyd's idea: residuals of a good fit change
  sign at random, while a fit spanning a change of frequency leaves long
  runs of one sign.  The critical number of runs is from the normal
  approximation of the Wald-Wolfowitz distribution, which is close enough
  for the sizes used here and needs no table.
*/
#include "config.h"

#include <math.h>

#include "regress.h"

/* z of a 5% one-sided test: dropping good samples only costs some noise,
   keeping stale ones biases the frequency, so err on the side of dropping */
#define RUNS_Z 1.645

int
RGR_WeightedRegression(const double *x, const double *y, const double *w,
                       int n, RGR_Result *r)
{
  double sw = 0.0, sx = 0.0, sy = 0.0, xm, ym, sxx = 0.0, sxy = 0.0, ss = 0.0;
  double res;
  int i, runs, sign, prev_sign;

  if (n < 2)
    return 0;
  for (i = 0; i < n; i++) {
    sw += w[i];
    sx += w[i] * x[i];
    sy += w[i] * y[i];
  }
  if (sw <= 0.0)
    return 0;
  xm = sx / sw;
  ym = sy / sw;
  for (i = 0; i < n; i++) {
    sxx += w[i] * (x[i] - xm) * (x[i] - xm);
    sxy += w[i] * (x[i] - xm) * (y[i] - ym);
  }
  if (sxx <= 0.0)
    return 0;

  r->b1 = sxy / sxx;
  r->b0 = ym - r->b1 * xm;
  r->start = 0;
  r->dof = n - 2;

  runs = 0;
  prev_sign = 0;
  for (i = 0; i < n; i++) {
    res = y[i] - (r->b0 + r->b1 * x[i]);
    ss += w[i] * res * res;
    sign = res >= 0.0 ? 1 : -1;
    if (sign != prev_sign)
      runs++;
    prev_sign = sign;
  }
  r->n_runs = runs;
  /* Two points fit exactly: no estimate of the noise */
  r->s2 = r->dof > 0 ? ss / r->dof : 0.0;
  r->sb1 = sqrt(r->s2 / sxx);
  r->sb0 = sqrt(r->s2 * (1.0 / sw + xm * xm / sxx));
  return 1;
}

int
RGR_CriticalRuns(int n_pos, int n_neg)
{
  double n = n_pos + n_neg, mu, var, c;

  if (n_pos == 0 || n_neg == 0 || n < 3)
    return 1;
  mu = 1.0 + 2.0 * n_pos * n_neg / n;
  var = 2.0 * n_pos * n_neg * (2.0 * n_pos * n_neg - n) / (n * n * (n - 1.0));
  c = ceil(mu - RUNS_Z * sqrt(var > 0.0 ? var : 0.0));
  return c < 1.0 ? 1 : (int)c;
}

static int
runs_test_passes(const double *x, const double *y, const RGR_Result *r,
                 int start, int n)
{
  int i, n_pos = 0, n_neg = 0;

  for (i = start; i < n; i++) {
    if (y[i] - (r->b0 + r->b1 * x[i]) >= 0.0)
      n_pos++;
    else
      n_neg++;
  }
  return r->n_runs >= RGR_CriticalRuns(n_pos, n_neg);
}

int
RGR_FindBestRegression(const double *x, const double *y, const double *w,
                       int n, int min_points, RGR_Result *result)
{
  RGR_Result r;
  int start, step, found = 0;

  if (min_points < 3)
    min_points = 3;
  if (n < 3)
    return 0;
  if (min_points > n)
    min_points = n;

  for (start = 0; n - start >= min_points; start += step) {
    if (!RGR_WeightedRegression(x + start, y + start, w + start, n - start, &r)) {
      step = 1;
      continue;
    }
    r.start = start;
    *result = r;
    found = 1;
    if (runs_test_passes(x + start, y + start, &r, 0, n - start))
      break;
    /* Long histories converge faster when dropping several at a time */
    step = (n - start) / 16 + 1;
    if (n - start - step < min_points && n - start > min_points)
      step = n - start - min_points;
  }
  return found;
}

double
RGR_GetTCoef(int dof)
{
  static const double t[] = {
    12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23,
    2.20, 2.18, 2.16, 2.14, 2.13, 2.12, 2.11, 2.10, 2.09, 2.09,
  };

  if (dof < 1)
    return t[0];
  if (dof <= (int)(sizeof t / sizeof t[0]))
    return t[dof - 1];
  if (dof <= 30)
    return 2.06;
  if (dof <= 60)
    return 2.02;
  return 1.98;
}
