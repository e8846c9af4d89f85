/*
  ntsd - command protocol (cmdmon v6) wire layer

  Constants, header layouts, the per-command length tables and the field
  encodings of chrony's command protocol, version 6, as used by chronyc.
  Pure functions without I/O, shared by the daemon (cmdmon.c) and the CLI
  (ntsctl).  All multi-byte fields are big-endian; offsets are from the first
  byte of the datagram.
*/
#ifndef NTSD_CMD_WIRE_H
#define NTSD_CMD_WIRE_H

#include <stdint.h>
#include <time.h>

#include "util.h"

#define CMW_DEFAULT_PORT 323
#define CMW_PROTO_VERSION 6
/* Requests of versions from here up to (not including) ours get a
   version-mismatch status; older ones are dropped */
#define CMW_PROTO_VERSION_COMPAT_SERVER 5
/* A client accepts a mismatch reply only from this version on */
#define CMW_PROTO_VERSION_COMPAT_CLIENT 4

#define CMW_PKT_TYPE_REQUEST 1
#define CMW_PKT_TYPE_REPLY 2

#define CMW_REQUEST_HEADER_LEN 20
#define CMW_REPLY_HEADER_LEN 28
#define CMW_MIN_REQUEST_LEN 28
#define CMW_MAX_REQUEST_LEN 860
#define CMW_MAX_REPLY_LEN 524

#define CMW_MAX_CLIENT_ACCESSES 8
#define CMW_MAX_MANUAL_SAMPLES 16
#define CMW_NAME_LEN 256

/* Seconds-high marker of a sender with a 32-bit time_t */
#define CMW_TV_NOHIGHSEC 0x7FFFFFFFU

/* Wire sizes of the compound fields */
#define CMW_FLOAT_LEN 4
#define CMW_TIMESPEC_LEN 12
#define CMW_IPADDR_LEN 20

/* Request codes */
#define CMW_REQ_NULL 0
#define CMW_REQ_ONLINE 1
#define CMW_REQ_OFFLINE 2
#define CMW_REQ_BURST 3
#define CMW_REQ_MODIFY_MINPOLL 4
#define CMW_REQ_MODIFY_MAXPOLL 5
#define CMW_REQ_DUMP 6
#define CMW_REQ_MODIFY_MAXDELAY 7
#define CMW_REQ_MODIFY_MAXDELAYRATIO 8
#define CMW_REQ_MODIFY_MAXUPDATESKEW 9
#define CMW_REQ_LOGON 10
#define CMW_REQ_SETTIME 11
#define CMW_REQ_LOCAL 12
#define CMW_REQ_MANUAL 13
#define CMW_REQ_N_SOURCES 14
#define CMW_REQ_SOURCE_DATA 15
#define CMW_REQ_REKEY 16
#define CMW_REQ_ALLOW 17
#define CMW_REQ_ALLOWALL 18
#define CMW_REQ_DENY 19
#define CMW_REQ_DENYALL 20
#define CMW_REQ_CMDALLOW 21
#define CMW_REQ_CMDALLOWALL 22
#define CMW_REQ_CMDDENY 23
#define CMW_REQ_CMDDENYALL 24
#define CMW_REQ_ACCHECK 25
#define CMW_REQ_CMDACCHECK 26
#define CMW_REQ_ADD_SERVER 27
#define CMW_REQ_ADD_PEER 28
#define CMW_REQ_DEL_SOURCE 29
#define CMW_REQ_WRITERTC 30
#define CMW_REQ_DFREQ 31
#define CMW_REQ_DOFFSET 32
#define CMW_REQ_TRACKING 33
#define CMW_REQ_SOURCESTATS 34
#define CMW_REQ_RTCREPORT 35
#define CMW_REQ_TRIMRTC 36
#define CMW_REQ_CYCLELOGS 37
#define CMW_REQ_SUBNETS_ACCESSED 38
#define CMW_REQ_CLIENT_ACCESSES 39
#define CMW_REQ_CLIENT_ACCESSES_BY_INDEX 40
#define CMW_REQ_MANUAL_LIST 41
#define CMW_REQ_MANUAL_DELETE 42
#define CMW_REQ_MAKESTEP 43
#define CMW_REQ_ACTIVITY 44
#define CMW_REQ_MODIFY_MINSTRATUM 45
#define CMW_REQ_MODIFY_POLLTARGET 46
#define CMW_REQ_MODIFY_MAXDELAYDEVRATIO 47
#define CMW_REQ_RESELECT 48
#define CMW_REQ_RESELECTDISTANCE 49
#define CMW_REQ_MODIFY_MAKESTEP 50
#define CMW_REQ_SMOOTHING 51
#define CMW_REQ_SMOOTHTIME 52
#define CMW_REQ_REFRESH 53
#define CMW_REQ_SERVER_STATS 54
#define CMW_REQ_CLIENT_ACCESSES_BY_INDEX2 55
#define CMW_REQ_LOCAL2 56
#define CMW_REQ_NTP_DATA 57
#define CMW_REQ_ADD_SERVER2 58
#define CMW_REQ_ADD_PEER2 59
#define CMW_REQ_ADD_SERVER3 60
#define CMW_REQ_ADD_PEER3 61
#define CMW_REQ_SHUTDOWN 62
#define CMW_REQ_ONOFFLINE 63
#define CMW_REQ_ADD_SOURCE 64
#define CMW_REQ_NTP_SOURCE_NAME 65
#define CMW_REQ_RESET_SOURCES 66
#define CMW_REQ_AUTH_DATA 67
#define CMW_REQ_CLIENT_ACCESSES_BY_INDEX3 68
#define CMW_REQ_SELECT_DATA 69
#define CMW_REQ_RELOAD_SOURCES 70
#define CMW_REQ_DOFFSET2 71
#define CMW_REQ_MODIFY_SELECTOPTS 72
#define CMW_REQ_MODIFY_OFFSET 73
#define CMW_REQ_LOCAL3 74
#define CMW_N_REQUEST_TYPES 75

