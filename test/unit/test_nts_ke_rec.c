/*
  ntsd - unit test of the NTS-KE record codec: hand-built requests and
  responses for every error class, truncation at every length, the
  critical bit both ways, builders against exact bytes, and random input.
*/
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logging.h"
#include "nts_ke_rec.h"
#include "nts_keyring.h"
#include "test.h"

#define C NKR_CRITICAL

typedef struct {
  uint8_t b[NKR_MAX_MESSAGE + 64];
  int len;
} Msg;

static void
put(Msg *m, int type, const void *body, int body_len)
{
  m->b[m->len++] = type >> 8;
  m->b[m->len++] = type & 0xff;
  m->b[m->len++] = body_len >> 8;
  m->b[m->len++] = body_len & 0xff;
  memcpy(m->b + m->len, body, body_len);
  m->len += body_len;
}

static void
put16(Msg *m, int type, int value)
{
  uint8_t b[2] = { value >> 8, value & 0xff };

  put(m, type, b, 2);
}

static void
put_eom(Msg *m)
{
  put(m, C | NKR_REC_END_OF_MESSAGE, "", 0);
}

/* The request chronyd's client sends */
static void
good_request(Msg *m)
{
  m->len = 0;
  put16(m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put16(m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put_eom(m);
}

static int
request_error(const Msg *m)
{
  NKR_Request req;
  NKR_Status s = NKR_ParseRequest(m->b, m->len, &req);

  if (s == NKR_INCOMPLETE)
    return -2;
  if ((s == NKR_OK) != (req.error < 0))
    return -3;
  return req.error;
}

static void
test_good_requests(void)
{
  NKR_Request req;
  uint8_t built[64];
  Msg m;
  int i;

  good_request(&m);
  TEST_CHECK(NKR_CheckMessage(m.b, m.len) == NKR_OK);
  TEST_CHECK(NKR_ParseRequest(m.b, m.len, &req) == NKR_OK);
  TEST_CHECK(req.complete && req.error == -1 && req.ntpv4 && req.aead_siv_256);
  TEST_CHECK(req.n_protocols == 1 && req.protocols[0] == 0);
  TEST_CHECK(req.n_aeads == 1 && req.aeads[0] == 15);
  TEST_CHECK(!req.server_negotiation && !req.port_negotiation);

  /* The client builder makes exactly these bytes */
  TEST_CHECK(NKR_BuildRequest(built, sizeof built) == m.len);
  TEST_CHECK(memcmp(built, m.b, m.len) == 0);
  for (i = 0; i < m.len; i++)
    TEST_CHECK(NKR_BuildRequest(built, i) == 0);
  TEST_CHECK(NKR_BuildRequest(NULL, 100) == 0);

  /* Every proper prefix is incomplete, not bad */
  for (i = 0; i < m.len; i++) {
    TEST_CHECK(NKR_CheckMessage(m.b, i) == NKR_INCOMPLETE);
    TEST_CHECK(NKR_ParseRequest(m.b, i, &req) == NKR_INCOMPLETE);
    TEST_CHECK(!req.complete);
  }

  /* Longer lists, AEAD not critical, unknown non-critical records,
     negotiation records from the client */
  m.len = 0;
  put(&m, 0x1234, "xyz", 3);
  put(&m, C | NKR_REC_NEXT_PROTOCOL, "\x80\x01\x00\x00", 4);
  put(&m, NKR_REC_AEAD_ALGORITHM, "\x00\x1e\x00\x0f\x00\x11", 6);
  put(&m, C | NKR_REC_SERVER_NEGOTIATION, "a.example", 9);
  put16(&m, C | NKR_REC_PORT_NEGOTIATION, 1234);
  put_eom(&m);
  TEST_CHECK(NKR_ParseRequest(m.b, m.len, &req) == NKR_OK);
  TEST_CHECK(req.ntpv4 && req.aead_siv_256);
  TEST_CHECK(req.n_protocols == 2 && req.protocols[0] == 0x8001 && req.protocols[1] == 0);
  TEST_CHECK(req.n_aeads == 3 && req.aeads[0] == 30 && req.aeads[1] == 15 && req.aeads[2] == 17);
  TEST_CHECK(req.server_negotiation && req.port_negotiation && req.port == 1234);

  /* Nothing in common is well-formed: the server answers with empty records */
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 5);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == -1);
  TEST_CHECK(NKR_ParseRequest(m.b, m.len, &req) == NKR_OK && !req.ntpv4 && !req.aead_siv_256);
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 30);
  put_eom(&m);
  TEST_CHECK(NKR_ParseRequest(m.b, m.len, &req) == NKR_OK && req.ntpv4 && !req.aead_siv_256);

  /* Long lists are counted beyond what is kept */
  m.len = 0;
  {
    uint8_t list[2 * (NKR_MAX_LIST + 5)];
    memset(list, 0, sizeof list);
    list[sizeof list - 1] = 15;
    put(&m, C | NKR_REC_NEXT_PROTOCOL, list, sizeof list);
    put(&m, C | NKR_REC_AEAD_ALGORITHM, list, sizeof list);
  }
  put_eom(&m);
  TEST_CHECK(NKR_ParseRequest(m.b, m.len, &req) == NKR_OK);
  TEST_CHECK(req.n_protocols == NKR_MAX_LIST + 5 && req.aead_siv_256);
}

