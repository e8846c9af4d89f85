/*
  ntsctl - more report commands: clients, activity, source names, manual
  samples, RTC, smoothing and waitsync
*/
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

static uint8_t reply[CMW_MAX_REPLY_LEN];
static int reply_len;

int
CTR_Clients(char *args)
{
  uint32_t min_hits = 0, reset = 0, index = 0, i;
  int nke = 0, ok = 1;
  CMR_ClientAccesses a;
  CMR_ClientAccess *c;
  uint8_t body[16];
  char name[50], *w, *end;

  while ((w = CTL_NextWord(&args))) {
    if (strcmp(w, "-k") == 0) {
      nke = 1;
    } else if (strcmp(w, "-r") == 0) {
      reset = 1;
    } else if (strcmp(w, "-p") == 0) {
      w = CTL_NextWord(&args);
      if (!w || (min_hits = strtoul(w, &end, 10), *end != '\0')) {
        fprintf(stderr, "Invalid syntax for clients command\n");
        return 0;
      }
    }
  }

  if (!CTL_options.csv && !CTL_options.json) {
    printf("Hostname                      NTP   Drop Int IntL Last  %6s   Drop Int  Last\n",
           nke ? "NTS-KE" : "Cmd");
    printf("===============================================================================\n");
  }
  CTJ_BeginList("clients");

  for (;;) {
    CMW_PutU32(body, index);
    CMW_PutU32(body + 4, CMW_MAX_CLIENT_ACCESSES);
    CMW_PutU32(body + 8, min_hits);
    CMW_PutU32(body + 12, reset);
    if (!CTN_Submit(CMW_REQ_CLIENT_ACCESSES_BY_INDEX3, body, sizeof body,
                    CMW_RPY_CLIENT_ACCESSES_BY_INDEX3, 0, reply, &reply_len) ||
        !CMR_DecodeClientAccesses(reply, reply_len, &a)) {
      ok = 0;
      break;
    }

    for (i = 0; i < a.n_clients; i++) {
      c = &a.clients[i];
      if (c->ip.family == AF_UNSPEC)
        continue;
      CTP_FormatName(name, sizeof name, 25, 0, 0, 0, &c->ip);

      if (CTL_options.json) {
        CTJ_BeginObject(NULL);
        CTJ_String("name", name);
        CTJ_Address("address", &c->ip);
        CTJ_UInt("ntp_hits", c->ntp_hits);
        CTJ_UInt("ntp_drops", c->ntp_drops);
        CTJ_Int("ntp_interval", c->ntp_interval);
        CTJ_Int("ntp_timeout_interval", c->ntp_timeout_interval);
        CTJ_UInt("ntp_last_ago", c->last_ntp_hit_ago);
        CTJ_UInt("nts_ke_hits", c->nke_hits);
        CTJ_UInt("nts_ke_drops", c->nke_drops);
        CTJ_Int("nts_ke_interval", c->nke_interval);
        CTJ_UInt("nts_ke_last_ago", c->last_nke_hit_ago);
        CTJ_UInt("cmd_hits", c->cmd_hits);
        CTJ_UInt("cmd_drops", c->cmd_drops);
        CTJ_Int("cmd_interval", c->cmd_interval);
        CTJ_UInt("cmd_last_ago", c->last_cmd_hit_ago);
        CTJ_EndObject();
        continue;
      }

      CTP_Report("%-25s  %6U  %5U  %C  %C  %I  %6U  %5U  %C  %I\n",
                 name, (unsigned long)c->ntp_hits, (unsigned long)c->ntp_drops,
                 (int)c->ntp_interval, (int)c->ntp_timeout_interval,
                 (unsigned long)c->last_ntp_hit_ago,
                 (unsigned long)(nke ? c->nke_hits : c->cmd_hits),
                 (unsigned long)(nke ? c->nke_drops : c->cmd_drops),
                 (int)(nke ? c->nke_interval : c->cmd_interval),
                 (unsigned long)(nke ? c->last_nke_hit_ago : c->last_cmd_hit_ago));
    }

    /* A reply with room to spare was the last page */
    index = a.next_index;
    if (index >= a.n_indices || a.n_clients < CMW_MAX_CLIENT_ACCESSES)
      break;
  }

  CTJ_EndList();
  return ok;
}

