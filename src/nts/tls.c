/*
  ntsd - TLS for NTS-KE (RFC 8915 section 4)

  GnuTLS does the work; this file only pins down the policy NTS needs (TLS
  1.3, ALPN "ntske/1", no resumption) and turns GnuTLS's non-blocking
  return codes into the three things the event loop cares about.
*/
#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/stat.h>

#include "logging.h"
#include "memory.h"
#include "tls.h"
#include "util.h"

/* Added to the system default priorities, so that an administrator's
   crypto policy still applies, while anything older than TLS 1.3 (which
   RFC 8915 section 3 forbids) is removed */
#define PRIORITY_STRING "-VERS-ALL:+VERS-TLS1.3"

#define EXPORTER_LABEL "EXPORTER-network-time-security"
#define NTP_PROTOCOL_ID 0

struct TLS_Credentials_Record {
  gnutls_certificate_credentials_t creds;
  int server;
};

struct TLS_Session_Record {
  gnutls_session_t session;
  int server;
  char *label;
};

static int initialised = 0;
static gnutls_priority_t priority_cache;

static const gnutls_datum_t alpn_ntske = {
  (unsigned char *)TLS_ALPN_NTSKE, sizeof (TLS_ALPN_NTSKE) - 1
};

int
TLS_Initialise(void)
{
  const char *err_pos = NULL;
  int r;

  /* The server and the client may both initialise */
  if (initialised++ > 0)
    return 1;

  r = gnutls_global_init();
  if (r < 0) {
    LOG(LOGS_ERR, "Could not initialise GnuTLS : %s", gnutls_strerror(r));
    initialised = 0;
    return 0;
  }

  r = gnutls_priority_init2(&priority_cache, PRIORITY_STRING, &err_pos,
                            GNUTLS_PRIORITY_INIT_DEF_APPEND);
  if (r < 0) {
    LOG(LOGS_ERR, "Could not set TLS priorities : %s", gnutls_strerror(r));
    gnutls_global_deinit();
    initialised = 0;
    return 0;
  }

  return 1;
}

void
TLS_Finalise(void)
{
  if (initialised == 0 || --initialised > 0)
    return;

  gnutls_priority_deinit(priority_cache);
  gnutls_global_deinit();
}

static TLS_Credentials
new_credentials(int server)
{
  TLS_Credentials credentials;
  int r;

  credentials = MallocNew(struct TLS_Credentials_Record);
  credentials->server = server;
  r = gnutls_certificate_allocate_credentials(&credentials->creds);
  if (r < 0) {
    LOG(LOGS_ERR, "Could not allocate TLS credentials : %s", gnutls_strerror(r));
    Free(credentials);
    return NULL;
  }

  return credentials;
}

TLS_Credentials
TLS_CreateServerCredentials(const char *const *certs, const char *const *keys, int n_pairs)
{
  TLS_Credentials credentials;
  int i, r;

  if (n_pairs < 1)
    return NULL;

  credentials = new_credentials(1);
  if (!credentials)
    return NULL;

  /* Every pair goes into the same credentials: GnuTLS then selects by the
     names in each certificate against the client's SNI */
  for (i = 0; i < n_pairs; i++) {
    r = gnutls_certificate_set_x509_key_file(credentials->creds, certs[i], keys[i],
                                             GNUTLS_X509_FMT_PEM);
    if (r < 0) {
      LOG(LOGS_ERR, "Could not load certificate %s with key %s : %s",
          certs[i], keys[i], gnutls_strerror(r));
      TLS_DestroyCredentials(credentials);
      return NULL;
    }
  }

  return credentials;
}

TLS_Credentials
TLS_CreateClientCredentials(const char *const *trusted, int n_trusted, int use_system,
                            int no_time_check)
{
  TLS_Credentials credentials;
  struct stat st;
  int i, r;

  credentials = new_credentials(0);
  if (!credentials)
    return NULL;

  if (use_system) {
    r = gnutls_certificate_set_x509_system_trust(credentials->creds);
    /* A system without a CA store can still use ntstrustedcerts */
    if (r < 0)
      LOG(LOGS_WARN, "Could not load system trusted certificates : %s", gnutls_strerror(r));
  }

  for (i = 0; i < n_trusted; i++) {
    if (stat(trusted[i], &st) == 0 && S_ISDIR(st.st_mode))
      r = gnutls_certificate_set_x509_trust_dir(credentials->creds, trusted[i],
                                                GNUTLS_X509_FMT_PEM);
    else
      r = gnutls_certificate_set_x509_trust_file(credentials->creds, trusted[i],
                                                 GNUTLS_X509_FMT_PEM);
    if (r < 0) {
      LOG(LOGS_ERR, "Could not load trusted certificates from %s : %s",
          trusted[i], gnutls_strerror(r));
      TLS_DestroyCredentials(credentials);
      return NULL;
    }
    if (r == 0)
      LOG(LOGS_WARN, "No certificates found in %s", trusted[i]);
  }

  if (no_time_check)
    gnutls_certificate_set_verify_flags(credentials->creds,
                                        GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                        GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS);

  return credentials;
}

