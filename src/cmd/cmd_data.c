/*
  ntsd - data and actions behind the command protocol

  The state of a daemon without sources and without clock discipline, as
  chronyd reports it in the same situation.  Each body is meant to be
  replaced by a call into the module that will own the state.
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "clientlog.h"
#include "cmd_data.h"
#include "conf.h"
#include "keys.h"
#ifdef FEAT_NTS
#include "nts_ke_server.h"
#endif
#include "reference.h"
#include "sched.h"
#include "stats.h"

void
CMD_GetTracking(CMR_Tracking *r)
{
  struct timespec now, mono;
  REF_Params p;

  SCH_GetLastEventTime(&now, &mono);
  REF_GetReferenceParams(&now, &p);

  memset(r, 0, sizeof *r);
  r->ip.family = AF_UNSPEC;
  if (p.leap != 3 && p.stratum > 0) {
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
  return 0;
}

int
CMD_GetSourceData(int index, CMR_SourceData *r)
{
  return 0;
}

int
CMD_GetSourceStats(int index, CMR_SourceStats *r)
{
  return 0;
}

int
CMD_GetSelectData(int index, CMR_SelectData *r)
{
  return 0;
}

int
CMD_GetNTPData(const IPAddr *ip, CMR_NTPData *r)
{
  return 0;
}

int
CMD_GetSourceName(const IPAddr *ip, char *name, int len)
{
  return 0;
}

int
CMD_GetAuthData(const IPAddr *ip, CMR_AuthData *r)
{
  return 0;
}

void
CMD_GetActivity(CMR_Activity *r)
{
  memset(r, 0, sizeof *r);
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

  /* The client log keeps no request intervals yet (127 = unknown) and
     cannot reset its counters */
  memset(r, 0, sizeof *r);
  r->ip = report.ip;
  r->ntp_hits = report.hits[CLG_NTP];
  r->nke_hits = report.hits[CLG_NTSKE];
  r->cmd_hits = report.hits[CLG_CMD];
  r->ntp_drops = report.drops[CLG_NTP];
  r->nke_drops = report.drops[CLG_NTSKE];
  r->cmd_drops = report.drops[CLG_CMD];
  r->ntp_interval = 127;
  r->nke_interval = 127;
  r->cmd_interval = 127;
  r->ntp_timeout_interval = 127;
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
  /* ONOFFLINE always succeeds in chronyd, the others need a match */
  return c == CMD_CONN_AUTO ? CMW_STT_SUCCESS : CMW_STT_NOSUCHSOURCE;
}

int
CMD_Burst(const IPAddr *mask, const IPAddr *address, int n_good_samples, int n_total_samples)
{
  return CMW_STT_NOSUCHSOURCE;
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
  /* There is nothing to add the source to until the NTP client exists */
  return CMW_STT_FAILED;
}

int
CMD_DeleteSource(const IPAddr *address)
{
  return CMW_STT_NOSUCHSOURCE;
}

int
CMD_Reselect(void)
{
  return CMW_STT_SUCCESS;
}

int
CMD_ReselectDistance(double distance)
{
  return CMW_STT_SUCCESS;
}

int
CMD_Refresh(void)
{
  return CMW_STT_SUCCESS;
}

int
CMD_ResetSources(void)
{
  return CMW_STT_SUCCESS;
}

int
CMD_ReloadSources(void)
{
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

int
CMD_MakeStep(void)
{
  /* No correction is pending, so the step is of zero and succeeds */
  return CMW_STT_SUCCESS;
}

int
CMD_ModifyMakeStep(int limit, double threshold)
{
  return CMW_STT_SUCCESS;
}

int
CMD_ModifyMaxUpdateSkew(double skew_ppm)
{
  return CMW_STT_SUCCESS;
}

int
CMD_Dfreq(double dfreq_ppm)
{
  return CMW_STT_SUCCESS;
}

int
CMD_Doffset(double doffset)
{
  return CMW_STT_SUCCESS;
}

int
CMD_SetLocal(int on, int stratum, double distance, int orphan, double activate,
             double wait_synced, double wait_unsynced)
{
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
  return CMW_STT_SUCCESS;
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
