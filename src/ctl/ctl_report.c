/*
  ntsctl - report commands

  Each report prints exactly what chronyc 4.3 prints (the formats are
  chronyc's), or with -j one JSON object whose field names are listed in
  ntsctl.c.
*/
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

#define NAME_LEN 50

static uint8_t reply[CMW_MAX_REPLY_LEN];
static int reply_len;

static int
get_n_sources(uint32_t *n)
{
  CMR_NSources r;

  if (!CTN_Submit(CMW_REQ_N_SOURCES, NULL, 0, CMW_RPY_N_SOURCES, 0, reply, &reply_len) ||
      !CMR_DecodeNSources(reply, reply_len, &r))
    return 0;
  *n = r.n_sources;
  return 1;
}

/* Prints the row of one source of a listing (or nothing, for a source
   the listing leaves out); returns 0 if a request failed */
typedef int (*SourceRow)(uint32_t index, int all);

/* The per-source listings differ only in their legend (-v, text mode
   only), header and rows; here are their -a / -v words and their loop,
   which stops at the first row that fails.  With -j the rows go into
   {"sources":[...]}. */
static int
list_sources(char *args, const char *legend, const char *header, SourceRow row)
{
  int all = 0, verbose = 0, ok = 1;
  uint32_t i, n;
  char *w;

  while ((w = CTL_NextWord(&args))) {
    if (strcmp(w, "-a") == 0)
      all = 1;
    else if (strcmp(w, "-v") == 0)
      verbose = 1;
  }
  if (!get_n_sources(&n))
    return 0;

  if (verbose && legend && !CTL_options.csv && !CTL_options.json)
    fputs(legend, stdout);
  if (header)
    CTP_Header(header);
  CTJ_BeginList("sources");
  for (i = 0; i < n && ok; i++)
    ok = row(i, all);
  CTJ_EndList();
  return ok;
}

static int
request_index(int command, uint32_t index, int expected)
{
  uint8_t body[4];

  CMW_PutU32(body, index);
  return CTN_Submit(command, body, sizeof body, expected, 0, reply, &reply_len);
}

static int
get_source_data(uint32_t index, CMR_SourceData *d)
{
  return request_index(CMW_REQ_SOURCE_DATA, index, CMW_RPY_SOURCE_DATA) &&
         CMR_DecodeSourceData(reply, reply_len, d);
}

static int
request_address(int command, const IPAddr *ip, int expected)
{
  uint8_t body[CMW_IPADDR_LEN];

  CMW_PutIPAddr(body, ip);
  return CTN_Submit(command, body, sizeof body, expected, 0, reply, &reply_len);
}

static void
json_ref(const char *key, uint32_t ref_id)
{
  char buf[16];

  snprintf(buf, sizeof buf, "%08X", ref_id);
  CTJ_String(key, buf);
}

/* The one-letter columns (mode, state) as strings */
static void
json_char(const char *key, int c)
{
  char buf[2] = { c, '\0' };

  CTJ_String(key, buf);
}

/* An age in seconds, where all ones means never */
static void
json_ago(const char *key, uint32_t seconds)
{
  if (seconds == 0xFFFFFFFFU)
    CTJ_Null(key);
  else
    CTJ_UInt(key, seconds);
}

