/*
  ntsd - command request processing

  The checks of chronyd's command pipeline in its order, then one handler
  per command.  Handlers read their fields only after the length check
  against the table in cmd_wire.c, so every field they read is inside the
  datagram.  Nothing here does I/O; cmdmon.c feeds the datagrams in.
*/
#include "config.h"

#include <string.h>

#include "clientlog.h"
#include "cmd_data.h"
#include "cmd_reply.h"
#include "cmd_wire.h"
#include "cmdmon.h"
#include "conf.h"
#include "logging.h"
#include "memory.h"
#include "sched.h"
#include "stats.h"

/* Offset of request body fields */
#define Q(off) (CMW_REQUEST_HEADER_LEN + (off))

typedef struct {
  const uint8_t *req;
  int req_len;
  uint8_t *rpy;
  int rpy_max;
  int reply;        /* CMW_RPY_* */
  int rpy_len;
  int status;       /* CMW_STT_* */
} Request;

typedef void (*Handler)(Request *r);

/* cmdallow/cmddeny rules: the configured ones followed by those added with
   CMDALLOW/CMDDENY requests, evaluated together */
static CNF_AccessRule *host_rules;
static int n_host_rules;
static int host_rules_loaded;

static void
load_host_rules(void)
{
  const CNF_Config *c;

  if (host_rules_loaded)
    return;
  c = CNF_Get();
  n_host_rules = c->n_cmd_access;
  host_rules = MallocArray(CNF_AccessRule, n_host_rules + 1);
  if (n_host_rules > 0)
    memcpy(host_rules, c->cmd_access, n_host_rules * sizeof *host_rules);
  host_rules_loaded = 1;
}

void
CAM_ResetHostAccess(void)
{
  Free(host_rules);
  host_rules = NULL;
  n_host_rules = 0;
  host_rules_loaded = 0;
}

static int
is_localhost(const IPAddr *ip)
{
  static const uint8_t loopback6[16] = { [15] = 1 };

  if (ip->family == AF_INET)
    return ip->addr.in4 == 0x7f000001;
  if (ip->family == AF_INET6)
    return memcmp(ip->addr.in6, loopback6, 16) == 0;
  return 0;
}

int
CAM_IsHostAllowed(const IPAddr *ip)
{
  if (is_localhost(ip))
    return 1;
  load_host_rules();
  return CNF_AccessAllowed(host_rules, n_host_rules, ip, 0);
}

/* ---- helpers for handlers ---- */

static void
set_reply(Request *r, int reply, int len)
{
  if (!len) {
    r->status = CMW_STT_FAILED;
    return;
  }
  r->reply = reply;
  r->rpy_len = len;
}

static int32_t
get_i32(const Request *r, int off)
{
  return (int32_t)CMW_GetU32(r->req + Q(off));
}

/* An unsigned index on the wire as an int; out-of-range values become -1,
   which no provider knows */
static int
get_index(const Request *r, int off)
{
  uint32_t i = CMW_GetU32(r->req + Q(off));

  return i > 0x7fffffffU ? -1 : (int)i;
}

static void
get_ip(const Request *r, int off, IPAddr *ip)
{
  CMW_GetIPAddr(r->req + Q(off), ip);
}

/* ---- reports ---- */

static void
handle_null(Request *r)
{
}

static void
handle_logon(Request *r)
{
  /* Authentication was removed in protocol 6; chronyd 4.3 always fails */
  r->status = CMW_STT_FAILED;
}

static void
handle_n_sources(Request *r)
{
  CMR_NSources n;

  n.n_sources = CMD_GetNumberOfSources();
  set_reply(r, CMW_RPY_N_SOURCES, CMR_EncodeNSources(r->rpy, r->rpy_max, &n));
}

static void
handle_source_data(Request *r)
{
  CMR_SourceData d;
  int index = get_i32(r, 0);

  memset(&d, 0, sizeof d);
  if (index < 0 || !CMD_GetSourceData(index, &d)) {
    r->status = CMW_STT_NOSUCHSOURCE;
    return;
  }
  set_reply(r, CMW_RPY_SOURCE_DATA, CMR_EncodeSourceData(r->rpy, r->rpy_max, &d));
}

