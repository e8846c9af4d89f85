/*
  ntsd - data and actions behind the command protocol

  The reports and actions of the command protocol, each a call into the
  module that owns the state.  A command ntsd cannot carry out answers an
  error status (505 "not enabled" when the facility is missing), never
  200 OK.
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "clientlog.h"
#include "cmd_data.h"
#include "conf.h"
#include "discipline.h"
#include "keys.h"
#include "ntp_client.h"
#include "ntp_sample.h"
#include "ntp_sources.h"
#include "sources.h"
#ifdef FEAT_NTS
#include "nts_ke_server.h"
#endif
#include "reference.h"
#include "sched.h"
#include "select.h"
#include "srcsel.h"
#include "stats.h"

/* The client keeps its tests in the bits of the report */
_Static_assert(NSP_TEST_1 == 0x200 && NSP_TEST_D == 0x001 && NSP_TESTS_ALL == CMW_NTP_FLAGS_TESTS,
               "NSP_TEST_* must be the ntpdata test flags");

void
CMD_GetTracking(CMR_Tracking *r)
{
  struct timespec now, mono;
  DSC_Tracking t;
  REF_Params p;

  SCH_GetLastEventTime(&now, &mono);
  REF_GetReferenceParams(&now, &p);
  DSC_GetTracking(&now, &t);

  memset(r, 0, sizeof *r);
  r->ip.family = AF_UNSPEC;
  /* The frequency and the last correction are known without a reference */
  r->current_correction = t.current_correction;
  r->freq_ppm = t.freq_ppm;
  r->last_offset = t.last_offset;
  r->rms_offset = t.rms_offset;
  r->last_update_interval = t.last_update_interval;
  if (DSC_IsSynchronised()) {
    r->ref_id = t.ref_id;
    r->ip = t.ref_ip;
    r->stratum = t.stratum;
    r->leap_status = t.leap;
    DSC_CookTime(&t.ref_time, &r->ref_time);
    r->resid_freq_ppm = t.resid_freq_ppm;
    r->skew_ppm = t.skew_ppm;
    r->root_delay = t.root_delay;
    r->root_dispersion = t.root_dispersion;
  } else if (p.leap != 3 && p.stratum > 0) {
    /* Local reference: chronyd reports it with the local refid and no
       address */
    r->ref_id = p.ref_id;
    r->stratum = p.stratum;
    r->leap_status = p.leap;
    r->ref_time = p.ref_time;
    r->root_delay = p.root_delay;
    r->root_dispersion = p.root_dispersion;
  } else {
    /* Unsynchronised: chronyd's initial root delay and dispersion of 1 s,
       no reference time */
    r->leap_status = 3;
    r->root_delay = 1.0;
    r->root_dispersion = 1.0;
  }
}

int
CMD_GetNumberOfSources(void)
{
  return SRC_GetNumberOfSources();
}

/* The sources report's state from the last source selection */
static int
source_state(SRC_Instance inst)
{
  SSL_SourceState st;

  if (!SSL_GetSourceState(inst, NULL, &st))
    return CMW_SD_ST_NONSELECTABLE;
  switch (st.state) {
    case SEL_SELECTED: return CMW_SD_ST_SELECTED;
    case SEL_COMBINED: return CMW_SD_ST_UNSELECTED;
    case SEL_NOT_COMBINED: return CMW_SD_ST_SELECTABLE;
    case SEL_FALSETICKER: return CMW_SD_ST_FALSETICKER;
    case SEL_JITTERY: return CMW_SD_ST_JITTERY;
    default: return CMW_SD_ST_NONSELECTABLE;
  }
}

