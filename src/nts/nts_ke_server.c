/*
  ntsd - NTS-KE server (RFC 8915 section 4)

  Every connection is a small state machine driven by the event loop:
  TLS handshake, reading one request, writing one response, closing.  The
  whole exchange has to finish within a short deadline, so a client that
  opens connections and then goes quiet cannot hold the (bounded) set of
  connection slots for long.
*/
#include "config.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clientlog.h"
#include "conf.h"
#include "logging.h"
#include "memory.h"
#include "nts_ke_rec.h"
#include "nts_ke_server.h"
#include "nts_keyring.h"
#include "sched.h"
#include "stats.h"
#include "tls.h"
#include "util.h"

/* A request is a handful of short records; anything longer than this
   is not a request worth reading */
#define MAX_MESSAGE NKR_MAX_MESSAGE

/* Seconds a client has for the whole exchange */
#define CONNECTION_TIMEOUT 2.0

/* Accepting is paused this long when the process runs out of descriptors,
   as the listening socket would otherwise stay readable and spin the loop */
#define ACCEPT_PAUSE 0.5
#define MAX_ACCEPTS_PER_EVENT 16

/* A short accept queue makes the kernel drop the final ACK of a burst of
   connections: the client then believes it is connected, and the server
   hears of it only when a SYN-ACK retransmission succeeds, seconds later */
#define LISTEN_BACKLOG 1024

typedef enum {
  ST_HANDSHAKE,
  ST_RECEIVE,
  ST_SEND,
  ST_SHUTDOWN,
} State;

typedef struct Connection {
  struct Connection *next, *prev;
  int fd;
  State state;
  TLS_Session tls;
  SCH_TimeoutID timeout;
  char label[64];
  int length;             /* bytes of the request read, or of the response */
  int sent;
  uint8_t message[MAX_MESSAGE];
} Connection;

static int initialised = 0;
static TLS_Credentials credentials = NULL;
static int listen_fds[2] = { -1, -1 };
static SCH_TimeoutID accept_pause_id = 0;
static SCH_TimeoutID rotate_id = 0;
static Connection *connections = NULL;
static int n_connections = 0;

/* ================================================== */

static void
close_connection(Connection *c)
{
  SCH_RemoveFileHandler(c->fd);
  if (c->timeout)
    SCH_RemoveTimeout(c->timeout);
  TLS_DestroySession(c->tls);
  close(c->fd);

  if (c->prev)
    c->prev->next = c->next;
  else
    connections = c->next;
  if (c->next)
    c->next->prev = c->prev;
  n_connections--;

  Free(c);
}

static void
connection_timeout(void *arg)
{
  Connection *c = arg;

  c->timeout = 0;
  LOG_RATE(LOGS_DEBUG, "NTS-KE connection with %s timed out", c->label);
  close_connection(c);
}

/* ================================================== */

/* Fill the connection's buffer with the response to the complete request
   it holds; returns 0 if there is nothing sensible to send */
static int
make_response(Connection *c, const NKR_Request *req)
{
  const CNF_Config *cfg = CNF_Get();
  uint8_t cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN];
  uint8_t c2s[NKY_KEY_LEN], s2c[NKY_KEY_LEN];
  NKR_Response resp;
  int have_keys, ok, len;

  /* Exported only when needed, so a refused request costs no key export */
  have_keys = NKR_RequestNeedsKeys(req) &&
              TLS_ExportKeys(c->tls, NKR_AEAD_AES_SIV_CMAC_256, NKY_KEY_LEN, c2s, s2c);
  ok = NKR_MakeResponse(req, have_keys ? c2s : NULL, have_keys ? s2c : NULL,
                        cfg->port, cfg->nts_ntp_server, cookies, &resp);
  /* Also after a failed export, which may have written one of them.  Not
     an ordinary memset, which the compiler may drop. */
  gnutls_memset(c2s, 0, sizeof c2s);
  gnutls_memset(s2c, 0, sizeof s2c);
  if (!ok)
    return 0;

  len = NKR_BuildResponse(&resp, c->message, sizeof c->message);
  if (len <= 0)
    return 0;

  c->length = len;
  c->sent = 0;
  return 1;
}

/* Decide what the bytes received so far are; returns 1 when a response is
   ready, 0 to wait for more, -1 to give up */
