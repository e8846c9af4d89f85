/*
  ntsd - command protocol replies
*/
#include "config.h"

#include <string.h>

#include "cmd_reply.h"

/* Body offsets are relative to the reply body, which starts after the
   header; B() turns them into datagram offsets */
#define B(off) (CMW_REPLY_HEADER_LEN + (off))

/* Zero the body of a reply of the given code; returns its length or 0 if
   the buffer is too small */
static int
start_body(uint8_t *msg, int msg_len, int reply)
{
  int len = CMW_ReplyLength(reply);

  if (len < CMW_REPLY_HEADER_LEN || msg_len < len)
    return 0;
  memset(msg + CMW_REPLY_HEADER_LEN, 0, len - CMW_REPLY_HEADER_LEN);
  return len;
}

static int
long_enough(int msg_len, int reply)
{
  int len = CMW_ReplyLength(reply);

  return len >= CMW_REPLY_HEADER_LEN && msg_len >= len;
}

int
CMR_EncodeNSources(uint8_t *msg, int msg_len, const CMR_NSources *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_N_SOURCES);

  if (len)
    CMW_PutU32(msg + B(0), r->n_sources);
  return len;
}

int
CMR_DecodeNSources(const uint8_t *msg, int msg_len, CMR_NSources *r)
{
  if (!long_enough(msg_len, CMW_RPY_N_SOURCES))
    return 0;
  r->n_sources = CMW_GetU32(msg + B(0));
  return 1;
}

int
CMR_EncodeSourceData(uint8_t *msg, int msg_len, const CMR_SourceData *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_SOURCE_DATA);

  if (!len)
    return 0;
  CMW_PutIPAddr(msg + B(0), &r->ip);
  CMW_PutU16(msg + B(20), (uint16_t)r->poll);
  CMW_PutU16(msg + B(22), r->stratum);
  CMW_PutU16(msg + B(24), r->state);
  CMW_PutU16(msg + B(26), r->mode);
  CMW_PutU16(msg + B(28), r->flags);
  CMW_PutU16(msg + B(30), r->reachability);
  CMW_PutU32(msg + B(32), r->since_sample);
  CMW_PutFloat(msg + B(36), r->orig_latest_meas);
  CMW_PutFloat(msg + B(40), r->latest_meas);
  CMW_PutFloat(msg + B(44), r->latest_meas_err);
  return len;
}

int
CMR_DecodeSourceData(const uint8_t *msg, int msg_len, CMR_SourceData *r)
{
  if (!long_enough(msg_len, CMW_RPY_SOURCE_DATA))
    return 0;
  CMW_GetIPAddr(msg + B(0), &r->ip);
  r->poll = (int16_t)CMW_GetU16(msg + B(20));
  r->stratum = CMW_GetU16(msg + B(22));
  r->state = CMW_GetU16(msg + B(24));
  r->mode = CMW_GetU16(msg + B(26));
  r->flags = CMW_GetU16(msg + B(28));
  r->reachability = CMW_GetU16(msg + B(30));
  r->since_sample = CMW_GetU32(msg + B(32));
  r->orig_latest_meas = CMW_GetFloat(msg + B(36));
  r->latest_meas = CMW_GetFloat(msg + B(40));
  r->latest_meas_err = CMW_GetFloat(msg + B(44));
  return 1;
}

int
CMR_EncodeTracking(uint8_t *msg, int msg_len, const CMR_Tracking *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_TRACKING);

  if (!len)
    return 0;
  CMW_PutU32(msg + B(0), r->ref_id);
  CMW_PutIPAddr(msg + B(4), &r->ip);
  CMW_PutU16(msg + B(24), r->stratum);
  CMW_PutU16(msg + B(26), r->leap_status);
  CMW_PutTimespec(msg + B(28), &r->ref_time);
  CMW_PutFloat(msg + B(40), r->current_correction);
  CMW_PutFloat(msg + B(44), r->last_offset);
  CMW_PutFloat(msg + B(48), r->rms_offset);
  CMW_PutFloat(msg + B(52), r->freq_ppm);
  CMW_PutFloat(msg + B(56), r->resid_freq_ppm);
  CMW_PutFloat(msg + B(60), r->skew_ppm);
  CMW_PutFloat(msg + B(64), r->root_delay);
  CMW_PutFloat(msg + B(68), r->root_dispersion);
  CMW_PutFloat(msg + B(72), r->last_update_interval);
  return len;
}