void
TLS_DestroyCredentials(TLS_Credentials credentials)
{
  if (!credentials)
    return;
  gnutls_certificate_free_credentials(credentials->creds);
  Free(credentials);
}

TLS_Session
TLS_CreateSession(int sock_fd, TLS_Credentials credentials, const char *server_name,
                  const char *label)
{
  unsigned int flags;
  TLS_Session s;
  IPAddr ip;
  int r;

  if (!initialised || !credentials || (!credentials->server && !server_name))
    return NULL;

  s = MallocNew(struct TLS_Session_Record);
  s->server = credentials->server;
  s->label = Strdup(label ? label : "?");

  /* Resumption would need ticket keys of its own and saves nothing: a
     client only comes back when its cookies are gone */
  flags = (s->server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK |
          GNUTLS_NO_TICKETS | GNUTLS_NO_SIGNAL;
  r = gnutls_init(&s->session, flags);
  if (r < 0) {
    LOG(LOGS_ERR, "Could not create TLS session : %s", gnutls_strerror(r));
    Free(s->label);
    Free(s);
    return NULL;
  }

  r = gnutls_priority_set(s->session, priority_cache);
  if (r >= 0)
    r = gnutls_credentials_set(s->session, GNUTLS_CRD_CERTIFICATE, credentials->creds);
  /* Mandatory is enforced by GnuTLS only on the server; the negotiated
     protocol is checked after the handshake on both sides anyway */
  if (r >= 0)
    r = gnutls_alpn_set_protocols(s->session, &alpn_ntske, 1, GNUTLS_ALPN_MANDATORY);

  if (r >= 0 && !s->server) {
    /* RFC 6066 does not allow an IP address as SNI, but the certificate
       may still carry it as an IP SAN */
    if (!UTI_StringToIP(server_name, &ip))
      r = gnutls_server_name_set(s->session, GNUTLS_NAME_DNS, server_name, strlen(server_name));
    if (r >= 0)
      gnutls_session_set_verify_cert(s->session, server_name, 0);
  }

  if (r < 0) {
    LOG(LOGS_ERR, "Could not set up TLS session : %s", gnutls_strerror(r));
    TLS_DestroySession(s);
    return NULL;
  }

  gnutls_transport_set_int(s->session, sock_fd);

  return s;
}

void
TLS_DestroySession(TLS_Session session)
{
  if (!session)
    return;
  gnutls_deinit(session->session);
  Free(session->label);
  Free(session);
}

/* Map a negative GnuTLS return code: non-fatal ones (EAGAIN, EINTR, a
   warning alert) just mean "try again when the socket is ready" */
static TLS_Status
wait_status(TLS_Session session, int r)
{
  if (gnutls_error_is_fatal(r))
    return TLS_ERROR;
  return gnutls_record_get_direction(session->session) ? TLS_WANT_WRITE : TLS_WANT_READ;
}

static void
log_verify_failure(TLS_Session session)
{
  gnutls_datum_t out;
  unsigned int status;
  gnutls_certificate_type_t type;

  status = gnutls_session_get_verify_cert_status(session->session);
  type = gnutls_certificate_type_get(session->session);
  if (gnutls_certificate_verification_status_print(status, type, &out, 0) < 0) {
    LOG_RATE(LOGS_ERR, "Could not verify certificate of %s", session->label);
    return;
  }
  LOG_RATE(LOGS_ERR, "Could not verify certificate of %s : %s", session->label, out.data);
  gnutls_free(out.data);
}

TLS_Status
TLS_Handshake(TLS_Session session)
{
  gnutls_datum_t alpn;
  TLS_Status status;
  int r;

  r = gnutls_handshake(session->session);
  if (r < 0) {
    status = wait_status(session, r);
    if (status != TLS_ERROR)
      return status;
    if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR && !session->server)
      log_verify_failure(session);
    else
      /* Anyone can make a server handshake fail */
      LOG_RATE(session->server ? LOGS_DEBUG : LOGS_ERR, "TLS handshake with %s failed : %s",
               session->label, gnutls_strerror(r));
    return TLS_ERROR;
  }

  if (gnutls_protocol_get_version(session->session) != GNUTLS_TLS1_3) {
    LOG_RATE(session->server ? LOGS_DEBUG : LOGS_ERR, "TLS with %s is not version 1.3",
             session->label);
    return TLS_ERROR;
  }

  if (gnutls_alpn_get_selected_protocol(session->session, &alpn) < 0 ||
      alpn.size != alpn_ntske.size || memcmp(alpn.data, alpn_ntske.data, alpn.size) != 0) {
    LOG_RATE(session->server ? LOGS_DEBUG : LOGS_ERR, "%s did not negotiate ALPN %s",
             session->label, TLS_ALPN_NTSKE);
    /* GnuTLS rejects a client offering other protocols, but not one that
       offers none at all; tell it why before closing (best effort, the
       socket may not take it now) */
    gnutls_alert_send(session->session, GNUTLS_AL_FATAL, GNUTLS_A_NO_APPLICATION_PROTOCOL);
    return TLS_ERROR;
  }

  return TLS_OK;
}

