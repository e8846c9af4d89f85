/*
  ntsd - server counters

  The counters reported by the serverstats command.  They are plain global
  integers because they are bumped on the per-packet hot path, where a
  function call per packet buys nothing.
*/
#ifndef NTSD_STATS_H
#define NTSD_STATS_H

#include <stdint.h>

typedef struct {
  uint64_t ntp_hits;          /* NTP packets received */
  uint64_t ntp_drops;         /* NTP packets dropped (denied, rate limited, malformed) */
  uint64_t nke_hits;          /* NTS-KE connections accepted */
  uint64_t nke_drops;         /* NTS-KE connections dropped */
  uint64_t cmd_hits;          /* command packets received */
  uint64_t cmd_drops;         /* command packets dropped */
  uint64_t log_drops;         /* client log records dropped */
  uint64_t ntp_auth_hits;     /* authenticated NTP packets (NTS or symmetric key) */
  uint64_t ntp_interleaved_hits;
  uint64_t ntp_timestamps;    /* timestamps held for interleaved mode */
  double ntp_span;            /* seconds covered by those timestamps */
} STA_Counters;

extern STA_Counters STA_counters;

#endif