int
CMD_GetSourceData(int index, CMR_SourceData *r)
{
  struct timespec now;
  SRC_Instance inst = SRC_GetSourceByIndex(index);
  SRC_Report rep;
  SRC_Sample sample;
  SST_Report st;
  int n;

  if (!inst)
    return 0;
  SRC_GetReport(inst, &rep);
  SCH_GetLastEventTime(&now, NULL);
  /* Sample times are the discipline's */
  DSC_CookTime(&now, &now);

  memset(r, 0, sizeof *r);
  if (rep.ip.family == AF_UNSPEC) {
    /* Not resolved yet: chronyc shows the id form */
    r->ip.family = CMW_AF_ID;
    r->ip.addr.in4 = index + 1;
  } else {
    r->ip = rep.ip;
  }
  r->poll = rep.poll;
  r->stratum = rep.stratum;
  r->mode = CMW_SD_MODE_CLIENT;
  r->reachability = rep.reachability;
  r->state = source_state(inst);
  n = SRC_GetNumberOfSamples(inst);
  r->since_sample = 0xFFFFFFFF;
  if (n > 0 && SRC_GetSample(inst, n - 1, &sample)) {
    double ago, orig = sample.offset, adjusted = sample.offset;
    double error = SRC_RootDistance(&sample);

    /* chronyd's: the newest sample the statistics hold, whose offset they
       correct for every change of the clock since; without statistics
       (no discipline) the registry's, nothing to correct */
    if (SSL_GetSourceStats(inst, &st) && st.n_samples > 0) {
      sample.time = st.last_time;
      orig = st.last_orig_offset;
      adjusted = st.last_offset;
      error = st.last_distance;
    }
    ago = UTI_DiffTimespecsToDouble(&now, &sample.time);
    r->since_sample = ago < 0.0 ? 0 : ago > 4e9 ? 0xFFFFFFFE : (uint32_t)ago;
    /* chronyc's offset is how far the source is behind us: the opposite
       sign of the measured offset of the source */
    r->orig_latest_meas = -orig;
    r->latest_meas = -adjusted;
    r->latest_meas_err = error;
  }
  return 1;
}

static void
source_address(int index, const SRC_Report *rep, IPAddr *ip)
{
  if (rep->ip.family == AF_UNSPEC) {
    memset(ip, 0, sizeof *ip);
    ip->family = CMW_AF_ID;
    ip->addr.in4 = index + 1;
  } else {
    *ip = rep->ip;
  }
}

int
CMD_GetSourceStats(int index, CMR_SourceStats *r)
{
  SRC_Instance inst = SRC_GetSourceByIndex(index);
  struct timespec now;
  SRC_Report rep;
  SST_Report st;
  double offset, error;

  if (!inst)
    return 0;
  SRC_GetReport(inst, &rep);
  SCH_GetLastEventTime(&now, NULL);
  DSC_CookTime(&now, &now);
  memset(r, 0, sizeof *r);
  source_address(index, &rep, &r->ip);
  if (rep.ip.family != AF_UNSPEC)
    r->ref_id = UTI_IPToRefid(&rep.ip);
  /* Before its first sample a source has the statistics of a new one */
  if (!SSL_GetSourceStats(inst, &st))
    SST_EmptyReport(&st);
  SST_ReportOffset(&st, &now, &offset, &error);
  /* chronyc's signs: offsets and frequencies of our clock relative to
     the source, the opposite of the statistics' source minus local */
  r->n_samples = st.n_samples;
  r->n_runs = st.n_runs;
  r->span_seconds = st.n_samples > 1 && st.span > 0.0 ? (uint32_t)(st.span + 0.5) : 0;
  r->sd = st.std_dev;
  r->resid_freq_ppm = -st.frequency * 1e6;
  r->skew_ppm = st.skew * 1e6;
  r->est_offset = -offset;
  r->est_offset_err = error;
  return 1;
}

/* chronyc's option bits of SEL_OPT_* */
static int
option_bits(int options)
{
  return (options & SEL_OPT_NOSELECT ? CMW_SD_OPTION_NOSELECT : 0) |
         (options & SEL_OPT_PREFER ? CMW_SD_OPTION_PREFER : 0) |
         (options & SEL_OPT_TRUST ? CMW_SD_OPTION_TRUST : 0) |
         (options & SEL_OPT_REQUIRE ? CMW_SD_OPTION_REQUIRE : 0);
}

