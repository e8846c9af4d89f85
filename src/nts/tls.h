/*
  ntsd - TLS for NTS-KE (RFC 8915 section 4)

  A thin layer over GnuTLS shared by the NTS-KE server and client.  Sessions
  are non-blocking: each step either finishes or says which poll(2) event it
  is waiting for, so the caller only has to map that onto
  SCH_SetFileHandlerEvents().  Only TLS 1.3 with the "ntske/1" ALPN
  protocol is accepted, in both directions.  Credentials are built once and
  shared by every session made from them, because loading certificates and
  parsing priority strings per connection would dominate a busy server.
*/
#ifndef NTSD_TLS_H
#define NTSD_TLS_H

#include <stdint.h>

#define TLS_ALPN_NTSKE "ntske/1"

/* Length of each key exported for the NTP associated with an NTS-KE session */
#define TLS_MAX_EXPORT_KEY 64

typedef enum {
  TLS_OK,            /* the step finished */
  TLS_WANT_READ,     /* call again when the socket is readable */
  TLS_WANT_WRITE,    /* call again when the socket is writable */
  TLS_CLOSED,        /* the peer closed, with or without close_notify (TLS_Receive only) */
  TLS_ERROR,         /* give up on the session; already logged */
} TLS_Status;

typedef struct TLS_Credentials_Record *TLS_Credentials;
typedef struct TLS_Session_Record *TLS_Session;

/* The priority cache is built here; returns 0 if GnuTLS is unusable */
int TLS_Initialise(void);
void TLS_Finalise(void);

/* Server certificates (PEM chains) and their keys, in pairs.  With more
   than one pair, GnuTLS picks the certificate whose names match the
   client's SNI.  Returns NULL (after logging) if any pair fails to load. */
TLS_Credentials TLS_CreateServerCredentials(const char *const *certs, const char *const *keys,
                                            int n_pairs);

/* Trust anchors for the client: each path is a PEM file or a directory of
   them; the system store is added unless use_system is 0.
   no_time_check skips the certificate validity period check (for a
   client whose clock may be far off at boot).  Returns NULL on failure. */
TLS_Credentials TLS_CreateClientCredentials(const char *const *trusted, int n_trusted,
                                            int use_system, int no_time_check);

void TLS_DestroyCredentials(TLS_Credentials credentials);

/* Start a session on a connected non-blocking TCP socket, which stays
   owned by the caller.  server_name is NULL for a server session; for a
   client it is the name (or IP address) the certificate must match and,
   unless an IP address, the SNI sent.  label names the peer in log
   messages.  Returns NULL on failure. */
TLS_Session TLS_CreateSession(int sock_fd, TLS_Credentials credentials, const char *server_name,
                              const char *label);
void TLS_DestroySession(TLS_Session session);

/* Drive the handshake; TLS_OK only once it finished with TLS 1.3, the
   certificate verified (client), "ntske/1" negotiated (both sides) and
   the last flight was sent */
TLS_Status TLS_Handshake(TLS_Session session);

/* Send up to len bytes; on TLS_OK *sent bytes were taken.  They are held
   back, to share a TCP segment with what follows (a server's response
   with its close_notify), and go out with the next TLS_Receive() or
   TLS_Shutdown(): a caller must make one of those calls before it waits
   for the socket or destroys the session.  After TLS_WANT_READ/WRITE the
   call must be repeated with the same data. */
TLS_Status TLS_Send(TLS_Session session, const void *data, int len, int *sent);

/* Receive up to len bytes into buf; on TLS_OK *received > 0.  GnuTLS may
   hold decrypted data that poll() cannot see, so call again until it
   returns something other than TLS_OK before waiting for the socket. */
TLS_Status TLS_Receive(TLS_Session session, void *buf, int len, int *received);

/* Send close_notify.  Best effort: a peer that does not read it should not
   keep the connection open, so the caller may give up on TLS_WANT_*. */
TLS_Status TLS_Shutdown(TLS_Session session);

/* The NTS keys of RFC 8915 section 5.1 for the given AEAD algorithm, each
   key_len bytes (at most TLS_MAX_EXPORT_KEY).  Returns 1 on success. */
int TLS_ExportKeys(TLS_Session session, int aead_id, int key_len, uint8_t *c2s, uint8_t *s2c);

#endif
