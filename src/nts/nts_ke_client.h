/*
  ntsd - NTS-KE client (RFC 8915 section 4)

  One NTS-KE session with one server, run from the event loop: a
  non-blocking TCP connection to the NTS-KE port, TLS 1.3 with ALPN
  "ntske/1" and the server's certificate verified against the trusted
  certificates of the source's certificate set, one request, one response,
  and the keys exported from the session.  The whole session must finish
  within NKC_TIMEOUT seconds.  Retrying (and backing off) is the caller's
  business: an instance makes exactly one attempt.
*/
#ifndef NTSD_NTS_KE_CLIENT_H
#define NTSD_NTS_KE_CLIENT_H

#include <stdint.h>

#include "nts_ke_rec.h"
#include "util.h"

#define NKC_TIMEOUT 5.0
/* AES-SIV-CMAC-256, the only AEAD algorithm requested */
#define NKC_KEY_LEN 32

typedef struct {
  int aead;
  int key_len;
  uint8_t c2s[NKC_KEY_LEN];
  uint8_t s2c[NKC_KEY_LEN];
  /* Server Negotiation: "" when the NTP server is the NTS-KE server */
  char server[NKR_MAX_SERVER_LEN + 1];
  /* Port Negotiation: 0 when the NTP server uses the default port */
  int port;
  int n_cookies;
  int cookie_lens[NKR_MAX_COOKIES];
  uint8_t cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN];
} NKC_Result;

typedef struct NKC_Instance_Record *NKC_Instance;

/* Called once from the event loop when the session is over: result is
   NULL if it failed (the reason is already logged).  The instance has
   released its socket and timers by then; the handler may destroy it. */
typedef void (*NKC_Handler)(NKC_Instance inst, const NKC_Result *result, void *arg);

void NKC_Initialise(void);
/* Credentials are dropped; instances must have been destroyed */
void NKC_Finalise(void);

/* Start a session with the NTS-KE server at ip:port, whose certificate
   must be valid for name (a host name, or an IP address that must then be
   in the certificate's subjectAltName).  Returns NULL (after logging) if
   it could not even start; the handler is then never called. */
NKC_Instance NKC_Start(const IPAddr *ip, int port, const char *name, int certset,
                       NKC_Handler handler, void *arg);

/* Abort a running session or free a finished one; the handler is not
   called after this */
void NKC_Destroy(NKC_Instance inst);

#endif