int
CMD_GetSelectData(int index, CMR_SelectData *r)
{
  SRC_Instance inst = SRC_GetSourceByIndex(index);
  const CNF_Source *conf;
  struct timespec now;
  SSL_SourceState st;
  SRC_Report rep;

  if (!inst)
    return 0;
  SRC_GetReport(inst, &rep);
  SCH_GetLastEventTime(&now, NULL);
  DSC_CookTime(&now, &now);
  memset(r, 0, sizeof *r);
  source_address(index, &rep, &r->ip);
  /* chronyd's reference id of the address (IPv6: a hash of it) */
  if (rep.ip.family != AF_UNSPEC)
    r->ref_id = UTI_IPToRefid(&rep.ip);
  r->state_char = 'M';
  r->leap = 3;
  r->last_sample_ago = 0xFFFFFFFF;
  /* chronyd's score of a source new or not selectable */
  r->score = 1.0;
  /* The source's own directive: registry indices do not follow the
     configuration (names resolve later, a pool makes several sources) */
  conf = SRC_GetConf(inst);
  if (conf) {
    r->conf_options = option_bits(SSL_ConfOptions(conf));
    r->eff_options = r->conf_options;
    r->authentication = conf->nts || conf->key;
  }
  if (SSL_GetSourceState(inst, &now, &st)) {
    r->state_char = st.select_state;
    r->eff_options = option_bits(st.options);
    r->leap = st.leap;
    if (st.last_sample_ago >= 0.0)
      r->last_sample_ago = st.last_sample_ago > 4e9 ? 0xFFFFFFFE : (uint32_t)st.last_sample_ago;
    r->score = st.score;
    r->lo_limit = st.lo_limit;
    r->hi_limit = st.hi_limit;
  }
  return 1;
}

/* The NTP client's index of the source with this address, or -1 */
static int
find_ntp_source(const IPAddr *ip, NCL_NtpData *d)
{
  int i;

  for (i = 0; i < NCS_GetNumberOfSources(); i++) {
    if (NCS_GetNtpData(i, d) && UTI_CompareIPs(&d->remote_addr, ip) == 0)
      return i;
  }
  return -1;
}

int
CMD_GetNTPData(const IPAddr *ip, CMR_NTPData *r)
{
  NCL_NtpData d;

  if (find_ntp_source(ip, &d) < 0)
    return 0;

  memset(r, 0, sizeof *r);
  r->remote_addr = d.remote_addr;
  r->local_addr = d.local_addr;
  r->remote_port = d.remote_port;
  r->leap = d.leap;
  r->version = d.version;
  r->mode = d.mode;
  r->stratum = d.stratum;
  r->poll = d.poll;
  r->precision = d.precision;
  r->root_delay = d.root_delay;
  r->root_dispersion = d.root_dispersion;
  r->ref_id = d.ref_id;
  r->ref_time = d.ref_time;
  r->offset = d.offset;
  r->peer_delay = d.peer_delay;
  r->peer_dispersion = d.peer_dispersion;
  r->response_time = d.response_time;
  r->flags = (d.tests & CMW_NTP_FLAGS_TESTS) | (d.authenticated ? CMW_NTP_FLAG_AUTHENTICATED : 0);
  r->tx_tss_char = d.kernel_tx_ts ? 'K' : 'D';
  r->rx_tss_char = d.kernel_rx_ts ? 'K' : 'D';
  r->total_tx_count = d.tx_count;
  r->total_rx_count = d.rx_count;
  r->total_valid_count = d.valid_count;
  r->total_good_count = d.good_count;
  r->total_kernel_tx_ts = d.kernel_tx_count;
  r->total_kernel_rx_ts = d.kernel_rx_count;
  return 1;
}

int
CMD_GetSourceName(const IPAddr *ip, char *name, int len)
{
  SRC_Report rep;
  int i;

  for (i = 0; i < SRC_GetNumberOfSources(); i++) {
    SRC_GetReport(SRC_GetSourceByIndex(i), &rep);
    if (rep.ip.family != AF_UNSPEC && UTI_CompareIPs(&rep.ip, ip) == 0) {
      snprintf(name, len, "%s", rep.name);
      return 1;
    }
  }
  return 0;
}

