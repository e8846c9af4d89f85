/*
  ntsd - fuzzing the command server (CAM_ProcessRequest)

  The input is one command datagram, processed as it would be from each
  origin: a UDP host that cmdallow does not allow (never answered),
  localhost and an allowed host over UDP (monitoring commands only), and
  the Unix socket (every command).  A reply is never longer than its
  request and always echoes the request's sequence number.  Rules added
  with CMDALLOW/CMDDENY are forgotten after each input, so that inputs
  stay independent.  The clock cannot be touched: FUZ_Initialise() gives
  up CAP_SYS_TIME before the first input.
*/
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd_wire.h"
#include "cmdmon.h"
#include "conf.h"
#include "fuzz.h"
#include "keys.h"
#include "ntp_server.h"

static IPAddr denied, local, allowed;

void
FUZ_Setup(void)
{
  CNF_Initialise(0);
  CNF_ParseLine("fuzz", 1, "allow 10.0.0.0/8");
  CNF_ParseLine("fuzz", 2, "cmdallow 192.0.2.0/24");
  CNF_ParseLine("fuzz", 3, "cmddeny 192.0.2.128/25");
  /* As the daemon: the reports read the reference and the client log */
  KEY_Initialise();
  NSR_Initialise();

  UTI_StringToIP("198.51.100.1", &denied);
  UTI_StringToIP("127.0.0.1", &local);
  UTI_StringToIP("192.0.2.7", &allowed);
}

void
FUZ_WriteSeeds(void)
{
  CMW_RequestHeader h = { CMW_PROTO_VERSION, CMW_PKT_TYPE_REQUEST, 0, 0, 0, 0, 0x11223344 };
  uint8_t req[CMW_MAX_REQUEST_LEN];
  IPAddr ip;
  char name[32];
  int command, len;

  /* Every command chronyc knows, at the length it sends, with a zero body */
  for (command = 0; command < CMW_N_REQUEST_TYPES; command++) {
    len = CMW_RequestLength(command);
    if (len <= 0)
      continue;
    memset(req, 0, sizeof req);
    h.command = command;
    CMW_EncodeRequestHeader(req, &h);
    snprintf(name, sizeof name, "cmd%02d", command);
    FUZ_WriteSeed(name, req, len);
  }

  /* A few with real arguments: an address, an index, a subnet */
  UTI_StringToIP("192.0.2.1", &ip);
  memset(req, 0, sizeof req);
  h.command = CMW_REQ_CMDALLOW;
  CMW_EncodeRequestHeader(req, &h);
  CMW_PutIPAddr(req + CMW_REQUEST_HEADER_LEN, &ip);
  CMW_PutU32(req + CMW_REQUEST_HEADER_LEN + CMW_IPADDR_LEN, 24);
  FUZ_WriteSeed("cmdallow-subnet", req, CMW_RequestLength(CMW_REQ_CMDALLOW));

  memset(req, 0, sizeof req);
  h.command = CMW_REQ_NTP_DATA;
  CMW_EncodeRequestHeader(req, &h);
  CMW_PutIPAddr(req + CMW_REQUEST_HEADER_LEN, &ip);
  FUZ_WriteSeed("ntpdata-addr", req, CMW_RequestLength(CMW_REQ_NTP_DATA));

  memset(req, 0, sizeof req);
  h.command = CMW_REQ_CLIENT_ACCESSES_BY_INDEX3;
  CMW_EncodeRequestHeader(req, &h);
  CMW_PutU32(req + CMW_REQUEST_HEADER_LEN + 4, 8);
  FUZ_WriteSeed("clients-index", req, CMW_RequestLength(CMW_REQ_CLIENT_ACCESSES_BY_INDEX3));

  /* An older protocol version, which gets an error reply */
  memset(req, 0, sizeof req);
  h.version = CMW_PROTO_VERSION_COMPAT_SERVER;
  h.command = CMW_REQ_TRACKING;
  CMW_EncodeRequestHeader(req, &h);
  FUZ_WriteSeed("tracking-v5", req, CMW_RequestLength(CMW_REQ_TRACKING));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  FUZ_Initialise();
  return 0;
}

static void
process(const uint8_t *data, size_t size, const IPAddr *ip)
{
  static uint8_t reply[CMW_MAX_REPLY_LEN];
  CMW_ReplyHeader h;
  int len;

  len = CAM_ProcessRequest(data, size, ip, reply, sizeof reply);
  FUZ_ASSERT(len >= 0 && len <= (int)size && len <= (int)sizeof reply);
  if (len == 0)
    return;
  FUZ_ASSERT(len >= CMW_REPLY_HEADER_LEN);
  FUZ_ASSERT(CMW_DecodeReplyHeader(reply, len, &h));
  FUZ_ASSERT(h.pkt_type == CMW_PKT_TYPE_REPLY);
  FUZ_ASSERT(h.sequence == CMW_GetU32(data + 8));
  FUZ_ASSERT(h.command == CMW_GetU16(data + 4));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static uint8_t reply[CMW_MAX_REPLY_LEN];

  /* The sockets read one byte more than the longest request, to see it */
  if (size > CMW_MAX_REQUEST_LEN + 1)
    return 0;

  FUZ_ASSERT(CAM_ProcessRequest(data, size, &denied, reply, sizeof reply) == 0);
  process(data, size, &local);
  process(data, size, &allowed);
  process(data, size, NULL);

  CAM_ResetHostAccess();
  return 0;
}