int
CMR_DecodeTracking(const uint8_t *msg, int msg_len, CMR_Tracking *r)
{
  if (!long_enough(msg_len, CMW_RPY_TRACKING))
    return 0;
  r->ref_id = CMW_GetU32(msg + B(0));
  CMW_GetIPAddr(msg + B(4), &r->ip);
  r->stratum = CMW_GetU16(msg + B(24));
  r->leap_status = CMW_GetU16(msg + B(26));
  CMW_GetTimespec(msg + B(28), &r->ref_time);
  r->current_correction = CMW_GetFloat(msg + B(40));
  r->last_offset = CMW_GetFloat(msg + B(44));
  r->rms_offset = CMW_GetFloat(msg + B(48));
  r->freq_ppm = CMW_GetFloat(msg + B(52));
  r->resid_freq_ppm = CMW_GetFloat(msg + B(56));
  r->skew_ppm = CMW_GetFloat(msg + B(60));
  r->root_delay = CMW_GetFloat(msg + B(64));
  r->root_dispersion = CMW_GetFloat(msg + B(68));
  r->last_update_interval = CMW_GetFloat(msg + B(72));
  return 1;
}

int
CMR_EncodeSourceStats(uint8_t *msg, int msg_len, const CMR_SourceStats *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_SOURCESTATS);

  if (!len)
    return 0;
  CMW_PutU32(msg + B(0), r->ref_id);
  CMW_PutIPAddr(msg + B(4), &r->ip);
  CMW_PutU32(msg + B(24), r->n_samples);
  CMW_PutU32(msg + B(28), r->n_runs);
  CMW_PutU32(msg + B(32), r->span_seconds);
  CMW_PutFloat(msg + B(36), r->sd);
  CMW_PutFloat(msg + B(40), r->resid_freq_ppm);
  CMW_PutFloat(msg + B(44), r->skew_ppm);
  CMW_PutFloat(msg + B(48), r->est_offset);
  CMW_PutFloat(msg + B(52), r->est_offset_err);
  return len;
}

int
CMR_DecodeSourceStats(const uint8_t *msg, int msg_len, CMR_SourceStats *r)
{
  if (!long_enough(msg_len, CMW_RPY_SOURCESTATS))
    return 0;
  r->ref_id = CMW_GetU32(msg + B(0));
  CMW_GetIPAddr(msg + B(4), &r->ip);
  r->n_samples = CMW_GetU32(msg + B(24));
  r->n_runs = CMW_GetU32(msg + B(28));
  r->span_seconds = CMW_GetU32(msg + B(32));
  r->sd = CMW_GetFloat(msg + B(36));
  r->resid_freq_ppm = CMW_GetFloat(msg + B(40));
  r->skew_ppm = CMW_GetFloat(msg + B(44));
  r->est_offset = CMW_GetFloat(msg + B(48));
  r->est_offset_err = CMW_GetFloat(msg + B(52));
  return 1;
}

int
CMR_EncodeRtc(uint8_t *msg, int msg_len, const CMR_Rtc *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_RTC);

  if (!len)
    return 0;
  CMW_PutTimespec(msg + B(0), &r->ref_time);
  CMW_PutU16(msg + B(12), r->n_samples);
  CMW_PutU16(msg + B(14), r->n_runs);
  CMW_PutU32(msg + B(16), r->span_seconds);
  CMW_PutFloat(msg + B(20), r->rtc_seconds_fast);
  CMW_PutFloat(msg + B(24), r->rtc_gain_rate_ppm);
  return len;
}

