/*
  ntsd - source selection

  chronyd's algorithm: Marzullo's intersection of the sources' intervals,
  a majority requirement, then the best remaining source by distance
  (stratum-weighted), kept until another has beaten it by chronyd's score
  (below), and the sources close enough to it averaged with weights
  1/distance.
  In orphan mode, sources at or above the orphan stratum only count when
  nothing else is selectable.
*/
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"
#include "select.h"

#define MIN_DISTANCE 1e-9
/* chronyd's: a source whose score passes this replaces the selected one */
#define SCORE_LIMIT 10.0

void
SEL_DefaultParams(SEL_Params *p)
{
  memset(p, 0, sizeof *p);
  p->min_sources = 1;
  p->max_distance = 3.0;
  p->max_jitter = 1.0;
  p->reselect_dist = 100e-6;
  p->stratum_weight = 0.001;
  p->combine_limit = 3.0;
  p->max_clock_error = 1e-6;
}

typedef struct {
  double value;
  int lo;             /* 1 lower end, 0 upper end */
  int trust;
} Endpoint;

static int
compare_endpoints(const void *a, const void *b)
{
  const Endpoint *x = a, *y = b;

  if (x->value < y->value)
    return -1;
  if (x->value > y->value)
    return 1;
  /* Touching intervals overlap: lower ends first */
  return y->lo - x->lo;
}

/* chronyd's selection distance, the stratum weighted from the lowest
   stratum of the candidates */
static double
sel_distance(const SEL_Params *p, const SEL_Source *s, int min_stratum)
{
  return s->root_distance + (s->stratum - min_stratum) * p->stratum_weight;
}

/* chronyd's reselection (sources.c): without a selected source the best
   score goes to the shortest distance, and all scores start again at 1
   once a source is selected.  Then, at each new sample of a candidate or
   of the selected source, the candidate's score is multiplied by the
   ratio of the selected source's distance to its own distance plus
   reselectdist (never below 1): a source consistently closer by more
   than reselectdist gains, and replaces the selected one when its score
   passes SCORE_LIMIT.  Scores of sources that are not candidates are 1. */
static int
choose_source(const SEL_Params *p, const SEL_Source *src, int n, const int *candidate,
              int previous, int updated, double *scores)
{
  int i, best = -1, min_stratum = 0, keep, any = 0;
  double prev_distance = 0.0, d;

  for (i = 0; i < n; i++) {
    if (candidate[i] && (!any || src[i].stratum < min_stratum))
      min_stratum = src[i].stratum;
    any |= candidate[i];
  }
  /* A selected source that is no longer a candidate is replaced by the
     best by distance (chronyd would take the highest accumulated score) */
  keep = previous >= 0 && previous < n && candidate[previous];
  if (keep)
    prev_distance = sel_distance(p, &src[previous], min_stratum);
  for (i = 0; i < n; i++) {
    if (!candidate[i]) {
      scores[i] = 1.0;
      continue;
    }
    d = sel_distance(p, &src[i], min_stratum) + p->reselect_dist;
    if (d < MIN_DISTANCE)
      d = MIN_DISTANCE;
    if (!keep) {
      scores[i] = 1.0 / d;
    } else if (i == updated || previous == updated) {
      scores[i] *= prev_distance / d;
      if (scores[i] < 1.0)
        scores[i] = 1.0;
    }
    if (best < 0 || scores[i] > scores[best])
      best = i;
  }
  if (keep && (best == previous || scores[best] <= SCORE_LIMIT))
    return previous;
  for (i = 0; i < n; i++)
    scores[i] = 1.0;
  return best;
}

static void
no_selection(SEL_Result *r, const char *reason)
{
  r->selected = -1;
  r->reason = reason;
}