static void
handle_sourcestats(Request *r)
{
  CMR_SourceStats s;
  int index = get_index(r, 0);

  memset(&s, 0, sizeof s);
  if (index < 0 || !CMD_GetSourceStats(index, &s)) {
    r->status = CMW_STT_NOSUCHSOURCE;
    return;
  }
  set_reply(r, CMW_RPY_SOURCESTATS, CMR_EncodeSourceStats(r->rpy, r->rpy_max, &s));
}

static void
handle_select_data(Request *r)
{
  CMR_SelectData s;
  int index = get_index(r, 0);

  memset(&s, 0, sizeof s);
  if (index < 0 || !CMD_GetSelectData(index, &s)) {
    r->status = CMW_STT_NOSUCHSOURCE;
    return;
  }
  set_reply(r, CMW_RPY_SELECT_DATA, CMR_EncodeSelectData(r->rpy, r->rpy_max, &s));
}

static void
handle_tracking(Request *r)
{
  CMR_Tracking t;

  CMD_GetTracking(&t);
  set_reply(r, CMW_RPY_TRACKING, CMR_EncodeTracking(r->rpy, r->rpy_max, &t));
}

static void
handle_ntp_data(Request *r)
{
  CMR_NTPData d;
  IPAddr ip;
  int reply;

  get_ip(r, 0, &ip);
  memset(&d, 0, sizeof d);
  if (!CMD_GetNTPData(&ip, &d)) {
    r->status = CMW_STT_NOSUCHSOURCE;
    return;
  }
  /* 4.6+ clients pad the request for the longer variant */
  reply = r->req_len >= CMW_ReplyLength(CMW_RPY_NTP_DATA2) ? CMW_RPY_NTP_DATA2 : CMW_RPY_NTP_DATA;
  set_reply(r, reply, CMR_EncodeNTPData(r->rpy, r->rpy_max, reply, &d));
}

static void
handle_source_name(Request *r)
{
  char name[CMW_NAME_LEN + 1];
  IPAddr ip;

  get_ip(r, 0, &ip);
  if (!CMD_GetSourceName(&ip, name, sizeof name)) {
    r->status = CMW_STT_NOSUCHSOURCE;
    return;
  }
  set_reply(r, CMW_RPY_NTP_SOURCE_NAME, CMR_EncodeSourceName(r->rpy, r->rpy_max, name));
}

static void
handle_auth_data(Request *r)
{
  CMR_AuthData a;
  IPAddr ip;

  get_ip(r, 0, &ip);
  memset(&a, 0, sizeof a);
  if (!CMD_GetAuthData(&ip, &a)) {
    r->status = CMW_STT_NOSUCHSOURCE;
    return;
  }
  set_reply(r, CMW_RPY_AUTH_DATA, CMR_EncodeAuthData(r->rpy, r->rpy_max, &a));
}

static void
handle_activity(Request *r)
{
  CMR_Activity a;

  CMD_GetActivity(&a);
  set_reply(r, CMW_RPY_ACTIVITY, CMR_EncodeActivity(r->rpy, r->rpy_max, &a));
}

static void
handle_server_stats(Request *r)
{
  static const int variants[] = {
    CMW_RPY_SERVER_STATS4, CMW_RPY_SERVER_STATS3, CMW_RPY_SERVER_STATS2, CMW_RPY_SERVER_STATS
  };
  CMR_ServerStats s;
  unsigned int i;

  /* Every client pads its request to the reply it expects, so the longest
     variant that fits is the one it understands */
  for (i = 0; i < sizeof variants / sizeof variants[0]; i++) {
    if (r->req_len >= CMW_ReplyLength(variants[i]))
      break;
  }
  if (i == sizeof variants / sizeof variants[0]) {
    r->status = CMW_STT_BADPKTLENGTH;
    return;
  }
  CMD_GetServerStats(&s);
  set_reply(r, variants[i], CMR_EncodeServerStats(r->rpy, r->rpy_max, variants[i], &s));
}

