/*
  ntsd - NTS on the server's NTP port (RFC 8915 section 5)

  Checking a request and finishing its reply are two steps, because the
  reply's authenticator covers the header, whose transmit timestamp must be
  taken as late as possible: the server builds the header in between.
  No allocation: the per-request state lives in the caller's NNS_Context.
*/
#ifndef NTSD_NTS_NTP_SERVER_H
#define NTSD_NTS_NTP_SERVER_H

#include <stdint.h>

#include "ntp_pkt.h"

#define NNS_MAX_KEY 32
#define NNS_MAX_UID 256

typedef enum {
  NNS_NOT_NTS,     /* no NTS fields: an ordinary request */
  NNS_OK,          /* authenticated: answer with NNS_FinishReply() */
  NNS_NAK,         /* cookie not ours or request not authentic: NTS NAK */
  NNS_DROP,        /* malformed: no answer */
} NNS_Result;

typedef struct {
  uint8_t uid[NNS_MAX_UID];
  int uid_len;
  uint8_t c2s[NNS_MAX_KEY], s2c[NNS_MAX_KEY];
  int key_len;
  int n_cookies;   /* new cookies to send: 1 + placeholders, at most 8 */
  int req_len;     /* the reply is padded to exactly this length */
} NNS_Context;

/* Examine the extension fields of a parsed request */
NNS_Result NNS_CheckRequest(const uint8_t *req, int req_len, const NPK_Info *info,
                            NNS_Context *ctx);

/* Append the Unique Identifier and either the authenticator with new
   cookies (NNS_OK) or nothing more (NNS_NAK; the caller made the header a
   KoD NTSN) to the 48-byte reply header.  Returns the reply length, never
   more than the request's, or 0 on failure. */
int NNS_FinishReply(const NNS_Context *ctx, NNS_Result result, uint8_t *reply, int reply_max);

#endif
