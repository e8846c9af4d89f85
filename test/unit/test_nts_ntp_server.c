/*
  Unit tests of NTS on the server's NTP port, against hand-built requests
*/
#include "config.h"

#include <string.h>

#include "nts_keyring.h"
#include "nts_ntp_server.h"
#include "siv.h"
#include "test.h"

#define MAX_PKT 1280

static uint8_t c2s[32], s2c[32], cookie[NKY_MAX_COOKIE_LEN];
static int cookie_len;

enum { F_NO_UID = 1, F_TWO_COOKIES = 2, F_BAD_AUTH = 4, F_FIELD_AFTER_AUTH = 8,
       F_SHORT_PLACEHOLDER = 16, F_BAD_COOKIE = 32, F_SHORT_UID = 64, F_ENCRYPTED = 128,
       F_LAST_PLACEHOLDER_SHORT = 256 };

/* A request as a client builds it: header, UID, cookie, placeholders and
   the authenticator over everything before it */
static int
build_request(uint8_t *pkt, int placeholders, int flags)
{
  uint8_t uid[32], ph[NKY_MAX_COOKIE_LEN], nonce[16], *auth, c[NKY_MAX_COOKIE_LEN];
  /* An encrypted extension field of an unknown type, 8 bytes in all */
  static const uint8_t eef[8] = { 0x12, 0x34, 0, 8, 1, 2, 3, 4 };
  int eef_len = flags & F_ENCRYPTED ? (int)sizeof eef : 0;
  SIV_Instance siv;
  int len = 48, i, auth_start;

  memset(pkt, 0, MAX_PKT);
  pkt[0] = 0x23;                          /* version 4, client */
  memset(uid, 0xa5, sizeof uid);
  memset(ph, 0, sizeof ph);
  memset(nonce, 0x3c, sizeof nonce);
  memcpy(c, cookie, cookie_len);
  if (flags & F_BAD_COOKIE)
    c[30] ^= 1;

  if (!(flags & F_NO_UID))
    NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_UNIQUE_ID, uid, flags & F_SHORT_UID ? 16 : 32);
  NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_NTS_COOKIE, c, cookie_len);
  if (flags & F_TWO_COOKIES)
    NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_NTS_COOKIE, c, cookie_len);
  for (i = 0; i < placeholders; i++)
    NPK_AddField(pkt, &len, MAX_PKT, NPK_EF_NTS_COOKIE_PLACEHOLDER, ph,
                 flags & F_SHORT_PLACEHOLDER ||
                 (flags & F_LAST_PLACEHOLDER_SHORT && i == placeholders - 1) ?
                   cookie_len - 4 : cookie_len);

  auth_start = len;
  NPK_AddFieldSpace(pkt, &len, MAX_PKT, NPK_EF_NTS_AUTH_AND_EEF, 4 + 16 + 16 + eef_len, &auth);
  auth[1] = 16;
  auth[3] = 16 + eef_len;
  memcpy(auth + 4, nonce, 16);
  SIV_SetKey(&siv, c2s, 32);
  SIV_Encrypt(&siv, nonce, 16, pkt, auth_start, eef_len ? eef : NULL, eef_len, auth + 20);
  if (flags & F_BAD_AUTH)
    auth[25 + (flags & F_ENCRYPTED ? 16 : 0)] ^= 0x40;
  if (flags & F_FIELD_AFTER_AUTH)
    NPK_AddField(pkt, &len, MAX_PKT, 0x7777, uid, 16);
  return len;
}

static NNS_Result
check(const uint8_t *pkt, int len, NNS_Context *ctx)
{
  NPK_Info info;

  if (!NPK_ParsePacket(pkt, len, &info))
    return -1;
  return NNS_CheckRequest(pkt, len, &info, ctx);
}

/* Walk the reply: UID echoed, authenticator opens with S2C, and each
   cookie inside opens with the server keys.  Returns the cookie count. */
static int
verify_reply(const uint8_t *reply, int len)
{
  const uint8_t *body, *nonce, *ct;
  uint8_t pt[MAX_PKT], k1[32], k2[32];
  int type, blen, off, next, n = 0, auth_off = -1, nlen, clen, klen, pt_off, pt_next;
  SIV_Instance siv;
  NPK_Info info;

  if (!NPK_ParsePacket(reply, len, &info))
    return -1;
  for (off = info.ef_offset; off < len; off = next) {
    if (!NPK_GetField(reply, len, off, &type, &body, &blen, &next))
      return -1;
    if (type == NPK_EF_UNIQUE_ID && (blen != 32 || body[0] != 0xa5))
      return -1;
    if (type == NPK_EF_NTS_AUTH_AND_EEF) {
      auth_off = off;
      nlen = body[0] << 8 | body[1];
      clen = body[2] << 8 | body[3];
      nonce = body + 4;
      ct = body + 4 + nlen;
      SIV_SetKey(&siv, s2c, 32);
      if (!SIV_Decrypt(&siv, nonce, nlen, reply, auth_off, ct, clen, pt + 48))
        return -1;
      /* Reuse the field walker on the decrypted fields */
      memset(pt, 0, 48);
      for (pt_off = 48; pt_off < 48 + clen - 16; pt_off = pt_next) {
        if (!NPK_GetField(pt, 48 + clen - 16, pt_off, &type, &body, &blen, &pt_next) ||
            type != NPK_EF_NTS_COOKIE || !NKY_OpenCookie(body, blen, k1, k2, &klen) ||
            memcmp(k1, c2s, 32) != 0 || memcmp(k2, s2c, 32) != 0)
          return -1;
        n++;
      }
    }
  }
  return auth_off < 0 ? -1 : n;
}