static void
handle_client_accesses(Request *r)
{
  uint32_t first = CMW_GetU32(r->req + Q(0)), max = CMW_GetU32(r->req + Q(4));
  uint32_t min_hits = CMW_GetU32(r->req + Q(8)), reset = CMW_GetU32(r->req + Q(12));
  CMR_ClientAccesses a;
  CMR_ClientAccess *c;
  uint32_t i;
  int size;

  size = CMD_GetClientLogSize();
  if (size < 0) {
    r->status = CMW_STT_INACTIVE;
    return;
  }
  if (max > CMW_MAX_CLIENT_ACCESSES)
    max = CMW_MAX_CLIENT_ACCESSES;

  memset(&a, 0, sizeof a);
  for (i = first; i < (uint32_t)size && a.n_clients < max; i++) {
    c = &a.clients[a.n_clients];
    if (!CMD_GetClientAccess(i, reset != 0, c))
      continue;
    if (min_hits > 0 && c->ntp_hits < min_hits && c->nke_hits < min_hits &&
        c->cmd_hits < min_hits) {
      memset(c, 0, sizeof *c);
      continue;
    }
    a.n_clients++;
  }
  a.n_indices = size;
  a.next_index = i;
  set_reply(r, CMW_RPY_CLIENT_ACCESSES_BY_INDEX3,
            CMR_EncodeClientAccesses(r->rpy, r->rpy_max, &a));
}

static void
handle_rtc_report(Request *r)
{
  CMR_Rtc rtc;

  memset(&rtc, 0, sizeof rtc);
  r->status = CMD_GetRtc(&rtc);
  if (r->status == CMW_STT_SUCCESS)
    set_reply(r, CMW_RPY_RTC, CMR_EncodeRtc(r->rpy, r->rpy_max, &rtc));
}

static void
handle_smoothing(Request *r)
{
  CMR_Smoothing s;

  memset(&s, 0, sizeof s);
  r->status = CMD_GetSmoothing(&s);
  if (r->status == CMW_STT_SUCCESS)
    set_reply(r, CMW_RPY_SMOOTHING, CMR_EncodeSmoothing(r->rpy, r->rpy_max, &s));
}

static void
handle_manual_list(Request *r)
{
  CMR_ManualList m;

  CMD_GetManualList(&m);
  set_reply(r, CMW_RPY_MANUAL_LIST2, CMR_EncodeManualList(r->rpy, r->rpy_max, &m));
}

/* ---- source control ---- */

static void
handle_connectivity(Request *r)
{
  IPAddr mask, address;
  int command = CMW_GetU16(r->req + 4);

  get_ip(r, 0, &mask);
  get_ip(r, 20, &address);
  r->status = CMD_SetConnectivity(&mask, &address,
                                  command == CMW_REQ_ONLINE ? CMD_CONN_ONLINE : CMD_CONN_OFFLINE);
}

static void
handle_onoffline(Request *r)
{
  IPAddr none;

  memset(&none, 0, sizeof none);
  none.family = AF_UNSPEC;
  r->status = CMD_SetConnectivity(&none, &none, CMD_CONN_AUTO);
}

static void
handle_burst(Request *r)
{
  IPAddr mask, address;

  get_ip(r, 0, &mask);
  get_ip(r, 20, &address);
  r->status = CMD_Burst(&mask, &address, get_i32(r, 40), get_i32(r, 44));
}

static void
handle_modify_source(Request *r)
{
  int command = CMW_GetU16(r->req + 4);
  IPAddr address;
  double value;

  get_ip(r, 0, &address);
  switch (command) {
    case CMW_REQ_MODIFY_MAXDELAY:
    case CMW_REQ_MODIFY_MAXDELAYRATIO:
    case CMW_REQ_MODIFY_MAXDELAYDEVRATIO:
      value = CMW_GetFloat(r->req + Q(20));
      break;
    default:
      value = get_i32(r, 20);
      break;
  }
  r->status = CMD_ModifySource(command, &address, value);
}

static void
handle_modify_selectopts(Request *r)
{
  IPAddr address;

  get_ip(r, 0, &address);
  r->status = CMD_ModifySelectOptions(&address, CMW_GetU32(r->req + Q(20)),
                                      CMW_GetU32(r->req + Q(24)), CMW_GetU32(r->req + Q(28)));
}