int
CTR_Tracking(char *args)
{
  char name[256];
  CMR_Tracking t;

  if (!CTN_Submit(CMW_REQ_TRACKING, NULL, 0, CMW_RPY_TRACKING, 0, reply, &reply_len) ||
      !CMR_DecodeTracking(reply, reply_len, &t))
    return 0;

  CTP_FormatName(name, sizeof name, 256, t.ip.family == AF_UNSPEC, t.ref_id, 1, &t.ip);

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    json_ref("reference_id", t.ref_id);
    CTJ_String("reference_name", name);
    CTJ_Address("reference_address", &t.ip);
    CTJ_Int("stratum", t.stratum);
    CTJ_Time("ref_time", &t.ref_time);
    CTJ_Double("system_time_offset", -t.current_correction);
    CTJ_Double("last_offset", t.last_offset);
    CTJ_Double("rms_offset", t.rms_offset);
    CTJ_Double("frequency_ppm", t.freq_ppm);
    CTJ_Double("residual_frequency_ppm", t.resid_freq_ppm);
    CTJ_Double("skew_ppm", t.skew_ppm);
    CTJ_Double("root_delay", t.root_delay);
    CTJ_Double("root_dispersion", t.root_dispersion);
    CTJ_Double("update_interval", t.last_update_interval);
    CTJ_Int("leap_status", t.leap_status);
    CTJ_EndObject();
    CTJ_End();
    return 1;
  }

  CTP_Report("Reference ID    : %R (%s)\n"
             "Stratum         : %u\n"
             "Ref time (UTC)  : %T\n"
             "System time     : %.9O of NTP time\n"
             "Last offset     : %+.9f seconds\n"
             "RMS offset      : %.9f seconds\n"
             "Frequency       : %.3F\n"
             "Residual freq   : %+.3f ppm\n"
             "Skew            : %.3f ppm\n"
             "Root delay      : %.9f seconds\n"
             "Root dispersion : %.9f seconds\n"
             "Update interval : %.1f seconds\n"
             "Leap status     : %L\n",
             (unsigned long)t.ref_id, name, (unsigned int)t.stratum, &t.ref_time,
             t.current_correction, t.last_offset, t.rms_offset, t.freq_ppm,
             t.resid_freq_ppm, t.skew_ppm, t.root_delay, t.root_dispersion,
             t.last_update_interval, (int)t.leap_status);
  return 1;
}

static int
mode_char(int mode)
{
  switch (mode) {
    case CMW_SD_MODE_CLIENT: return '^';
    case CMW_SD_MODE_PEER: return '=';
    case CMW_SD_MODE_REF: return '#';
    default: return ' ';
  }
}

static int
state_char(int state)
{
  switch (state) {
    case CMW_SD_ST_SELECTED: return '*';
    case CMW_SD_ST_NONSELECTABLE: return '?';
    case CMW_SD_ST_FALSETICKER: return 'x';
    case CMW_SD_ST_JITTERY: return '~';
    case CMW_SD_ST_UNSELECTED: return '+';
    case CMW_SD_ST_SELECTABLE: return '-';
    default: return ' ';
  }
}

static const char sources_legend[] =
  "\n"
  "  .-- Source mode  '^' = server, '=' = peer, '#' = local clock.\n"
  " / .- Source state '*' = current best, '+' = combined, '-' = not combined,\n"
  "| /             'x' = may be in error, '~' = too variable, '?' = unusable.\n"
  "||                                                 .- xxxx [ yyyy ] +/- zzzz\n"
  "||      Reachability register (octal) -.           |  xxxx = adjusted offset,\n"
  "||      Log2(Polling interval) --.      |          |  yyyy = measured offset,\n"
  "||                                \\     |          |  zzzz = estimated error.\n"
  "||                                 |    |           \\\n";
static const char sources_header[] =
  "MS Name/IP address         Stratum Poll Reach LastRx Last sample               ";

static int
sources_row(uint32_t index, int all)
{
  char name[NAME_LEN];
  CMR_SourceData d;

  if (!get_source_data(index, &d))
    return 0;
  if (d.ip.family == CMW_AF_ID && !all)
    return 1;

  CTP_FormatName(name, sizeof name, 25,
                 d.mode == CMW_SD_MODE_REF && d.ip.family == AF_INET,
                 d.ip.addr.in4, 1, &d.ip);

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    json_char("mode", mode_char(d.mode));
    json_char("state", state_char(d.state));
    CTJ_String("name", name);
    if (d.mode == CMW_SD_MODE_REF)
      CTJ_Null("address");
    else
      CTJ_Address("address", &d.ip);
    CTJ_Int("stratum", d.stratum);
    CTJ_Int("poll", d.poll);
    CTJ_Int("reach", d.reachability);
    json_ago("last_rx", d.since_sample);
    CTJ_Double("adjusted_offset", d.latest_meas);
    CTJ_Double("measured_offset", d.orig_latest_meas);
    CTJ_Double("error", d.latest_meas_err);
    CTJ_EndObject();
    return 1;
  }

  CTP_Report("%c%c %-27s  %2d  %2d   %3o  %I  %+S[%+S] +/- %S\n",
             mode_char(d.mode), state_char(d.state), name, (int)d.stratum, (int)d.poll,
             (unsigned int)d.reachability, (unsigned long)d.since_sample,
             d.latest_meas, d.orig_latest_meas, d.latest_meas_err);
  return 1;
}

