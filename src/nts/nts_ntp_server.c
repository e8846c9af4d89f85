/*
  ntsd - NTS on the server's NTP port (RFC 8915 section 5)

  A request is accepted only in the shape RFC 8915 gives it: one Unique
  Identifier of at least 32 bytes, one NTS Cookie, any number of
  placeholders of the cookie's length, and the Authenticator and Encrypted
  Extension Fields as the last field, with no legacy MAC.  Anything else is
  dropped without an answer; a well-formed request whose cookie cannot be
  opened, or that fails authentication, gets an NTS NAK so the client
  knows to redo NTS-KE.
*/
#include "config.h"

#include <string.h>

#include "logging.h"
#include "nts_keyring.h"
#include "nts_ntp_server.h"
#include "siv.h"

#define MIN_UID_LEN 32
#define MIN_NONCE_LEN 16            /* the least a request may use */
#define TAG_LEN 16
#define MAX_COOKIES 8
#define MAX_PLAINTEXT 1280

static int
pad4(int x)
{
  return (x + 3) & ~3;
}

/* Parse the body of an NTS Authenticator field; returns 1 with pointers
   into the body if every length is consistent */
static int
parse_authenticator(const uint8_t *body, int body_len, const uint8_t **nonce, int *nonce_len,
                    const uint8_t **ct, int *ct_len)
{
  if (body_len < 4)
    return 0;
  *nonce_len = body[0] << 8 | body[1];
  *ct_len = body[2] << 8 | body[3];
  if (*nonce_len < MIN_NONCE_LEN || *ct_len < TAG_LEN ||
      4 + pad4(*nonce_len) + pad4(*ct_len) > body_len)
    return 0;
  *nonce = body + 4;
  *ct = body + 4 + pad4(*nonce_len);
  return 1;
}

NNS_Result
NNS_CheckRequest(const uint8_t *req, int req_len, const NPK_Info *info, NNS_Context *ctx)
{
  const uint8_t *body, *cookie = NULL, *nonce = NULL, *ct = NULL;
  int type, body_len, offset, next, end, auth_offset = -1;
  int n_uid = 0, n_cookie = 0, n_placeholders = 0, cookie_len = 0, placeholder_len = -1;
  int nonce_len = 0, ct_len = 0, pt_len;
  uint8_t plaintext[MAX_PLAINTEXT];
  SIV_Instance siv;

  memset(ctx, 0, sizeof *ctx);
  if (info->mac_length > 0 || info->n_efs == 0)
    return NNS_DROP;

  end = info->ef_offset + info->ef_length;
  for (offset = info->ef_offset; offset < end; offset = next) {
    if (!NPK_GetField(req, end, offset, &type, &body, &body_len, &next))
      return NNS_DROP;
    /* The authenticator must be the last field: what follows it would not
       be authenticated */
    if (auth_offset >= 0)
      return NNS_DROP;

    switch (type) {
      case NPK_EF_UNIQUE_ID:
        if (n_uid++ || body_len < MIN_UID_LEN || body_len > NNS_MAX_UID)
          return NNS_DROP;
        memcpy(ctx->uid, body, body_len);
        ctx->uid_len = body_len;
        break;
      case NPK_EF_NTS_COOKIE:
        if (n_cookie++)
          return NNS_DROP;
        cookie = body;
        cookie_len = body_len;
        break;
      case NPK_EF_NTS_COOKIE_PLACEHOLDER:
        /* All of one length, checked against the cookie's below */
        if (n_placeholders++ && body_len != placeholder_len)
          return NNS_DROP;
        placeholder_len = body_len;
        break;
      case NPK_EF_NTS_AUTH_AND_EEF:
        auth_offset = offset;
        if (!parse_authenticator(body, body_len, &nonce, &nonce_len, &ct, &ct_len))
          return NNS_DROP;
        break;
      default:
        /* Unknown fields are covered by the authenticator; ignored */
        break;
    }
  }

  if (n_uid != 1 || n_cookie != 1 || auth_offset < 0)
    return NNS_DROP;

  /* Placeholders must be as long as the cookie, so that the reply with a
     fresh cookie per placeholder is never longer than the request */
  if (n_placeholders > 0 && placeholder_len != cookie_len)
    return NNS_DROP;

  /* Set before the cookie is opened: the NAK's length is capped by it too */
  ctx->req_len = req_len;

  if (!NKY_OpenCookie(cookie, cookie_len, ctx->c2s, ctx->s2c, &ctx->key_len))
    return NNS_NAK;

  pt_len = ct_len - TAG_LEN;
  if (pt_len > (int)sizeof plaintext)
    return NNS_DROP;
  /* Most requests encrypt nothing: their C2S key only makes the tag.  A
     request that fails authentication gets a NAK too (RFC 8915 section
     5.7, and chronyd): the client may hold keys the server no longer
     shares, and the NAK is shorter than the request and carries nothing
     the request did not */
  if (!(pt_len > 0 ? SIV_SetKey : SIV_SetAuthKey)(&siv, ctx->c2s, ctx->key_len) ||
      !SIV_Decrypt(&siv, nonce, nonce_len, req, auth_offset, ct, ct_len, plaintext))
    return NNS_NAK;

  ctx->n_cookies = 1 + n_placeholders;
  if (ctx->n_cookies > MAX_COOKIES)
    ctx->n_cookies = MAX_COOKIES;
  return NNS_OK;
}