int
CMR_DecodeRtc(const uint8_t *msg, int msg_len, CMR_Rtc *r)
{
  if (!long_enough(msg_len, CMW_RPY_RTC))
    return 0;
  CMW_GetTimespec(msg + B(0), &r->ref_time);
  r->n_samples = CMW_GetU16(msg + B(12));
  r->n_runs = CMW_GetU16(msg + B(14));
  r->span_seconds = CMW_GetU32(msg + B(16));
  r->rtc_seconds_fast = CMW_GetFloat(msg + B(20));
  r->rtc_gain_rate_ppm = CMW_GetFloat(msg + B(24));
  return 1;
}

int
CMR_EncodeActivity(uint8_t *msg, int msg_len, const CMR_Activity *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_ACTIVITY);

  if (!len)
    return 0;
  CMW_PutU32(msg + B(0), (uint32_t)r->online);
  CMW_PutU32(msg + B(4), (uint32_t)r->offline);
  CMW_PutU32(msg + B(8), (uint32_t)r->burst_online);
  CMW_PutU32(msg + B(12), (uint32_t)r->burst_offline);
  CMW_PutU32(msg + B(16), (uint32_t)r->unresolved);
  return len;
}

int
CMR_DecodeActivity(const uint8_t *msg, int msg_len, CMR_Activity *r)
{
  if (!long_enough(msg_len, CMW_RPY_ACTIVITY))
    return 0;
  r->online = (int32_t)CMW_GetU32(msg + B(0));
  r->offline = (int32_t)CMW_GetU32(msg + B(4));
  r->burst_online = (int32_t)CMW_GetU32(msg + B(8));
  r->burst_offline = (int32_t)CMW_GetU32(msg + B(12));
  r->unresolved = (int32_t)CMW_GetU32(msg + B(16));
  return 1;
}

int
CMR_EncodeSmoothing(uint8_t *msg, int msg_len, const CMR_Smoothing *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_SMOOTHING);

  if (!len)
    return 0;
  CMW_PutU32(msg + B(0), r->flags);
  CMW_PutFloat(msg + B(4), r->offset);
  CMW_PutFloat(msg + B(8), r->freq_ppm);
  CMW_PutFloat(msg + B(12), r->wander_ppm);
  CMW_PutFloat(msg + B(16), r->last_update_ago);
  CMW_PutFloat(msg + B(20), r->remaining_time);
  return len;
}

int
CMR_DecodeSmoothing(const uint8_t *msg, int msg_len, CMR_Smoothing *r)
{
  if (!long_enough(msg_len, CMW_RPY_SMOOTHING))
    return 0;
  r->flags = CMW_GetU32(msg + B(0));
  r->offset = CMW_GetFloat(msg + B(4));
  r->freq_ppm = CMW_GetFloat(msg + B(8));
  r->wander_ppm = CMW_GetFloat(msg + B(12));
  r->last_update_ago = CMW_GetFloat(msg + B(16));
  r->remaining_time = CMW_GetFloat(msg + B(20));
  return 1;
}

/* Wire order of the counters in each SERVER_STATS variant; the variants
   only ever appended fields, so a prefix of one list serves them all */
static uint64_t *
server_stats_field(CMR_ServerStats *r, int i)
{
  uint64_t *fields[] = {
    &r->ntp_hits, &r->nke_hits, &r->cmd_hits, &r->ntp_drops, &r->nke_drops,
    &r->cmd_drops, &r->log_drops, &r->ntp_auth_hits, &r->ntp_interleaved_hits,
    &r->ntp_timestamps, &r->ntp_span_seconds, &r->ntp_daemon_rx_timestamps,
    &r->ntp_daemon_tx_timestamps, &r->ntp_kernel_rx_timestamps,
    &r->ntp_kernel_tx_timestamps, &r->ntp_hw_rx_timestamps, &r->ntp_hw_tx_timestamps,
  };

  return fields[i];
}

/* The oldest variant has its own order without the NTS-KE counters */
static const int stats1_order[] = { 0, 2, 3, 5, 6 };

static int
server_stats_fields(int reply)
{
  switch (reply) {
    case CMW_RPY_SERVER_STATS: return 5;
    case CMW_RPY_SERVER_STATS2: return 8;
    case CMW_RPY_SERVER_STATS3: return 11;
    case CMW_RPY_SERVER_STATS4: return 17;
    default: return 0;
  }
}