/* Reply codes */
#define CMW_RPY_NULL 1
#define CMW_RPY_N_SOURCES 2
#define CMW_RPY_SOURCE_DATA 3
#define CMW_RPY_MANUAL_TIMESTAMP 4
#define CMW_RPY_TRACKING 5
#define CMW_RPY_SOURCESTATS 6
#define CMW_RPY_RTC 7
#define CMW_RPY_SUBNETS_ACCESSED 8
#define CMW_RPY_CLIENT_ACCESSES 9
#define CMW_RPY_CLIENT_ACCESSES_BY_INDEX 10
#define CMW_RPY_MANUAL_LIST 11
#define CMW_RPY_ACTIVITY 12
#define CMW_RPY_SMOOTHING 13
#define CMW_RPY_SERVER_STATS 14
#define CMW_RPY_CLIENT_ACCESSES_BY_INDEX2 15
#define CMW_RPY_NTP_DATA 16
#define CMW_RPY_MANUAL_TIMESTAMP2 17
#define CMW_RPY_MANUAL_LIST2 18
#define CMW_RPY_NTP_SOURCE_NAME 19
#define CMW_RPY_AUTH_DATA 20
#define CMW_RPY_CLIENT_ACCESSES_BY_INDEX3 21
#define CMW_RPY_SERVER_STATS2 22
#define CMW_RPY_SELECT_DATA 23
#define CMW_RPY_SERVER_STATS3 24
#define CMW_RPY_SERVER_STATS4 25
#define CMW_RPY_NTP_DATA2 26
#define CMW_N_REPLY_TYPES 27

