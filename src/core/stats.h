/*
  ntsd - server counters

  The counters reported by the serverstats command.  They are plain global
  integers because they are bumped on the per-packet hot path, where a
  function call per packet buys nothing.
*/
#ifndef NTSD_STATS_H
#define NTSD_STATS_H

#include <stdint.h>

/* What chronyd counts: a packet or connection is "received" (a hit) only
   once it passed the format, access and mode checks, whatever happens to
   it next, and "dropped" only by the rate limiting.  Malformed packets and
   denied hosts are counted nowhere. */
typedef struct {
  uint64_t ntp_hits;          /* valid NTP requests from allowed hosts */
  uint64_t ntp_drops;         /* ... of them dropped by ratelimit */
  uint64_t nke_hits;          /* NTS-KE connections from allowed hosts */
  uint64_t nke_drops;         /* ... of them refused by ntsratelimit */
  uint64_t cmd_hits;          /* valid command requests from allowed hosts */
  uint64_t cmd_drops;         /* ... of them rate limited (not localhost) */
  uint64_t log_drops;         /* client log records dropped */
  uint64_t ntp_auth_hits;     /* authenticated NTP requests answered (no KoD) */
  uint64_t ntp_interleaved_hits;
  uint64_t ntp_timestamps;    /* timestamps held for interleaved mode */
  double ntp_span;            /* seconds covered by those timestamps */
  /* One RX and one TX timestamp per NTP response, by where it was taken;
     without interleaved mode every TX timestamp is the daemon's */
  uint64_t ntp_daemon_rx_timestamps;
  uint64_t ntp_kernel_rx_timestamps;
  uint64_t ntp_daemon_tx_timestamps;
} STA_Counters;

extern STA_Counters STA_counters;

#endif