int
NNS_FinishReply(const NNS_Context *ctx, NNS_Result result, uint8_t *reply, int reply_max)
{
  uint8_t plaintext[MAX_PLAINTEXT], *cookie, *auth;
  int len = NPK_HEADER_LEN, pt_len, cookie_len, n_cookies, auth_body_len, i, auth_start;
  SIV_Instance siv;

  if (reply_max > ctx->req_len)
    reply_max = ctx->req_len;

  if (!NPK_AddField(reply, &len, reply_max, NPK_EF_UNIQUE_ID, ctx->uid, ctx->uid_len))
    return 0;
  if (result == NNS_NAK)
    return len;

  /* New cookies, as many as fit in the length of the request */
  for (n_cookies = ctx->n_cookies; n_cookies > 0; n_cookies--) {
    cookie_len = NKY_MAX_COOKIE_LEN;
    pt_len = n_cookies * (NPK_EF_HEADER_LEN + pad4(cookie_len));
    if (len + NPK_EF_HEADER_LEN + 4 + NKY_NONCE_LEN + TAG_LEN + pt_len <= reply_max)
      break;
  }
  if (n_cookies == 0)
    return 0;

  /* Each cookie is sealed straight into its field (NPK_AddFieldSpace
     works on a packet-like buffer, hence the header's room) */
  pt_len = NPK_HEADER_LEN;
  for (i = 0; i < n_cookies; i++) {
    if (!NPK_AddFieldSpace(plaintext, &pt_len, sizeof plaintext, NPK_EF_NTS_COOKIE,
                           NKY_MAX_COOKIE_LEN, &cookie) ||
        NKY_MakeCookie(ctx->c2s, ctx->s2c, ctx->key_len, cookie, NKY_MAX_COOKIE_LEN) !=
          NKY_MAX_COOKIE_LEN)
      return 0;
  }
  pt_len -= NPK_HEADER_LEN;

  /* The padding that makes the reply exactly as long as the request goes
     into the authenticator's Additional Padding */
  auth_body_len = reply_max - len - NPK_EF_HEADER_LEN;
  if (auth_body_len < 4 + NKY_NONCE_LEN + TAG_LEN + pt_len)
    return 0;
  auth_start = len;
  if (!NPK_AddFieldSpace(reply, &len, reply_max, NPK_EF_NTS_AUTH_AND_EEF, auth_body_len, &auth))
    return 0;

  auth[0] = 0;
  auth[1] = NKY_NONCE_LEN;
  auth[2] = (TAG_LEN + pt_len) >> 8;
  auth[3] = (TAG_LEN + pt_len) & 0xff;
  if (!NKY_MakeNonce(auth + 4) || !SIV_SetKey(&siv, ctx->s2c, ctx->key_len) ||
      !SIV_Encrypt(&siv, auth + 4, NKY_NONCE_LEN, reply, auth_start, plaintext + NPK_HEADER_LEN,
                   pt_len, auth + 4 + NKY_NONCE_LEN))
    return 0;
  return len;
}
