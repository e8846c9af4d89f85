/*
  ntsd - command protocol replies

  Plain C structures for the report replies of the command protocol, with
  encoders used by the daemon and decoders used by the CLI.  An encoder
  writes the reply body after the 28-byte header of msg (the header is the
  caller's) and returns the total reply length, or 0 if msg_len is too
  small.  A decoder checks that the datagram is at least as long as its
  reply code requires and returns 1, or 0 without touching the output.
*/
#ifndef NTSD_CMD_REPLY_H
#define NTSD_CMD_REPLY_H

#include <stdint.h>
#include <time.h>

#include "cmd_wire.h"
#include "util.h"

typedef struct {
  uint32_t n_sources;
} CMR_NSources;

typedef struct {
  IPAddr ip;                 /* refclock: AF_INET with in4 = its refid */
  int16_t poll;
  uint16_t stratum;
  uint16_t state;            /* CMW_SD_ST_* */
  uint16_t mode;             /* CMW_SD_MODE_* */
  uint16_t flags;
  uint16_t reachability;
  uint32_t since_sample;     /* 0xFFFFFFFF: no sample */
  double orig_latest_meas;
  double latest_meas;
  double latest_meas_err;
} CMR_SourceData;

typedef struct {
  uint32_t ref_id;
  IPAddr ip;                 /* AF_UNSPEC unless synchronised to an NTP source */
  uint16_t stratum;
  uint16_t leap_status;
  struct timespec ref_time;
  double current_correction;
  double last_offset;
  double rms_offset;
  double freq_ppm;
  double resid_freq_ppm;
  double skew_ppm;
  double root_delay;
  double root_dispersion;
  double last_update_interval;
} CMR_Tracking;

typedef struct {
  uint32_t ref_id;
  IPAddr ip;                 /* AF_UNSPEC for reference clocks */
  uint32_t n_samples;
  uint32_t n_runs;
  uint32_t span_seconds;
  double sd;
  double resid_freq_ppm;
  double skew_ppm;
  double est_offset;
  double est_offset_err;
} CMR_SourceStats;

typedef struct {
  struct timespec ref_time;
  uint16_t n_samples;
  uint16_t n_runs;
  uint32_t span_seconds;
  double rtc_seconds_fast;
  double rtc_gain_rate_ppm;
} CMR_Rtc;

typedef struct {
  int32_t online;
  int32_t offline;
  int32_t burst_online;
  int32_t burst_offline;
  int32_t unresolved;
} CMR_Activity;

typedef struct {
  uint32_t flags;            /* CMW_SMT_FLAG_* */
  double offset;
  double freq_ppm;
  double wander_ppm;
  double last_update_ago;
  double remaining_time;
} CMR_Smoothing;

/* All counters of every SERVER_STATS variant; the older variants carry a
   subset, truncated to 32 bits */
typedef struct {
  uint64_t ntp_hits;
  uint64_t nke_hits;
  uint64_t cmd_hits;
  uint64_t ntp_drops;
  uint64_t nke_drops;
  uint64_t cmd_drops;
  uint64_t log_drops;
  uint64_t ntp_auth_hits;
  uint64_t ntp_interleaved_hits;
  uint64_t ntp_timestamps;
  uint64_t ntp_span_seconds;
  uint64_t ntp_daemon_rx_timestamps;
  uint64_t ntp_daemon_tx_timestamps;
  uint64_t ntp_kernel_rx_timestamps;
  uint64_t ntp_kernel_tx_timestamps;
  uint64_t ntp_hw_rx_timestamps;
  uint64_t ntp_hw_tx_timestamps;
} CMR_ServerStats;

typedef struct {
  IPAddr remote_addr;
  IPAddr local_addr;
  uint16_t remote_port;
  uint8_t leap;
  uint8_t version;
  uint8_t mode;
  uint8_t stratum;
  int8_t poll;
  int8_t precision;
  double root_delay;
  double root_dispersion;
  uint32_t ref_id;
  struct timespec ref_time;
  double offset;
  double peer_delay;
  double peer_dispersion;
  double response_time;
  double jitter_asymmetry;
  uint16_t flags;            /* CMW_NTP_FLAG* */
  uint8_t tx_tss_char;
  uint8_t rx_tss_char;
  uint32_t total_tx_count;
  uint32_t total_rx_count;
  uint32_t total_valid_count;
  uint32_t total_good_count;
  /* NTP_DATA2 (4.6+) only */
  uint32_t total_kernel_tx_ts;
  uint32_t total_kernel_rx_ts;
  uint32_t total_hw_tx_ts;
  uint32_t total_hw_rx_ts;
} CMR_NTPData;

typedef struct {
  char name[CMW_NAME_LEN];
} CMR_SourceName;

typedef struct {
  uint16_t mode;             /* CMW_AD_MODE_* */
  uint16_t key_type;
  uint32_t key_id;
  uint16_t key_length;
  uint16_t ke_attempts;
  uint32_t last_ke_ago;      /* 0xFFFFFFFF: never */
  uint16_t cookies;
  uint16_t cookie_length;
  uint16_t nak;
} CMR_AuthData;

