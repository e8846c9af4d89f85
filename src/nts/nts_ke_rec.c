/*
  ntsd - NTS-KE record codec (RFC 8915 section 4)

  A record is a 16-bit type (top bit: critical) and a 16-bit body length,
  both big-endian, then the body.  Framing is checked first and separately
  from meaning, so that a message is never interpreted until its End of
  Message has arrived and every record is known to lie within it.
*/
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ntp_pkt.h"
#include "nts_ke_rec.h"
#include "nts_keyring.h"

#define HEADER_LEN 4

typedef struct {
  const uint8_t *msg;
  int len;
  int offset;
} Reader;

typedef struct {
  int critical;
  int type;
  const uint8_t *body;
  int body_len;
} Record;

typedef struct {
  uint8_t *buf;
  int max;
  int len;
  int failed;
} Writer;

static int
get16(const uint8_t *p)
{
  return p[0] << 8 | p[1];
}

/* ================================================== */

NKR_Status
NKR_CheckMessage(const uint8_t *msg, int len)
{
  int offset = 0, type, body_len;

  if (!msg || len < 0 || len > NKR_MAX_MESSAGE)
    return NKR_BAD;

  while (offset < len) {
    if (len - offset < HEADER_LEN)
      break;
    type = get16(msg + offset);
    body_len = get16(msg + offset + 2);

    /* A record that cannot end within the limit will never be complete */
    if (offset + HEADER_LEN + body_len > NKR_MAX_MESSAGE)
      return NKR_BAD;
    if (offset + HEADER_LEN + body_len > len)
      return NKR_INCOMPLETE;

    if ((type & ~NKR_CRITICAL) == NKR_REC_END_OF_MESSAGE) {
      if (!(type & NKR_CRITICAL) || body_len != 0 || offset + HEADER_LEN != len)
        return NKR_BAD;
      return NKR_OK;
    }
    offset += HEADER_LEN + body_len;
  }

  return len >= NKR_MAX_MESSAGE ? NKR_BAD : NKR_INCOMPLETE;
}

/* Only for messages that passed NKR_CheckMessage(); stops at the End of
   Message record, which is the last one */
static int
next_record(Reader *r, Record *rec)
{
  int type;

  if (r->len - r->offset < HEADER_LEN)
    return 0;
  type = get16(r->msg + r->offset);
  rec->critical = !!(type & NKR_CRITICAL);
  rec->type = type & ~NKR_CRITICAL;
  rec->body_len = get16(r->msg + r->offset + 2);
  if (rec->type == NKR_REC_END_OF_MESSAGE || rec->body_len > r->len - r->offset - HEADER_LEN)
    return 0;
  rec->body = r->msg + r->offset + HEADER_LEN;
  r->offset += HEADER_LEN + rec->body_len;
  return 1;
}

/* Append the values of a u16 list to a bounded array */
static void
add_list(const Record *rec, uint16_t *list, int *n)
{
  int i;

  for (i = 0; i + 1 < rec->body_len; i += 2) {
    if (*n < NKR_MAX_LIST)
      list[*n] = get16(rec->body + i);
    (*n)++;
  }
}

static int
list_has(const Record *rec, int value)
{
  int i;

  for (i = 0; i + 1 < rec->body_len; i += 2) {
    if (get16(rec->body + i) == value)
      return 1;
  }
  return 0;
}

/* ================================================== */

