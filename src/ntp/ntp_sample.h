/*
  ntsd - the measurement of one NTP exchange

  RFC 5905's on-wire calculation, as chronyd makes it: from our transmit
  and receive times (t1, t4) and the server's (t2, t3) in its reply, the
  offset, the round-trip delay and the dispersion of the measurement, and
  from those and the reply's root delay and dispersion a sample for the
  source registry.  Pure: no state, no I/O.
*/
#ifndef NTSD_NTP_SAMPLE_H
#define NTSD_NTP_SAMPLE_H

#include <time.h>

#include "ntp_pkt.h"
#include "sources.h"

/* Beyond this a root distance or a server's processing time is bogus */
#define NSP_MAX_DISPERSION 16.0
/* Frequency tolerance (RFC 5905's PHI) */
#define NSP_PHI 15e-6

/* log2 of the precision of reading the real-time clock, as a packet's
   precision field */
int NSP_MeasurePrecision(void);

typedef enum {
  NSP_OK,
  NSP_UNSYNCHRONISED,      /* the server is not synchronised (leap 3 or stratum 16) */
  NSP_BOGUS,               /* zero timestamps, negative intervals, too far from a reference */
} NSP_Status;

/* A reply that is valid and answers our request (not a KoD): h and info
   as parsed, t1 and t4 our transmit and receive times, precision ours.
   With NSP_OK, sample (its time t4) and server_interval (t3 - t2) are
   filled; otherwise they are left alone.  The delay is at least our
   precision. */
NSP_Status NSP_MakeSample(const NPK_Header *h, const NPK_Info *info, const struct timespec *t1,
                          const struct timespec *t4, int precision, SRC_Sample *sample,
                          double *server_interval);

#endif