static void
test_bad_requests(void)
{
  NKR_Request req;
  Msg m;

  /* No Next Protocol at all */
  m.len = 0;
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* Only End of Message */
  m.len = 0;
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* Duplicate Next Protocol */
  good_request(&m);
  m.len -= 4;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* Duplicate AEAD */
  good_request(&m);
  m.len -= 4;
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* Next Protocol without the critical bit */
  m.len = 0;
  put16(&m, NKR_REC_NEXT_PROTOCOL, 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* Odd and empty u16 lists */
  m.len = 0;
  put(&m, C | NKR_REC_NEXT_PROTOCOL, "\0\0\0", 3);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  m.len = 0;
  put(&m, C | NKR_REC_NEXT_PROTOCOL, "", 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put(&m, C | NKR_REC_AEAD_ALGORITHM, "\0\x0f\0", 3);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put(&m, NKR_REC_AEAD_ALGORITHM, "", 0);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* NTPv4 without any AEAD record */
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* Records only a server sends */
  good_request(&m);
  m.len -= 4;
  put16(&m, C | NKR_REC_ERROR, 0);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  good_request(&m);
  m.len -= 4;
  put16(&m, NKR_REC_WARNING, 0);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  good_request(&m);
  m.len -= 4;
  put(&m, NKR_REC_NEW_COOKIE, "abcd", 4);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* Port Negotiation of the wrong length, twice */
  good_request(&m);
  m.len -= 4;
  put(&m, NKR_REC_PORT_NEGOTIATION, "\0\x7b\0", 3);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  good_request(&m);
  m.len -= 4;
  put16(&m, NKR_REC_PORT_NEGOTIATION, 123);
  put16(&m, NKR_REC_PORT_NEGOTIATION, 124);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* Unknown record: critical bit set → error 0, clear → ignored */
  good_request(&m);
  m.len -= 4;
  put(&m, C | 0x0100, "zz", 2);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_UNRECOGNIZED_CRITICAL);
  good_request(&m);
  m.len -= 4;
  put(&m, 0x0100, "zz", 2);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == -1);
  good_request(&m);
  m.len -= 4;
  put(&m, C | 0x7fff, "", 0);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_UNRECOGNIZED_CRITICAL);

  /* The first problem decides the error */
  m.len = 0;
  put(&m, C | 0x0100, "", 0);
  put(&m, NKR_REC_NEW_COOKIE, "abcd", 4);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_UNRECOGNIZED_CRITICAL);
  m.len = 0;
  put(&m, NKR_REC_NEW_COOKIE, "abcd", 4);
  put(&m, C | 0x0100, "", 0);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* End of Message: not critical, with a body, twice, or followed by more */
  good_request(&m);
  m.b[m.len - 4] &= 0x7f;
  TEST_CHECK(NKR_CheckMessage(m.b, m.len) == NKR_BAD);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  good_request(&m);
  m.len -= 4;
  put(&m, C | NKR_REC_END_OF_MESSAGE, "\0\0", 2);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  good_request(&m);
  put_eom(&m);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  good_request(&m);
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  good_request(&m);
  m.b[m.len++] = 0;
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* A body that cannot end within the limit is bad at once */
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  m.b[m.len++] = 0x40;
  m.b[m.len++] = 0x00;
  m.b[m.len++] = 0xff;
  m.b[m.len++] = 0xff;
  TEST_CHECK(NKR_CheckMessage(m.b, m.len) == NKR_BAD);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);

  /* Many small records without an end: incomplete until the limit */
  m.len = 0;
  while (m.len + 4 <= NKR_MAX_MESSAGE)
    put(&m, 0x0100, "", 0);
  TEST_CHECK(m.len == NKR_MAX_MESSAGE);
  TEST_CHECK(NKR_CheckMessage(m.b, m.len - 4) == NKR_INCOMPLETE);
  TEST_CHECK(NKR_CheckMessage(m.b, m.len - 1) == NKR_INCOMPLETE);
  TEST_CHECK(NKR_CheckMessage(m.b, m.len) == NKR_BAD);
  TEST_CHECK(request_error(&m) == NKR_ERROR_BAD_REQUEST);
  /* ... and one that ends exactly at the limit is fine */
  m.len = NKR_MAX_MESSAGE - 4;
  put_eom(&m);
  TEST_CHECK(m.len == NKR_MAX_MESSAGE);
  TEST_CHECK(NKR_CheckMessage(m.b, m.len) == NKR_OK);
  TEST_CHECK(NKR_CheckMessage(m.b, m.len + 1) == NKR_BAD);

  TEST_CHECK(NKR_CheckMessage(NULL, 10) == NKR_BAD);
  TEST_CHECK(NKR_CheckMessage(m.b, -1) == NKR_BAD);
  TEST_CHECK(NKR_ParseRequest(NULL, 0, &req) == NKR_BAD && req.error == NKR_ERROR_BAD_REQUEST);
}