NKR_Status
NKR_ParseRequest(const uint8_t *msg, int len, NKR_Request *req)
{
  int n_next = 0, n_aead = 0, error = -1;
  NKR_Status status;
  Record rec;
  Reader r;

  memset(req, 0, sizeof (*req));
  req->error = -1;

  status = NKR_CheckMessage(msg, len);
  if (status == NKR_INCOMPLETE)
    return status;
  if (status == NKR_BAD) {
    req->error = NKR_ERROR_BAD_REQUEST;
    return status;
  }
  req->complete = 1;

  r.msg = msg;
  r.len = len;
  r.offset = 0;

  /* As chronyd, the first problem decides which error is sent */
  while (error < 0 && next_record(&r, &rec)) {
    switch (rec.type) {
      case NKR_REC_NEXT_PROTOCOL:
        if (!rec.critical || rec.body_len < 2 || rec.body_len % 2 != 0 || n_next++ > 0) {
          error = NKR_ERROR_BAD_REQUEST;
          break;
        }
        add_list(&rec, req->protocols, &req->n_protocols);
        req->ntpv4 = list_has(&rec, NKR_NEXT_PROTOCOL_NTPV4);
        break;
      case NKR_REC_AEAD_ALGORITHM:
        if (rec.body_len < 2 || rec.body_len % 2 != 0 || n_aead++ > 0) {
          error = NKR_ERROR_BAD_REQUEST;
          break;
        }
        add_list(&rec, req->aeads, &req->n_aeads);
        req->aead_siv_256 = list_has(&rec, NKR_AEAD_AES_SIV_CMAC_256);
        break;
      case NKR_REC_SERVER_NEGOTIATION:
        if (req->server_negotiation++ > 0)
          error = NKR_ERROR_BAD_REQUEST;
        break;
      case NKR_REC_PORT_NEGOTIATION:
        if (rec.body_len != 2 || req->port_negotiation++ > 0) {
          error = NKR_ERROR_BAD_REQUEST;
          break;
        }
        req->port = get16(rec.body);
        break;
      case NKR_REC_ERROR:
      case NKR_REC_WARNING:
      case NKR_REC_NEW_COOKIE:
        /* Only a server sends these */
        error = NKR_ERROR_BAD_REQUEST;
        break;
      default:
        if (rec.critical)
          error = NKR_ERROR_UNRECOGNIZED_CRITICAL;
        break;
    }
  }

  /* Exactly one Next Protocol record; an AEAD record is needed only when
     NTPv4 (which uses one) could be agreed on */
  if (error < 0 && (n_next != 1 || (req->ntpv4 && n_aead != 1)))
    error = NKR_ERROR_BAD_REQUEST;

  req->error = error;
  return error >= 0 ? NKR_BAD : NKR_OK;
}

/* ================================================== */

static void
add_record(Writer *w, int critical, int type, const void *body, int body_len)
{
  if (w->failed || body_len < 0 || body_len > 0xffff || (body_len > 0 && !body) ||
      w->max - w->len < HEADER_LEN + body_len) {
    w->failed = 1;
    return;
  }

  type |= critical ? NKR_CRITICAL : 0;
  w->buf[w->len] = type >> 8;
  w->buf[w->len + 1] = type & 0xff;
  w->buf[w->len + 2] = body_len >> 8;
  w->buf[w->len + 3] = body_len & 0xff;
  if (body_len > 0)
    memcpy(w->buf + w->len + HEADER_LEN, body, body_len);
  w->len += HEADER_LEN + body_len;
}

static void
add_u16_record(Writer *w, int critical, int type, int value)
{
  uint8_t body[2];

  body[0] = value >> 8;
  body[1] = value & 0xff;
  add_record(w, critical, type, body, sizeof (body));
}

static int
finish(Writer *w)
{
  add_record(w, 1, NKR_REC_END_OF_MESSAGE, NULL, 0);
  return w->failed ? 0 : w->len;
}

/* A name the client can use as it is: no spaces, controls or 8-bit bytes */
static int
is_valid_name(const char *s, int len)
{
  int i;

  if (len < 1 || len > NKR_MAX_SERVER_LEN)
    return 0;
  for (i = 0; i < len; i++) {
    if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
      return 0;
  }
  return 1;
}

int
NKR_BuildResponse(const NKR_Response *resp, uint8_t *buf, int max)
{
  Writer w;
  int i, server_len;

  w.buf = buf;
  w.max = buf ? max : 0;
  w.len = 0;
  w.failed = 0;

  if (resp->error >= 0) {
    if (resp->error > 0xffff)
      return 0;
    add_u16_record(&w, 1, NKR_REC_ERROR, resp->error);
    return finish(&w);
  }

  if (!resp->ntpv4) {
    add_record(&w, 1, NKR_REC_NEXT_PROTOCOL, NULL, 0);
    return finish(&w);
  }
  add_u16_record(&w, 1, NKR_REC_NEXT_PROTOCOL, NKR_NEXT_PROTOCOL_NTPV4);

  if (resp->aead < 0) {
    add_record(&w, 1, NKR_REC_AEAD_ALGORITHM, NULL, 0);
    return finish(&w);
  }
  if (resp->aead > 0xffff)
    return 0;
  add_u16_record(&w, 1, NKR_REC_AEAD_ALGORITHM, resp->aead);

  if (resp->port > 0) {
    if (resp->port > 0xffff)
      return 0;
    add_u16_record(&w, 1, NKR_REC_PORT_NEGOTIATION, resp->port);
  }

  if (resp->server) {
    server_len = strnlen(resp->server, NKR_MAX_SERVER_LEN + 1);
    if (!is_valid_name(resp->server, server_len))
      return 0;
    add_record(&w, 1, NKR_REC_SERVER_NEGOTIATION, resp->server, server_len);
  }

  if (resp->n_cookies < 0 || resp->n_cookies > NKR_MAX_COOKIES)
    return 0;
  for (i = 0; i < resp->n_cookies; i++) {
    if (resp->cookie_lens[i] < 1 || resp->cookie_lens[i] > NKR_MAX_COOKIE_LEN)
      return 0;
    /* RFC 8915 4.1.6: New Cookie records must not be critical */
    add_record(&w, 0, NKR_REC_NEW_COOKIE, resp->cookies[i], resp->cookie_lens[i]);
  }

  return finish(&w);
}