static int
process_request(Connection *c)
{
  NKR_Request req;
  NKR_Status r;

  r = NKR_ParseRequest(c->message, c->length, &req);
  if (r == NKR_INCOMPLETE) {
    if (c->length < (int)sizeof c->message)
      return 0;
    /* The parser gives up at the same length; this only makes sure a full
       buffer can never mean waiting for more */
    r = NKR_BAD;
    req.error = NKR_ERROR_BAD_REQUEST;
  }

  if (r != NKR_OK) {
    if (req.error < 0)
      req.error = NKR_ERROR_BAD_REQUEST;
    LOG_RATE(LOGS_DEBUG, "Bad NTS-KE request from %s (error %d)", c->label, req.error);
  }

  return make_response(c, &req) ? 1 : -1;
}

/* Run the connection as far as it goes without blocking */
static void
run_connection(Connection *c)
{
  TLS_Status status;
  int n, r;

  for (;;) {
    switch (c->state) {
      case ST_HANDSHAKE:
        status = TLS_Handshake(c->tls);
        if (status == TLS_OK)
          c->state = ST_RECEIVE;
        break;

      case ST_RECEIVE:
        status = TLS_Receive(c->tls, c->message + c->length, sizeof c->message - c->length, &n);
        if (status == TLS_OK) {
          c->length += n;
          r = process_request(c);
          if (r < 0) {
            status = TLS_ERROR;
          } else if (r > 0) {
            c->state = ST_SEND;
          }
        } else if (status == TLS_CLOSED) {
          LOG_RATE(LOGS_DEBUG, "NTS-KE client %s closed before its request ended", c->label);
          status = TLS_ERROR;
        }
        break;

      case ST_SEND:
        status = TLS_Send(c->tls, c->message + c->sent, c->length - c->sent, &n);
        if (status == TLS_OK) {
          c->sent += n;
          if (c->sent >= c->length)
            c->state = ST_SHUTDOWN;
        }
        break;

      case ST_SHUTDOWN:
        /* Whether or not the client answers the close_notify, there is
           nothing left to do but close */
        status = TLS_Shutdown(c->tls);
        if (status == TLS_OK)
          status = TLS_ERROR;
        break;

      default:
        status = TLS_ERROR;
        break;
    }

    switch (status) {
      case TLS_OK:
        continue;
      case TLS_WANT_READ:
        SCH_SetFileHandlerEvents(c->fd, SCH_FILE_INPUT);
        return;
      case TLS_WANT_WRITE:
        SCH_SetFileHandlerEvents(c->fd, SCH_FILE_OUTPUT);
        return;
      default:
        close_connection(c);
        return;
    }
  }
}

static void
connection_handler(int fd, int event, void *arg)
{
  run_connection(arg);
}

/* ================================================== */

static void
resume_accepting(void *arg)
{
  int i;

  accept_pause_id = 0;
  for (i = 0; i < 2; i++) {
    if (listen_fds[i] >= 0)
      SCH_SetFileHandlerEvents(listen_fds[i], SCH_FILE_INPUT);
  }
}

static void
pause_accepting(void)
{
  int i;

  if (accept_pause_id)
    return;
  for (i = 0; i < 2; i++) {
    if (listen_fds[i] >= 0)
      SCH_SetFileHandlerEvents(listen_fds[i], 0);
  }
  accept_pause_id = SCH_AddTimeout(ACCEPT_PAUSE, resume_accepting, NULL);
}

/* With the table full, idle connections that never finish their TLS
   handshake would lock every real client out until their deadline, so the
   oldest one still in its handshake makes room (a real client completes its
   handshake within a round trip or two).  Returns 0 if there is none. */
static int
evict_stalled_handshake(void)
{
  Connection *c, *oldest = NULL;

  for (c = connections; c; c = c->next) {
    if (c->state == ST_HANDSHAKE)
      oldest = c;
  }
  if (!oldest)
    return 0;

  LOG_RATE(LOGS_WARN, "Too many NTS-KE connections, dropping %s in handshake",
           oldest->label);
  close_connection(oldest);
  return 1;
}

/* Take a new connection or say why not; returns 0 if it was refused.
   As chronyd's serverstats: a connection from a denied host is counted
   nowhere, any other is accepted (nke_hits), and dropped (nke_drops) only
   if ntsratelimit refused it, not for want of a free slot. */