static const uint8_t *
cookie_data(int i)
{
  static uint8_t data[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN];
  int j;

  for (j = 0; j < NKR_MAX_COOKIE_LEN; j++)
    data[i][j] = i * 31 + j;
  return data[i];
}

static void
test_build_response(void)
{
  static const uint8_t error_resp[] = { 0x80, 2, 0, 2, 0, 1, 0x80, 0, 0, 0 };
  static const uint8_t no_proto[] = { 0x80, 1, 0, 0, 0x80, 0, 0, 0 };
  static const uint8_t no_aead[] = { 0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 0, 0x80, 0, 0, 0 };
  static const uint8_t head[] = { 0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 2, 0, 15,
                                  0x80, 7, 0, 2, 0x10, 0x1b, 0x80, 6, 0, 15 };
  uint8_t buf[2048];
  NKR_Response resp, parsed;
  char name[300];
  int i, len, off;

  memset(&resp, 0, sizeof resp);
  resp.error = NKR_ERROR_BAD_REQUEST;
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  TEST_CHECK(len == sizeof error_resp && memcmp(buf, error_resp, len) == 0);
  TEST_CHECK(NKR_ParseResponse(buf, len, &parsed) == NKR_BAD && parsed.error == 1);
  TEST_CHECK(strcmp(parsed.reason, "error record 1") == 0);
  resp.error = 0x10000;
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);

  resp.error = -1;
  resp.ntpv4 = 0;
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  TEST_CHECK(len == sizeof no_proto && memcmp(buf, no_proto, len) == 0);
  TEST_CHECK(NKR_ParseResponse(buf, len, &parsed) == NKR_BAD);
  TEST_CHECK(strcmp(parsed.reason, "no next protocol in common") == 0);

  resp.ntpv4 = 1;
  resp.aead = -1;
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  TEST_CHECK(len == sizeof no_aead && memcmp(buf, no_aead, len) == 0);
  TEST_CHECK(NKR_ParseResponse(buf, len, &parsed) == NKR_BAD);
  TEST_CHECK(strcmp(parsed.reason, "no AEAD algorithm in common") == 0);

  resp.aead = 15;
  resp.port = 4123;
  resp.server = "ntp.example.net";
  resp.n_cookies = NKR_MAX_COOKIES;
  for (i = 0; i < NKR_MAX_COOKIES; i++) {
    resp.cookies[i] = cookie_data(i);
    resp.cookie_lens[i] = 100;
  }
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  TEST_CHECK(len == (int)sizeof head + 15 + 8 * 104 + 4);
  TEST_CHECK(memcmp(buf, head, sizeof head) == 0);
  off = sizeof head + 15;
  /* New Cookie records are never critical */
  TEST_CHECK(buf[off] == 0 && buf[off + 1] == 5 && buf[off + 2] == 0 && buf[off + 3] == 100);
  TEST_CHECK(memcmp(buf + len - 4, "\x80\0\0\0", 4) == 0);

  TEST_CHECK(NKR_ParseResponse(buf, len, &parsed) == NKR_OK && parsed.reason[0] == '\0');
  TEST_CHECK(parsed.error == -1 && parsed.ntpv4 && parsed.aead == 15 && parsed.port == 4123);
  TEST_CHECK(strcmp(parsed.server_name, "ntp.example.net") == 0 && !parsed.server);
  TEST_CHECK(parsed.n_cookies == 8);
  for (i = 0; i < parsed.n_cookies; i++) {
    TEST_CHECK(parsed.cookie_lens[i] == 100);
    TEST_CHECK(memcmp(parsed.cookies[i], cookie_data(i), 100) == 0);
    TEST_CHECK(parsed.cookies[i] >= buf && parsed.cookies[i] + 100 <= buf + len);
  }

  /* Truncated: incomplete at every length; too small a buffer: nothing */
  for (i = 0; i < len; i++)
    TEST_CHECK(NKR_ParseResponse(buf, i, &parsed) == NKR_INCOMPLETE &&
               strcmp(parsed.reason, "incomplete message") == 0);
  for (i = 0; i < len; i++)
    TEST_CHECK(NKR_BuildResponse(&resp, buf, i) == 0);
  TEST_CHECK(NKR_BuildResponse(&resp, buf, len) == len);

  /* Without port and server */
  resp.port = 0;
  resp.server = NULL;
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  TEST_CHECK(len == 12 + 8 * 104 + 4);
  TEST_CHECK(NKR_ParseResponse(buf, len, &parsed) == NKR_OK);
  TEST_CHECK(parsed.port == 0 && parsed.server_name[0] == '\0');

  /* Invalid contents are not built */
  resp.server = "";
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  resp.server = "a b";
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  resp.server = "a\tb";
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  resp.server = "caf\xc3\xa9";
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  memset(name, 'a', sizeof name);
  name[NKR_MAX_SERVER_LEN + 1] = '\0';
  resp.server = name;
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  name[NKR_MAX_SERVER_LEN] = '\0';
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  TEST_CHECK(len > 0);
  TEST_CHECK(NKR_ParseResponse(buf, len, &parsed) == NKR_OK &&
             strlen(parsed.server_name) == NKR_MAX_SERVER_LEN);
  resp.server = NULL;
  resp.port = 70000;
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  resp.port = 0;
  resp.n_cookies = NKR_MAX_COOKIES + 1;
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  resp.n_cookies = -1;
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  resp.n_cookies = 1;
  resp.cookie_lens[0] = 0;
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  resp.cookie_lens[0] = NKR_MAX_COOKIE_LEN + 1;
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) == 0);
  resp.cookie_lens[0] = NKR_MAX_COOKIE_LEN;
  TEST_CHECK(NKR_BuildResponse(&resp, buf, sizeof buf) > 0);
  TEST_CHECK(NKR_BuildResponse(&resp, NULL, sizeof buf) == 0);
}