int
CTR_Sources(char *args)
{
  return list_sources(args, sources_legend, sources_header, sources_row);
}

static const char sourcestats_legend[] =
  "                             .- Number of sample points in measurement set.\n"
  "                            /    .- Number of residual runs with same sign.\n"
  "                           |    /    .- Length of measurement set (time).\n"
  "                           |   |    /      .- Est. clock freq error (ppm).\n"
  "                           |   |   |      /           .- Est. error in freq.\n"
  "                           |   |   |     |           /         .- Est. offset.\n"
  "                           |   |   |     |          |          |   On the -.\n"
  "                           |   |   |     |          |          |   samples. \\\n"
  "                           |   |   |     |          |          |             |\n";
static const char sourcestats_header[] =
  "Name/IP Address            NP  NR  Span  Frequency  Freq Skew  Offset  Std Dev";

static int
sourcestats_row(uint32_t index, int all)
{
  char name[NAME_LEN];
  CMR_SourceStats s;

  if (!request_index(CMW_REQ_SOURCESTATS, index, CMW_RPY_SOURCESTATS) ||
      !CMR_DecodeSourceStats(reply, reply_len, &s))
    return 0;
  if (s.ip.family == CMW_AF_ID && !all)
    return 1;

  CTP_FormatName(name, sizeof name, 25, s.ip.family == AF_UNSPEC, s.ref_id, 1, &s.ip);

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    CTJ_String("name", name);
    CTJ_Address("address", &s.ip);
    json_ref("reference_id", s.ref_id);
    CTJ_UInt("samples", s.n_samples);
    CTJ_UInt("runs", s.n_runs);
    CTJ_UInt("span", s.span_seconds);
    CTJ_Double("frequency_ppm", s.resid_freq_ppm);
    CTJ_Double("frequency_skew_ppm", s.skew_ppm);
    CTJ_Double("offset", s.est_offset);
    CTJ_Double("offset_error", s.est_offset_err);
    CTJ_Double("std_dev", s.sd);
    CTJ_EndObject();
    return 1;
  }

  CTP_Report("%-25s %3U %3U  %I %+P %P  %+S  %S\n",
             name, (unsigned long)s.n_samples, (unsigned long)s.n_runs,
             (unsigned long)s.span_seconds, s.resid_freq_ppm, s.skew_ppm,
             s.est_offset, s.sd);
  return 1;
}

int
CTR_SourceStats(char *args)
{
  return list_sources(args, sourcestats_legend, sourcestats_header, sourcestats_row);
}

static void
options_string(unsigned int o, char *s)
{
  s[0] = o & CMW_SD_OPTION_NOSELECT ? 'N' : '-';
  s[1] = o & CMW_SD_OPTION_PREFER ? 'P' : '-';
  s[2] = o & CMW_SD_OPTION_TRUST ? 'T' : '-';
  s[3] = o & CMW_SD_OPTION_REQUIRE ? 'R' : '-';
  s[4] = '-';
  s[5] = '\0';
}