static int
admit(const IPAddr *ip, const char *label)
{
  const CNF_Config *cfg = CNF_Get();
  struct timespec mono;

  if (!CNF_AccessAllowed(cfg->access, cfg->n_access, ip, 0)) {
    LOG_RATE(LOGS_DEBUG, "NTS-KE connection from %s denied", label);
    return 0;
  }

  STA_counters.nke_hits++;
  SCH_GetLastEventTime(NULL, &mono);
  if (CLG_LogAccess(CLG_NTSKE, ip, UTI_TimespecToDouble(&mono)) == CLG_DROP) {
    STA_counters.nke_drops++;
    LOG_RATE(LOGS_DEBUG, "NTS-KE connection from %s rate limited", label);
    return 0;
  }

  if (n_connections >= cfg->max_nts_connections && !evict_stalled_handshake()) {
    LOG_RATE(LOGS_WARN, "Too many NTS-KE connections, refusing %s", label);
    return 0;
  }

  return 1;
}

static void
accept_connection(int listen_fd, int event, void *arg)
{
  struct sockaddr_storage ss;
  socklen_t sa_len;
  Connection *c;
  uint16_t port;
  IPAddr ip;
  int i, fd;

  for (i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
    sa_len = sizeof ss;
    fd = accept4(listen_fd, (struct sockaddr *)&ss, &sa_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        LOG_RATE(LOGS_ERR, "Could not accept NTS-KE connection : %s", strerror(errno));
        pause_accepting();
      }
      /* EAGAIN, or a connection that was reset while queued */
      return;
    }

    UTI_SockaddrToIPPort((struct sockaddr *)&ss, &ip, &port);

    c = MallocNew(Connection);
    snprintf(c->label, sizeof c->label, "%s", UTI_SockaddrToString((struct sockaddr *)&ss));

    if (!admit(&ip, c->label)) {
      Free(c);
      close(fd);
      continue;
    }

    c->tls = TLS_CreateSession(fd, credentials, NULL, c->label);
    if (!c->tls) {
      Free(c);
      close(fd);
      continue;
    }

    c->fd = fd;
    c->state = ST_HANDSHAKE;
    c->length = c->sent = 0;
    c->prev = NULL;
    c->next = connections;
    if (connections)
      connections->prev = c;
    connections = c;
    n_connections++;

    c->timeout = SCH_AddTimeout(CONNECTION_TIMEOUT, connection_timeout, c);
    SCH_AddFileHandler(fd, SCH_FILE_INPUT, connection_handler, c);
    LOG_RATE(LOGS_DEBUG, "Accepted NTS-KE connection from %s", c->label);
  }
}

/* ================================================== */

static int
open_listener(int family, const IPAddr *bind_ip, int port)
{
  struct sockaddr_storage ss;
  IPAddr any;
  socklen_t sa_len;
  int fd, on = 1;

  if (bind_ip->family == AF_UNSPEC) {
    memset(&any, 0, sizeof any);
    any.family = family;
    bind_ip = &any;
  } else if (bind_ip->family != family) {
    return -1;
  }

  fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    /* A kernel without IPv6 is not an error when no IPv6 address was asked for */
    if (!(family == AF_INET6 && errno == EAFNOSUPPORT))
      LOG(LOGS_ERR, "Could not open NTS-KE socket : %s", strerror(errno));
    return -1;
  }

  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
      (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)) {
    LOG(LOGS_ERR, "Could not set NTS-KE socket option : %s", strerror(errno));
    close(fd);
    return -1;
  }

  sa_len = UTI_IPPortToSockaddr(bind_ip, port, &ss);
  if (sa_len == 0 || bind(fd, (struct sockaddr *)&ss, sa_len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
    LOG(LOGS_ERR, "Could not listen for NTS-KE on %s : %s",
        sa_len ? UTI_SockaddrToString((struct sockaddr *)&ss) : "?", strerror(errno));
    close(fd);
    return -1;
  }

  SCH_AddFileHandler(fd, SCH_FILE_INPUT, accept_connection, NULL);
  return fd;
}

/* ================================================== */

static void rotate_keys(void *arg);

static void
save_keys(void)
{
  const char *dir = CNF_Get()->nts_dump_dir;

  if (dir && !NKY_Save(dir))
    LOG(LOGS_WARN, "Could not save NTS server keys to %s", dir);
}

/* Due time follows the age of the current key, which survives restarts
   through the keys file: restarting more often than ntsrotate must not
   mean never rotating */
static void
schedule_rotation(void)
{
  double delay = NKY_GetRotationDelay(CNF_Get()->nts_rotate);

  if (rotate_id)
    SCH_RemoveTimeout(rotate_id);
  rotate_id = delay >= 0.0 ? SCH_AddTimeout(delay, rotate_keys, NULL) : 0;
}