/* A good response with one extra record before the cookies */
static int
response_with(const void *extra, int type, int extra_len, NKR_Response *parsed)
{
  Msg m;

  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  if (type >= 0)
    put(&m, type, extra, extra_len);
  put(&m, NKR_REC_NEW_COOKIE, cookie_data(0), 100);
  put_eom(&m);
  return NKR_ParseResponse(m.b, m.len, parsed);
}

/* NKR_BAD, for the given reason */
static int
refused(const uint8_t *msg, int len, const char *reason)
{
  NKR_Response r;

  if (NKR_ParseResponse(msg, len, &r) != NKR_BAD)
    return 0;
  if (strcmp(r.reason, reason) != 0) {
    fprintf(stderr, "reason \"%s\", expected \"%s\"\n", r.reason, reason);
    return 0;
  }
  return 1;
}

static int
refused_with(const void *extra, int type, int extra_len, const char *reason)
{
  NKR_Response r;

  if (response_with(extra, type, extra_len, &r) != NKR_BAD)
    return 0;
  if (strcmp(r.reason, reason) != 0) {
    fprintf(stderr, "reason \"%s\", expected \"%s\"\n", r.reason, reason);
    return 0;
  }
  return 1;
}

static void
test_parse_response(void)
{
  NKR_Response r;
  Msg m;
  int i;

  TEST_CHECK(response_with(NULL, -1, 0, &r) == NKR_OK && r.n_cookies == 1);
  TEST_CHECK(r.reason[0] == '\0' && r.n_skipped_cookies == 0);

  /* Error and Warning records, critical or not */
  TEST_CHECK(response_with("\0\2", C | NKR_REC_ERROR, 2, &r) == NKR_BAD && r.error == 2);
  TEST_CHECK(strcmp(r.reason, "error record 2") == 0);
  TEST_CHECK(refused_with("\0\2", NKR_REC_ERROR, 2, "error record 2"));
  TEST_CHECK(response_with("\0\2\0", NKR_REC_ERROR, 3, &r) == NKR_BAD && r.error == -1);
  TEST_CHECK(strcmp(r.reason, "error record of bad length 3") == 0);
  TEST_CHECK(refused_with("\0\0", NKR_REC_WARNING, 2, "warning record 0"));
  TEST_CHECK(refused_with("\0\1", C | NKR_REC_WARNING, 2, "warning record 1"));
  TEST_CHECK(refused_with("", NKR_REC_WARNING, 0, "warning record of bad length 0"));

  /* Duplicate or contradicting negotiation */
  TEST_CHECK(refused_with("\0\0", C | NKR_REC_NEXT_PROTOCOL, 2,
                          "more than one next protocol record"));
  TEST_CHECK(refused_with("\0\x0f", C | NKR_REC_AEAD_ALGORITHM, 2,
                          "more than one AEAD algorithm record"));

  /* Unknown records */
  TEST_CHECK(refused_with("x", C | 0x0200, 1, "unknown critical record 0x0200"));
  TEST_CHECK(refused_with("", C | 0x4000, 0, "unknown critical record 0x4000"));
  TEST_CHECK(refused_with("", C | 0x7fff, 0, "unknown critical record 0x7fff"));
  TEST_CHECK(response_with("x", 0x0200, 1, &r) == NKR_OK);

  /* Port */
  TEST_CHECK(response_with("\x01\x00", C | NKR_REC_PORT_NEGOTIATION, 2, &r) == NKR_OK &&
             r.port == 256);
  TEST_CHECK(refused_with("\0\0", C | NKR_REC_PORT_NEGOTIATION, 2,
                          "port 0 in port negotiation record"));
  TEST_CHECK(refused_with("\0", C | NKR_REC_PORT_NEGOTIATION, 1,
                          "bad length 1 of port negotiation record"));

  /* Server names */
  TEST_CHECK(response_with("192.0.2.1", C | NKR_REC_SERVER_NEGOTIATION, 9, &r) == NKR_OK &&
             strcmp(r.server_name, "192.0.2.1") == 0);
  TEST_CHECK(refused_with("", C | NKR_REC_SERVER_NEGOTIATION, 0, "invalid server name (length 0)"));
  TEST_CHECK(refused_with("a\nb", C | NKR_REC_SERVER_NEGOTIATION, 3,
                          "invalid server name (length 3)"));
  TEST_CHECK(refused_with("a\0b", C | NKR_REC_SERVER_NEGOTIATION, 3,
                          "invalid server name (length 3)"));
  {
    char name[NKR_MAX_SERVER_LEN + 1];
    memset(name, 'n', sizeof name);
    TEST_CHECK(refused_with(name, C | NKR_REC_SERVER_NEGOTIATION, sizeof name,
                            "invalid server name (length 256)"));
  }
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put(&m, C | NKR_REC_SERVER_NEGOTIATION, "a", 1);
  put(&m, C | NKR_REC_SERVER_NEGOTIATION, "b", 1);
  put(&m, NKR_REC_NEW_COOKIE, cookie_data(0), 100);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "more than one server negotiation record"));

  /* Cookies: none, more than kept, too long, empty; unpaddable ones skipped */
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "no cookies"));
  m.len -= 4;
  for (i = 0; i < NKR_MAX_COOKIES; i++)
    put(&m, NKR_REC_NEW_COOKIE, cookie_data(i), 64);
  put_eom(&m);
  TEST_CHECK(NKR_ParseResponse(m.b, m.len, &r) == NKR_OK && r.n_cookies == 8 &&
             r.n_skipped_cookies == 0);

  /* A ninth and further cookies are ignored (as chronyd), the first eight
     kept in order, and every length is still checked */
  m.len -= 4;
  put(&m, NKR_REC_NEW_COOKIE, cookie_data(NKR_MAX_COOKIES - 1), 68);
  put_eom(&m);
  TEST_CHECK(NKR_ParseResponse(m.b, m.len, &r) == NKR_OK && r.n_cookies == NKR_MAX_COOKIES &&
             r.n_skipped_cookies == 1 && r.reason[0] == '\0');
  for (i = 0; i < r.n_cookies; i++) {
    TEST_CHECK(r.cookie_lens[i] == 64 && memcmp(r.cookies[i], cookie_data(i), 64) == 0);
    TEST_CHECK(r.cookies[i] >= m.b && r.cookies[i] + 64 <= m.b + m.len);
  }
  m.len -= 4;
  for (i = 0; i < 50; i++)
    put(&m, NKR_REC_NEW_COOKIE, cookie_data(i % NKR_MAX_COOKIES), NKR_MAX_COOKIE_LEN);
  put_eom(&m);
  TEST_CHECK(m.len < NKR_MAX_MESSAGE);
  TEST_CHECK(NKR_ParseResponse(m.b, m.len, &r) == NKR_OK && r.n_cookies == NKR_MAX_COOKIES &&
             r.n_skipped_cookies == 51);
  for (i = 0; i < r.n_cookies; i++)
    TEST_CHECK(r.cookie_lens[i] == 64 && memcmp(r.cookies[i], cookie_data(i), 64) == 0);
  /* ... an oversized or empty one after them still makes it unusable */
  m.len -= 4;
  {
    uint8_t big[NKR_MAX_COOKIE_LEN + 4];
    memset(big, 1, sizeof big);
    put(&m, NKR_REC_NEW_COOKIE, big, sizeof big);
  }
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "cookie of bad length 260"));
  m.len -= 4 + 4 + NKR_MAX_COOKIE_LEN + 4;
  put(&m, NKR_REC_NEW_COOKIE, "", 0);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "cookie of bad length 0"));
  /* ... and so does anything else wrong after them */
  m.len -= 4 + 4;
  put(&m, C | 0x1234, "", 0);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "unknown critical record 0x1234"));
  m.len -= 4 + 4;
  put16(&m, NKR_REC_ERROR, 2);
  put_eom(&m);
  TEST_CHECK(NKR_ParseResponse(m.b, m.len, &r) == NKR_BAD && r.error == 2);

  TEST_CHECK(response_with(cookie_data(1), NKR_REC_NEW_COOKIE, NKR_MAX_COOKIE_LEN, &r) ==
             NKR_OK && r.n_cookies == 2 && r.cookie_lens[0] == NKR_MAX_COOKIE_LEN);
  {
    uint8_t big[NKR_MAX_COOKIE_LEN + 4];
    memset(big, 1, sizeof big);
    TEST_CHECK(refused_with(big, NKR_REC_NEW_COOKIE, sizeof big, "cookie of bad length 260"));
  }
  TEST_CHECK(refused_with("", NKR_REC_NEW_COOKIE, 0, "cookie of bad length 0"));
  TEST_CHECK(response_with("abcdef", NKR_REC_NEW_COOKIE, 6, &r) == NKR_OK && r.n_cookies == 1 &&
             r.n_skipped_cookies == 1);
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put(&m, NKR_REC_NEW_COOKIE, "abcdef", 6);
  put(&m, NKR_REC_NEW_COOKIE, "abcdefg", 7);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "no usable cookies (2 with a length not a multiple of 4)"));

  /* Next Protocol: not critical, other protocol, list; AEAD other than 15 */
  m.len = 0;
  put16(&m, NKR_REC_NEXT_PROTOCOL, 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put(&m, NKR_REC_NEW_COOKIE, cookie_data(0), 100);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "next protocol record not critical"));
  m.b[0] |= 0x80;
  TEST_CHECK(NKR_ParseResponse(m.b, m.len, &r) == NKR_OK);
  m.b[5] = 1;
  TEST_CHECK(refused(m.b, m.len, "unsupported next protocol 1"));
  m.b[5] = 0;
  m.b[11] = 30;
  TEST_CHECK(refused(m.b, m.len, "unsupported AEAD algorithm 30"));
  m.b[11] = 15;
  m.b[4] = 0;                  /* AEAD record not critical is fine */
  TEST_CHECK(NKR_ParseResponse(m.b, m.len, &r) == NKR_OK);

  m.len = 0;
  put(&m, C | NKR_REC_NEXT_PROTOCOL, "\0\0\0\0", 4);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put(&m, NKR_REC_NEW_COOKIE, cookie_data(0), 100);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "bad length 4 of next protocol record"));

  /* Missing Next Protocol or AEAD */
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put(&m, NKR_REC_NEW_COOKIE, cookie_data(0), 100);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "no AEAD algorithm record"));
  m.len = 0;
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put(&m, NKR_REC_NEW_COOKIE, cookie_data(0), 100);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "no next protocol record"));
  m.len = 0;
  put(&m, C | NKR_REC_AEAD_ALGORITHM, "", 0);
  put(&m, NKR_REC_NEW_COOKIE, cookie_data(0), 100);
  put_eom(&m);
  TEST_CHECK(refused(m.b, m.len, "no AEAD algorithm in common"));

  /* Framing errors */
  TEST_CHECK(response_with("", C | NKR_REC_END_OF_MESSAGE, 0, &r) == NKR_BAD &&
             strcmp(r.reason, "malformed message") == 0);
  TEST_CHECK(response_with("", NKR_REC_END_OF_MESSAGE, 0, &r) == NKR_BAD &&
             strcmp(r.reason, "malformed message") == 0);
  TEST_CHECK(NKR_ParseResponse(NULL, 0, &r) == NKR_BAD && strcmp(r.reason, "malformed message") == 0);
}