static void
handle_modify_offset(Request *r)
{
  IPAddr address;

  get_ip(r, 0, &address);
  r->status = CMD_ModifyOffset(&address, CMW_GetU32(r->req + Q(20)), CMW_GetFloat(r->req + Q(24)));
}

static void
handle_add_source(Request *r)
{
  const uint8_t *q = r->req + Q(0);
  CMD_NewSource s;

  memset(&s, 0, sizeof s);
  s.type = CMW_GetU32(q);
  if (s.type != CMW_ADDSRC_SERVER && s.type != CMW_ADDSRC_PEER && s.type != CMW_ADDSRC_POOL) {
    r->status = CMW_STT_INVALID;
    return;
  }
  if (!CMW_GetString(q + 4, CMW_NAME_LEN, s.name, sizeof s.name)) {
    r->status = CMW_STT_INVALIDNAME;
    return;
  }
  s.port = CMW_GetU32(q + 260);
  s.minpoll = (int32_t)CMW_GetU32(q + 264);
  s.maxpoll = (int32_t)CMW_GetU32(q + 268);
  s.presend_minpoll = (int32_t)CMW_GetU32(q + 272);
  s.min_stratum = CMW_GetU32(q + 276);
  s.poll_target = CMW_GetU32(q + 280);
  s.version = CMW_GetU32(q + 284);
  s.max_sources = CMW_GetU32(q + 288);
  s.min_samples = (int32_t)CMW_GetU32(q + 292);
  s.max_samples = (int32_t)CMW_GetU32(q + 296);
  s.authkey = CMW_GetU32(q + 300);
  s.nts_port = CMW_GetU32(q + 304);
  s.max_delay = CMW_GetFloat(q + 308);
  s.max_delay_ratio = CMW_GetFloat(q + 312);
  s.max_delay_dev_ratio = CMW_GetFloat(q + 316);
  s.min_delay = CMW_GetFloat(q + 320);
  s.asymmetry = CMW_GetFloat(q + 324);
  s.offset = CMW_GetFloat(q + 328);
  s.flags = CMW_GetU32(q + 332);
  s.filter_length = (int32_t)CMW_GetU32(q + 336);
  s.cert_set = CMW_GetU32(q + 340);
  s.max_delay_quant = CMW_GetFloat(q + 344);
  s.max_unreach = (int32_t)CMW_GetU32(q + 348);
  r->status = CMD_AddSource(&s);
}

static void
handle_del_source(Request *r)
{
  IPAddr address;

  get_ip(r, 0, &address);
  r->status = CMD_DeleteSource(&address);
}

static void handle_reselect(Request *r) { r->status = CMD_Reselect(); }
static void handle_refresh(Request *r) { r->status = CMD_Refresh(); }
static void handle_reset_sources(Request *r) { r->status = CMD_ResetSources(); }
static void handle_reload_sources(Request *r) { r->status = CMD_ReloadSources(); }
static void handle_dump(Request *r) { r->status = CMD_Dump(); }
static void handle_makestep(Request *r) { r->status = CMD_MakeStep(); }
static void handle_writertc(Request *r) { r->status = CMD_WriteRtc(); }
static void handle_trimrtc(Request *r) { r->status = CMD_TrimRtc(); }
static void handle_rekey(Request *r) { r->status = CMD_Rekey(); }
static void handle_cyclelogs(Request *r) { r->status = CMD_CycleLogs(); }

static void
handle_reselect_distance(Request *r)
{
  r->status = CMD_ReselectDistance(CMW_GetFloat(r->req + Q(0)));
}

/* ---- clock control ---- */

static void
handle_modify_makestep(Request *r)
{
  r->status = CMD_ModifyMakeStep(get_i32(r, 0), CMW_GetFloat(r->req + Q(4)));
}

static void
handle_max_update_skew(Request *r)
{
  r->status = CMD_ModifyMaxUpdateSkew(CMW_GetFloat(r->req + Q(0)));
}

