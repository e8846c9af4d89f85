/*
  ntsd - TLS for NTS-KE (RFC 8915 section 4)

  GnuTLS does the work; this file only pins down the policy NTS needs (TLS
  1.3, ALPN "ntske/1", no resumption) and turns GnuTLS's non-blocking
  return codes into the three things the event loop cares about.

  Most of a server's CPU time per NTS-KE session goes to the key exchange
  and the certificate's signature.  GnuTLS clients (chronyd's and ours)
  list P-256 first and send key shares for both P-256 and X25519; GnuTLS
  as a server follows the client's order, and its P-256 key exchange takes
  some 40% more instructions than X25519 (about 1.85 against 1.3 million
  with Nettle 3.8, of 3.8 million for the whole handshake).  A server
  session therefore switches to X25519 when that is the only difference:
  the client ranks P-256 first and has already sent an X25519 share (so
  there is no extra round trip).  Both are 128-bit groups; a client that
  prefers any other group gets it.
*/
#include "config.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "logging.h"
#include "memory.h"
#include "tls.h"
#include "util.h"

/* Added to the system default priorities, so that an administrator's
   crypto policy still applies, while anything older than TLS 1.3 (which
   RFC 8915 section 3 forbids) is removed */
#define PRIORITY_STRING "-VERS-ALL:+VERS-TLS1.3"

/* The same, with X25519 as the only group, for a server session whose
   client qualifies (see client_hello_hook()) */
#define X25519_PRIORITY_STRING PRIORITY_STRING ":-GROUP-ALL:+GROUP-X25519"

/* TLS code points (RFC 8446 section 4.2, 4.2.7) */
#define EXT_SUPPORTED_GROUPS 10
#define EXT_KEY_SHARE 51
#define TLS_GROUP_SECP256R1 0x0017
#define TLS_GROUP_X25519 0x001d

/* Socket buffering in front of GnuTLS (see vec_push() and pull()).  The
   input buffer holds a ClientHello or a Finished with an NTS-KE request;
   the output buffer a server's whole first flight with a certificate
   chain of a few kilobytes, or a response with its close_notify. */
#define IN_BUFFER 2048
#define OUT_BUFFER 4096

#define EXPORTER_LABEL "EXPORTER-network-time-security"
#define NTP_PROTOCOL_ID 0

struct TLS_Credentials_Record {
  gnutls_certificate_credentials_t creds;
  int server;
};

struct TLS_Session_Record {
  gnutls_session_t session;
  int fd;
  int server;
  int handshake_done;     /* the handshake succeeded (its last flight may be unsent) */
  int hold_output;        /* keep records from TLS_Send() for what follows */
  int client_hellos;      /* ClientHellos seen (a server after HelloRetryRequest sees two) */
  int use_x25519;         /* switch to x25519_cache after this ClientHello */
  char *label;
  int in_pos, in_len;
  int out_len;
  unsigned char in[IN_BUFFER];
  unsigned char out[OUT_BUFFER];
};

static int initialised = 0;
static gnutls_priority_t priority_cache;
/* NULL when the default priorities lack P-256 or X25519 (an administrator's
   policy), and then the server keeps GnuTLS's own choice */
static gnutls_priority_t x25519_cache;

static const gnutls_datum_t alpn_ntske = {
  (unsigned char *)TLS_ALPN_NTSKE, sizeof (TLS_ALPN_NTSKE) - 1
};

static int
has_group(gnutls_priority_t priority, gnutls_group_t group)
{
  const unsigned int *list;
  int i, n;

  n = gnutls_priority_group_list(priority, &list);
  for (i = 0; i < n; i++) {
    if (list[i] == (unsigned int)group)
      return 1;
  }
  return 0;
}

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

  x25519_cache = NULL;
  if (has_group(priority_cache, GNUTLS_GROUP_SECP256R1) &&
      has_group(priority_cache, GNUTLS_GROUP_X25519)) {
    r = gnutls_priority_init2(&x25519_cache, X25519_PRIORITY_STRING, &err_pos,
                              GNUTLS_PRIORITY_INIT_DEF_APPEND);
    /* Only an optimisation: without it the server still works */
    if (r < 0) {
      DEBUG_LOG("Could not set X25519 priorities : %s", gnutls_strerror(r));
      x25519_cache = NULL;
    } else if (!has_group(x25519_cache, GNUTLS_GROUP_X25519)) {
      gnutls_priority_deinit(x25519_cache);
      x25519_cache = NULL;
    }
  }

  return 1;
}