/* Status codes */
#define CMW_STT_SUCCESS 0
#define CMW_STT_FAILED 1
#define CMW_STT_UNAUTH 2
#define CMW_STT_INVALID 3
#define CMW_STT_NOSUCHSOURCE 4
#define CMW_STT_INVALIDTS 5
#define CMW_STT_NOTENABLED 6
#define CMW_STT_BADSUBNET 7
#define CMW_STT_ACCESSALLOWED 8
#define CMW_STT_ACCESSDENIED 9
#define CMW_STT_NOHOSTACCESS 10
#define CMW_STT_SOURCEALREADYKNOWN 11
#define CMW_STT_TOOMANYSOURCES 12
#define CMW_STT_NORTC 13
#define CMW_STT_BADRTCFILE 14
#define CMW_STT_INACTIVE 15
#define CMW_STT_BADSAMPLE 16
#define CMW_STT_INVALIDAF 17
#define CMW_STT_BADPKTVERSION 18
#define CMW_STT_BADPKTLENGTH 19
#define CMW_STT_INVALIDNAME 21

/* IPAddr families on the wire */
#define CMW_FAMILY_UNSPEC 0
#define CMW_FAMILY_INET4 1
#define CMW_FAMILY_INET6 2
#define CMW_FAMILY_ID 3

/* Unresolved NTP sources are identified by a number instead of an address.
   IPAddr has no family for that, so this value (no real AF_* uses it) marks
   them; the identifier is kept in addr.in4. */
#define CMW_AF_ID 0x7FFF

/* Source modes and states in SOURCE_DATA */
#define CMW_SD_MODE_CLIENT 0
#define CMW_SD_MODE_PEER 1
#define CMW_SD_MODE_REF 2
#define CMW_SD_ST_SELECTED 0
#define CMW_SD_ST_NONSELECTABLE 1
#define CMW_SD_ST_FALSETICKER 2
#define CMW_SD_ST_JITTERY 3
#define CMW_SD_ST_UNSELECTED 4
#define CMW_SD_ST_SELECTABLE 5

/* Selection options in SELECT_DATA */
#define CMW_SD_OPTION_NOSELECT 0x1
#define CMW_SD_OPTION_PREFER 0x2
#define CMW_SD_OPTION_TRUST 0x4
#define CMW_SD_OPTION_REQUIRE 0x8

/* NTP_DATA flags */
#define CMW_NTP_FLAGS_TESTS 0x3FF
#define CMW_NTP_FLAG_INTERLEAVED 0x4000
#define CMW_NTP_FLAG_AUTHENTICATED 0x8000

/* AUTH_DATA modes */
#define CMW_AD_MODE_NONE 0
#define CMW_AD_MODE_SYMMETRIC 1
#define CMW_AD_MODE_NTS 2

/* SMOOTHING flags */
#define CMW_SMT_FLAG_ACTIVE 0x1
#define CMW_SMT_FLAG_LEAPONLY 0x2

/* ADD_SOURCE types and flags */
#define CMW_ADDSRC_SERVER 1
#define CMW_ADDSRC_PEER 2
#define CMW_ADDSRC_POOL 3
#define CMW_ADDSRC_ONLINE 0x1
#define CMW_ADDSRC_AUTOOFFLINE 0x2
#define CMW_ADDSRC_IBURST 0x4
#define CMW_ADDSRC_PREFER 0x8
#define CMW_ADDSRC_NOSELECT 0x10
#define CMW_ADDSRC_TRUST 0x20
#define CMW_ADDSRC_REQUIRE 0x40
#define CMW_ADDSRC_INTERLEAVED 0x80
#define CMW_ADDSRC_BURST 0x100
#define CMW_ADDSRC_NTS 0x200
#define CMW_ADDSRC_COPY 0x400
#define CMW_ADDSRC_EF_EXP_MONO_ROOT 0x800
#define CMW_ADDSRC_EF_EXP_NET_CORRECTION 0x1000
#define CMW_ADDSRC_IPV4 0x2000
#define CMW_ADDSRC_IPV6 0x4000

/* Special reference ids */
#define CMW_REFID_LOCAL 0x7F7F0101U
#define CMW_REFID_SMOOTHING 0x7F7F01FFU

typedef struct {
  uint8_t version;
  uint8_t pkt_type;
  uint8_t res1, res2;
  uint16_t command;
  uint16_t attempt;
  uint32_t sequence;
} CMW_RequestHeader;