int
CTR_Activity(char *args)
{
  CMR_Activity a;

  if (!CTN_Submit(CMW_REQ_ACTIVITY, NULL, 0, CMW_RPY_ACTIVITY, 0, reply, &reply_len) ||
      !CMR_DecodeActivity(reply, reply_len, &a))
    return 0;

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    CTJ_Int("online", a.online);
    CTJ_Int("offline", a.offline);
    CTJ_Int("burst_online", a.burst_online);
    CTJ_Int("burst_offline", a.burst_offline);
    CTJ_Int("unresolved", a.unresolved);
    CTJ_EndObject();
    CTJ_End();
    return 1;
  }

  CTP_Info("200 OK\n");
  CTP_Report("%U sources online\n"
             "%U sources offline\n"
             "%U sources doing burst (return to online)\n"
             "%U sources doing burst (return to offline)\n"
             "%U sources with unknown address\n",
             (unsigned long)a.online, (unsigned long)a.offline,
             (unsigned long)a.burst_online, (unsigned long)a.burst_offline,
             (unsigned long)a.unresolved);
  return 1;
}

int
CTR_SourceName(char *args)
{
  uint8_t body[CMW_IPADDR_LEN];
  CMR_SourceName n;
  char *w;
  IPAddr ip;

  w = CTL_NextWord(&args);
  if (!w || CTL_NextWord(&args)) {
    fprintf(stderr, "Invalid syntax for sourcename command\n");
    return 0;
  }
  if (!CTL_ParseAddress(w, &ip))
    return 0;

  CMW_PutIPAddr(body, &ip);
  if (!CTN_Submit(CMW_REQ_NTP_SOURCE_NAME, body, sizeof body, CMW_RPY_NTP_SOURCE_NAME, 0,
                  reply, &reply_len))
    return 0;
  /* chronyc fails silently on a name it cannot use */
  if (!CMR_DecodeSourceName(reply, reply_len, &n))
    return 0;

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    CTJ_String("name", n.name);
    CTJ_EndObject();
    CTJ_End();
    return 1;
  }
  CTP_Report("%s\n", n.name);
  return 1;
}

int
CTR_ManualList(char *args)
{
  CMR_ManualList m;
  char date[32];
  struct tm tm;
  uint32_t i;

  if (!CTN_Submit(CMW_REQ_MANUAL_LIST, NULL, 0, CMW_RPY_MANUAL_LIST2, 0, reply, &reply_len) ||
      !CMR_DecodeManualList(reply, reply_len, &m))
    return 0;

  CTJ_BeginList("samples");
  CTP_Info("210 n_samples = %lu\n", (unsigned long)m.n_samples);
  CTP_Header("#    Date     Time(UTC)    Slewed   Original   Residual");

  for (i = 0; i < m.n_samples; i++) {
    if (CTL_options.json) {
      CTJ_BeginObject(NULL);
      CTJ_Int("index", i);
      CTJ_Time("time", &m.samples[i].when);
      CTJ_Double("slewed_offset", m.samples[i].slewed_offset);
      CTJ_Double("original_offset", m.samples[i].orig_offset);
      CTJ_Double("residual", m.samples[i].residual);
      CTJ_EndObject();
      continue;
    }
    if (!gmtime_r(&m.samples[i].when.tv_sec, &tm))
      date[0] = '\0';
    else
      strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    CTP_Report("%2d %s %10.2f %10.2f %10.2f\n", (int)i, date, m.samples[i].slewed_offset,
               m.samples[i].orig_offset, m.samples[i].residual);
  }

  CTJ_EndList();
  return 1;
}