int
NKR_BuildRequest(uint8_t *buf, int max)
{
  Writer w;

  w.buf = buf;
  w.max = buf ? max : 0;
  w.len = 0;
  w.failed = 0;

  add_u16_record(&w, 1, NKR_REC_NEXT_PROTOCOL, NKR_NEXT_PROTOCOL_NTPV4);
  add_u16_record(&w, 1, NKR_REC_AEAD_ALGORITHM, NKR_AEAD_AES_SIV_CMAC_256);
  return finish(&w);
}

/* ================================================== */

int
NKR_RequestNeedsKeys(const NKR_Request *req)
{
  return req->error < 0 && req->ntpv4 && req->aead_siv_256;
}

int
NKR_MakeResponse(const NKR_Request *req, const uint8_t *c2s, const uint8_t *s2c,
                 int port, const char *server,
                 uint8_t cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN], NKR_Response *resp)
{
  int i, len;

  memset(resp, 0, sizeof *resp);

  if (req->error >= 0) {
    resp->error = req->error;
    return 1;
  }

  if (!NKR_RequestNeedsKeys(req)) {
    /* Nothing in common: empty negotiation records tell the client so */
    resp->error = -1;
    resp->ntpv4 = req->ntpv4;
    resp->aead = req->aead_siv_256 ? NKR_AEAD_AES_SIV_CMAC_256 : -1;
    return 1;
  }

  /* No keys to put in cookies; as chronyd, the server then closes the
     connection without an answer */
  if (!c2s || !s2c)
    return 0;

  for (i = 0; i < NKR_MAX_COOKIES; i++) {
    len = NKY_MakeCookie(c2s, s2c, NKY_KEY_LEN, cookies[i], NKR_MAX_COOKIE_LEN);
    if (len <= 0) {
      /* No usable server key: the client should try another server */
      memset(resp, 0, sizeof *resp);
      resp->error = NKR_ERROR_INTERNAL;
      return 1;
    }
    resp->cookies[i] = cookies[i];
    resp->cookie_lens[i] = len;
  }

  resp->error = -1;
  resp->ntpv4 = 1;
  resp->aead = NKR_AEAD_AES_SIV_CMAC_256;
  resp->n_cookies = NKR_MAX_COOKIES;
  /* Port 0 disables the NTP server, which then presumably runs elsewhere
     under the name given by ntsntpserver; and Port Negotiation is left
     out for the port clients assume anyway */
  resp->port = port > 0 && port != NPK_PORT ? port : 0;
  resp->server = server;
  return 1;
}

/* ================================================== */

/* Record the first problem found with a response */
static void set_reason(NKR_Response *resp, const char *format, ...)
  __attribute__((format(printf, 2, 3)));

static void
set_reason(NKR_Response *resp, const char *format, ...)
{
  va_list ap;

  if (resp->reason[0] != '\0')
    return;
  va_start(ap, format);
  vsnprintf(resp->reason, sizeof resp->reason, format, ap);
  va_end(ap);
}

/* A u16 negotiation record of the response: 1 if it holds exactly the
   value asked for, else 0 with the reason set */
static int
check_choice(NKR_Response *resp, const Record *rec, const char *what, int wanted)
{
  if (rec->body_len == 0) {
    set_reason(resp, "no %s in common", what);
    return 0;
  }
  if (rec->body_len != 2) {
    set_reason(resp, "bad length %d of %s record", rec->body_len, what);
    return 0;
  }
  if (get16(rec->body) != wanted) {
    set_reason(resp, "unsupported %s %d", what, get16(rec->body));
    return 0;
  }
  return 1;
}