int
main(void)
{
  uint8_t req[MAX_PKT], reply[MAX_PKT], reply2[MAX_PKT];
  NNS_Context ctx;
  int i, len, rlen;

  NKY_Initialise();
  for (i = 0; i < 32; i++) {
    c2s[i] = i;
    s2c[i] = 0x80 + i;
  }
  cookie_len = NKY_MakeCookie(c2s, s2c, 32, cookie, sizeof cookie);
  TEST_CHECK(cookie_len == 100);

  /* A valid request with 0, 3 and 9 placeholders */
  for (i = 0; i <= 9; i += 3) {
    len = build_request(req, i, 0);
    TEST_CHECK(check(req, len, &ctx) == NNS_OK);
    TEST_CHECK(ctx.n_cookies == (i + 1 > 8 ? 8 : i + 1));
    memset(reply, 0, 48);
    reply[0] = 0x24;
    rlen = NNS_FinishReply(&ctx, NNS_OK, reply, sizeof reply);
    TEST_CHECK(rlen == len);
    TEST_CHECK(verify_reply(reply, rlen) == ctx.n_cookies);
  }

  /* A reply never longer than its request, even with a small buffer */
  len = build_request(req, 3, 0);
  check(req, len, &ctx);
  TEST_CHECK(NNS_FinishReply(&ctx, NNS_OK, reply, len - 104) <= len - 104);

  /* Encrypted extension fields in the request (the C2S key's CTR half
     is needed then, not only S2V's) are accepted and ignored */
  len = build_request(req, 1, F_ENCRYPTED);
  TEST_CHECK(check(req, len, &ctx) == NNS_OK);
  rlen = NNS_FinishReply(&ctx, NNS_OK, reply, sizeof reply);
  TEST_CHECK(rlen == len && verify_reply(reply, rlen) == 2);
  TEST_CHECK(check(req, build_request(req, 1, F_ENCRYPTED | F_BAD_AUTH), &ctx) == NNS_NAK);

  /* Two replies to one request: different nonces, so different bytes */
  len = build_request(req, 0, 0);
  TEST_CHECK(check(req, len, &ctx) == NNS_OK);
  memset(reply, 0, 48);
  reply[0] = 0x24;
  memcpy(reply2, reply, 48);
  rlen = NNS_FinishReply(&ctx, NNS_OK, reply, sizeof reply);
  TEST_CHECK(rlen == len && NNS_FinishReply(&ctx, NNS_OK, reply2, sizeof reply2) == rlen);
  TEST_CHECK(verify_reply(reply2, rlen) == 1);
  TEST_CHECK(memcmp(reply + 84 + 8, reply2 + 84 + 8, 16) != 0);  /* the nonces */

  /* An undecryptable cookie, or a request that fails authentication:
     NAK with the UID only */
  len = build_request(req, 1, F_BAD_COOKIE);
  TEST_CHECK(check(req, len, &ctx) == NNS_NAK);
  rlen = NNS_FinishReply(&ctx, NNS_NAK, reply, sizeof reply);
  TEST_CHECK(rlen == 48 + 36);
  TEST_CHECK(rlen <= len);
  len = build_request(req, 1, F_BAD_AUTH);
  TEST_CHECK(check(req, len, &ctx) == NNS_NAK);
  rlen = NNS_FinishReply(&ctx, NNS_NAK, reply, sizeof reply);
  TEST_CHECK(rlen == 48 + 36);

  /* Malformed requests are dropped */
  TEST_CHECK(check(req, build_request(req, 1, F_NO_UID), &ctx) == NNS_DROP);
  TEST_CHECK(check(req, build_request(req, 1, F_SHORT_UID), &ctx) == NNS_DROP);
  TEST_CHECK(check(req, build_request(req, 1, F_TWO_COOKIES), &ctx) == NNS_DROP);
  TEST_CHECK(check(req, build_request(req, 1, F_FIELD_AFTER_AUTH), &ctx) == NNS_DROP);
  TEST_CHECK(check(req, build_request(req, 2, F_SHORT_PLACEHOLDER), &ctx) == NNS_DROP);
  TEST_CHECK(check(req, build_request(req, 3, F_LAST_PLACEHOLDER_SHORT), &ctx) == NNS_DROP);

  /* Changing any byte covered by the authenticator is detected */
  len = build_request(req, 1, 0);
  for (i = 0; i < len - 36; i += 7) {
    req[i] ^= 0x10;
    TEST_CHECK(check(req, len, &ctx) != NNS_OK);
    req[i] ^= 0x10;
  }
  TEST_CHECK(check(req, len, &ctx) == NNS_OK);

  /* Truncations never pass */
  for (i = 48; i < len; i += 4)
    TEST_CHECK(check(req, i, &ctx) != NNS_OK);

  NKY_Finalise();
  TEST_END();
}