void
SEL_SelectSource(const SEL_Params *p, const SEL_Source *src, int n, int previous,
                 int updated, double *scores, char *status, SEL_Result *r)
{
  Endpoint *ends;
  int *selectable, *candidate;
  int i, n_sel = 0, n_ends = 0, depth = 0, trust_depth = 0;
  int best_depth = 0, best_trust = 0, pending = 0, any_prefer = 0;
  int n_true = 0, n_ins = 0, n_del = 0, sel, orphan = -1;
  double best_lo = 0.0, best_hi = 0.0, lo, hi, w, sum_w, d;
  double sum_off, sum_off2, sum_freq, inv_skew2;

  memset(r, 0, sizeof *r);
  r->selected = -1;
  if (n <= 0) {
    no_selection(r, "no sources");
    return;
  }
  ends = MallocArray(Endpoint, 2 * n);
  selectable = MallocArray(int, n);
  candidate = MallocArray(int, n);
  memset(selectable, 0, n * sizeof *selectable);
  memset(candidate, 0, n * sizeof *candidate);

  for (i = 0; i < n; i++) {
    status[i] = SEL_UNUSABLE;
    if (!src[i].usable || (src[i].options & SEL_OPT_NOSELECT) ||
        src[i].leap == 3 || src[i].root_distance > p->max_distance)
      continue;
    if (src[i].std_dev > p->max_jitter) {
      status[i] = SEL_JITTERY;
      continue;
    }
    /* Orphan mode: a source no better than our local reference serves its
       own unsynchronised time (or time from within the orphan subnet) */
    if (p->orphan_stratum > 0 && src[i].stratum >= p->orphan_stratum) {
      status[i] = SEL_ORPHAN;
      /* Only a peer at the orphan stratum can be the root: one above it
         may be synchronised to us */
      if (src[i].stratum == p->orphan_stratum &&
          (orphan < 0 || src[i].ref_id < src[orphan].ref_id))
        orphan = i;
      continue;
    }
    selectable[i] = 1;
    n_sel++;
  }
  /* The subnet agrees on one root, the smallest reference id, and only
     the root itself falls back to its local reference */
  if (n_sel == 0 && orphan >= 0 && src[orphan].ref_id < src[orphan].local_ref_id) {
    selectable[orphan] = 1;
    status[orphan] = SEL_UNUSABLE;
    n_sel++;
  }
  for (i = 0; i < n; i++) {
    if (!selectable[i])
      continue;
    ends[n_ends].value = src[i].offset - src[i].root_distance;
    ends[n_ends].lo = 1;
    ends[n_ends++].trust = !!(src[i].options & SEL_OPT_TRUST);
    ends[n_ends].value = src[i].offset + src[i].root_distance;
    ends[n_ends].lo = 0;
    ends[n_ends++].trust = !!(src[i].options & SEL_OPT_TRUST);
  }
  if (n_sel == 0) {
    no_selection(r, "no selectable sources");
    goto out;
  }
  if (n_sel < p->min_sources) {
    no_selection(r, "not enough selectable sources");
    goto out;
  }

  /* The point covered by most intervals, trusted ones counting first */
  qsort(ends, n_ends, sizeof *ends, compare_endpoints);
  for (i = 0; i < n_ends; i++) {
    if (ends[i].lo) {
      depth++;
      trust_depth += ends[i].trust;
      if (trust_depth > best_trust ||
          (trust_depth == best_trust && depth > best_depth)) {
        best_trust = trust_depth;
        best_depth = depth;
        best_lo = ends[i].value;
        pending = 1;
      }
    } else {
      if (pending) {
        best_hi = ends[i].value;
        pending = 0;
      }
      depth--;
      trust_depth -= ends[i].trust;
    }
  }

  if (best_trust == 0 && 2 * best_depth <= n_sel) {
    for (i = 0; i < n; i++)
      if (selectable[i])
        status[i] = SEL_FALSETICKER;
    no_selection(r, "no majority");
    goto out;
  }

  for (i = 0; i < n; i++) {
    if (!selectable[i])
      continue;
    lo = src[i].offset - src[i].root_distance;
    hi = src[i].offset + src[i].root_distance;
    if (hi < best_lo || lo > best_hi) {
      status[i] = SEL_FALSETICKER;
      continue;
    }
    status[i] = SEL_NOT_COMBINED;
    candidate[i] = 1;
    n_true++;
    n_ins += src[i].leap == 1;
    n_del += src[i].leap == 2;
    any_prefer |= !!(src[i].options & SEL_OPT_PREFER);
  }
  r->n_truetickers = n_true;
  r->leap = 2 * n_ins > n_true ? 1 : 2 * n_del > n_true ? 2 : 0;

  for (i = 0; i < n; i++) {
    if ((src[i].options & SEL_OPT_REQUIRE) && !candidate[i]) {
      no_selection(r, "required source not selectable");
      goto out;
    }
  }
  if (any_prefer)
    for (i = 0; i < n; i++)
      if (!(src[i].options & SEL_OPT_PREFER))
        candidate[i] = 0;

  /* Hysteresis: switching costs a transient, so only for a lasting gain */
  sel = choose_source(p, src, n, candidate, previous, updated, scores);

  r->selected = sel;
  status[sel] = SEL_SELECTED;

  sum_w = sum_off = sum_off2 = sum_freq = inv_skew2 = 0.0;
  for (i = 0; i < n; i++) {
    if (!candidate[i])
      continue;
    if (i != sel) {
      if (p->combine_limit <= 0.0 ||
          src[i].root_distance > p->combine_limit * (p->reselect_dist + src[sel].root_distance) ||
          fabs(src[i].frequency - src[sel].frequency) >
            p->combine_limit * (src[i].skew + src[sel].skew + p->max_clock_error))
        continue;
      status[i] = SEL_COMBINED;
    }
    d = src[i].root_distance > MIN_DISTANCE ? src[i].root_distance : MIN_DISTANCE;
    w = 1.0 / d;
    sum_w += w;
    sum_off += w * src[i].offset;
    sum_freq += w * src[i].frequency;
    inv_skew2 += 1.0 / (src[i].skew * src[i].skew + 1e-30);
    r->n_combined++;
  }
  r->offset = sum_off / sum_w;
  r->frequency = sum_freq / sum_w;
  r->skew = 1.0 / sqrt(inv_skew2);
  for (i = 0; i < n; i++) {
    if (status[i] != SEL_SELECTED && status[i] != SEL_COMBINED)
      continue;
    d = src[i].root_distance > MIN_DISTANCE ? src[i].root_distance : MIN_DISTANCE;
    sum_off2 += (1.0 / d) * (src[i].offset_sd * src[i].offset_sd +
                             (src[i].offset - r->offset) * (src[i].offset - r->offset));
  }
  r->offset_sd = sqrt(sum_off2 / sum_w);

out:
  Free(ends);
  Free(selectable);
  Free(candidate);
}