int
CMR_EncodeServerStats(uint8_t *msg, int msg_len, int reply, const CMR_ServerStats *r)
{
  int i, n = server_stats_fields(reply), len;
  CMR_ServerStats copy = *r;
  uint64_t v;

  if (!n)
    return 0;
  len = start_body(msg, msg_len, reply);
  if (!len)
    return 0;

  for (i = 0; i < n; i++) {
    v = *server_stats_field(&copy, reply == CMW_RPY_SERVER_STATS ? stats1_order[i] : i);
    if (reply == CMW_RPY_SERVER_STATS4)
      CMW_PutU64(msg + B(8 * i), v);
    else
      CMW_PutU32(msg + B(4 * i), (uint32_t)v);
  }
  if (reply == CMW_RPY_SERVER_STATS4)
    memset(msg + B(8 * n), 0xff, 32);
  return len;
}

int
CMR_DecodeServerStats(const uint8_t *msg, int msg_len, int reply, CMR_ServerStats *r)
{
  int i, n = server_stats_fields(reply);
  uint64_t *f;

  if (!n || !long_enough(msg_len, reply))
    return 0;
  memset(r, 0, sizeof *r);
  for (i = 0; i < n; i++) {
    f = server_stats_field(r, reply == CMW_RPY_SERVER_STATS ? stats1_order[i] : i);
    *f = reply == CMW_RPY_SERVER_STATS4 ? CMW_GetU64(msg + B(8 * i)) : CMW_GetU32(msg + B(4 * i));
  }
  return 1;
}

int
CMR_EncodeNTPData(uint8_t *msg, int msg_len, int reply, const CMR_NTPData *r)
{
  int len;

  if (reply != CMW_RPY_NTP_DATA && reply != CMW_RPY_NTP_DATA2)
    return 0;
  len = start_body(msg, msg_len, reply);
  if (!len)
    return 0;
  CMW_PutIPAddr(msg + B(0), &r->remote_addr);
  CMW_PutIPAddr(msg + B(20), &r->local_addr);
  CMW_PutU16(msg + B(40), r->remote_port);
  msg[B(42)] = r->leap;
  msg[B(43)] = r->version;
  msg[B(44)] = r->mode;
  msg[B(45)] = r->stratum;
  msg[B(46)] = (uint8_t)r->poll;
  msg[B(47)] = (uint8_t)r->precision;
  CMW_PutFloat(msg + B(48), r->root_delay);
  CMW_PutFloat(msg + B(52), r->root_dispersion);
  CMW_PutU32(msg + B(56), r->ref_id);
  CMW_PutTimespec(msg + B(60), &r->ref_time);
  CMW_PutFloat(msg + B(72), r->offset);
  CMW_PutFloat(msg + B(76), r->peer_delay);
  CMW_PutFloat(msg + B(80), r->peer_dispersion);
  CMW_PutFloat(msg + B(84), r->response_time);
  CMW_PutFloat(msg + B(88), r->jitter_asymmetry);
  CMW_PutU16(msg + B(92), r->flags);
  msg[B(94)] = r->tx_tss_char;
  msg[B(95)] = r->rx_tss_char;
  CMW_PutU32(msg + B(96), r->total_tx_count);
  CMW_PutU32(msg + B(100), r->total_rx_count);
  CMW_PutU32(msg + B(104), r->total_valid_count);
  CMW_PutU32(msg + B(108), r->total_good_count);
  if (reply == CMW_RPY_NTP_DATA2) {
    CMW_PutU32(msg + B(112), r->total_kernel_tx_ts);
    CMW_PutU32(msg + B(116), r->total_kernel_rx_ts);
    CMW_PutU32(msg + B(120), r->total_hw_tx_ts);
    CMW_PutU32(msg + B(124), r->total_hw_rx_ts);
    memset(msg + B(128), 0xff, 16);
  } else {
    memset(msg + B(112), 0xff, 12);
  }
  return len;
}