int
CTR_Rtc(char *args)
{
  CMR_Rtc r;

  if (!CTN_Submit(CMW_REQ_RTCREPORT, NULL, 0, CMW_RPY_RTC, 0, reply, &reply_len) ||
      !CMR_DecodeRtc(reply, reply_len, &r))
    return 0;

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    CTJ_Time("ref_time", &r.ref_time);
    CTJ_Int("samples", r.n_samples);
    CTJ_Int("runs", r.n_runs);
    CTJ_UInt("span", r.span_seconds);
    CTJ_Double("rtc_fast_by", r.rtc_seconds_fast);
    CTJ_Double("rtc_gain_rate_ppm", r.rtc_gain_rate_ppm);
    CTJ_EndObject();
    CTJ_End();
    return 1;
  }

  CTP_Report("RTC ref time (UTC) : %T\n"
             "Number of samples  : %u\n"
             "Number of runs     : %u\n"
             "Sample span period : %I\n"
             "RTC is fast by     : %12.6f seconds\n"
             "RTC gains time at  : %9.3f ppm\n",
             &r.ref_time, (unsigned int)r.n_samples, (unsigned int)r.n_runs,
             (unsigned long)r.span_seconds, r.rtc_seconds_fast, r.rtc_gain_rate_ppm);
  return 1;
}

int
CTR_Smoothing(char *args)
{
  CMR_Smoothing s;

  if (!CTN_Submit(CMW_REQ_SMOOTHING, NULL, 0, CMW_RPY_SMOOTHING, 0, reply, &reply_len) ||
      !CMR_DecodeSmoothing(reply, reply_len, &s))
    return 0;

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    CTJ_Bool("active", s.flags & CMW_SMT_FLAG_ACTIVE);
    CTJ_Bool("leap_only", s.flags & CMW_SMT_FLAG_LEAPONLY);
    CTJ_Double("offset", s.offset);
    CTJ_Double("frequency_ppm", s.freq_ppm);
    CTJ_Double("wander_ppm", s.wander_ppm);
    CTJ_Double("last_update_ago", s.last_update_ago);
    CTJ_Double("remaining_time", s.remaining_time);
    CTJ_EndObject();
    CTJ_End();
    return 1;
  }

  CTP_Report("Active         : %B %s\n"
             "Offset         : %+.9f seconds\n"
             "Frequency      : %+.6f ppm\n"
             "Wander         : %+.6f ppm per second\n"
             "Last update    : %.1f seconds ago\n"
             "Remaining time : %.1f seconds\n",
             (int)(s.flags & CMW_SMT_FLAG_ACTIVE),
             s.flags & CMW_SMT_FLAG_LEAPONLY ? "(leap second only)" : "",
             s.offset, s.freq_ppm, s.wander_ppm, s.last_update_ago, s.remaining_time);
  return 1;
}

int
CTR_WaitSync(char *args)
{
  double max_correction = 0.0, max_skew = 0.0, interval = 10.0, correction;
  int max_tries = 0, tries;
  CMR_Tracking t;
  char *w;

  if ((w = CTL_NextWord(&args)))
    max_tries = atoi(w);
  if ((w = CTL_NextWord(&args)))
    max_correction = atof(w);
  if ((w = CTL_NextWord(&args)))
    max_skew = atof(w);
  if ((w = CTL_NextWord(&args)))
    interval = atof(w);
  if (interval < 0.1)
    interval = 0.1;

  for (tries = 1; ; tries++) {
    if (!CTN_Submit(CMW_REQ_TRACKING, NULL, 0, CMW_RPY_TRACKING, 0, reply, &reply_len) ||
        !CMR_DecodeTracking(reply, reply_len, &t))
      return 0;
    correction = fabs(t.current_correction);
    printf("try: %d, refid: %08lX, correction: %.9f, skew: %.3f\n", tries,
           (unsigned long)t.ref_id, correction, t.skew_ppm);
    fflush(stdout);
    if ((t.ip.family != AF_UNSPEC || (t.ref_id != 0 && t.ref_id != CMW_REFID_LOCAL)) &&
        (max_correction == 0.0 || correction <= max_correction) &&
        (max_skew == 0.0 || t.skew_ppm <= max_skew))
      return 1;
    if (max_tries > 0 && tries >= max_tries)
      return 0;
    usleep((useconds_t)(interval * 1e6));
  }
}