static void
handle_dfreq(Request *r)
{
  r->status = CMD_Dfreq(CMW_GetFloat(r->req + Q(0)));
}

static void
handle_doffset(Request *r)
{
  r->status = CMD_Doffset(CMW_GetFloat(r->req + Q(0)));
}

static void
handle_local(Request *r)
{
  int local3 = CMW_GetU16(r->req + 4) == CMW_REQ_LOCAL3;

  r->status = CMD_SetLocal(get_i32(r, 0) != 0, get_i32(r, 4), CMW_GetFloat(r->req + Q(8)),
                           get_i32(r, 12) != 0,
                           local3 ? CMW_GetFloat(r->req + Q(16)) : 0.0,
                           local3 ? CMW_GetFloat(r->req + Q(20)) : 0.0,
                           local3 ? CMW_GetFloat(r->req + Q(24)) : 0.0);
}

static void
handle_smoothtime(Request *r)
{
  r->status = CMD_SmoothTime(get_i32(r, 0));
}

static void
handle_manual(Request *r)
{
  int option = get_i32(r, 0);

  if (option < 0 || option > 2) {
    r->status = CMW_STT_INVALID;
    return;
  }
  r->status = CMD_Manual(option);
}

static void
handle_manual_delete(Request *r)
{
  r->status = CMD_ManualDelete(get_i32(r, 0));
}

static void
handle_settime(Request *r)
{
  CMR_ManualTimestamp m;
  struct timespec ts;

  CMW_GetTimespec(r->req + Q(0), &ts);
  memset(&m, 0, sizeof m);
  r->status = CMD_SetTime(&ts, &m);
  if (r->status == CMW_STT_SUCCESS)
    set_reply(r, CMW_RPY_MANUAL_TIMESTAMP2, CMR_EncodeManualTimestamp(r->rpy, r->rpy_max, &m));
}

/* ---- access rules ---- */

static int
valid_subnet(const IPAddr *ip, int bits)
{
  switch (ip->family) {
    case AF_UNSPEC: return bits == 0;
    case AF_INET: return bits >= 0 && bits <= 32;
    case AF_INET6: return bits >= 0 && bits <= 128;
    default: return 0;
  }
}

static void
handle_allow_deny(Request *r)
{
  int command = CMW_GetU16(r->req + 4), bits = get_i32(r, 20), allow, all;
  CNF_AccessRule *rule;
  IPAddr ip;

  get_ip(r, 0, &ip);
  if (!valid_subnet(&ip, bits)) {
    r->status = CMW_STT_BADSUBNET;
    return;
  }
  allow = command == CMW_REQ_ALLOW || command == CMW_REQ_ALLOWALL ||
          command == CMW_REQ_CMDALLOW || command == CMW_REQ_CMDALLOWALL;
  all = command == CMW_REQ_ALLOWALL || command == CMW_REQ_DENYALL ||
        command == CMW_REQ_CMDALLOWALL || command == CMW_REQ_CMDDENYALL;

  if (command < CMW_REQ_CMDALLOW) {
    r->status = CMD_ModifyNtpAccess(allow, all, &ip, bits);
    return;
  }

  load_host_rules();
  host_rules = ReallocArray(CNF_AccessRule, n_host_rules + 1, host_rules);
  rule = &host_rules[n_host_rules++];
  memset(rule, 0, sizeof *rule);
  rule->allow = allow;
  rule->all = all;
  rule->any = ip.family == AF_UNSPEC;
  rule->net = ip;
  rule->bits = bits;
  LOG(LOGS_INFO, "Command access %s %s/%d", allow ? "allowed" : "denied",
      rule->any ? "all" : UTI_IPToString(&ip), bits);
}

static void
handle_accheck(Request *r)
{
  IPAddr ip;

  get_ip(r, 0, &ip);
  r->status = CMD_CheckNtpAccess(&ip);
}

static void
handle_cmdaccheck(Request *r)
{
  IPAddr ip;

  /* As chronyd: the rules only, without the localhost exception */
  get_ip(r, 0, &ip);
  load_host_rules();
  r->status = CNF_AccessAllowed(host_rules, n_host_rules, &ip, 0) ?
              CMW_STT_ACCESSALLOWED : CMW_STT_ACCESSDENIED;
}