static const char selectdata_legend[] =
  "  . State: N - noselect, s - unsynchronised, M - missing samples,\n"
  " /         d/D - large distance, ~ - jittery, w/W - waits for others,\n"
  "|          S - stale, O - orphan, T - not trusted, P - not preferred,\n"
  "|          U - waits for update,, x - falseticker, + - combined, * - best.\n"
  "|   Effective options   ---------.  (N - noselect, P - prefer\n"
  "|   Configured options  ----.     \\  T - trust, R - require)\n"
  "|   Auth. enabled (Y/N) -.   \\     \\     Offset interval --.\n"
  "|                        |    |     |                       |\n";
static const char selectdata_header[] =
  "S Name/IP Address        Auth COpts EOpts Last Score     Interval  Leap";

static int
selectdata_row(uint32_t index, int all)
{
  char name[NAME_LEN], copts[6], eopts[6];
  CMR_SelectData s;

  if (!request_index(CMW_REQ_SELECT_DATA, index, CMW_RPY_SELECT_DATA) ||
      !CMR_DecodeSelectData(reply, reply_len, &s))
    return 0;
  if (s.ip.family == CMW_AF_ID && !all)
    return 1;

  CTP_FormatName(name, sizeof name, 25, s.ip.family == AF_UNSPEC, s.ref_id, 1, &s.ip);
  options_string(s.conf_options, copts);
  options_string(s.eff_options, eopts);

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    json_char("state", s.state_char);
    CTJ_String("name", name);
    CTJ_Address("address", &s.ip);
    json_ref("reference_id", s.ref_id);
    CTJ_Bool("authenticated", s.authentication);
    CTJ_String("configured_options", copts);
    CTJ_String("effective_options", eopts);
    CTJ_UInt("last_sample_ago", s.last_sample_ago);
    CTJ_Double("score", s.score);
    CTJ_Double("interval_low", s.lo_limit);
    CTJ_Double("interval_high", s.hi_limit);
    CTJ_Int("leap", s.leap);
    CTJ_EndObject();
    return 1;
  }

  CTP_Report("%c %-25s %c %c%c%c%c%c %c%c%c%c%c %I %5.1f %+S %+S  %1L\n",
             s.state_char, name, s.authentication ? 'Y' : 'N',
             copts[0], copts[1], copts[2], copts[3], copts[4],
             eopts[0], eopts[1], eopts[2], eopts[3], eopts[4],
             (unsigned long)s.last_sample_ago, s.score, s.lo_limit, s.hi_limit, (int)s.leap);
  return 1;
}

int
CTR_SelectData(char *args)
{
  return list_sources(args, selectdata_legend, selectdata_header, selectdata_row);
}

static const char *
auth_mode_string(int mode)
{
  switch (mode) {
    case CMW_AD_MODE_NONE: return "-";
    case CMW_AD_MODE_SYMMETRIC: return "SK";
    case CMW_AD_MODE_NTS: return "NTS";
    default: return "?";
  }
}

static const char authdata_legend[] =
  "                             .- Auth. mechanism (NTS, SK - symmetric key)\n"
  "                            |   Key length -.  Cookie length (bytes) -.\n"
  "                            |       (bits)  |  Num. of cookies --.    |\n"
  "                            |               |  Key est. attempts  |   |\n"
  "                            |               |           |         |   |\n";
static const char authdata_header[] =
  "Name/IP address             Mode KeyID Type KLen Last Atmp  NAK Cook CLen";

