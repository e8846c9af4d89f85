/*
  ntsd - client log and rate limiting

  A fixed-size hash table of the addresses that used the server recently,
  with per-service hit counters and token buckets.  Its memory is allocated
  once at start-up from clientloglimit: a flood of spoofed addresses only
  recycles old records, it never grows the table.
*/
#ifndef NTSD_CLIENTLOG_H
#define NTSD_CLIENTLOG_H

#include <stdint.h>
#include <time.h>

#include "util.h"

typedef enum { CLG_NTP = 0, CLG_NTSKE = 1, CLG_CMD = 2, CLG_N_SERVICES = 3 } CLG_Service;

/* Decision for one request */
typedef enum { CLG_PASS, CLG_DROP, CLG_KOD } CLG_Verdict;

/* An interval not known yet: fewer than two requests */
#define CLG_INTERVAL_UNKNOWN 127

typedef struct {
  IPAddr ip;
  uint32_t hits[CLG_N_SERVICES];
  uint32_t drops[CLG_N_SERVICES];
  double last_hit_ago[CLG_N_SERVICES];   /* seconds; < 0: never */
  int interval[CLG_N_SERVICES];          /* average between requests, log2 seconds */
  int ntp_timeout_interval;              /* the same, of NTP requests after a drop */
} CLG_Report;

/* Rate limit parameters, as the ratelimit directive */
typedef struct {
  int enabled;
  int interval;      /* log2 seconds between responses on average */
  int burst;
  int leak;          /* 1 in 2^leak limited requests is let through */
  int kod;           /* 1 in 2^kod of the rest gets a KoD RATE; 0: never */
} CLG_Limit;

void CLG_Initialise(void);
void CLG_Finalise(void);

/* Pure set-up used by CLG_Initialise and by the unit tests */
void CLG_Setup(int memory_limit, const CLG_Limit *ntp, const CLG_Limit *ntske);

/* Count a request from ip at monotonic time now (seconds) and decide
   whether to answer it */
CLG_Verdict CLG_LogAccess(CLG_Service service, const IPAddr *ip, double now);

int CLG_GetNumberOfIndices(void);
/* Returns 0 for an empty slot or an index out of range */
int CLG_GetReport(int index, double now, CLG_Report *report);
/* Zero the hits and drops of a record (clients -r); the intervals and
   times of the last requests stay */
void CLG_ResetCounters(int index);

#endif