static void
handle_shutdown(Request *r)
{
  LOG(LOGS_INFO, "Received shutdown command");
  /* The loop exits after this handler returns, so the reply still goes out */
  SCH_QuitProgram();
}

static const Handler handlers[CMW_N_REQUEST_TYPES] = {
  [CMW_REQ_NULL] = handle_null,
  [CMW_REQ_ONLINE] = handle_connectivity,
  [CMW_REQ_OFFLINE] = handle_connectivity,
  [CMW_REQ_BURST] = handle_burst,
  [CMW_REQ_MODIFY_MINPOLL] = handle_modify_source,
  [CMW_REQ_MODIFY_MAXPOLL] = handle_modify_source,
  [CMW_REQ_DUMP] = handle_dump,
  [CMW_REQ_MODIFY_MAXDELAY] = handle_modify_source,
  [CMW_REQ_MODIFY_MAXDELAYRATIO] = handle_modify_source,
  [CMW_REQ_MODIFY_MAXUPDATESKEW] = handle_max_update_skew,
  [CMW_REQ_LOGON] = handle_logon,
  [CMW_REQ_SETTIME] = handle_settime,
  [CMW_REQ_MANUAL] = handle_manual,
  [CMW_REQ_N_SOURCES] = handle_n_sources,
  [CMW_REQ_SOURCE_DATA] = handle_source_data,
  [CMW_REQ_REKEY] = handle_rekey,
  [CMW_REQ_ALLOW] = handle_allow_deny,
  [CMW_REQ_ALLOWALL] = handle_allow_deny,
  [CMW_REQ_DENY] = handle_allow_deny,
  [CMW_REQ_DENYALL] = handle_allow_deny,
  [CMW_REQ_CMDALLOW] = handle_allow_deny,
  [CMW_REQ_CMDALLOWALL] = handle_allow_deny,
  [CMW_REQ_CMDDENY] = handle_allow_deny,
  [CMW_REQ_CMDDENYALL] = handle_allow_deny,
  [CMW_REQ_ACCHECK] = handle_accheck,
  [CMW_REQ_CMDACCHECK] = handle_cmdaccheck,
  [CMW_REQ_DEL_SOURCE] = handle_del_source,
  [CMW_REQ_WRITERTC] = handle_writertc,
  [CMW_REQ_DFREQ] = handle_dfreq,
  [CMW_REQ_TRACKING] = handle_tracking,
  [CMW_REQ_SOURCESTATS] = handle_sourcestats,
  [CMW_REQ_RTCREPORT] = handle_rtc_report,
  [CMW_REQ_TRIMRTC] = handle_trimrtc,
  [CMW_REQ_CYCLELOGS] = handle_cyclelogs,
  [CMW_REQ_MANUAL_LIST] = handle_manual_list,
  [CMW_REQ_MANUAL_DELETE] = handle_manual_delete,
  [CMW_REQ_MAKESTEP] = handle_makestep,
  [CMW_REQ_ACTIVITY] = handle_activity,
  [CMW_REQ_MODIFY_MINSTRATUM] = handle_modify_source,
  [CMW_REQ_MODIFY_POLLTARGET] = handle_modify_source,
  [CMW_REQ_MODIFY_MAXDELAYDEVRATIO] = handle_modify_source,
  [CMW_REQ_RESELECT] = handle_reselect,
  [CMW_REQ_RESELECTDISTANCE] = handle_reselect_distance,
  [CMW_REQ_MODIFY_MAKESTEP] = handle_modify_makestep,
  [CMW_REQ_SMOOTHING] = handle_smoothing,
  [CMW_REQ_SMOOTHTIME] = handle_smoothtime,
  [CMW_REQ_REFRESH] = handle_refresh,
  [CMW_REQ_SERVER_STATS] = handle_server_stats,
  [CMW_REQ_LOCAL2] = handle_local,
  [CMW_REQ_NTP_DATA] = handle_ntp_data,
  [CMW_REQ_SHUTDOWN] = handle_shutdown,
  [CMW_REQ_ONOFFLINE] = handle_onoffline,
  [CMW_REQ_ADD_SOURCE] = handle_add_source,
  [CMW_REQ_NTP_SOURCE_NAME] = handle_source_name,
  [CMW_REQ_RESET_SOURCES] = handle_reset_sources,
  [CMW_REQ_AUTH_DATA] = handle_auth_data,
  [CMW_REQ_CLIENT_ACCESSES_BY_INDEX3] = handle_client_accesses,
  [CMW_REQ_SELECT_DATA] = handle_select_data,
  [CMW_REQ_RELOAD_SOURCES] = handle_reload_sources,
  [CMW_REQ_DOFFSET2] = handle_doffset,
  [CMW_REQ_MODIFY_SELECTOPTS] = handle_modify_selectopts,
  [CMW_REQ_MODIFY_OFFSET] = handle_modify_offset,
  [CMW_REQ_LOCAL3] = handle_local,
};