static int
authdata_row(uint32_t index, int all)
{
  char name[NAME_LEN];
  CMR_SourceData d;
  CMR_AuthData a;

  if (!get_source_data(index, &d))
    return 0;
  if (d.mode != CMW_SD_MODE_CLIENT && d.mode != CMW_SD_MODE_PEER)
    return 1;
  if (d.ip.family == CMW_AF_ID && !all)
    return 1;
  /* chronyc sends the address bytes of the SOURCE_DATA reply verbatim */
  if (!request_address(CMW_REQ_AUTH_DATA, &d.ip, CMW_RPY_AUTH_DATA) ||
      !CMR_DecodeAuthData(reply, reply_len, &a))
    return 0;
  CTP_FormatName(name, sizeof name, 25, 0, 0, 1, &d.ip);

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    CTJ_String("name", name);
    CTJ_Address("address", &d.ip);
    CTJ_String("mode", auth_mode_string(a.mode));
    CTJ_UInt("key_id", a.key_id);
    CTJ_Int("key_type", a.key_type);
    CTJ_Int("key_length", a.key_length);
    json_ago("last_ke_ago", a.last_ke_ago);
    CTJ_Int("ke_attempts", a.ke_attempts);
    CTJ_Bool("nak", a.nak);
    CTJ_Int("cookies", a.cookies);
    CTJ_Int("cookie_length", a.cookie_length);
    CTJ_EndObject();
    return 1;
  }

  CTP_Report("%-27s %4s %5U %4d %4d %I %4d %4d %4d %4d\n",
             name, auth_mode_string(a.mode), (unsigned long)a.key_id, (int)a.key_type,
             (int)a.key_length, (unsigned long)a.last_ke_ago, (int)a.ke_attempts,
             (int)a.nak, (int)a.cookies, (int)a.cookie_length);
  return 1;
}

int
CTR_AuthData(char *args)
{
  return list_sources(args, authdata_legend, authdata_header, authdata_row);
}

/* 2^x for the poll and precision lines, with x clamped as chronyc does */
static double
log2_to_seconds(int x)
{
  if (x < -31)
    x = -31;
  if (x > 31)
    x = 31;
  return ldexp(1.0, x);
}

/* For the requests answered with one of several reply variants, which
   CTN_Submit (one expected reply code) cannot take: the decoder tells the
   variants apart by hdr->reply.  Returns 1 on success, with the status
   line printed otherwise. */
static int
request_variant(int command, const uint8_t *body, int body_len, CMW_ReplyHeader *hdr)
{
  if (!CTN_Request(command, body, body_len, reply, &reply_len, hdr))
    return 0;
  if (hdr->status != CMW_STT_SUCCESS) {
    CTP_Status(CMW_StatusToString(hdr->status), !CMW_IsSuccessStatus(hdr->status));
    return 0;
  }
  return 1;
}

static int
bad_reply(void)
{
  CTP_Status("508 Bad reply from daemon", 1);
  return 0;
}

static const char *
json_timestamping(int tss_char)
{
  switch (tss_char) {
    case 'K': return "kernel";
    case 'H': return "hardware";
    case 'D': return "daemon";
    default: return "invalid";
  }
}

