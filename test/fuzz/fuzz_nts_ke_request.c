/*
  ntsd - fuzzing the NTS-KE server's request parser (NKR_ParseRequest)
  and its choice of answer (NKR_MakeResponse)

  The input is what a client sent over TLS so far.  A complete request is
  answered by the server's own NKR_MakeResponse: an error, empty
  negotiation records, or eight cookies (made with fixed keys where the
  server exports them from the TLS session), and whatever answer is built
  must parse as one.
*/
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "nts_ke_rec.h"
#include "nts_keyring.h"

void
FUZ_Setup(void)
{
  NKY_Initialise();
}

/* Append one record */
static int
put_record(uint8_t *msg, int len, int critical, int type, const void *body, int body_len)
{
  msg[len] = (critical ? NKR_CRITICAL : 0) >> 8 | type >> 8;
  msg[len + 1] = type & 0xff;
  msg[len + 2] = body_len >> 8;
  msg[len + 3] = body_len & 0xff;
  if (body_len > 0)
    memcpy(msg + len + 4, body, body_len);
  return len + 4 + body_len;
}

void
FUZ_WriteSeeds(void)
{
  static const uint8_t ntpv4[2] = { 0, 0 }, aead15[2] = { 0, 15 }, two_aeads[4] = { 0, 30, 0, 15 };
  static const uint8_t port[2] = { 0x30, 0x39 }, unknown[6] = "abcdef";
  uint8_t msg[512];
  int len;

  len = NKR_BuildRequest(msg, sizeof msg);
  FUZ_ASSERT(len > 0);
  FUZ_WriteSeed("client-request", msg, len);
  FUZ_WriteSeed("partial", msg, len - 2);

  len = put_record(msg, 0, 1, NKR_REC_NEXT_PROTOCOL, ntpv4, 2);
  len = put_record(msg, len, 1, NKR_REC_AEAD_ALGORITHM, two_aeads, 4);
  len = put_record(msg, len, 0, NKR_REC_SERVER_NEGOTIATION, "ntp.example.org", 15);
  len = put_record(msg, len, 0, NKR_REC_PORT_NEGOTIATION, port, 2);
  len = put_record(msg, len, 0, 0x4000, unknown, sizeof unknown);
  len = put_record(msg, len, 1, NKR_REC_END_OF_MESSAGE, NULL, 0);
  FUZ_WriteSeed("negotiation", msg, len);

  len = put_record(msg, 0, 1, NKR_REC_NEXT_PROTOCOL, aead15, 2);
  len = put_record(msg, len, 1, NKR_REC_AEAD_ALGORITHM, ntpv4, 2);
  len = put_record(msg, len, 1, NKR_REC_END_OF_MESSAGE, NULL, 0);
  FUZ_WriteSeed("nothing-in-common", msg, len);

  len = put_record(msg, 0, 1, NKR_REC_NEXT_PROTOCOL, ntpv4, 2);
  len = put_record(msg, len, 1, NKR_REC_AEAD_ALGORITHM, aead15, 2);
  len = put_record(msg, len, 1, 0x1234, unknown, 2);
  len = put_record(msg, len, 1, NKR_REC_END_OF_MESSAGE, NULL, 0);
  FUZ_WriteSeed("unknown-critical", msg, len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  FUZ_Initialise();
  return 0;
}

/* Answer as the server does, with fixed keys for those it exports from
   the TLS session, and the client's own port and name as if configured */
static void
answer(const NKR_Request *req)
{
  static uint8_t cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN], buf[NKR_MAX_MESSAGE];
  uint8_t c2s[NKY_KEY_LEN], s2c[NKY_KEY_LEN];
  NKR_Response resp, parsed;
  NKR_Status status;
  int ok, len;

  memset(c2s, 0xc2, sizeof c2s);
  memset(s2c, 0x2c, sizeof s2c);
  ok = NKR_MakeResponse(req, c2s, s2c, req->port_negotiation ? req->port : 0,
                        req->server_negotiation ? "ntp.example.org" : NULL, cookies, &resp);
  FUZ_ASSERT(ok);
  /* The keyring is set up, so cookies never fail */
  FUZ_ASSERT(resp.n_cookies == (NKR_RequestNeedsKeys(req) ? NKR_MAX_COOKIES : 0));
  FUZ_ASSERT(resp.error == req->error);

  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  FUZ_ASSERT(len > 0 && len <= (int)sizeof buf);
  FUZ_ASSERT(NKR_CheckMessage(buf, len) == NKR_OK);

  status = NKR_ParseResponse(buf, len, &parsed);
  if (resp.n_cookies > 0) {
    FUZ_ASSERT(status == NKR_OK);
    FUZ_ASSERT(parsed.n_cookies == resp.n_cookies);
    FUZ_ASSERT(parsed.port == resp.port);
  } else {
    /* An error or nothing in common is never a usable response */
    FUZ_ASSERT(status == NKR_BAD);
    FUZ_ASSERT(parsed.error == resp.error);
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  NKR_Status check, status;
  NKR_Request req;
  int i;

  if (size > NKR_MAX_MESSAGE)
    return 0;

  check = NKR_CheckMessage(data, size);
  status = NKR_ParseRequest(data, size, &req);

  /* The framing decides first: a message that is not whole is never OK */
  if (check != NKR_OK)
    FUZ_ASSERT(status == check);
  if (status == NKR_INCOMPLETE)
    return 0;

  if (status == NKR_BAD)
    FUZ_ASSERT(req.error >= 0);
  else
    FUZ_ASSERT(req.error < 0 && req.complete);
  FUZ_ASSERT(req.n_protocols >= 0 && req.n_aeads >= 0);
  /* NTPv4 or AEAD 15 agreed on only if offered */
  for (i = 0; req.ntpv4 && i < req.n_protocols && i < NKR_MAX_LIST; i++) {
    if (req.protocols[i] == NKR_NEXT_PROTOCOL_NTPV4)
      break;
  }
  FUZ_ASSERT(!req.ntpv4 || i < req.n_protocols);
  if (req.port_negotiation)
    FUZ_ASSERT(req.port >= 0 && req.port <= 65535);

  answer(&req);
  return 0;
}