int
CMR_DecodeNTPData(const uint8_t *msg, int msg_len, int reply, CMR_NTPData *r)
{
  if ((reply != CMW_RPY_NTP_DATA && reply != CMW_RPY_NTP_DATA2) || !long_enough(msg_len, reply))
    return 0;
  memset(r, 0, sizeof *r);
  CMW_GetIPAddr(msg + B(0), &r->remote_addr);
  CMW_GetIPAddr(msg + B(20), &r->local_addr);
  r->remote_port = CMW_GetU16(msg + B(40));
  r->leap = msg[B(42)];
  r->version = msg[B(43)];
  r->mode = msg[B(44)];
  r->stratum = msg[B(45)];
  r->poll = (int8_t)msg[B(46)];
  r->precision = (int8_t)msg[B(47)];
  r->root_delay = CMW_GetFloat(msg + B(48));
  r->root_dispersion = CMW_GetFloat(msg + B(52));
  r->ref_id = CMW_GetU32(msg + B(56));
  CMW_GetTimespec(msg + B(60), &r->ref_time);
  r->offset = CMW_GetFloat(msg + B(72));
  r->peer_delay = CMW_GetFloat(msg + B(76));
  r->peer_dispersion = CMW_GetFloat(msg + B(80));
  r->response_time = CMW_GetFloat(msg + B(84));
  r->jitter_asymmetry = CMW_GetFloat(msg + B(88));
  r->flags = CMW_GetU16(msg + B(92));
  r->tx_tss_char = msg[B(94)];
  r->rx_tss_char = msg[B(95)];
  r->total_tx_count = CMW_GetU32(msg + B(96));
  r->total_rx_count = CMW_GetU32(msg + B(100));
  r->total_valid_count = CMW_GetU32(msg + B(104));
  r->total_good_count = CMW_GetU32(msg + B(108));
  if (reply == CMW_RPY_NTP_DATA2) {
    r->total_kernel_tx_ts = CMW_GetU32(msg + B(112));
    r->total_kernel_rx_ts = CMW_GetU32(msg + B(116));
    r->total_hw_tx_ts = CMW_GetU32(msg + B(120));
    r->total_hw_rx_ts = CMW_GetU32(msg + B(124));
  }
  return 1;
}

int
CMR_EncodeSourceName(uint8_t *msg, int msg_len, const char *name)
{
  int len = start_body(msg, msg_len, CMW_RPY_NTP_SOURCE_NAME);
  size_t n = strlen(name);

  if (!len)
    return 0;
  memcpy(msg + B(0), name, n < CMW_NAME_LEN ? n : CMW_NAME_LEN);
  return len;
}

int
CMR_DecodeSourceName(const uint8_t *msg, int msg_len, CMR_SourceName *r)
{
  char name[CMW_NAME_LEN];
  int i;

  if (!long_enough(msg_len, CMW_RPY_NTP_SOURCE_NAME) ||
      !CMW_GetString(msg + B(0), CMW_NAME_LEN, name, sizeof name))
    return 0;
  for (i = 0; name[i]; i++) {
    /* isgraph() in the C locale */
    if ((unsigned char)name[i] <= 0x20 || (unsigned char)name[i] >= 0x7f)
      return 0;
  }
  memcpy(r->name, name, sizeof r->name);
  return 1;
}

int
CMR_EncodeAuthData(uint8_t *msg, int msg_len, const CMR_AuthData *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_AUTH_DATA);

  if (!len)
    return 0;
  CMW_PutU16(msg + B(0), r->mode);
  CMW_PutU16(msg + B(2), r->key_type);
  CMW_PutU32(msg + B(4), r->key_id);
  CMW_PutU16(msg + B(8), r->key_length);
  CMW_PutU16(msg + B(10), r->ke_attempts);
  CMW_PutU32(msg + B(12), r->last_ke_ago);
  CMW_PutU16(msg + B(16), r->cookies);
  CMW_PutU16(msg + B(18), r->cookie_length);
  CMW_PutU16(msg + B(20), r->nak);
  return len;
}