int
CMD_GetAuthData(const IPAddr *ip, CMR_AuthData *r)
{
  NCL_NtpData d;
  int index = find_ntp_source(ip, &d);
#ifdef FEAT_NTS
  NNC_Report nts;
#endif

  if (index < 0)
    return 0;
  memset(r, 0, sizeof *r);
  r->last_ke_ago = 0xFFFFFFFF;
  r->mode = CMW_AD_MODE_NONE;
#ifdef FEAT_NTS
  if (NCS_GetNtsReport(index, &nts)) {
    r->mode = CMW_AD_MODE_NTS;
    r->key_id = nts.context_id;
    r->key_type = nts.aead;
    r->key_length = nts.key_length;
    r->ke_attempts = nts.ke_attempts;
    r->last_ke_ago = nts.last_ke_ago < 0.0 ? 0xFFFFFFFF : (uint32_t)nts.last_ke_ago;
    r->cookies = nts.n_cookies;
    r->cookie_length = nts.cookie_length;
    r->nak = nts.nak;
    return 1;
  }
#endif
  if (d.key_id) {
    KEY_Type type;
    int bits;

    r->mode = CMW_AD_MODE_SYMMETRIC;
    r->key_id = d.key_id;
    if (KEY_GetKeyInfo(d.key_id, &type, &bits)) {
      /* chrony's numbers: hashes 1-9 in our order, CMAC AES128 13, AES256 14 */
      r->key_type = type == KEY_TYPE_AES128 ? 13 : type == KEY_TYPE_AES256 ? 14 : type;
      r->key_length = bits;
    }
  }
  return 1;
}

void
CMD_GetActivity(CMR_Activity *r)
{
  NCS_Activity a;

  NCS_GetActivity(&a);
  memset(r, 0, sizeof *r);
  r->online = a.online;
  r->offline = a.offline;
  r->burst_online = a.burst_online;
  r->burst_offline = a.burst_offline;
  r->unresolved = a.unresolved;
}

void
CMD_GetServerStats(CMR_ServerStats *r)
{
  const STA_Counters *c = &STA_counters;

  memset(r, 0, sizeof *r);
  r->ntp_hits = c->ntp_hits;
  r->nke_hits = c->nke_hits;
  r->cmd_hits = c->cmd_hits;
  r->ntp_drops = c->ntp_drops;
  r->nke_drops = c->nke_drops;
  r->cmd_drops = c->cmd_drops;
  r->log_drops = c->log_drops;
  r->ntp_auth_hits = c->ntp_auth_hits;
  r->ntp_interleaved_hits = c->ntp_interleaved_hits;
  r->ntp_timestamps = c->ntp_timestamps;
  r->ntp_span_seconds = c->ntp_span > 0.0 ? (uint64_t)round(c->ntp_span) : 0;
  r->ntp_daemon_rx_timestamps = c->ntp_daemon_rx_timestamps;
  r->ntp_kernel_rx_timestamps = c->ntp_kernel_rx_timestamps;
  r->ntp_daemon_tx_timestamps = c->ntp_daemon_tx_timestamps;
}

int
CMD_GetClientLogSize(void)
{
  if (CNF_Get()->noclientlog)
    return -1;
  return CLG_GetNumberOfIndices();
}

static uint32_t
seconds_ago(double ago)
{
  if (ago < 0.0 || ago >= 4294967295.0)
    return 0xFFFFFFFFU;
  return (uint32_t)(ago + 0.5);
}

int
CMD_GetClientAccess(int index, int reset, CMR_ClientAccess *r)
{
  struct timespec now, mono;
  CLG_Report report;

  SCH_GetLastEventTime(&now, &mono);
  if (!CLG_GetReport(index, mono.tv_sec + mono.tv_nsec * 1e-9, &report))
    return 0;

  /* As chronyd: every record looked at is reset, reported or not (-p) */
  if (reset)
    CLG_ResetCounters(index);

  memset(r, 0, sizeof *r);
  r->ip = report.ip;
  r->ntp_hits = report.hits[CLG_NTP];
  r->nke_hits = report.hits[CLG_NTSKE];
  r->cmd_hits = report.hits[CLG_CMD];
  r->ntp_drops = report.drops[CLG_NTP];
  r->nke_drops = report.drops[CLG_NTSKE];
  r->cmd_drops = report.drops[CLG_CMD];
  r->ntp_interval = report.interval[CLG_NTP];
  r->nke_interval = report.interval[CLG_NTSKE];
  r->cmd_interval = report.interval[CLG_CMD];
  r->ntp_timeout_interval = report.ntp_timeout_interval;
  r->last_ntp_hit_ago = seconds_ago(report.last_hit_ago[CLG_NTP]);
  r->last_nke_hit_ago = seconds_ago(report.last_hit_ago[CLG_NTSKE]);
  r->last_cmd_hit_ago = seconds_ago(report.last_hit_ago[CLG_CMD]);
  return 1;
}

