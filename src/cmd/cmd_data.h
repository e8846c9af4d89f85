/*
  ntsd - data and actions behind the command protocol

  cmdmon.c handles the protocol; everything it reports or changes goes
  through these providers, so that the modules owning the state (sources,
  clock discipline, client log, NTS) can fill them in without touching the
  protocol code.  cmd_data.c implements them for the daemon as it is: no
  sources, no clock discipline, the reference state of reference.c, the
  client log of clientlog.c and the counters of stats.c.

  Conventions: sources are addressed by index (0 .. n-1) or by address
  (AF_INET/AF_INET6, or CMW_AF_ID for an unresolved source); functions
  returning int return a CMW_STT_* status unless stated otherwise.  The
  providers must not keep the pointers they are given.
*/
#ifndef NTSD_CMD_DATA_H
#define NTSD_CMD_DATA_H

#include <time.h>

#include "cmd_reply.h"
#include "util.h"

/* ---- reports ---- */

/* TRACKING: our synchronisation state */
void CMD_GetTracking(CMR_Tracking *r);

/* N_SOURCES: NTP sources (resolved or not) plus reference clocks */
int CMD_GetNumberOfSources(void);
/* SOURCE_DATA, SOURCESTATS, SELECT_DATA by index; return 1, or 0 if there
   is no such source */
int CMD_GetSourceData(int index, CMR_SourceData *r);
int CMD_GetSourceStats(int index, CMR_SourceStats *r);
int CMD_GetSelectData(int index, CMR_SelectData *r);

/* NTP_DATA, NTP_SOURCE_NAME, AUTH_DATA of an NTP source by address; return
   1, or 0 if the address is not an NTP source */
int CMD_GetNTPData(const IPAddr *ip, CMR_NTPData *r);
int CMD_GetSourceName(const IPAddr *ip, char *name, int len);
int CMD_GetAuthData(const IPAddr *ip, CMR_AuthData *r);

/* ACTIVITY */
void CMD_GetActivity(CMR_Activity *r);

/* SERVER_STATS: every counter; the older reply variants use a subset */
void CMD_GetServerStats(CMR_ServerStats *r);

/* CLIENT_ACCESSES_BY_INDEX3.  CMD_GetClientLogSize returns the number of
   slots, or -1 if client logging is disabled.  CMD_GetClientAccess returns
   0 for an empty slot; with reset, the hit and drop counters of the slot
   are cleared after being reported. */
int CMD_GetClientLogSize(void);
int CMD_GetClientAccess(int index, int reset, CMR_ClientAccess *r);

/* RTCREPORT: CMW_STT_NORTC if the RTC is not tracked */
int CMD_GetRtc(CMR_Rtc *r);
/* SMOOTHING: CMW_STT_NOTENABLED without smoothtime */
int CMD_GetSmoothing(CMR_Smoothing *r);
/* MANUAL_LIST */
void CMD_GetManualList(CMR_ManualList *r);

/* ---- source control ---- */

/* ONLINE/OFFLINE/ONOFFLINE and BURST select sources with mask/address as
   chronyd does (address UNSPEC: all sources); CMW_STT_NOSUCHSOURCE if
   nothing matched, which includes having no sources */
typedef enum { CMD_CONN_ONLINE, CMD_CONN_OFFLINE, CMD_CONN_AUTO } CMD_Connectivity;
int CMD_SetConnectivity(const IPAddr *mask, const IPAddr *address, CMD_Connectivity c);
int CMD_Burst(const IPAddr *mask, const IPAddr *address, int n_good_samples, int n_total_samples);

/* MODIFY_MINPOLL ... MODIFY_MAXDELAYDEVRATIO: command is the CMW_REQ_ code,
   value the new setting (integer settings as a whole double) */
int CMD_ModifySource(int command, const IPAddr *address, double value);
/* 4.4+ MODIFY_SELECTOPTS and 4.6+ MODIFY_OFFSET (address UNSPEC: the
   reference clock with ref_id) */
int CMD_ModifySelectOptions(const IPAddr *address, uint32_t ref_id, uint32_t mask, uint32_t options);
int CMD_ModifyOffset(const IPAddr *address, uint32_t ref_id, double offset);

/* ADD_SOURCE, already checked for a valid type and a terminated name */
typedef struct {
  int type;                  /* CMW_ADDSRC_SERVER, _PEER, _POOL */
  char name[CMW_NAME_LEN];
  uint32_t port;
  int minpoll, maxpoll, presend_minpoll;
  uint32_t min_stratum, poll_target, version, max_sources;
  int min_samples, max_samples;
  uint32_t authkey, nts_port;
  double max_delay, max_delay_ratio, max_delay_dev_ratio, min_delay, asymmetry, offset;
  uint32_t flags;            /* CMW_ADDSRC_* */
  int filter_length;
  uint32_t cert_set;
  double max_delay_quant;
  int max_unreach;           /* 0: default (older clients send 0) */
} CMD_NewSource;
int CMD_AddSource(const CMD_NewSource *s);
int CMD_DeleteSource(const IPAddr *address);

int CMD_Reselect(void);
int CMD_ReselectDistance(double distance);
int CMD_Refresh(void);
int CMD_ResetSources(void);
int CMD_ReloadSources(void);
int CMD_Dump(void);

/* ---- clock control ---- */
int CMD_MakeStep(void);
int CMD_ModifyMakeStep(int limit, double threshold);
int CMD_ModifyMaxUpdateSkew(double skew_ppm);
int CMD_Dfreq(double dfreq_ppm);
int CMD_Doffset(double doffset);
/* LOCAL2/LOCAL3; on = 0 switches the local reference off */
int CMD_SetLocal(int on, int stratum, double distance, int orphan, double activate,
                 double wait_synced, double wait_unsynced);
/* SMOOTHTIME: option 0 reset, 1 activate */
int CMD_SmoothTime(int option);
/* MANUAL: option 0 off, 1 on, 2 reset (others rejected by cmdmon) */
int CMD_Manual(int option);
int CMD_ManualDelete(int index);
int CMD_SetTime(const struct timespec *ts, CMR_ManualTimestamp *r);
int CMD_WriteRtc(void);
int CMD_TrimRtc(void);

/* ---- other ---- */
/* ALLOW/DENY[ALL] for NTP clients, checked for a valid prefix */
int CMD_ModifyNtpAccess(int allow, int all, const IPAddr *ip, int bits);
/* ACCHECK: CMW_STT_ACCESSALLOWED or CMW_STT_ACCESSDENIED */
int CMD_CheckNtpAccess(const IPAddr *ip);
int CMD_Rekey(void);
int CMD_CycleLogs(void);

#endif