int
CMR_DecodeAuthData(const uint8_t *msg, int msg_len, CMR_AuthData *r)
{
  if (!long_enough(msg_len, CMW_RPY_AUTH_DATA))
    return 0;
  r->mode = CMW_GetU16(msg + B(0));
  r->key_type = CMW_GetU16(msg + B(2));
  r->key_id = CMW_GetU32(msg + B(4));
  r->key_length = CMW_GetU16(msg + B(8));
  r->ke_attempts = CMW_GetU16(msg + B(10));
  r->last_ke_ago = CMW_GetU32(msg + B(12));
  r->cookies = CMW_GetU16(msg + B(16));
  r->cookie_length = CMW_GetU16(msg + B(18));
  r->nak = CMW_GetU16(msg + B(20));
  return 1;
}

#define CLIENT_RECORD_LEN 60

int
CMR_EncodeClientAccesses(uint8_t *msg, int msg_len, const CMR_ClientAccesses *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_CLIENT_ACCESSES_BY_INDEX3);
  const CMR_ClientAccess *c;
  uint8_t *p;
  uint32_t i;

  if (!len || r->n_clients > CMW_MAX_CLIENT_ACCESSES)
    return 0;
  CMW_PutU32(msg + B(0), r->n_indices);
  CMW_PutU32(msg + B(4), r->next_index);
  CMW_PutU32(msg + B(8), r->n_clients);
  for (i = 0; i < r->n_clients; i++) {
    c = &r->clients[i];
    p = msg + B(12) + CLIENT_RECORD_LEN * i;
    CMW_PutIPAddr(p, &c->ip);
    CMW_PutU32(p + 20, c->ntp_hits);
    CMW_PutU32(p + 24, c->nke_hits);
    CMW_PutU32(p + 28, c->cmd_hits);
    CMW_PutU32(p + 32, c->ntp_drops);
    CMW_PutU32(p + 36, c->nke_drops);
    CMW_PutU32(p + 40, c->cmd_drops);
    p[44] = (uint8_t)c->ntp_interval;
    p[45] = (uint8_t)c->nke_interval;
    p[46] = (uint8_t)c->cmd_interval;
    p[47] = (uint8_t)c->ntp_timeout_interval;
    CMW_PutU32(p + 48, c->last_ntp_hit_ago);
    CMW_PutU32(p + 52, c->last_nke_hit_ago);
    CMW_PutU32(p + 56, c->last_cmd_hit_ago);
  }
  return len;
}

int
CMR_DecodeClientAccesses(const uint8_t *msg, int msg_len, CMR_ClientAccesses *r)
{
  CMR_ClientAccess *c;
  const uint8_t *p;
  uint32_t i, n;

  if (!long_enough(msg_len, CMW_RPY_CLIENT_ACCESSES_BY_INDEX3))
    return 0;
  n = CMW_GetU32(msg + B(8));
  if (n > CMW_MAX_CLIENT_ACCESSES)
    return 0;
  memset(r, 0, sizeof *r);
  r->n_indices = CMW_GetU32(msg + B(0));
  r->next_index = CMW_GetU32(msg + B(4));
  r->n_clients = n;
  for (i = 0; i < n; i++) {
    c = &r->clients[i];
    p = msg + B(12) + CLIENT_RECORD_LEN * i;
    CMW_GetIPAddr(p, &c->ip);
    c->ntp_hits = CMW_GetU32(p + 20);
    c->nke_hits = CMW_GetU32(p + 24);
    c->cmd_hits = CMW_GetU32(p + 28);
    c->ntp_drops = CMW_GetU32(p + 32);
    c->nke_drops = CMW_GetU32(p + 36);
    c->cmd_drops = CMW_GetU32(p + 40);
    c->ntp_interval = (int8_t)p[44];
    c->nke_interval = (int8_t)p[45];
    c->cmd_interval = (int8_t)p[46];
    c->ntp_timeout_interval = (int8_t)p[47];
    c->last_ntp_hit_ago = CMW_GetU32(p + 48);
    c->last_nke_hit_ago = CMW_GetU32(p + 52);
    c->last_cmd_hit_ago = CMW_GetU32(p + 56);
  }
  return 1;
}