int
CMD_GetRtc(CMR_Rtc *r)
{
  return CMW_STT_NORTC;
}

int
CMD_GetSmoothing(CMR_Smoothing *r)
{
  return CMW_STT_NOTENABLED;
}

void
CMD_GetManualList(CMR_ManualList *r)
{
  memset(r, 0, sizeof *r);
}

int
CMD_SetConnectivity(const IPAddr *mask, const IPAddr *address, CMD_Connectivity c)
{
  NCL_Connectivity nc = c == CMD_CONN_ONLINE ? NCL_ONLINE :
                        c == CMD_CONN_OFFLINE ? NCL_OFFLINE : NCL_MAYBE_ONLINE;

  /* ONOFFLINE always succeeds in chronyd, the others need a match */
  if (!NCS_SetConnectivity(mask, address, nc) && c != CMD_CONN_AUTO)
    return CMW_STT_NOSUCHSOURCE;
  return CMW_STT_SUCCESS;
}

int
CMD_Burst(const IPAddr *mask, const IPAddr *address, int n_good_samples, int n_total_samples)
{
  if (!NCS_InitiateBurst(mask, address, n_good_samples, n_total_samples))
    return CMW_STT_NOSUCHSOURCE;
  return CMW_STT_SUCCESS;
}

int
CMD_ModifySource(int command, const IPAddr *address, double value)
{
  return CMW_STT_NOSUCHSOURCE;
}

int
CMD_ModifySelectOptions(const IPAddr *address, uint32_t ref_id, uint32_t mask, uint32_t options)
{
  return CMW_STT_NOSUCHSOURCE;
}

int
CMD_ModifyOffset(const IPAddr *address, uint32_t ref_id, double offset)
{
  return CMW_STT_NOSUCHSOURCE;
}

int
CMD_AddSource(const CMD_NewSource *s)
{
  /* The NTP client's sources are fixed by the configuration: ntp_sources.c
     cannot add one at run time yet.  503 would claim the address was
     looked up; "not enabled" says what is missing. */
  return CMW_STT_NOTENABLED;
}

int
CMD_DeleteSource(const IPAddr *address)
{
  /* Nor can it remove one (see CMD_AddSource) */
  return CMW_STT_NOTENABLED;
}

int
CMD_Reselect(void)
{
  SSL_Reselect();
  return CMW_STT_SUCCESS;
}

int
CMD_ReselectDistance(double distance)
{
  /* A negative distance would make selection flap between sources */
  if (!(distance >= 0.0))
    return CMW_STT_INVALID;
  SSL_SetReselectDistance(distance);
  return CMW_STT_SUCCESS;
}

int
CMD_Refresh(void)
{
  NCS_Refresh();
  return CMW_STT_SUCCESS;
}

int
CMD_ResetSources(void)
{
  /* The registry's samples and reachability, and through SSL_ResetSources
     the selection's statistics of every source */
  SRC_ResetSources();
  return CMW_STT_SUCCESS;
}

int
CMD_ReloadSources(void)
{
  /* There is no sourcedir to read again: nothing changes, and chronyd
     without sourcedir succeeds too */
  return CMW_STT_SUCCESS;
}

int
CMD_Dump(void)
{
#ifdef FEAT_NTS
  /* With ntsrotate 0 the keys belong to whoever rotates them outside */
  if (CNF_Get()->n_nts_certs > 0 && CNF_Get()->nts_rotate > 0 && !NKS_DumpKeys())
    return CMW_STT_FAILED;
#endif
  return CMW_STT_SUCCESS;
}

/* The clock commands fail when the discipline is not running, and
   makestep (as chronyd's) when the driver cannot step */