void
TLS_Finalise(void)
{
  if (initialised == 0 || --initialised > 0)
    return;

  if (x25519_cache)
    gnutls_priority_deinit(x25519_cache);
  x25519_cache = NULL;
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

/* ================================================== */

/* What a ClientHello says about key exchange groups */
typedef struct {
  int first_group;        /* the client's most preferred group, or -1 */
  int x25519_share;       /* it sent a key share for X25519 */
} HelloGroups;

static unsigned int
get16(const unsigned char *p)
{
  return (unsigned int)p[0] << 8 | p[1];
}

/* Called for each extension of a ClientHello by gnutls_ext_raw_parse(),
   which has checked the extensions' framing; the contents are checked
   here only as far as they are read.  GnuTLS parses (and rejects) the
   hello again on its own. */
static int
parse_hello_extension(void *ctx, unsigned int tls_id, const unsigned char *data,
                      unsigned int size)
{
  HelloGroups *h = ctx;
  unsigned int end, pos;

  switch (tls_id) {
    case EXT_SUPPORTED_GROUPS:
      /* A 16-bit length, then 16-bit groups, most preferred first */
      if (size >= 4 && get16(data) >= 2 && get16(data) + 2 <= size)
        h->first_group = get16(data + 2);
      break;
    case EXT_KEY_SHARE:
      /* A 16-bit length, then entries of a 16-bit group, a 16-bit key
         length and the key */
      if (size < 2 || get16(data) + 2 > size)
        break;
      end = get16(data) + 2;
      for (pos = 2; pos + 4 <= end && pos + 4 + get16(data + pos + 2) <= end;
           pos += 4 + get16(data + pos + 2)) {
        if (get16(data + pos) == TLS_GROUP_X25519)
          h->x25519_share = 1;
      }
      break;
    default:
      break;
  }

  return 0;
}

/* Before GnuTLS reads a ClientHello: decide whether the session should
   use X25519 rather than the P-256 GnuTLS would pick from the client's
   order.  Only the first hello counts: after a HelloRetryRequest the
   group is settled. */
static int
client_hello_hook(gnutls_session_t session, unsigned int htype, unsigned int when,
                  unsigned int incoming, const gnutls_datum_t *msg)
{
  TLS_Session s = gnutls_session_get_ptr(session);
  HelloGroups h = { -1, 0 };

  if (!s || htype != GNUTLS_HANDSHAKE_CLIENT_HELLO || !incoming || s->client_hellos++ > 0)
    return 0;

  if (gnutls_ext_raw_parse(&h, parse_hello_extension, msg,
                           GNUTLS_EXT_RAW_FLAG_TLS_CLIENT_HELLO) < 0)
    return 0;

  s->use_x25519 = h.first_group == TLS_GROUP_SECP256R1 && h.x25519_share;
  return 0;
}

/* After the ClientHello's version and ALPN, before its groups and key
   shares: the point at which GnuTLS lets a server change priorities */
static int
post_client_hello(gnutls_session_t session)
{
  TLS_Session s = gnutls_session_get_ptr(session);

  if (!s || !s->use_x25519)
    return 0;
  s->use_x25519 = 0;
  return gnutls_priority_set(session, x25519_cache);
}

/* ================================================== */

/* GnuTLS reads a record's 5-byte header and its body with separate
   calls, and writes a ServerHello, the rest of the server's flight, a
   response and its close_notify each as soon as it is made.  With its
   own socket functions, an NTS-KE session costs a server about eleven
   recv() and four sendmsg() calls, and the client four TCP segments.  These
   functions read ahead into a small buffer, and hold back what is always
   followed by more before the peer can answer: a plaintext handshake
   record (a ClientHello or a ServerHello, sent on its own by GnuTLS), a
   ChangeCipherSpec, and what TLS_Send() was given (see tls.h).  Held
   output goes out with the next record, or before reading. */

#define RECORD_CHANGE_CIPHER_SPEC 20
#define RECORD_HANDSHAKE 22

/* Send what is held; returns 1 when nothing is left, 0 if the socket
   would block, -1 on error (errno set) */
static int
flush_output(TLS_Session s)
{
  ssize_t r;

  while (s->out_len > 0) {
    r = send(s->fd, s->out, s->out_len, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    if (r < s->out_len)
      memmove(s->out, s->out + r, s->out_len - r);
    s->out_len -= r;
  }

  return 1;
}

/* GnuTLS gives all the records it has queued at once; each starts with
   its type.  A socket error found here is found again by the next flush
   (or pull), which GnuTLS or the caller sees. */
static ssize_t
vec_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
  TLS_Session s = ptr;
  const unsigned char *last;
  size_t size;
  int i, r;

  for (i = 0, size = 0; i < iovcnt; i++)
    size += iov[i].iov_len;

  if (size > (size_t)(OUT_BUFFER - s->out_len)) {
    r = flush_output(s);
    if (r <= 0) {
      if (r == 0)
        errno = EAGAIN;
      return -1;
    }
    /* Too long to hold: it goes out as it is */
    if (size > OUT_BUFFER) {
      struct msghdr msg;

      memset(&msg, 0, sizeof msg);
      msg.msg_iov = (struct iovec *)iov;
      msg.msg_iovlen = iovcnt;
      return sendmsg(s->fd, &msg, MSG_NOSIGNAL);
    }
  }

  for (i = 0; i < iovcnt; i++) {
    memcpy(s->out + s->out_len, iov[i].iov_base, iov[i].iov_len);
    s->out_len += iov[i].iov_len;
  }

  last = iovcnt > 0 && iov[iovcnt - 1].iov_len > 0 ? iov[iovcnt - 1].iov_base : NULL;
  if (!s->hold_output &&
      !(last && (last[0] == RECORD_HANDSHAKE || last[0] == RECORD_CHANGE_CIPHER_SPEC)))
    flush_output(s);

  return size;
}

/* GnuTLS prefers vec_push(); this one is set too because GnuTLS's own
   default would treat the transport pointer as a file descriptor */
static ssize_t
push(gnutls_transport_ptr_t ptr, const void *data, size_t size)
{
  giovec_t iov;

  iov.iov_base = (void *)data;
  iov.iov_len = size;
  return vec_push(ptr, &iov, 1);
}

static ssize_t
pull(gnutls_transport_ptr_t ptr, void *data, size_t size)
{
  TLS_Session s = ptr;
  ssize_t r;
  size_t n;

  if (s->in_pos >= s->in_len) {
    /* The peer answers only what it has received */
    r = flush_output(s);
    if (r <= 0) {
      if (r == 0)
        errno = EAGAIN;
      return -1;
    }

    s->in_pos = s->in_len = 0;
    if (size >= IN_BUFFER)
      return recv(s->fd, data, size, 0);
    r = recv(s->fd, s->in, IN_BUFFER, 0);
    if (r <= 0)
      return r;
    s->in_len = r;
  }

  n = s->in_len - s->in_pos;
  if (n > size)
    n = size;
  memcpy(data, s->in + s->in_pos, n);
  s->in_pos += n;
  return n;
}

/* Used by GnuTLS only to wait in blocking mode, which sessions here never
   are; set because its default would poll the transport pointer as a
   file descriptor, and correct for the read-ahead */
static int
pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
  TLS_Session s = ptr;
  struct pollfd pfd;

  if (s->in_pos < s->in_len)
    return 1;
  pfd.fd = s->fd;
  pfd.events = POLLIN;
  pfd.revents = 0;
  return poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
}

