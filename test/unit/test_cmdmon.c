/*
  Unit tests of the command request pipeline (CAM_ProcessRequest): the
  malformed and edge-case requests of the protocol specification's test
  plan, answered by a daemon without sources.
*/
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "cmd_wire.h"
#include "cmdmon.h"
#include "conf.h"
#include "stats.h"
#include "test.h"

static uint8_t req[CMW_MAX_REQUEST_LEN + 8], rpy[CMW_MAX_REPLY_LEN];

static void
make_request(int command, int len)
{
  CMW_RequestHeader h = { CMW_PROTO_VERSION, CMW_PKT_TYPE_REQUEST, 0, 0, 0, 0, 0x11223344 };

  memset(req, 0, sizeof req);
  h.command = command;
  CMW_EncodeRequestHeader(req, &h);
  (void)len;
}

/* Returns the reply length and decodes the header */
static int
process(int len, const IPAddr *ip, CMW_ReplyHeader *h)
{
  int n = CAM_ProcessRequest(req, len, ip, rpy, sizeof rpy);

  memset(h, 0, sizeof *h);
  if (n)
    CMW_DecodeReplyHeader(rpy, n, h);
  return n;
}

static int
status_of(int command, int len, const IPAddr *ip)
{
  CMW_ReplyHeader h;

  make_request(command, len);
  if (process(len, ip, &h) != CMW_REPLY_HEADER_LEN)
    return -1;
  return h.status;
}

static void
test_framing(void)
{
  static const uint8_t expected[28] = {
    6, 2, 0, 0, 0, 0x21, 0, 1, 0, 0x12, 0, 0, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44,
  };
  CMW_ReplyHeader h;

  make_request(CMW_REQ_TRACKING, 104);
  TEST_CHECK(process(27, NULL, &h) == 0);
  TEST_CHECK(process(861, NULL, &h) == 0);
  req[1] = 2;
  TEST_CHECK(process(104, NULL, &h) == 0);
  req[1] = 1;
  req[2] = 1;
  TEST_CHECK(process(104, NULL, &h) == 0);
  req[2] = 0;
  req[3] = 1;
  TEST_CHECK(process(104, NULL, &h) == 0);
  req[3] = 0;

  /* Old versions are ignored, 5 and future ones told about the mismatch */
  req[0] = 4;
  TEST_CHECK(process(104, NULL, &h) == 0);
  req[0] = 5;
  TEST_CHECK(process(104, NULL, &h) == 28);
  TEST_CHECK(memcmp(rpy, expected, 28) == 0);
  req[0] = 7;
  TEST_CHECK(process(104, NULL, &h) == 28 && h.status == CMW_STT_BADPKTVERSION);
  req[0] = 6;

  /* Normal reply; fields the server ignores may hold anything */
  req[7] = 7;
  req[12] = 0xff;
  memset(req + 20, 0xaa, 84);
  TEST_CHECK(process(104, NULL, &h) == 104);
  TEST_CHECK(h.version == 6 && h.pkt_type == 2 && h.reply == CMW_RPY_TRACKING);
  TEST_CHECK(h.command == CMW_REQ_TRACKING && h.sequence == 0x11223344);
  TEST_CHECK(CMW_GetU16(rpy + 54) == 3);   /* not synchronised */
  TEST_CHECK(process(500, NULL, &h) == 104);
  TEST_CHECK(process(103, NULL, &h) == 28 && h.status == CMW_STT_BADPKTLENGTH);
}