int
CMD_MakeStep(void)
{
  return SSL_MakeStep() ? CMW_STT_SUCCESS : CMW_STT_FAILED;
}

int
CMD_ModifyMakeStep(int limit, double threshold)
{
  if (!(threshold >= 0.0))
    return CMW_STT_INVALID;
  return SSL_ModifyMakeStep(threshold, limit) ? CMW_STT_SUCCESS : CMW_STT_FAILED;
}

int
CMD_ModifyMaxUpdateSkew(double skew_ppm)
{
  if (!(skew_ppm >= 0.0))
    return CMW_STT_INVALID;
  return SSL_ModifyMaxUpdateSkew(skew_ppm) ? CMW_STT_SUCCESS : CMW_STT_FAILED;
}

int
CMD_Dfreq(double dfreq_ppm)
{
  /* More than the whole second would be no frequency at all */
  if (!(fabs(dfreq_ppm) < 1e6))
    return CMW_STT_INVALID;
  return SSL_AccumulateDeltaFrequency(dfreq_ppm) ? CMW_STT_SUCCESS : CMW_STT_FAILED;
}

int
CMD_Doffset(double doffset)
{
  if (!isfinite(doffset))
    return CMW_STT_INVALID;
  return SSL_AccumulateOffset(doffset) ? CMW_STT_SUCCESS : CMW_STT_FAILED;
}

/* chronyd's default distance, and what ntsd's local reference does: it
   takes over as soon as no source is selected */
#define LOCAL_DEFAULT_DISTANCE 1.0

int
CMD_SetLocal(int on, int stratum, double distance, int orphan, double activate,
             double wait_synced, double wait_unsynced)
{
  if (!on) {
    REF_SetLocal(0, 0);
  } else {
    /* The local directive of ntsd has only stratum and orphan: refuse
       the options it would silently not honour */
    if (stratum < 1 || stratum > 15 || distance != LOCAL_DEFAULT_DISTANCE ||
        activate > 0.0 || wait_synced > 0.0 || wait_unsynced > 0.0)
      return CMW_STT_INVALID;
    REF_SetLocal(stratum, orphan);
  }
  /* Orphan mode changes what selection may choose */
  SSL_Reselect();
  return CMW_STT_SUCCESS;
}

int
CMD_SmoothTime(int option)
{
  return CMW_STT_NOTENABLED;
}

int
CMD_Manual(int option)
{
  /* There is no manual input (settime) to enable, disable or reset */
  return CMW_STT_NOTENABLED;
}

int
CMD_ManualDelete(int index)
{
  return CMW_STT_BADSAMPLE;
}

int
CMD_SetTime(const struct timespec *ts, CMR_ManualTimestamp *r)
{
  /* Manual input is never enabled without the manual directive */
  return CMW_STT_NOTENABLED;
}

int
CMD_WriteRtc(void)
{
  return CMW_STT_NORTC;
}

int
CMD_TrimRtc(void)
{
  return CMW_STT_NORTC;
}

int
CMD_ModifyNtpAccess(int allow, int all, const IPAddr *ip, int bits)
{
  /* The NTP server reads its rules from the configuration, which cannot be
     changed at run time yet */
  return CMW_STT_FAILED;
}

int
CMD_CheckNtpAccess(const IPAddr *ip)
{
  const CNF_Config *c = CNF_Get();

  return CNF_AccessAllowed(c->access, c->n_access, ip, 0) ?
         CMW_STT_ACCESSALLOWED : CMW_STT_ACCESSDENIED;
}

int
CMD_Rekey(void)
{
  const CNF_Config *c = CNF_Get();

  /* As chronyd: the keyfile is read again, and NTS server keys managed
     outside the daemon (ntsrotate 0) are reloaded from ntsdumpdir */
  if (c->keyfile && KEY_LoadFile(c->keyfile) < 0)
    return CMW_STT_FAILED;
#ifdef FEAT_NTS
  if (c->n_nts_certs > 0 && c->nts_rotate == 0 && !NKS_ReloadKeys())
    return CMW_STT_FAILED;
#endif
  return CMW_STT_SUCCESS;
}

int
CMD_CycleLogs(void)
{
  return CMW_STT_SUCCESS;
}