int
CMR_EncodeSelectData(uint8_t *msg, int msg_len, const CMR_SelectData *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_SELECT_DATA);

  if (!len)
    return 0;
  CMW_PutU32(msg + B(0), r->ref_id);
  CMW_PutIPAddr(msg + B(4), &r->ip);
  msg[B(24)] = r->state_char;
  msg[B(25)] = r->authentication;
  msg[B(26)] = r->leap;
  CMW_PutU16(msg + B(28), r->conf_options);
  CMW_PutU16(msg + B(30), r->eff_options);
  CMW_PutU32(msg + B(32), r->last_sample_ago);
  CMW_PutFloat(msg + B(36), r->score);
  CMW_PutFloat(msg + B(40), r->lo_limit);
  CMW_PutFloat(msg + B(44), r->hi_limit);
  return len;
}

int
CMR_DecodeSelectData(const uint8_t *msg, int msg_len, CMR_SelectData *r)
{
  if (!long_enough(msg_len, CMW_RPY_SELECT_DATA))
    return 0;
  r->ref_id = CMW_GetU32(msg + B(0));
  CMW_GetIPAddr(msg + B(4), &r->ip);
  r->state_char = msg[B(24)];
  r->authentication = msg[B(25)];
  r->leap = msg[B(26)];
  r->conf_options = CMW_GetU16(msg + B(28));
  r->eff_options = CMW_GetU16(msg + B(30));
  r->last_sample_ago = CMW_GetU32(msg + B(32));
  r->score = CMW_GetFloat(msg + B(36));
  r->lo_limit = CMW_GetFloat(msg + B(40));
  r->hi_limit = CMW_GetFloat(msg + B(44));
  return 1;
}

#define MANUAL_SAMPLE_LEN 24

int
CMR_EncodeManualList(uint8_t *msg, int msg_len, const CMR_ManualList *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_MANUAL_LIST2);
  uint8_t *p;
  uint32_t i;

  if (!len || r->n_samples > CMW_MAX_MANUAL_SAMPLES)
    return 0;
  CMW_PutU32(msg + B(0), r->n_samples);
  for (i = 0; i < r->n_samples; i++) {
    p = msg + B(4) + MANUAL_SAMPLE_LEN * i;
    CMW_PutTimespec(p, &r->samples[i].when);
    CMW_PutFloat(p + 12, r->samples[i].slewed_offset);
    CMW_PutFloat(p + 16, r->samples[i].orig_offset);
    CMW_PutFloat(p + 20, r->samples[i].residual);
  }
  return len;
}

int
CMR_DecodeManualList(const uint8_t *msg, int msg_len, CMR_ManualList *r)
{
  const uint8_t *p;
  uint32_t i, n;

  if (!long_enough(msg_len, CMW_RPY_MANUAL_LIST2))
    return 0;
  n = CMW_GetU32(msg + B(0));
  if (n > CMW_MAX_MANUAL_SAMPLES)
    return 0;
  memset(r, 0, sizeof *r);
  r->n_samples = n;
  for (i = 0; i < n; i++) {
    p = msg + B(4) + MANUAL_SAMPLE_LEN * i;
    CMW_GetTimespec(p, &r->samples[i].when);
    r->samples[i].slewed_offset = CMW_GetFloat(p + 12);
    r->samples[i].orig_offset = CMW_GetFloat(p + 16);
    r->samples[i].residual = CMW_GetFloat(p + 20);
  }
  return 1;
}

int
CMR_EncodeManualTimestamp(uint8_t *msg, int msg_len, const CMR_ManualTimestamp *r)
{
  int len = start_body(msg, msg_len, CMW_RPY_MANUAL_TIMESTAMP2);

  if (!len)
    return 0;
  CMW_PutFloat(msg + B(0), r->offset);
  CMW_PutFloat(msg + B(4), r->dfreq_ppm);
  CMW_PutFloat(msg + B(8), r->new_afreq_ppm);
  return len;
}

int
CMR_DecodeManualTimestamp(const uint8_t *msg, int msg_len, CMR_ManualTimestamp *r)
{
  if (!long_enough(msg_len, CMW_RPY_MANUAL_TIMESTAMP2))
    return 0;
  r->offset = CMW_GetFloat(msg + B(0));
  r->dfreq_ppm = CMW_GetFloat(msg + B(4));
  r->new_afreq_ppm = CMW_GetFloat(msg + B(8));
  return 1;
}