typedef struct {
  IPAddr ip;
  uint32_t ntp_hits;
  uint32_t nke_hits;
  uint32_t cmd_hits;
  uint32_t ntp_drops;
  uint32_t nke_drops;
  uint32_t cmd_drops;
  int8_t ntp_interval;       /* log2 seconds; 127: unknown */
  int8_t nke_interval;
  int8_t cmd_interval;
  int8_t ntp_timeout_interval;
  uint32_t last_ntp_hit_ago; /* seconds; 0xFFFFFFFF: never */
  uint32_t last_nke_hit_ago;
  uint32_t last_cmd_hit_ago;
} CMR_ClientAccess;

typedef struct {
  uint32_t n_indices;
  uint32_t next_index;
  uint32_t n_clients;
  CMR_ClientAccess clients[CMW_MAX_CLIENT_ACCESSES];
} CMR_ClientAccesses;

typedef struct {
  uint32_t ref_id;
  IPAddr ip;
  uint8_t state_char;
  uint8_t authentication;
  uint8_t leap;
  uint16_t conf_options;     /* CMW_SD_OPTION_* */
  uint16_t eff_options;
  uint32_t last_sample_ago;
  double score;
  double lo_limit;
  double hi_limit;
} CMR_SelectData;

typedef struct {
  struct timespec when;
  double slewed_offset;
  double orig_offset;
  double residual;
} CMR_ManualSample;

typedef struct {
  uint32_t n_samples;
  CMR_ManualSample samples[CMW_MAX_MANUAL_SAMPLES];
} CMR_ManualList;

typedef struct {
  double offset;
  double dfreq_ppm;
  double new_afreq_ppm;
} CMR_ManualTimestamp;

/* Encoders (daemon) */
int CMR_EncodeNSources(uint8_t *msg, int msg_len, const CMR_NSources *r);
int CMR_EncodeSourceData(uint8_t *msg, int msg_len, const CMR_SourceData *r);
int CMR_EncodeTracking(uint8_t *msg, int msg_len, const CMR_Tracking *r);
int CMR_EncodeSourceStats(uint8_t *msg, int msg_len, const CMR_SourceStats *r);
int CMR_EncodeRtc(uint8_t *msg, int msg_len, const CMR_Rtc *r);
int CMR_EncodeActivity(uint8_t *msg, int msg_len, const CMR_Activity *r);
int CMR_EncodeSmoothing(uint8_t *msg, int msg_len, const CMR_Smoothing *r);
/* reply is CMW_RPY_SERVER_STATS, _STATS2, _STATS3 or _STATS4 */
int CMR_EncodeServerStats(uint8_t *msg, int msg_len, int reply, const CMR_ServerStats *r);
/* reply is CMW_RPY_NTP_DATA or CMW_RPY_NTP_DATA2 */
int CMR_EncodeNTPData(uint8_t *msg, int msg_len, int reply, const CMR_NTPData *r);
/* Names of 256 bytes or more are cut (and then not terminated, as chronyd) */
int CMR_EncodeSourceName(uint8_t *msg, int msg_len, const char *name);
int CMR_EncodeAuthData(uint8_t *msg, int msg_len, const CMR_AuthData *r);
int CMR_EncodeClientAccesses(uint8_t *msg, int msg_len, const CMR_ClientAccesses *r);
int CMR_EncodeSelectData(uint8_t *msg, int msg_len, const CMR_SelectData *r);
int CMR_EncodeManualList(uint8_t *msg, int msg_len, const CMR_ManualList *r);
int CMR_EncodeManualTimestamp(uint8_t *msg, int msg_len, const CMR_ManualTimestamp *r);

/* Decoders (CLI).  For the variants, reply is the code from the header. */
int CMR_DecodeNSources(const uint8_t *msg, int msg_len, CMR_NSources *r);
int CMR_DecodeSourceData(const uint8_t *msg, int msg_len, CMR_SourceData *r);
int CMR_DecodeTracking(const uint8_t *msg, int msg_len, CMR_Tracking *r);
int CMR_DecodeSourceStats(const uint8_t *msg, int msg_len, CMR_SourceStats *r);
int CMR_DecodeRtc(const uint8_t *msg, int msg_len, CMR_Rtc *r);
int CMR_DecodeActivity(const uint8_t *msg, int msg_len, CMR_Activity *r);
int CMR_DecodeSmoothing(const uint8_t *msg, int msg_len, CMR_Smoothing *r);
/* Fields a variant does not carry are set to 0 */
int CMR_DecodeServerStats(const uint8_t *msg, int msg_len, int reply, CMR_ServerStats *r);
int CMR_DecodeNTPData(const uint8_t *msg, int msg_len, int reply, CMR_NTPData *r);
/* Fails, like chronyc, on a name that is not terminated within 256 bytes or
   contains anything but graphic characters */
int CMR_DecodeSourceName(const uint8_t *msg, int msg_len, CMR_SourceName *r);
int CMR_DecodeAuthData(const uint8_t *msg, int msg_len, CMR_AuthData *r);
/* Also fails if n_clients is above the 8 records a reply can hold */
int CMR_DecodeClientAccesses(const uint8_t *msg, int msg_len, CMR_ClientAccesses *r);
int CMR_DecodeSelectData(const uint8_t *msg, int msg_len, CMR_SelectData *r);
int CMR_DecodeManualList(const uint8_t *msg, int msg_len, CMR_ManualList *r);
int CMR_DecodeManualTimestamp(const uint8_t *msg, int msg_len, CMR_ManualTimestamp *r);

#endif
