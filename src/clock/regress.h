/*
  ntsd - weighted linear regression

  Fits offset = b0 + b1 * time over a bounded history of samples, and
  decides with a runs test how many of the oldest samples no longer fit a
  straight line (the clock frequency or the path changed) and should be
  dropped.  Pure: no I/O, no state.
*/
#ifndef NTSD_REGRESS_H
#define NTSD_REGRESS_H

#define RGR_MAX_POINTS 64

typedef struct {
  double b0;        /* y at x = 0 */
  double b1;        /* slope */
  double s2;        /* residual variance of a point of weight 1 */
  double sb0, sb1;  /* standard errors of b0 and b1 */
  int start;        /* first point used; older ones failed the runs test */
  int n_runs;       /* runs of residual signs in the points used */
  int dof;          /* degrees of freedom: points used - 2 */
} RGR_Result;

/* Weighted least squares on the n points; w are weights (inverse relative
   variances: a point of weight 4 has half the error of one of weight 1).
   Returns 0 if n < 2 or the x are all equal. */
int RGR_WeightedRegression(const double *x, const double *y, const double *w,
                           int n, RGR_Result *result);

/* Regression over the newest points that pass the runs test (points are
   ordered oldest first), keeping at least min_points (>= 3).  Returns 0
   if n < 3. */
int RGR_FindBestRegression(const double *x, const double *y, const double *w,
                           int n, int min_points, RGR_Result *result);

/* Smallest number of runs of n_pos positive and n_neg negative residuals
   that is not evidence of a trend (5% one-sided) */
int RGR_CriticalRuns(int n_pos, int n_neg);

/* Student's t for a two-sided 95% interval with dof degrees of freedom */
double RGR_GetTCoef(int dof);

#endif
