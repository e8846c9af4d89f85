/*
  ntsd - source selection

  Given the statistics of every source at one instant, decide which source
  the clock follows and which are combined with it: the intervals
  [offset - root distance, offset + root distance] of the true sources must
  share a point, and the largest set of sources that do wins if it is a
  majority.  Pure: the caller gathers the data (SST_GetSelectionData) and
  keeps the previous choice for the hysteresis.
*/
#ifndef NTSD_SELECT_H
#define NTSD_SELECT_H

#include <stdint.h>

/* chronyd's reference id of the local reference (127.127.1.1), which
   reference.c serves under `local` */
#define SEL_LOCAL_REF_ID 0x7F7F0101UL

/* Status of a source after selection, as shown by `sources` */
#define SEL_SELECTED '*'
#define SEL_COMBINED '+'
#define SEL_NOT_COMBINED '-'
#define SEL_FALSETICKER 'x'
#define SEL_JITTERY '~'
#define SEL_UNUSABLE '?'
/* Ignored in orphan mode: no better than our local reference (chronyd
   shows '?' in sources and 'O' in selectdata) */
#define SEL_ORPHAN 'O'

/* Per-source options */
#define SEL_OPT_PREFER 1
#define SEL_OPT_NOSELECT 2
#define SEL_OPT_TRUST 4
#define SEL_OPT_REQUIRE 8

typedef struct {
  int min_sources;          /* minsources, default 1 */
  double max_distance;      /* maxdistance, default 3.0 s */
  double max_jitter;        /* maxjitter, default 1.0 s */
  double reselect_dist;     /* reselectdist, default 100e-6 s */
  double stratum_weight;    /* stratumweight, default 0.001 s */
  double combine_limit;     /* combinelimit, default 3.0; 0: never combine */
  double max_clock_error;   /* maxclockerror as a fraction, default 1e-6 */
  int orphan_stratum;       /* `local stratum N orphan`: N; 0, the default: off */
} SEL_Params;

void SEL_DefaultParams(SEL_Params *params);

typedef struct {
  int usable;               /* has samples and is reachable */
  int options;              /* SEL_OPT_* */
  int stratum;
  int leap;                 /* 0 none, 1 insert, 2 delete, 3 unsynchronised */
  double offset, offset_sd; /* source - local at the selection time */
  double frequency, skew;
  double std_dev;
  double root_delay, root_dispersion;
  double root_distance;
  /* Orphan mode only: the source's reference id, and the one the source
     would see for us; the orphan with the smallest id, if smaller than
     ours, is the root of the orphan subnet */
  uint32_t ref_id, local_ref_id;
} SEL_Source;

typedef struct {
  int selected;             /* index, -1 when none */
  int n_combined;           /* sources averaged, the selected one included */
  int n_truetickers;
  double offset, offset_sd; /* the combined estimate */
  double frequency, skew;
  int leap;                 /* by majority of the truetickers */
  const char *reason;       /* why nothing was selected, or NULL */
} SEL_Result;

/* status receives one SEL_* character per source.  For the hysteresis:
   previous is the index selected last time (-1 if none), updated the
   index of the source with a new sample (-1 if none), and scores (n of
   them, 1.0 for a new source) chronyd's selection
   scores, which the caller keeps between selections and this updates
   when it gets as far as choosing (unchanged when it gives up before,
   as chronyd's). */
void SEL_SelectSource(const SEL_Params *params, const SEL_Source *sources, int n,
                      int previous, int updated, double *scores, char *status,
                      SEL_Result *result);

#endif