typedef struct {
  uint8_t version;
  uint8_t pkt_type;
  uint8_t res1, res2;
  uint16_t command;
  uint16_t reply;
  uint16_t status;
  uint32_t sequence;
} CMW_ReplyHeader;

/* ---- integers (big-endian, no alignment needed) ---- */
void CMW_PutU16(uint8_t *p, uint16_t v);
void CMW_PutU32(uint8_t *p, uint32_t v);
void CMW_PutU64(uint8_t *p, uint64_t v);     /* Integer64: high then low word */
uint16_t CMW_GetU16(const uint8_t *p);
uint32_t CMW_GetU32(const uint8_t *p);
uint64_t CMW_GetU64(const uint8_t *p);

/* ---- chrony 32-bit Float ---- */
/* Bit-identical to chronyd's encoder; NaN becomes 0, out-of-range values
   saturate, tiny values underflow to 0 */
uint32_t CMW_DoubleToFloat(double x);
double CMW_FloatToDouble(uint32_t f);
void CMW_PutFloat(uint8_t *p, double x);
double CMW_GetFloat(const uint8_t *p);

/* ---- Timespec (12 bytes) ---- */
void CMW_PutTimespec(uint8_t *p, const struct timespec *ts);
void CMW_GetTimespec(const uint8_t *p, struct timespec *ts);

/* ---- IPAddr (20 bytes) ---- */
/* AF_INET, AF_INET6 and CMW_AF_ID are encoded; anything else as UNSPEC.
   Decoding treats unknown family values as UNSPEC. */
void CMW_PutIPAddr(uint8_t *p, const IPAddr *ip);
void CMW_GetIPAddr(const uint8_t *p, IPAddr *ip);
/* Text as chronyc prints it: dotted quad, inet_ntop IPv6, "ID#%010u",
   "[UNSPEC]"; returns buf */
const char *CMW_IPToString(const IPAddr *ip, char *buf, int len);
/* Parse "ID#n" (chronyc's syntax for an unresolved source); 1 ok, 0 bad */
int CMW_ParseSourceId(const char *s, IPAddr *ip);

/* ---- reference ids ---- */
/* The printable ASCII bytes of the id, most significant first */
const char *CMW_RefidToString(uint32_t ref_id, char *buf, int len);

/* ---- fixed-size strings ---- */
/* Copy s NUL-padded into a field of size bytes; returns 0 (and writes a
   truncated, terminated string) if s does not fit */
int CMW_PutString(uint8_t *p, int size, const char *s);
/* Copy a NUL-terminated field into out; 0 if the field has no NUL within
   size bytes or does not fit into out */
int CMW_GetString(const uint8_t *p, int size, char *out, int out_len);

/* ---- headers ---- */
void CMW_EncodeRequestHeader(uint8_t *msg, const CMW_RequestHeader *h);
/* Returns 0 if len is shorter than a request header */
int CMW_DecodeRequestHeader(const uint8_t *msg, int len, CMW_RequestHeader *h);
void CMW_EncodeReplyHeader(uint8_t *msg, const CMW_ReplyHeader *h);
int CMW_DecodeReplyHeader(const uint8_t *msg, int len, CMW_ReplyHeader *h);

/* ---- length tables ---- */
/* Shortest request the daemon accepts for a command (its total length as
   chronyc 4.3 sends it, or the shortest variant the daemon answers), or 0
   if the command is not supported */
int CMW_MinRequestLength(int command);
/* Length of the request the CLI sends: padded to the longest reply variant
   it understands, so that a daemon can pick the newest format */
int CMW_RequestLength(int command);
/* Total length of a reply code, or 0 for unknown/obsolete codes */
int CMW_ReplyLength(int reply);
/* Whether chronyd 4.3 lets the command through its UDP sockets */
int CMW_IsOpenCommand(int command);

/* chronyc's status line for a status code, e.g. "200 OK" */
const char *CMW_StatusToString(int status);
/* Statuses the client treats as success (0, 8, 9) */
int CMW_IsSuccessStatus(int status);

#endif