static int
print_ntp_data(const IPAddr *ip, int blank_line)
{
  char remote[64], local[64], refname[16];
  CMW_ReplyHeader hdr;
  uint8_t body[CMW_IPADDR_LEN];
  CMR_NTPData d;

  CMW_PutIPAddr(body, ip);
  if (!request_variant(CMW_REQ_NTP_DATA, body, sizeof body, &hdr))
    return 0;
  if (!CMR_DecodeNTPData(reply, reply_len, hdr.reply, &d))
    return bad_reply();

  CMW_IPToString(&d.remote_addr, remote, sizeof remote);
  CMW_IPToString(&d.local_addr, local, sizeof local);
  if (d.stratum <= 1)
    CMW_RefidToString(d.ref_id, refname, sizeof refname);
  else
    refname[0] = '\0';

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    CTJ_Address("remote_address", &d.remote_addr);
    CTJ_Int("remote_port", d.remote_port);
    CTJ_Address("local_address", &d.local_addr);
    CTJ_Int("leap", d.leap);
    CTJ_Int("version", d.version);
    CTJ_Int("mode", d.mode);
    CTJ_Int("stratum", d.stratum);
    CTJ_Int("poll", d.poll);
    CTJ_Int("precision", d.precision);
    CTJ_Double("root_delay", d.root_delay);
    CTJ_Double("root_dispersion", d.root_dispersion);
    json_ref("reference_id", d.ref_id);
    CTJ_String("reference_name", refname);
    CTJ_Time("reference_time", &d.ref_time);
    CTJ_Double("offset", d.offset);
    CTJ_Double("peer_delay", d.peer_delay);
    CTJ_Double("peer_dispersion", d.peer_dispersion);
    CTJ_Double("response_time", d.response_time);
    CTJ_Double("jitter_asymmetry", d.jitter_asymmetry);
    CTJ_Int("tests", d.flags & CMW_NTP_FLAGS_TESTS);
    CTJ_Bool("interleaved", d.flags & CMW_NTP_FLAG_INTERLEAVED);
    CTJ_Bool("authenticated", d.flags & CMW_NTP_FLAG_AUTHENTICATED);
    CTJ_String("tx_timestamping", json_timestamping(d.tx_tss_char));
    CTJ_String("rx_timestamping", json_timestamping(d.rx_tss_char));
    CTJ_UInt("total_tx", d.total_tx_count);
    CTJ_UInt("total_rx", d.total_rx_count);
    CTJ_UInt("total_valid_rx", d.total_valid_count);
    CTJ_UInt("total_good_rx", d.total_good_count);
    if (hdr.reply == CMW_RPY_NTP_DATA2) {
      CTJ_UInt("total_kernel_tx", d.total_kernel_tx_ts);
      CTJ_UInt("total_kernel_rx", d.total_kernel_rx_ts);
      CTJ_UInt("total_hw_tx", d.total_hw_tx_ts);
      CTJ_UInt("total_hw_rx", d.total_hw_rx_ts);
    }
    CTJ_EndObject();
    return 1;
  }

  if (blank_line && !CTL_options.csv)
    printf("\n");
  CTP_Report("Remote address  : %s (%R)\n"
             "Remote port     : %u\n"
             "Local address   : %s (%R)\n"
             "Leap status     : %L\n"
             "Version         : %u\n"
             "Mode            : %M\n"
             "Stratum         : %u\n"
             "Poll interval   : %d (%.0f seconds)\n"
             "Precision       : %d (%.9f seconds)\n"
             "Root delay      : %.6f seconds\n"
             "Root dispersion : %.6f seconds\n"
             "Reference ID    : %R (%s)\n"
             "Reference time  : %T\n"
             "Offset          : %+.9f seconds\n"
             "Peer delay      : %.9f seconds\n"
             "Peer dispersion : %.9f seconds\n"
             "Response time   : %.9f seconds\n"
             "Jitter asymmetry: %+.2f\n"
             "NTP tests       : %.3b %.3b %.4b\n"
             "Interleaved     : %B\n"
             "Authenticated   : %B\n"
             "TX timestamping : %N\n"
             "RX timestamping : %N\n"
             "Total TX        : %U\n"
             "Total RX        : %U\n"
             "Total valid RX  : %U\n"
             "Total good RX   : %U\n",
             remote, (unsigned long)UTI_IPToRefid(&d.remote_addr), (unsigned int)d.remote_port,
             local, (unsigned long)UTI_IPToRefid(&d.local_addr), (int)d.leap,
             (unsigned int)d.version, (int)d.mode, (unsigned int)d.stratum,
             (int)d.poll, log2_to_seconds(d.poll), (int)d.precision,
             log2_to_seconds(d.precision), d.root_delay, d.root_dispersion,
             (unsigned long)d.ref_id, refname, &d.ref_time, d.offset, d.peer_delay,
             d.peer_dispersion, d.response_time, d.jitter_asymmetry,
             (unsigned int)d.flags >> 7, (unsigned int)d.flags >> 4, (unsigned int)d.flags,
             d.flags & CMW_NTP_FLAG_INTERLEAVED, d.flags & CMW_NTP_FLAG_AUTHENTICATED,
             (int)d.tx_tss_char, (int)d.rx_tss_char,
             (unsigned long)d.total_tx_count, (unsigned long)d.total_rx_count,
             (unsigned long)d.total_valid_count, (unsigned long)d.total_good_count);
  return 1;
}