int
CAM_ProcessRequest(const uint8_t *req, int req_len, const IPAddr *ip,
                   uint8_t *reply, int reply_max)
{
  CMW_RequestHeader rq;
  CMW_ReplyHeader rp;
  struct timespec now, mono;
  Request r;
  int command;

  if (reply_max < CMW_MAX_REPLY_LEN)
    return 0;

  /* Unknown hosts get no answer at all, not even an error */
  if (ip && !CAM_IsHostAllowed(ip))
    return 0;

  /* Shorter than a reply header: an error reply would amplify */
  if (req_len < CMW_MIN_REQUEST_LEN || req_len > CMW_MAX_REQUEST_LEN)
    return 0;
  if (!CMW_DecodeRequestHeader(req, req_len, &rq) || rq.pkt_type != CMW_PKT_TYPE_REQUEST ||
      rq.res1 != 0 || rq.res2 != 0)
    return 0;

  STA_counters.cmd_hits++;
  if (ip) {
    SCH_GetLastEventTime(&now, &mono);
    if (CLG_LogAccess(CLG_CMD, ip, mono.tv_sec + mono.tv_nsec * 1e-9) == CLG_DROP &&
        !is_localhost(ip)) {
      STA_counters.cmd_drops++;
      return 0;
    }
  }

  memset(&rp, 0, sizeof rp);
  rp.version = CMW_PROTO_VERSION;
  rp.pkt_type = CMW_PKT_TYPE_REPLY;
  rp.command = rq.command;
  rp.reply = CMW_RPY_NULL;
  rp.status = CMW_STT_SUCCESS;
  rp.sequence = rq.sequence;

  memset(&r, 0, sizeof r);
  r.req = req;
  r.req_len = req_len;
  r.rpy = reply;
  r.rpy_max = reply_max;
  r.reply = CMW_RPY_NULL;
  r.rpy_len = CMW_REPLY_HEADER_LEN;
  memset(reply, 0, CMW_MAX_REPLY_LEN);

  command = rq.command;
  if (rq.version != CMW_PROTO_VERSION) {
    if (rq.version < CMW_PROTO_VERSION_COMPAT_SERVER)
      return 0;
    r.status = CMW_STT_BADPKTVERSION;
  } else if (!CMW_MinRequestLength(command) || !handlers[command]) {
    r.status = CMW_STT_INVALID;
  } else if (req_len < CMW_MinRequestLength(command)) {
    r.status = CMW_STT_BADPKTLENGTH;
  } else if (ip && !CMW_IsOpenCommand(command)) {
    r.status = CMW_STT_UNAUTH;
  } else {
    handlers[command](&r);
  }

  /* Errors never carry data */
  if (r.status != CMW_STT_SUCCESS && r.status != CMW_STT_ACCESSALLOWED &&
      r.status != CMW_STT_ACCESSDENIED) {
    r.reply = CMW_RPY_NULL;
    r.rpy_len = CMW_REPLY_HEADER_LEN;
  }
  rp.reply = r.reply;
  rp.status = r.status;
  CMW_EncodeReplyHeader(reply, &rp);

  /* Never send more than we received */
  if (r.rpy_len > req_len)
    return 0;
  return r.rpy_len;
}