/* ================================================== */

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
  s->fd = sock_fd;
  s->server = credentials->server;
  s->handshake_done = s->hold_output = s->client_hellos = s->use_x25519 = 0;
  s->in_pos = s->in_len = s->out_len = 0;
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

  if (r >= 0 && s->server && x25519_cache) {
    gnutls_session_set_ptr(s->session, s);
    gnutls_handshake_set_hook_function(s->session, GNUTLS_HANDSHAKE_CLIENT_HELLO,
                                       GNUTLS_HOOK_PRE, client_hello_hook);
    gnutls_handshake_set_post_client_hello_function(s->session, post_client_hello);
  }

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

  gnutls_transport_set_ptr(s->session, s);
  gnutls_transport_set_push_function(s->session, push);
  gnutls_transport_set_vec_push_function(s->session, vec_push);
  gnutls_transport_set_pull_function(s->session, pull);
  gnutls_transport_set_pull_timeout_function(s->session, pull_timeout);

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

/* At the end of a step: send what is held, which the peer needs before
   it can answer; returns 1 when all is sent, 0 if the socket would block
   and -1 on error (logged) */
static int
flush_step(TLS_Session session)
{
  int r = flush_output(session);

  if (r < 0)
    LOG_RATE(LOGS_DEBUG, "Could not send to %s : %s", session->label, strerror(errno));
  return r;
}

/* The status of a step that finished: done once what is held is sent */
static TLS_Status
done_status(TLS_Session session)
{
  switch (flush_step(session)) {
    case 0:
      return TLS_WANT_WRITE;
    case 1:
      return TLS_OK;
    default:
      return TLS_ERROR;
  }
}

/* Map a negative GnuTLS return code: non-fatal ones (EAGAIN, EINTR, a
   warning alert) just mean "try again when the socket is ready", after
   what is held has gone out */
static TLS_Status
wait_status(TLS_Session session, int r)
{
  TLS_Status status;

  if (gnutls_error_is_fatal(r))
    return TLS_ERROR;
  status = done_status(session);
  if (status != TLS_OK)
    return status;
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

  /* Called again only to send a last flight that did not fit in the
     socket: GnuTLS would take another gnutls_handshake() for a key update */
  if (session->handshake_done)
    return done_status(session);

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
    flush_output(session);
    return TLS_ERROR;
  }

  session->handshake_done = 1;
  return done_status(session);
}

TLS_Status
TLS_Send(TLS_Session session, const void *data, int len, int *sent)
{
  ssize_t r;

  *sent = 0;
  if (len <= 0)
    return TLS_OK;

  /* The record stays in the output buffer, to go out with whatever
     follows it (see tls.h) */
  session->hold_output = 1;
  r = gnutls_record_send(session->session, data, len);
  session->hold_output = 0;
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

  return done_status(session);
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