static void
rotate_keys(void *arg)
{
  rotate_id = 0;
  if (NKY_Rotate()) {
    DEBUG_LOG("Rotated NTS server keys, current key id %08x",
              (unsigned int)NKY_GetCurrentKeyId());
    save_keys();
  } else {
    LOG(LOGS_ERR, "Could not rotate NTS server keys");
  }
  schedule_rotation();
}

static void
load_keys(void)
{
  const CNF_Config *cfg = CNF_Get();

  if (cfg->nts_dump_dir && NKY_Load(cfg->nts_dump_dir))
    return;

  /* NKY_Initialise() made fresh keys.  With ntsrotate 0 the file belongs
     to whoever rotates the keys (and shares them with other servers):
     our own keys give cookies nobody else can open, so say so, and leave
     the file alone. */
  if (cfg->nts_rotate == 0) {
    LOG(LOGS_WARN, "No NTS server keys in %s; using new ones",
        cfg->nts_dump_dir ? cfg->nts_dump_dir : "(no ntsdumpdir)");
    return;
  }

  save_keys();
}

void
NKS_Initialise(void)
{
  const CNF_Config *cfg = CNF_Get();
  int family = CNF_GetAddressFamily();

  if (cfg->n_nts_certs == 0 && cfg->n_nts_keys == 0)
    return;
  if (cfg->n_nts_certs != cfg->n_nts_keys)
    LOG_FATAL("ntsservercert and ntsserverkey must come in pairs (%d certificates, %d keys)",
              cfg->n_nts_certs, cfg->n_nts_keys);

  if (!TLS_Initialise())
    LOG_FATAL("Could not initialise TLS for the NTS-KE server");
  credentials = TLS_CreateServerCredentials((const char *const *)cfg->nts_server_certs,
                                            (const char *const *)cfg->nts_server_keys,
                                            cfg->n_nts_certs);
  if (!credentials)
    LOG_FATAL("Could not load the NTS server certificates");

  NKY_Initialise();
  load_keys();
  schedule_rotation();

  if (family == AF_UNSPEC || family == AF_INET)
    listen_fds[0] = open_listener(AF_INET, &cfg->bind_ntp4, cfg->ntsport);
  if (family == AF_UNSPEC || family == AF_INET6)
    listen_fds[1] = open_listener(AF_INET6, &cfg->bind_ntp6, cfg->ntsport);
  if (listen_fds[0] < 0 && listen_fds[1] < 0)
    LOG_FATAL("Could not open any NTS-KE socket on port %d", cfg->ntsport);

  initialised = 1;
}

void
NKS_Finalise(void)
{
  int i;

  if (!initialised)
    return;

  while (connections)
    close_connection(connections);

  for (i = 0; i < 2; i++) {
    if (listen_fds[i] >= 0) {
      SCH_RemoveFileHandler(listen_fds[i]);
      close(listen_fds[i]);
      listen_fds[i] = -1;
    }
  }
  if (accept_pause_id)
    SCH_RemoveTimeout(accept_pause_id);
  if (rotate_id)
    SCH_RemoveTimeout(rotate_id);
  accept_pause_id = rotate_id = 0;

  /* Saved again for the age of the current key, which would otherwise
     restart from zero with each restart of the daemon and, with restarts
     more frequent than ntsrotate, never reach it.  With ntsrotate 0 the
     file may hold newer keys from whoever rotates them. */
  if (CNF_Get()->nts_rotate > 0)
    save_keys();
  NKY_Finalise();

  TLS_DestroyCredentials(credentials);
  credentials = NULL;
  TLS_Finalise();
  initialised = 0;
}

int
NKS_DumpKeys(void)
{
  const char *dir = CNF_Get()->nts_dump_dir;

  if (!initialised || !dir)
    return 0;
  if (!NKY_Save(dir)) {
    LOG(LOGS_ERR, "Could not save NTS server keys to %s", dir);
    return 0;
  }
  return 1;
}

int
NKS_ReloadKeys(void)
{
  const char *dir = CNF_Get()->nts_dump_dir;

  if (!initialised || !dir)
    return 0;
  if (!NKY_Load(dir)) {
    LOG(LOGS_ERR, "Could not load NTS server keys from %s", dir);
    return 0;
  }
  schedule_rotation();
  return 1;
}