TLS_Status
TLS_Send(TLS_Session session, const void *data, int len, int *sent)
{
  ssize_t r;

  *sent = 0;
  if (len <= 0)
    return TLS_OK;

  r = gnutls_record_send(session->session, data, len);
  if (r < 0) {
    TLS_Status status = wait_status(session, r);

    if (status == TLS_ERROR)
      LOG_RATE(LOGS_DEBUG, "Could not send to %s : %s", session->label, gnutls_strerror(r));
    return status;
  }

  *sent = r;
  return TLS_OK;
}

TLS_Status
TLS_Receive(TLS_Session session, void *buf, int len, int *received)
{
  ssize_t r;

  *received = 0;
  if (len <= 0)
    return TLS_ERROR;

  r = gnutls_record_recv(session->session, buf, len);
  /* A close without close_notify is treated like one with it: NTS-KE
     messages end with an End of Message record, which is what tells a
     complete message from a truncated one */
  if (r == 0 || r == GNUTLS_E_PREMATURE_TERMINATION)
    return TLS_CLOSED;
  if (r < 0) {
    TLS_Status status = wait_status(session, r);

    if (status == TLS_ERROR)
      LOG_RATE(LOGS_DEBUG, "Could not receive from %s : %s", session->label, gnutls_strerror(r));
    return status;
  }

  *received = r;
  return TLS_OK;
}

TLS_Status
TLS_Shutdown(TLS_Session session)
{
  int r;

  /* Waiting for the peer's close_notify (rather than just sending ours)
     means the socket is not closed with the peer's alert still unread,
     which would turn the close into a reset that can destroy the reply */
  r = gnutls_bye(session->session, GNUTLS_SHUT_RDWR);
  if (r < 0)
    return wait_status(session, r);

  return TLS_OK;
}

int
TLS_ExportKeys(TLS_Session session, int aead_id, int key_len, uint8_t *c2s, uint8_t *s2c)
{
  /* RFC 8915 section 5.1: protocol ID, AEAD algorithm ID, and 0 for the
     client-to-server key or 1 for the server-to-client key */
  char context[5] = {
    NTP_PROTOCOL_ID >> 8, NTP_PROTOCOL_ID & 0xff, (aead_id >> 8) & 0xff, aead_id & 0xff, 0
  };
  int r;

  if (key_len <= 0 || key_len > TLS_MAX_EXPORT_KEY || aead_id < 0 || aead_id > 0xffff)
    return 0;

  r = gnutls_prf_rfc5705(session->session, sizeof (EXPORTER_LABEL) - 1, EXPORTER_LABEL,
                         sizeof (context), context, key_len, (char *)c2s);
  if (r >= 0) {
    context[4] = 1;
    r = gnutls_prf_rfc5705(session->session, sizeof (EXPORTER_LABEL) - 1, EXPORTER_LABEL,
                           sizeof (context), context, key_len, (char *)s2c);
  }

  if (r < 0) {
    LOG_RATE(LOGS_ERR, "Could not export NTS keys for %s : %s", session->label, gnutls_strerror(r));
    return 0;
  }

  return 1;
}