static int
ntpdata_row(uint32_t index, int all)
{
  CMR_SourceData d;

  if (!get_source_data(index, &d))
    return 0;
  if (d.mode != CMW_SD_MODE_CLIENT && d.mode != CMW_SD_MODE_PEER)
    return 1;
  if (d.ip.family != AF_INET && d.ip.family != AF_INET6)
    return 1;
  return print_ntp_data(&d.ip, 1);
}

int
CTR_NtpData(char *args)
{
  char *w;
  IPAddr ip;
  int ok;

  w = CTL_NextWord(&args);
  if (!w)
    return list_sources(args, NULL, NULL, ntpdata_row);

  if (!CTL_ParseAddress(w, &ip))
    return 0;
  ok = print_ntp_data(&ip, 0);
  if (ok && CTL_options.json)
    CTJ_End();
  return ok;
}

int
CTR_ServerStats(char *args)
{
  CMW_ReplyHeader hdr;
  CMR_ServerStats s;

  if (!request_variant(CMW_REQ_SERVER_STATS, NULL, 0, &hdr))
    return 0;
  /* We ask for the newest variant; older daemons send what they have */
  if (!CMR_DecodeServerStats(reply, reply_len, hdr.reply, &s))
    return bad_reply();

  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    CTJ_UInt("ntp_packets_received", s.ntp_hits);
    CTJ_UInt("ntp_packets_dropped", s.ntp_drops);
    CTJ_UInt("command_packets_received", s.cmd_hits);
    CTJ_UInt("command_packets_dropped", s.cmd_drops);
    CTJ_UInt("client_log_records_dropped", s.log_drops);
    CTJ_UInt("nts_ke_connections_accepted", s.nke_hits);
    CTJ_UInt("nts_ke_connections_dropped", s.nke_drops);
    CTJ_UInt("authenticated_ntp_packets", s.ntp_auth_hits);
    CTJ_UInt("interleaved_ntp_packets", s.ntp_interleaved_hits);
    CTJ_UInt("ntp_timestamps_held", s.ntp_timestamps);
    CTJ_UInt("ntp_timestamp_span", s.ntp_span_seconds);
    if (hdr.reply == CMW_RPY_SERVER_STATS4) {
      CTJ_UInt("ntp_daemon_rx_timestamps", s.ntp_daemon_rx_timestamps);
      CTJ_UInt("ntp_daemon_tx_timestamps", s.ntp_daemon_tx_timestamps);
      CTJ_UInt("ntp_kernel_rx_timestamps", s.ntp_kernel_rx_timestamps);
      CTJ_UInt("ntp_kernel_tx_timestamps", s.ntp_kernel_tx_timestamps);
      CTJ_UInt("ntp_hardware_rx_timestamps", s.ntp_hw_rx_timestamps);
      CTJ_UInt("ntp_hardware_tx_timestamps", s.ntp_hw_tx_timestamps);
    }
    CTJ_EndObject();
    CTJ_End();
    return 1;
  }

  /* The 11 lines of chronyc 4.3, whatever variant the daemon sent */
  CTP_Report("NTP packets received       : %U\n"
             "NTP packets dropped        : %U\n"
             "Command packets received   : %U\n"
             "Command packets dropped    : %U\n"
             "Client log records dropped : %U\n"
             "NTS-KE connections accepted: %U\n"
             "NTS-KE connections dropped : %U\n"
             "Authenticated NTP packets  : %U\n"
             "Interleaved NTP packets    : %U\n"
             "NTP timestamps held        : %U\n"
             "NTP timestamp span         : %U\n",
             (unsigned long)s.ntp_hits, (unsigned long)s.ntp_drops,
             (unsigned long)s.cmd_hits, (unsigned long)s.cmd_drops,
             (unsigned long)s.log_drops, (unsigned long)s.nke_hits,
             (unsigned long)s.nke_drops, (unsigned long)s.ntp_auth_hits,
             (unsigned long)s.ntp_interleaved_hits, (unsigned long)s.ntp_timestamps,
             (unsigned long)s.ntp_span_seconds);
  return 1;
}