static void
test_commands(void)
{
  static const int unsupported[] = { 12, 27, 28, 32, 38, 39, 40, 55, 58, 59, 60, 61, 75, 1000 };
  CMW_ReplyHeader h;
  unsigned int i;

  for (i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
    TEST_CHECK(status_of(unsupported[i], 104, NULL) == CMW_STT_INVALID);

  TEST_CHECK(status_of(CMW_REQ_N_SOURCES, 28, NULL) == CMW_STT_BADPKTLENGTH);
  make_request(CMW_REQ_N_SOURCES, 32);
  TEST_CHECK(process(32, NULL, &h) == 32 && h.reply == CMW_RPY_N_SOURCES);
  TEST_CHECK(CMW_GetU32(rpy + 28) == 0);

  TEST_CHECK(status_of(CMW_REQ_SOURCE_DATA, 76, NULL) == CMW_STT_NOSUCHSOURCE);
  TEST_CHECK(status_of(CMW_REQ_SOURCESTATS, 84, NULL) == CMW_STT_NOSUCHSOURCE);
  TEST_CHECK(status_of(CMW_REQ_NTP_DATA, 152, NULL) == CMW_STT_NOSUCHSOURCE);
  TEST_CHECK(status_of(CMW_REQ_NTP_SOURCE_NAME, 284, NULL) == CMW_STT_NOSUCHSOURCE);
  TEST_CHECK(status_of(CMW_REQ_NULL, 28, NULL) == CMW_STT_SUCCESS);
  TEST_CHECK(status_of(CMW_REQ_LOGON, 32, NULL) == CMW_STT_FAILED);
  TEST_CHECK(status_of(CMW_REQ_MAKESTEP, 28, NULL) == CMW_STT_SUCCESS);
  TEST_CHECK(status_of(CMW_REQ_ONLINE, 60, NULL) == CMW_STT_NOSUCHSOURCE);
  TEST_CHECK(status_of(CMW_REQ_ONOFFLINE, 28, NULL) == CMW_STT_SUCCESS);
  TEST_CHECK(status_of(CMW_REQ_RTCREPORT, 56, NULL) == CMW_STT_NORTC);

  /* The reply variant follows the request length */
  make_request(CMW_REQ_SERVER_STATS, 72);
  TEST_CHECK(process(72, NULL, &h) == 72 && h.reply == CMW_RPY_SERVER_STATS3);
  TEST_CHECK(process(196, NULL, &h) == 196 && h.reply == CMW_RPY_SERVER_STATS4);
  TEST_CHECK(process(416, NULL, &h) == 196 && h.reply == CMW_RPY_SERVER_STATS4);
  TEST_CHECK(process(60, NULL, &h) == 60 && h.reply == CMW_RPY_SERVER_STATS2);
  TEST_CHECK(process(48, NULL, &h) == 48 && h.reply == CMW_RPY_SERVER_STATS);
  TEST_CHECK(process(47, NULL, &h) == 28 && h.status == CMW_STT_BADPKTLENGTH);

  /* Options out of range */
  make_request(CMW_REQ_MANUAL, 28);
  CMW_PutU32(req + 20, 3);
  TEST_CHECK(process(28, NULL, &h) == 28 && h.status == CMW_STT_INVALID);

  make_request(CMW_REQ_ADD_SOURCE, 372);
  CMW_PutU32(req + 20, 9);
  TEST_CHECK(process(372, NULL, &h) == 28 && h.status == CMW_STT_INVALID);
  CMW_PutU32(req + 20, 1);
  memset(req + 24, 'a', 256);
  TEST_CHECK(process(372, NULL, &h) == 28 && h.status == CMW_STT_INVALIDNAME);

  make_request(CMW_REQ_CMDALLOW, 44);
  CMW_PutU16(req + 36, CMW_FAMILY_INET4);
  CMW_PutU32(req + 40, 33);
  TEST_CHECK(process(44, NULL, &h) == 28 && h.status == CMW_STT_BADSUBNET);

  make_request(CMW_REQ_CLIENT_ACCESSES_BY_INDEX3, 520);
  CMW_PutU32(req + 24, 8);
  TEST_CHECK(process(520, NULL, &h) == 520 && h.reply == CMW_RPY_CLIENT_ACCESSES_BY_INDEX3);
}

static void
test_access(void)
{
  IPAddr local4, local6, remote;
  CMW_ReplyHeader h;
  uint64_t hits;

  UTI_StringToIP("127.0.0.1", &local4);
  UTI_StringToIP("::1", &local6);
  UTI_StringToIP("10.1.2.3", &remote);

  TEST_CHECK(status_of(CMW_REQ_SERVER_STATS, 72, &local4) == CMW_STT_UNAUTH);
  TEST_CHECK(status_of(CMW_REQ_MAKESTEP, 28, &local6) == CMW_STT_UNAUTH);
  TEST_CHECK(status_of(CMW_REQ_NTP_DATA, 152, &local4) == CMW_STT_UNAUTH);
  make_request(CMW_REQ_TRACKING, 104);
  TEST_CHECK(process(104, &local6, &h) == 104);

  /* Unknown hosts get nothing, even not counted */
  hits = STA_counters.cmd_hits;
  TEST_CHECK(process(104, &remote, &h) == 0);
  TEST_CHECK(STA_counters.cmd_hits == hits);

  /* cmdallow over the Unix socket opens the subnet */
  make_request(CMW_REQ_CMDACCHECK, 40);
  CMW_PutU32(req + 20, 0x0a010203);
  CMW_PutU16(req + 36, CMW_FAMILY_INET4);
  TEST_CHECK(process(40, NULL, &h) == 28 && h.status == CMW_STT_ACCESSDENIED);
  make_request(CMW_REQ_CMDALLOW, 44);
  CMW_PutU32(req + 20, 0x0a000000);
  CMW_PutU16(req + 36, CMW_FAMILY_INET4);
  CMW_PutU32(req + 40, 8);
  TEST_CHECK(process(44, NULL, &h) == 28 && h.status == CMW_STT_SUCCESS);
  make_request(CMW_REQ_TRACKING, 104);
  TEST_CHECK(process(104, &remote, &h) == 104);
  TEST_CHECK(STA_counters.cmd_hits == hits + 2 + 1);
  TEST_CHECK(status_of(CMW_REQ_SERVER_STATS, 72, &remote) == CMW_STT_UNAUTH);
  /* cmdaccheck ignores the localhost exception */
  make_request(CMW_REQ_CMDACCHECK, 40);
  CMW_PutU32(req + 20, 0x7f000001);
  CMW_PutU16(req + 36, CMW_FAMILY_INET4);
  TEST_CHECK(process(40, NULL, &h) == 28 && h.status == CMW_STT_ACCESSDENIED);
  CAM_ResetHostAccess();
  make_request(CMW_REQ_TRACKING, 104);
  TEST_CHECK(process(104, &remote, &h) == 0);
}

/* Over every command code and request length: a reply is never longer
   than its request, echoes command and sequence, and UDP (even from
   localhost) gets only the open commands of chronyd 4.3 */
static void
test_properties(void)
{
  static const int open_cmds[] = { 0, 10, 14, 15, 33, 34, 35, 41, 44, 51, 65 };
  /* Not executed over the Unix socket here: they would stop or step */
  static const int unix_skip[] = { 11, 31, 43, 50, 62, 71 };
  IPAddr local4;
  CMW_ReplyHeader h;
  int command, len, n, need, is_open, skip, bad_len = 0, bad_echo = 0, bad_unauth = 0;
  unsigned int i;

  UTI_StringToIP("127.0.0.1", &local4);
  for (command = 0; command < 80; command++) {
    is_open = 0;
    for (i = 0; i < sizeof open_cmds / sizeof open_cmds[0]; i++)
      is_open |= open_cmds[i] == command;
    skip = 0;
    for (i = 0; i < sizeof unix_skip / sizeof unix_skip[0]; i++)
      skip |= unix_skip[i] == command;

    for (len = 0; len <= CMW_MAX_REQUEST_LEN + 8; len++) {
      make_request(command, len);
      n = process(len, &local4, &h);
      if (n > len)
        bad_len++;
      if (n && (h.command != command || h.sequence != 0x11223344))
        bad_echo++;
      /* Every supported restricted command that passes the length check
         is refused */
      if (!is_open && n && CMW_MinRequestLength(command) && len >= CMW_MinRequestLength(command) &&
          h.status != CMW_STT_UNAUTH)
        bad_unauth++;
      /* Over the Unix socket (full access: commands run and may log)
         only the lengths around the edges */
      need = CMW_MinRequestLength(command);
      if (skip || !(len < 30 || (len >= need - 1 && len <= need + 1) || len >= CMW_MAX_REQUEST_LEN))
        continue;
      make_request(command, len);
      n = process(len, NULL, &h);
      if (n > len)
        bad_len++;
      if (n && (h.command != command || h.sequence != 0x11223344))
        bad_echo++;
    }
  }
  TEST_CHECK(bad_len == 0);
  TEST_CHECK(bad_echo == 0);
  TEST_CHECK(bad_unauth == 0);
}

int
main(void)
{
  CNF_Initialise(0);
  test_framing();
  test_commands();
  test_access();
  CAM_ResetHostAccess();
  test_properties();
  CAM_ResetHostAccess();
  CNF_Finalise();
  TEST_END();
}