/* NKR_MakeResponse for a parsed request, with the keys given (or none),
   built into buf; returns the built length, 0 if NKR_MakeResponse gives
   nothing to send, -1 if what it gives cannot be built */
static int
answer(const Msg *m, const uint8_t *c2s, const uint8_t *s2c, int port, const char *server,
       NKR_Response *resp, uint8_t cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN],
       uint8_t *buf, int max)
{
  NKR_Request req;
  int len;

  NKR_ParseRequest(m->b, m->len, &req);
  if (!NKR_MakeResponse(&req, c2s, s2c, port, server, cookies, resp))
    return 0;
  len = NKR_BuildResponse(resp, buf, max);
  return len > 0 ? len : -1;
}

static void
test_make_response(void)
{
  static const uint8_t unrecognized[] = { 0x80, 2, 0, 2, 0, 0, 0x80, 0, 0, 0 };
  static const uint8_t bad_request[] = { 0x80, 2, 0, 2, 0, 1, 0x80, 0, 0, 0 };
  static const uint8_t internal[] = { 0x80, 2, 0, 2, 0, 2, 0x80, 0, 0, 0 };
  static const uint8_t no_proto[] = { 0x80, 1, 0, 0, 0x80, 0, 0, 0 };
  static const uint8_t no_aead[] = { 0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 0, 0x80, 0, 0, 0 };
  static const uint8_t head[] = { 0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 2, 0, 15 };
  static const uint8_t port_rec[] = { 0x80, 7, 0, 2, 0x10, 0x1b };
  static const uint8_t server_rec[] = { 0x80, 6, 0, 15 };
  static uint8_t cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN];
  uint8_t c2s[NKY_KEY_LEN], s2c[NKY_KEY_LEN], c2s2[NKY_KEY_LEN], s2c2[NKY_KEY_LEN];
  uint8_t buf[4096];
  NKR_Response resp, parsed;
  NKR_Request req;
  int i, j, len, key_len, cookies_len;
  Msg m;

  NKY_Initialise();
  for (i = 0; i < NKY_KEY_LEN; i++) {
    c2s[i] = i;
    s2c[i] = 0x80 + i;
  }

  /* A bad request gets its error, keys or not, and nothing else */
  good_request(&m);
  m.len -= 4;
  put(&m, C | 0x0100, "zz", 2);
  put_eom(&m);
  len = answer(&m, c2s, s2c, 4123, "ntp.example.net", &resp, cookies, buf, sizeof buf);
  TEST_CHECK(len == sizeof unrecognized && memcmp(buf, unrecognized, len) == 0);
  TEST_CHECK(resp.error == NKR_ERROR_UNRECOGNIZED_CRITICAL && resp.n_cookies == 0);
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put_eom(&m);
  len = answer(&m, NULL, NULL, 4123, NULL, &resp, cookies, buf, sizeof buf);
  TEST_CHECK(len == sizeof bad_request && memcmp(buf, bad_request, len) == 0);
  TEST_CHECK(NKR_ParseRequest(m.b, m.len, &req) == NKR_BAD && !NKR_RequestNeedsKeys(&req));
  /* ... also one the server gave up on itself */
  good_request(&m);
  NKR_ParseRequest(m.b, m.len, &req);
  req.error = NKR_ERROR_BAD_REQUEST;
  TEST_CHECK(!NKR_RequestNeedsKeys(&req));
  TEST_CHECK(NKR_MakeResponse(&req, NULL, NULL, 0, NULL, cookies, &resp) == 1);
  TEST_CHECK(resp.error == NKR_ERROR_BAD_REQUEST && resp.n_cookies == 0);

  /* Nothing in common: empty records, no keys needed */
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 5);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put_eom(&m);
  TEST_CHECK(NKR_ParseRequest(m.b, m.len, &req) == NKR_OK && !NKR_RequestNeedsKeys(&req));
  len = answer(&m, NULL, NULL, 4123, "ntp.example.net", &resp, cookies, buf, sizeof buf);
  TEST_CHECK(len == sizeof no_proto && memcmp(buf, no_proto, len) == 0);
  TEST_CHECK(resp.error == -1 && !resp.ntpv4 && resp.n_cookies == 0);
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 30);
  put_eom(&m);
  TEST_CHECK(NKR_ParseRequest(m.b, m.len, &req) == NKR_OK && !NKR_RequestNeedsKeys(&req));
  len = answer(&m, c2s, s2c, 4123, "ntp.example.net", &resp, cookies, buf, sizeof buf);
  TEST_CHECK(len == sizeof no_aead && memcmp(buf, no_aead, len) == 0);
  TEST_CHECK(resp.error == -1 && resp.ntpv4 && resp.aead == -1 && resp.n_cookies == 0);

  /* Success: eight cookies holding the client's keys, each with its own
     nonce, and the configured port and name whatever the client asked */
  m.len = 0;
  put16(&m, C | NKR_REC_NEXT_PROTOCOL, 0);
  put16(&m, C | NKR_REC_AEAD_ALGORITHM, 15);
  put16(&m, NKR_REC_PORT_NEGOTIATION, 1234);
  put(&m, NKR_REC_SERVER_NEGOTIATION, "a.example", 9);
  put_eom(&m);
  TEST_CHECK(NKR_ParseRequest(m.b, m.len, &req) == NKR_OK && NKR_RequestNeedsKeys(&req));
  len = answer(&m, c2s, s2c, 4123, "ntp.example.net", &resp, cookies, buf, sizeof buf);
  cookies_len = NKR_MAX_COOKIES * (4 + NKY_MAX_COOKIE_LEN);
  TEST_CHECK(len == (int)(sizeof head + sizeof port_rec + sizeof server_rec) + 15 + cookies_len + 4);
  TEST_CHECK(memcmp(buf, head, sizeof head) == 0);
  TEST_CHECK(memcmp(buf + sizeof head, port_rec, sizeof port_rec) == 0);
  TEST_CHECK(memcmp(buf + sizeof head + sizeof port_rec, server_rec, sizeof server_rec) == 0);
  TEST_CHECK(resp.error == -1 && resp.ntpv4 && resp.aead == 15 && resp.port == 4123);
  TEST_CHECK(resp.server && strcmp(resp.server, "ntp.example.net") == 0);
  TEST_CHECK(resp.n_cookies == NKR_MAX_COOKIES);
  for (i = 0; i < resp.n_cookies; i++) {
    TEST_CHECK(resp.cookies[i] == cookies[i] && resp.cookie_lens[i] == NKY_MAX_COOKIE_LEN);
    TEST_CHECK(NKY_OpenCookie(resp.cookies[i], resp.cookie_lens[i], c2s2, s2c2, &key_len));
    TEST_CHECK(key_len == NKY_KEY_LEN && memcmp(c2s2, c2s, NKY_KEY_LEN) == 0 &&
               memcmp(s2c2, s2c, NKY_KEY_LEN) == 0);
    for (j = 0; j < i; j++)
      TEST_CHECK(memcmp(cookies[i], cookies[j], NKY_MAX_COOKIE_LEN) != 0);
  }
  TEST_CHECK(NKR_ParseResponse(buf, len, &parsed) == NKR_OK);
  TEST_CHECK(parsed.n_cookies == NKR_MAX_COOKIES && parsed.port == 4123 &&
             strcmp(parsed.server_name, "ntp.example.net") == 0);

  /* The usual port and a disabled server are not negotiated */
  good_request(&m);
  len = answer(&m, c2s, s2c, 123, NULL, &resp, cookies, buf, sizeof buf);
  TEST_CHECK(len == (int)sizeof head + cookies_len + 4 && memcmp(buf, head, sizeof head) == 0);
  TEST_CHECK(resp.port == 0 && !resp.server && resp.n_cookies == NKR_MAX_COOKIES);
  TEST_CHECK(NKR_ParseResponse(buf, len, &parsed) == NKR_OK && parsed.port == 0);
  len = answer(&m, c2s, s2c, 0, NULL, &resp, cookies, buf, sizeof buf);
  TEST_CHECK(len == (int)sizeof head + cookies_len + 4 && resp.port == 0);
  len = answer(&m, c2s, s2c, 124, NULL, &resp, cookies, buf, sizeof buf);
  TEST_CHECK(len == (int)sizeof head + 6 + cookies_len + 4 && resp.port == 124);

  /* Keys needed but not exported: nothing to send */
  TEST_CHECK(answer(&m, NULL, NULL, 123, NULL, &resp, cookies, buf, sizeof buf) == 0);
  TEST_CHECK(answer(&m, c2s, NULL, 123, NULL, &resp, cookies, buf, sizeof buf) == 0);

  /* No usable server key: an internal error and no cookies */
  NKY_Finalise();
  len = answer(&m, c2s, s2c, 4123, "ntp.example.net", &resp, cookies, buf, sizeof buf);
  TEST_CHECK(len == sizeof internal && memcmp(buf, internal, len) == 0);
  TEST_CHECK(resp.error == NKR_ERROR_INTERNAL && resp.n_cookies == 0 && resp.port == 0 &&
             !resp.server);
  NKY_Initialise();
  TEST_CHECK(answer(&m, c2s, s2c, 123, NULL, &resp, cookies, buf, sizeof buf) > 0 &&
             resp.n_cookies == NKR_MAX_COOKIES);
  NKY_Finalise();
}

