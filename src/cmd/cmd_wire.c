/*
  ntsd - command protocol (cmdmon v6) wire layer
*/
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_wire.h"

/* Float: 7-bit two's complement exponent above a 25-bit two's complement
   coefficient without hidden bit */
#define FLOAT_EXP_BITS 7
#define FLOAT_EXP_MIN (-(1 << (FLOAT_EXP_BITS - 1)))
#define FLOAT_EXP_MAX (-FLOAT_EXP_MIN - 1)
#define FLOAT_COEF_BITS 25
#define FLOAT_COEF_MIN (-(1 << (FLOAT_COEF_BITS - 1)))
#define FLOAT_COEF_MAX (-FLOAT_COEF_MIN - 1)

void
CMW_PutU16(uint8_t *p, uint16_t v)
{
  p[0] = v >> 8;
  p[1] = v;
}

void
CMW_PutU32(uint8_t *p, uint32_t v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

void
CMW_PutU64(uint8_t *p, uint64_t v)
{
  CMW_PutU32(p, v >> 32);
  CMW_PutU32(p + 4, (uint32_t)v);
}

uint16_t
CMW_GetU16(const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
CMW_GetU32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t
CMW_GetU64(const uint8_t *p)
{
  return (uint64_t)CMW_GetU32(p) << 32 | CMW_GetU32(p + 4);
}

/* The steps mirror chronyd's encoder, including its use of log() and the
   truncating int conversion, so that every value gets the same bits */
uint32_t
CMW_DoubleToFloat(double x)
{
  int32_t exp, coef, neg;

  if (x < 0.0) {
    x = -x;
    neg = 1;
  } else if (x >= 0.0) {
    neg = 0;
  } else {
    /* NaN */
    x = 0.0;
    neg = 0;
  }

  if (x < 1.0e-100) {
    exp = coef = 0;
  } else if (x > 1.0e100) {
    exp = FLOAT_EXP_MAX;
    coef = FLOAT_COEF_MAX + neg;
  } else {
    exp = log(x) / log(2.0) + 1;
    coef = x * pow(2.0, -exp + FLOAT_COEF_BITS) + 0.5;

    while (coef > FLOAT_COEF_MAX + neg) {
      coef >>= 1;
      exp++;
    }

    if (exp > FLOAT_EXP_MAX) {
      exp = FLOAT_EXP_MAX;
      coef = FLOAT_COEF_MAX + neg;
    } else if (exp < FLOAT_EXP_MIN) {
      if (exp + FLOAT_COEF_BITS >= FLOAT_EXP_MIN) {
        coef >>= FLOAT_EXP_MIN - exp;
        exp = FLOAT_EXP_MIN;
      } else {
        exp = coef = 0;
      }
    }
  }

  if (neg)
    coef = (int32_t)(((uint32_t)-coef << FLOAT_EXP_BITS) >> FLOAT_EXP_BITS);

  return (uint32_t)exp << FLOAT_COEF_BITS | (uint32_t)coef;
}

double
CMW_FloatToDouble(uint32_t f)
{
  int32_t exp, coef;

  exp = f >> FLOAT_COEF_BITS;
  if (exp >= 1 << (FLOAT_EXP_BITS - 1))
    exp -= 1 << FLOAT_EXP_BITS;
  exp -= FLOAT_COEF_BITS;

  coef = f % (1U << FLOAT_COEF_BITS);
  if (coef >= 1 << (FLOAT_COEF_BITS - 1))
    coef -= 1 << FLOAT_COEF_BITS;

  return coef * pow(2.0, exp);
}

void
CMW_PutFloat(uint8_t *p, double x)
{
  CMW_PutU32(p, CMW_DoubleToFloat(x));
}

double
CMW_GetFloat(const uint8_t *p)
{
  return CMW_FloatToDouble(CMW_GetU32(p));
}

void
CMW_PutTimespec(uint8_t *p, const struct timespec *ts)
{
  CMW_PutU64(p, (uint64_t)(int64_t)ts->tv_sec);
  CMW_PutU32(p + 8, ts->tv_nsec);
}

void
CMW_GetTimespec(const uint8_t *p, struct timespec *ts)
{
  uint32_t high = CMW_GetU32(p), low = CMW_GetU32(p + 4), nsec = CMW_GetU32(p + 8);

  if (high == CMW_TV_NOHIGHSEC)
    high = 0;
  ts->tv_sec = (time_t)(int64_t)((uint64_t)high << 32 | low);
  ts->tv_nsec = nsec > 999999999U ? 999999999 : (long)nsec;
}

void
CMW_PutIPAddr(uint8_t *p, const IPAddr *ip)
{
  memset(p, 0, CMW_IPADDR_LEN);
  switch (ip->family) {
    case AF_INET:
      CMW_PutU32(p, ip->addr.in4);
      CMW_PutU16(p + 16, CMW_FAMILY_INET4);
      break;
    case AF_INET6:
      memcpy(p, ip->addr.in6, 16);
      CMW_PutU16(p + 16, CMW_FAMILY_INET6);
      break;
    case CMW_AF_ID:
      CMW_PutU32(p, ip->addr.in4);
      CMW_PutU16(p + 16, CMW_FAMILY_ID);
      break;
    default:
      break;
  }
}

void
CMW_GetIPAddr(const uint8_t *p, IPAddr *ip)
{
  memset(ip, 0, sizeof *ip);
  switch (CMW_GetU16(p + 16)) {
    case CMW_FAMILY_INET4:
      ip->family = AF_INET;
      ip->addr.in4 = CMW_GetU32(p);
      break;
    case CMW_FAMILY_INET6:
      ip->family = AF_INET6;
      memcpy(ip->addr.in6, p, 16);
      break;
    case CMW_FAMILY_ID:
      ip->family = CMW_AF_ID;
      ip->addr.in4 = CMW_GetU32(p);
      break;
    default:
      ip->family = AF_UNSPEC;
      break;
  }
}

const char *
CMW_IPToString(const IPAddr *ip, char *buf, int len)
{
  uint32_t a;

  if (len <= 0)
    return buf;
  switch (ip->family) {
    case AF_INET:
      a = ip->addr.in4;
      snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
      break;
    case AF_INET6:
      if (!inet_ntop(AF_INET6, ip->addr.in6, buf, len))
        snprintf(buf, len, "[UNKNOWN]");
      break;
    case CMW_AF_ID:
      snprintf(buf, len, "ID#%010u", ip->addr.in4);
      break;
    case AF_UNSPEC:
      snprintf(buf, len, "[UNSPEC]");
      break;
    default:
      snprintf(buf, len, "[UNKNOWN]");
      break;
  }
  return buf;
}

int
CMW_ParseSourceId(const char *s, IPAddr *ip)
{
  unsigned long id;
  char *end;

  if (strncmp(s, "ID#", 3) != 0 || s[3] < '0' || s[3] > '9')
    return 0;
  id = strtoul(s + 3, &end, 10);
  if (*end != '\0' || id > 0xFFFFFFFFUL)
    return 0;
  memset(ip, 0, sizeof *ip);
  ip->family = CMW_AF_ID;
  ip->addr.in4 = id;
  return 1;
}

const char *
CMW_RefidToString(uint32_t ref_id, char *buf, int len)
{
  int i, j = 0;
  unsigned int c;

  if (len <= 0)
    return buf;
  for (i = 0; i < 4 && j < len - 1; i++) {
    c = (ref_id >> (24 - i * 8)) & 0xff;
    /* isprint() in the C locale, without depending on the locale */
    if (c >= 0x20 && c <= 0x7e)
      buf[j++] = c;
  }
  buf[j] = '\0';
  return buf;
}

int
CMW_PutString(uint8_t *p, int size, const char *s)
{
  size_t n = strlen(s);
  int ok = n < (size_t)size;

  if (!ok)
    n = size - 1;
  memset(p, 0, size);
  memcpy(p, s, n);
  return ok;
}

int
CMW_GetString(const uint8_t *p, int size, char *out, int out_len)
{
  const uint8_t *nul = memchr(p, '\0', size);

  if (!nul || nul - p >= out_len)
    return 0;
  memcpy(out, p, nul - p + 1);
  return 1;
}

/* Requests and replies start with the same six bytes: version, packet
   type, two reserved bytes and the command */
static void
put_header_start(uint8_t *msg, uint8_t version, uint8_t pkt_type, uint8_t res1,
                 uint8_t res2, uint16_t command)
{
  msg[0] = version;
  msg[1] = pkt_type;
  msg[2] = res1;
  msg[3] = res2;
  CMW_PutU16(msg + 4, command);
}

static void
get_header_start(const uint8_t *msg, uint8_t *version, uint8_t *pkt_type, uint8_t *res1,
                 uint8_t *res2, uint16_t *command)
{
  *version = msg[0];
  *pkt_type = msg[1];
  *res1 = msg[2];
  *res2 = msg[3];
  *command = CMW_GetU16(msg + 4);
}

void
CMW_EncodeRequestHeader(uint8_t *msg, const CMW_RequestHeader *h)
{
  put_header_start(msg, h->version, h->pkt_type, h->res1, h->res2, h->command);
  CMW_PutU16(msg + 6, h->attempt);
  CMW_PutU32(msg + 8, h->sequence);
  memset(msg + 12, 0, 8);
}

int
CMW_DecodeRequestHeader(const uint8_t *msg, int len, CMW_RequestHeader *h)
{
  if (len < CMW_REQUEST_HEADER_LEN)
    return 0;
  get_header_start(msg, &h->version, &h->pkt_type, &h->res1, &h->res2, &h->command);
  h->attempt = CMW_GetU16(msg + 6);
  h->sequence = CMW_GetU32(msg + 8);
  return 1;
}

void
CMW_EncodeReplyHeader(uint8_t *msg, const CMW_ReplyHeader *h)
{
  put_header_start(msg, h->version, h->pkt_type, h->res1, h->res2, h->command);
  CMW_PutU16(msg + 6, h->reply);
  CMW_PutU16(msg + 8, h->status);
  memset(msg + 10, 0, 6);
  CMW_PutU32(msg + 16, h->sequence);
  memset(msg + 20, 0, 8);
}

int
CMW_DecodeReplyHeader(const uint8_t *msg, int len, CMW_ReplyHeader *h)
{
  if (len < CMW_REPLY_HEADER_LEN)
    return 0;
  get_header_start(msg, &h->version, &h->pkt_type, &h->res1, &h->res2, &h->command);
  h->reply = CMW_GetU16(msg + 6);
  h->status = CMW_GetU16(msg + 8);
  h->sequence = CMW_GetU32(msg + 16);
  return 1;
}

/* Total request lengths as chronyc 4.3 sends them (= the shortest chronyd
   4.3 accepts), plus the 4.4+ codes; 0 = not supported */
static const uint16_t request_lengths[CMW_N_REQUEST_TYPES] = {
  [CMW_REQ_NULL] = 28,
  [CMW_REQ_ONLINE] = 60,
  [CMW_REQ_OFFLINE] = 60,
  [CMW_REQ_BURST] = 68,
  [CMW_REQ_MODIFY_MINPOLL] = 44,
  [CMW_REQ_MODIFY_MAXPOLL] = 44,
  [CMW_REQ_DUMP] = 28,
  [CMW_REQ_MODIFY_MAXDELAY] = 44,
  [CMW_REQ_MODIFY_MAXDELAYRATIO] = 44,
  [CMW_REQ_MODIFY_MAXUPDATESKEW] = 28,
  [CMW_REQ_LOGON] = 32,
  [CMW_REQ_SETTIME] = 40,
  [CMW_REQ_MANUAL] = 28,
  [CMW_REQ_N_SOURCES] = 32,
  [CMW_REQ_SOURCE_DATA] = 76,
  [CMW_REQ_REKEY] = 28,
  [CMW_REQ_ALLOW] = 44,
  [CMW_REQ_ALLOWALL] = 44,
  [CMW_REQ_DENY] = 44,
  [CMW_REQ_DENYALL] = 44,
  [CMW_REQ_CMDALLOW] = 44,
  [CMW_REQ_CMDALLOWALL] = 44,
  [CMW_REQ_CMDDENY] = 44,
  [CMW_REQ_CMDDENYALL] = 44,
  [CMW_REQ_ACCHECK] = 40,
  [CMW_REQ_CMDACCHECK] = 40,
  [CMW_REQ_DEL_SOURCE] = 40,
  [CMW_REQ_WRITERTC] = 28,
  [CMW_REQ_DFREQ] = 28,
  [CMW_REQ_TRACKING] = 104,
  [CMW_REQ_SOURCESTATS] = 84,
  [CMW_REQ_RTCREPORT] = 56,
  [CMW_REQ_TRIMRTC] = 28,
  [CMW_REQ_CYCLELOGS] = 28,
  [CMW_REQ_MANUAL_LIST] = 416,
  [CMW_REQ_MANUAL_DELETE] = 28,
  [CMW_REQ_MAKESTEP] = 28,
  [CMW_REQ_ACTIVITY] = 48,
  [CMW_REQ_MODIFY_MINSTRATUM] = 44,
  [CMW_REQ_MODIFY_POLLTARGET] = 44,
  [CMW_REQ_MODIFY_MAXDELAYDEVRATIO] = 44,
  [CMW_REQ_RESELECT] = 28,
  [CMW_REQ_RESELECTDISTANCE] = 28,
  [CMW_REQ_MODIFY_MAKESTEP] = 28,
  [CMW_REQ_SMOOTHING] = 52,
  [CMW_REQ_SMOOTHTIME] = 28,
  [CMW_REQ_REFRESH] = 28,
  [CMW_REQ_SERVER_STATS] = 72,
  [CMW_REQ_LOCAL2] = 36,
  [CMW_REQ_NTP_DATA] = 152,
  [CMW_REQ_SHUTDOWN] = 28,
  [CMW_REQ_ONOFFLINE] = 28,
  [CMW_REQ_ADD_SOURCE] = 372,
  [CMW_REQ_NTP_SOURCE_NAME] = 284,
  [CMW_REQ_RESET_SOURCES] = 28,
  [CMW_REQ_AUTH_DATA] = 52,
  [CMW_REQ_CLIENT_ACCESSES_BY_INDEX3] = 520,
  [CMW_REQ_SELECT_DATA] = 76,
  [CMW_REQ_RELOAD_SOURCES] = 28,
  [CMW_REQ_DOFFSET2] = 28,
  [CMW_REQ_MODIFY_SELECTOPTS] = 52,
  [CMW_REQ_MODIFY_OFFSET] = 48,
  [CMW_REQ_LOCAL3] = 48,
};

/* An entry of a length table, 0 for a code out of its range */
static int
table_length(const uint16_t *table, int size, int code)
{
  if (code < 0 || code >= size)
    return 0;
  return table[code];
}

int
CMW_MinRequestLength(int command)
{
  /* Older clients pad SERVER_STATS to their older, shorter replies; the
     daemon answers each with the variant it fits (see cmdmon.c) */
  if (command == CMW_REQ_SERVER_STATS)
    return 48;
  return table_length(request_lengths, CMW_N_REQUEST_TYPES, command);
}

int
CMW_RequestLength(int command)
{
  /* Room for the 4.4+ (SERVER_STATS4) and 4.6+ (NTP_DATA2) replies; an
     older daemon still answers with the variant it knows */
  if (command == CMW_REQ_SERVER_STATS)
    return 196;
  if (command == CMW_REQ_NTP_DATA)
    return 172;
  return table_length(request_lengths, CMW_N_REQUEST_TYPES, command);
}

static const uint16_t reply_lengths[CMW_N_REPLY_TYPES] = {
  [CMW_RPY_NULL] = 28,
  [CMW_RPY_N_SOURCES] = 32,
  [CMW_RPY_SOURCE_DATA] = 76,
  [CMW_RPY_TRACKING] = 104,
  [CMW_RPY_SOURCESTATS] = 84,
  [CMW_RPY_RTC] = 56,
  [CMW_RPY_ACTIVITY] = 48,
  [CMW_RPY_SMOOTHING] = 52,
  [CMW_RPY_SERVER_STATS] = 48,
  [CMW_RPY_NTP_DATA] = 152,
  [CMW_RPY_MANUAL_TIMESTAMP2] = 40,
  [CMW_RPY_MANUAL_LIST2] = 416,
  [CMW_RPY_NTP_SOURCE_NAME] = 284,
  [CMW_RPY_AUTH_DATA] = 52,
  [CMW_RPY_CLIENT_ACCESSES_BY_INDEX3] = 520,
  [CMW_RPY_SERVER_STATS2] = 60,
  [CMW_RPY_SELECT_DATA] = 76,
  [CMW_RPY_SERVER_STATS3] = 72,
  [CMW_RPY_SERVER_STATS4] = 196,
  [CMW_RPY_NTP_DATA2] = 172,
};

int
CMW_ReplyLength(int reply)
{
  return table_length(reply_lengths, CMW_N_REPLY_TYPES, reply);
}

int
CMW_IsOpenCommand(int command)
{
  switch (command) {
    case CMW_REQ_NULL:
    case CMW_REQ_LOGON:
    case CMW_REQ_N_SOURCES:
    case CMW_REQ_SOURCE_DATA:
    case CMW_REQ_TRACKING:
    case CMW_REQ_SOURCESTATS:
    case CMW_REQ_RTCREPORT:
    case CMW_REQ_MANUAL_LIST:
    case CMW_REQ_ACTIVITY:
    case CMW_REQ_SMOOTHING:
    case CMW_REQ_NTP_SOURCE_NAME:
      return 1;
    default:
      return 0;
  }
}

const char *
CMW_StatusToString(int status)
{
  switch (status) {
    case CMW_STT_SUCCESS: return "200 OK";
    case CMW_STT_ACCESSALLOWED: return "208 Access allowed";
    case CMW_STT_ACCESSDENIED: return "209 Access denied";
    case CMW_STT_FAILED: return "500 Failure";
    case CMW_STT_UNAUTH: return "501 Not authorised";
    case CMW_STT_INVALID: return "502 Invalid command";
    case CMW_STT_NOSUCHSOURCE: return "503 No such source";
    case CMW_STT_INVALIDTS: return "504 Duplicate or stale logon detected";
    case CMW_STT_NOTENABLED: return "505 Facility not enabled in daemon";
    case CMW_STT_BADSUBNET: return "507 Bad subnet";
    case CMW_STT_NOHOSTACCESS: return "510 No command access from this host";
    case CMW_STT_SOURCEALREADYKNOWN: return "511 Source already present";
    case CMW_STT_TOOMANYSOURCES: return "512 Too many sources present";
    case CMW_STT_NORTC: return "513 RTC driver not running";
    case CMW_STT_BADRTCFILE: return "514 Can't write RTC parameters";
    case CMW_STT_INVALIDAF: return "515 Invalid address family";
    case CMW_STT_BADSAMPLE: return "516 Sample index out of range";
    case CMW_STT_BADPKTVERSION: return "517 Protocol version mismatch";
    case CMW_STT_BADPKTLENGTH: return "518 Packet length mismatch";
    case CMW_STT_INACTIVE: return "519 Client logging is not active in the daemon";
    case CMW_STT_INVALIDNAME: return "521 Invalid name";
    default: return "520 Got unexpected error from daemon";
  }
}

int
CMW_IsSuccessStatus(int status)
{
  return status == CMW_STT_SUCCESS || status == CMW_STT_ACCESSALLOWED ||
         status == CMW_STT_ACCESSDENIED;
}
