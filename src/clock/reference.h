/*
  ntsd - the reference state

  What the server tells its clients about our own synchronisation: leap
  indicator, stratum, reference id and time, root delay and dispersion.
  The clock discipline updates it; until a source is selected we are
  unsynchronised, or a local reference when `local stratum N` is set.
*/
#ifndef NTSD_REFERENCE_H
#define NTSD_REFERENCE_H

#include <stdint.h>
#include <time.h>

typedef struct {
  int leap;                  /* 0-2, 3: unsynchronised */
  int stratum;               /* 0: unsynchronised (sent as 0, as chronyd) */
  uint32_t ref_id;
  struct timespec ref_time;
  double root_delay;
  double root_dispersion;
  int precision;             /* log2 seconds */
} REF_Params;

void REF_Initialise(void);
void REF_Finalise(void);

/* Parameters for a reply sent at time now */
void REF_GetReferenceParams(const struct timespec *now, REF_Params *params);

/* chronyc local: stratum 0 turns the local reference off, as `local off` */
void REF_SetLocal(int stratum, int orphan);
/* The stratum of `local ... orphan`, 0 without orphan mode */
int REF_GetOrphanStratum(void);

#endif