NKR_Status
NKR_ParseResponse(const uint8_t *msg, int len, NKR_Response *resp)
{
  int n_next = 0, n_aead = 0, n_port = 0, n_server = 0;
  NKR_Status status;
  Record rec;
  Reader r;

  memset(resp, 0, sizeof (*resp));
  resp->error = -1;
  resp->aead = -1;

  status = NKR_CheckMessage(msg, len);
  if (status != NKR_OK) {
    set_reason(resp, status == NKR_INCOMPLETE ? "incomplete message" : "malformed message");
    return status;
  }

  r.msg = msg;
  r.len = len;
  r.offset = 0;

  /* Stop at the first problem, which is the one reported */
  while (resp->reason[0] == '\0' && next_record(&r, &rec)) {
    switch (rec.type) {
      case NKR_REC_NEXT_PROTOCOL:
        if (!rec.critical)
          set_reason(resp, "next protocol record not critical");
        else if (n_next++ > 0)
          set_reason(resp, "more than one next protocol record");
        else if (check_choice(resp, &rec, "next protocol", NKR_NEXT_PROTOCOL_NTPV4))
          resp->ntpv4 = 1;
        break;
      case NKR_REC_AEAD_ALGORITHM:
        if (n_aead++ > 0)
          set_reason(resp, "more than one AEAD algorithm record");
        else if (check_choice(resp, &rec, "AEAD algorithm", NKR_AEAD_AES_SIV_CMAC_256))
          resp->aead = NKR_AEAD_AES_SIV_CMAC_256;
        break;
      case NKR_REC_ERROR:
        if (rec.body_len == 2) {
          resp->error = get16(rec.body);
          set_reason(resp, "error record %d", resp->error);
        } else {
          set_reason(resp, "error record of bad length %d", rec.body_len);
        }
        break;
      case NKR_REC_WARNING:
        /* No warnings are defined; as chronyd, do not trust the rest */
        if (rec.body_len == 2)
          set_reason(resp, "warning record %d", get16(rec.body));
        else
          set_reason(resp, "warning record of bad length %d", rec.body_len);
        break;
      case NKR_REC_NEW_COOKIE:
        /* Every cookie is checked, even those beyond the ones kept */
        if (rec.body_len < 1 || rec.body_len > NKR_MAX_COOKIE_LEN) {
          set_reason(resp, "cookie of bad length %d", rec.body_len);
          break;
        }
        /* As chronyd, keep the first NKR_MAX_COOKIES and ignore the rest
           (RFC 8915 sets no limit on what a server sends).  A cookie has
           to fit an NTP extension field without padding, which would
           change it; chronyd skips such cookies too. */
        if (resp->n_cookies >= NKR_MAX_COOKIES || rec.body_len % 4 != 0) {
          resp->n_skipped_cookies++;
          break;
        }
        resp->cookies[resp->n_cookies] = rec.body;
        resp->cookie_lens[resp->n_cookies] = rec.body_len;
        resp->n_cookies++;
        break;
      case NKR_REC_SERVER_NEGOTIATION:
        if (n_server++ > 0) {
          set_reason(resp, "more than one server negotiation record");
          break;
        }
        if (!is_valid_name((const char *)rec.body, rec.body_len)) {
          set_reason(resp, "invalid server name (length %d)", rec.body_len);
          break;
        }
        memcpy(resp->server_name, rec.body, rec.body_len);
        resp->server_name[rec.body_len] = '\0';
        break;
      case NKR_REC_PORT_NEGOTIATION:
        if (n_port++ > 0)
          set_reason(resp, "more than one port negotiation record");
        else if (rec.body_len != 2)
          set_reason(resp, "bad length %d of port negotiation record", rec.body_len);
        else if (get16(rec.body) == 0)
          set_reason(resp, "port 0 in port negotiation record");
        else
          resp->port = get16(rec.body);
        break;
      default:
        if (rec.critical)
          set_reason(resp, "unknown critical record 0x%04x", rec.type);
        break;
    }
  }

  if (!resp->ntpv4)
    set_reason(resp, "no next protocol record");
  if (resp->aead != NKR_AEAD_AES_SIV_CMAC_256)
    set_reason(resp, "no AEAD algorithm record");
  if (resp->n_cookies == 0) {
    if (resp->n_skipped_cookies > 0)
      set_reason(resp, "no usable cookies (%d with a length not a multiple of 4)",
                 resp->n_skipped_cookies);
    else
      set_reason(resp, "no cookies");
  }

  return resp->reason[0] == '\0' ? NKR_OK : NKR_BAD;
}