/* Random and mutated input must never crash or read out of bounds (run
   this under -fsanitize=address,undefined) */
static void
test_random(void)
{
  NKR_Response resp;
  NKR_Request req;
  uint8_t *buf;
  int i, j, len, n_ok = 0, n_bad_reason = 0;
  Msg m;

  srandom(1);
  for (i = 0; i < 200000; i++) {
    if (i % 2) {
      good_request(&m);
      for (j = random() % 4; j >= 0; j--)
        m.b[random() % m.len] = random();
      len = m.len;
    } else {
      len = random() % 40;
      m.b[0] = random() % 2 ? 0x80 : 0;
      for (j = 0; j < len; j++)
        m.b[j] = random() % 4 ? random() % 9 : random();
    }
    /* An exact-size heap copy, so that any overread is caught */
    buf = malloc(len ? len : 1);
    memcpy(buf, m.b, len);
    if (NKR_ParseRequest(buf, len, &req) == NKR_OK)
      n_ok++;
    /* A reason exactly when the response is not usable */
    if ((NKR_ParseResponse(buf, len, &resp) == NKR_OK) != (resp.reason[0] == '\0') ||
        !memchr(resp.reason, '\0', sizeof resp.reason))
      n_bad_reason++;
    free(buf);
  }
  TEST_CHECK(n_ok > 0);
  TEST_CHECK(n_bad_reason == 0);
}

int
main(void)
{
  LOG_Initialise();
  LOG_SetMinSeverity(LOGS_FATAL);

  test_good_requests();
  test_bad_requests();
  test_build_response();
  test_parse_response();
  test_make_response();
  test_random();

  LOG_Finalise();
  TEST_END();
}
