/*
  ntsd - the measurement of one NTP exchange

  RFC 5905's on-wire calculation, as chronyd makes it: from our transmit
  and receive times (t1, t4) and the server's (t2, t3) in its reply, the
  offset, the round-trip delay and the dispersion of the measurement, and
  from those and the reply's root delay and dispersion a sample for the
  source registry; and the tests chronyd runs on a reply before it takes
  the sample.  Pure: no state, no I/O.
*/
#ifndef NTSD_NTP_SAMPLE_H
#define NTSD_NTP_SAMPLE_H

#include <stdint.h>
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

/* chronyd's tests of a reply, a bit each, set when passed; the bits are
   those of the ntpdata report (cmd_wire.h).  RFC 5905's tests 1, 2, 3
   and 5 make a reply valid (it counts for reachability and the report),
   6 and 7 usable for time, and chronyd's A to D a sample for the
   statistics.  A test that is not reached shows as failed. */
#define NSP_TEST_1 0x200        /* not a duplicate */
#define NSP_TEST_2 0x100        /* answers our latest request */
#define NSP_TEST_3 0x080        /* no zero timestamp */
#define NSP_TEST_5 0x040        /* authenticated as configured */
#define NSP_TEST_6 0x020        /* the server is synchronised */
#define NSP_TEST_7 0x010        /* root distance below NSP_MAX_DISPERSION */
#define NSP_TEST_A 0x008        /* maxdelay, and sane intervals */
#define NSP_TEST_B 0x004        /* maxdelayratio */
#define NSP_TEST_C 0x002        /* maxdelaydevratio */
#define NSP_TEST_D 0x001        /* no synchronisation loop */
#define NSP_TESTS_VALID (NSP_TEST_1 | NSP_TEST_2 | NSP_TEST_3 | NSP_TEST_5)
#define NSP_TESTS_SYNCED (NSP_TEST_6 | NSP_TEST_7)
#define NSP_TESTS_GOOD (NSP_TEST_A | NSP_TEST_B | NSP_TEST_C | NSP_TEST_D)
#define NSP_TESTS_ALL (NSP_TESTS_VALID | NSP_TESTS_SYNCED | NSP_TESTS_GOOD)

/* Tests 3, 6 and 7 of a reply, h and info as parsed: the bits of those
   it passes */
int NSP_CheckReply(const NPK_Header *h, const NPK_Info *info);

/* The sample of a reply that answers our request (not a KoD): t1 and t4
   our transmit and receive times, precision ours.  Returns 1 with sample
   (its time t4) and server_interval (t3 - t2) filled, or 0, leaving them
   alone, when the reply fails test 3, 6 or 7 or runs an interval
   backwards or the server's beyond NSP_MAX_DISPERSION (then test A
   fails).  The delay is at least our precision. */
int NSP_MakeSample(const NPK_Header *h, const NPK_Info *info, const struct timespec *t1,
                   const struct timespec *t4, int precision, SRC_Sample *sample,
                   double *server_interval);

/* Test D: a server of stratum 2 or more whose reference id is that of
   local_addr, our address towards it, is synchronised to us.  Only in
   normal operation (normal 0: -q/-Q, which serve no one).  1: passed. */
int NSP_CheckSyncLoop(int stratum, uint32_t ref_id, const IPAddr *local_addr, int normal);

/* Tests A, B and C: within_maxdelay is the client's own verdict, failed
   the SST_BAD_* flags (srcstats.h) the source's statistics found.
   Returns the bits of the tests passed. */
int NSP_DelayTests(int within_maxdelay, int failed);

#endif
