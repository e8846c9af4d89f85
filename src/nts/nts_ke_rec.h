/*
  ntsd - NTS-KE record codec (RFC 8915 section 4)

  One parser and one builder for the records that NTS-KE messages are made
  of, shared by the server and the client.  Parsing never allocates and
  never reads past the given length; a message is only interpreted once it
  is complete (ends with an End of Message record), and the TLS layer is
  told to keep reading until then.  The server's choice of answer is here
  too, apart from TLS, so that the unit test and the fuzzer check the very
  decision the server makes.
*/
#ifndef NTSD_NTS_KE_REC_H
#define NTSD_NTS_KE_REC_H

#include <stdint.h>

/* Longest message either side reads (as chronyd) */
#define NKR_MAX_MESSAGE 16384

/* RFC 8915 section 4: the NTS-KE server's default TCP port */
#define NKR_PORT 4460

#define NKR_CRITICAL 0x8000
#define NKR_REC_END_OF_MESSAGE 0
#define NKR_REC_NEXT_PROTOCOL 1
#define NKR_REC_ERROR 2
#define NKR_REC_WARNING 3
#define NKR_REC_AEAD_ALGORITHM 4
#define NKR_REC_NEW_COOKIE 5
#define NKR_REC_SERVER_NEGOTIATION 6
#define NKR_REC_PORT_NEGOTIATION 7

#define NKR_NEXT_PROTOCOL_NTPV4 0
#define NKR_AEAD_AES_SIV_CMAC_256 15

/* Error record codes */
#define NKR_ERROR_UNRECOGNIZED_CRITICAL 0
#define NKR_ERROR_BAD_REQUEST 1
#define NKR_ERROR_INTERNAL 2

#define NKR_MAX_COOKIES 8
#define NKR_MAX_COOKIE_LEN 256
#define NKR_MAX_SERVER_LEN 255
/* How many values of a Next Protocol or AEAD list are kept */
#define NKR_MAX_LIST 16
/* Size of NKR_Response.reason, with the terminating NUL */
#define NKR_MAX_REASON 64

typedef enum {
  NKR_OK,            /* complete and acceptable */
  NKR_INCOMPLETE,    /* no End of Message yet: read more */
  NKR_BAD,           /* malformed (a request: answer with the error set) */
} NKR_Status;

typedef struct {
  int complete;                  /* ended with a critical End of Message */
  int error;                     /* -1, or the NKR_ERROR_* to answer with */
  int ntpv4;                     /* NTPv4 among the Next Protocols */
  int aead_siv_256;              /* AEAD 15 among the AEAD algorithms */
  int n_protocols;               /* all values, even beyond NKR_MAX_LIST */
  uint16_t protocols[NKR_MAX_LIST];
  int n_aeads;
  uint16_t aeads[NKR_MAX_LIST];
  int server_negotiation;        /* the client sent a Server Negotiation */
  int port_negotiation;          /* ... a Port Negotiation, with port: */
  int port;
} NKR_Request;

/* A server response.  For NKR_BuildResponse: with error >= 0 only that
   Error record is sent; otherwise a Next Protocol record (empty if !ntpv4,
   and then nothing else), an AEAD record (empty if aead < 0, and then
   nothing else), and with both: Port Negotiation if port > 0, Server
   Negotiation if server is not NULL, and the cookies.
   NKR_ParseResponse fills the same fields, except that the server name is
   copied into server_name ("" if none; server stays NULL) and the cookies
   point into the parsed message. */
typedef struct {
  int error;
  int ntpv4;
  int aead;
  int port;
  const char *server;
  char server_name[NKR_MAX_SERVER_LEN + 1];
  int n_cookies;
  const uint8_t *cookies[NKR_MAX_COOKIES];
  int cookie_lens[NKR_MAX_COOKIES];
  /* NKR_ParseResponse only: valid New Cookie records not kept (beyond
     NKR_MAX_COOKIES, or with a length that is not a multiple of 4) */
  int n_skipped_cookies;
  /* NKR_ParseResponse only: why the response is not NKR_OK, for the log
     ("" when it is), e.g. "no cookies", "error record 1", "unknown
     critical record 0x4000" */
  char reason[NKR_MAX_REASON];
} NKR_Response;

/* Framing only: is this a whole message (NKR_OK), the start of one
   (NKR_INCOMPLETE), or something that can never become one (NKR_BAD:
   End of Message not critical, with a body or followed by more data, or
   no end within NKR_MAX_MESSAGE bytes)? */
NKR_Status NKR_CheckMessage(const uint8_t *msg, int len);

/* Server side.  NKR_BAD means req->error is set and is to be sent back.
   NKR_OK with !ntpv4 or !aead_siv_256 is a well-formed request with which
   there is nothing in common (answer with empty records). */
NKR_Status NKR_ParseRequest(const uint8_t *msg, int len, NKR_Request *req);

/* Returns the length written to buf, or 0 if it does not fit or the
   response is invalid (server name not 1-255 printable characters without
   spaces, cookie not 1-NKR_MAX_COOKIE_LEN bytes, too many cookies) */
int NKR_BuildResponse(const NKR_Response *resp, uint8_t *buf, int max);

/* Server side: whether the answer to a request carries cookies, and so
   needs the client's NTS keys exported from the TLS session */
int NKR_RequestNeedsKeys(const NKR_Request *req);

/* Server side: the answer to a request NKR_ParseRequest has finished with
   (req->error set if it was NKR_BAD): that error, empty negotiation records
   if there is nothing in common, or else NTPv4, AEAD 15 and NKR_MAX_COOKIES
   cookies made with NKY_MakeCookie (an internal error if there is no usable
   server key).  c2s and s2c are the exported keys (NKY_KEY_LEN bytes each),
   or NULL if they were not exported; port is the configured NTP port (sent
   unless it is 0 or 123) and server the configured ntsntpserver, or NULL.
   The cookies are written to cookies, which resp then points into.
   Returns 0, with nothing to send, when the keys were needed but are NULL. */
int NKR_MakeResponse(const NKR_Request *req, const uint8_t *c2s, const uint8_t *s2c,
                     int port, const char *server,
                     uint8_t cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN], NKR_Response *resp);

/* Client side: Next Protocol NTPv4 and AEAD 15, both critical */
int NKR_BuildRequest(uint8_t *buf, int max);

/* NKR_OK only for a usable response: NTPv4, AEAD 15, at least one usable
   cookie, no Error or Warning record, no unknown critical record, and
   every record of a valid length.  As chronyd, the first NKR_MAX_COOKIES
   usable cookies are kept and any further ones are ignored (their length
   is still checked).  resp->error holds the code of an Error record (else
   -1); resp->reason says what was wrong when the status is not NKR_OK. */
NKR_Status NKR_ParseResponse(const uint8_t *msg, int len, NKR_Response *resp);

#endif
