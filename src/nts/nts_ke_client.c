/*
  ntsd - NTS-KE client

  A session is a small state machine driven by the socket's poll events:
  connect, TLS handshake, send the request, read until the response is a
  complete message (or the server closes), then export the keys.  Every
  step that would block returns to the loop with the events it waits for,
  and one timer bounds the whole session, so a server that accepts the
  connection and then says nothing costs us NKC_TIMEOUT seconds, no more.

  Trust: the certificates of ntstrustedcerts lines with the source's set
  number, plus (set 0 only, as chronyd) the system store unless
  nosystemcert.  Credentials are built once per set and shared.
*/
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "logging.h"
#include "memory.h"
#include "nts_ke_client.h"
#include "sched.h"
#include "tls.h"

typedef enum {
  ST_CONNECTING,
  ST_HANDSHAKE,
  ST_SENDING,
  ST_RECEIVING,
  ST_DONE,
} State;

struct NKC_Instance_Record {
  State state;
  int fd;
  TLS_Session session;
  SCH_TimeoutID timeout_id;
  char label[300];
  uint8_t request[64];
  int request_len, request_sent;
  uint8_t *message;
  int message_len;
  NKC_Handler handler;
  void *arg;
};

typedef struct {
  int set;
  TLS_Credentials credentials;
} CertSet;

static CertSet *cert_sets;
static int n_cert_sets;
static int tls_ready;

void
NKC_Initialise(void)
{
}

void
NKC_Finalise(void)
{
  int i;

  for (i = 0; i < n_cert_sets; i++)
    TLS_DestroyCredentials(cert_sets[i].credentials);
  Free(cert_sets);
  cert_sets = NULL;
  n_cert_sets = 0;
  if (tls_ready)
    TLS_Finalise();
  tls_ready = 0;
}

/* ntstrustedcerts lines are kept as "SET PATH" */
static TLS_Credentials
get_credentials(int set)
{
  const CNF_Config *c = CNF_Get();
  const char **paths;
  TLS_Credentials credentials;
  char *end;
  long s;
  int i, n = 0;

  for (i = 0; i < n_cert_sets; i++) {
    if (cert_sets[i].set == set)
      return cert_sets[i].credentials;
  }

  if (!tls_ready) {
    if (!TLS_Initialise())
      return NULL;
    tls_ready = 1;
  }

  paths = MallocArray(const char *, c->n_nts_trusted + 1);
  for (i = 0; i < c->n_nts_trusted; i++) {
    s = strtol(c->nts_trusted_certs[i], &end, 10);
    if (end == c->nts_trusted_certs[i] || *end != ' ' || s != set)
      continue;
    paths[n++] = end + 1;
  }

  credentials = TLS_CreateClientCredentials(paths, n, set == 0 && !c->nosystemcert,
                                            c->nocerttimecheck > 0);
  Free(paths);
  if (!credentials)
    return NULL;
  if (n == 0 && (set != 0 || c->nosystemcert))
    LOG(LOGS_WARN, "No trusted certificates for NTS certificate set %d", set);

  cert_sets = ReallocArray(CertSet, n_cert_sets + 1, cert_sets);
  cert_sets[n_cert_sets].set = set;
  cert_sets[n_cert_sets].credentials = credentials;
  n_cert_sets++;
  return credentials;
}

static void
release(NKC_Instance inst)
{
  SCH_RemoveTimeout(inst->timeout_id);
  inst->timeout_id = 0;
  if (inst->session) {
    TLS_DestroySession(inst->session);
    inst->session = NULL;
  }
  if (inst->fd >= 0) {
    SCH_RemoveFileHandler(inst->fd);
    close(inst->fd);
    inst->fd = -1;
  }
  if (inst->message) {
    /* The response held the cookies */
    memset(inst->message, 0, NKR_MAX_MESSAGE);
    Free(inst->message);
    inst->message = NULL;
  }
}

/* End the session and tell the owner, who may free the instance */
static void
finish(NKC_Instance inst, const NKC_Result *result)
{
  inst->state = ST_DONE;
  release(inst);
  inst->handler(inst, result, inst->arg);
}

static void
fail(NKC_Instance inst)
{
  finish(inst, NULL);
}

static void
session_timeout(void *arg)
{
  NKC_Instance inst = arg;

  inst->timeout_id = 0;
  LOG_RATE(LOGS_ERR, "NTS-KE session with %s timed out", inst->label);
  fail(inst);
}

static void
process_response(NKC_Instance inst)
{
  NKR_Response resp;
  NKC_Result result;
  int i;

  if (NKR_ParseResponse(inst->message, inst->message_len, &resp) != NKR_OK) {
    if (resp.error >= 0)
      LOG_RATE(LOGS_ERR, "NTS-KE server %s sent error %d", inst->label, resp.error);
    else
      LOG_RATE(LOGS_ERR, "Unusable NTS-KE response from %s : %s", inst->label, resp.reason);
    fail(inst);
    return;
  }

  memset(&result, 0, sizeof result);
  result.aead = NKR_AEAD_AES_SIV_CMAC_256;
  result.key_len = NKC_KEY_LEN;
  if (!TLS_ExportKeys(inst->session, result.aead, result.key_len, result.c2s, result.s2c)) {
    fail(inst);
    return;
  }
  snprintf(result.server, sizeof result.server, "%s", resp.server_name);
  result.port = resp.port > 0 ? resp.port : 0;
  result.n_cookies = resp.n_cookies;
  for (i = 0; i < resp.n_cookies; i++) {
    result.cookie_lens[i] = resp.cookie_lens[i];
    memcpy(result.cookies[i], resp.cookies[i], resp.cookie_lens[i]);
  }

  /* Our close_notify, best effort: the keys are ours already */
  TLS_Shutdown(inst->session);

  DEBUG_LOG("NTS-KE with %s: %d cookies, server \"%s\" port %d", inst->label,
            result.n_cookies, result.server, result.port);
  if (resp.n_skipped_cookies > 0)
    DEBUG_LOG("NTS-KE with %s: ignored %d cookies (beyond %d, or not a multiple of 4 long)",
              inst->label, resp.n_skipped_cookies, NKR_MAX_COOKIES);
  finish(inst, &result);
  memset(&result, 0, sizeof result);
}

/* Run the session as far as it goes without blocking */
static void
step(NKC_Instance inst)
{
  TLS_Status st = TLS_OK;
  int n, err;
  socklen_t len;

  for (;;) {
    switch (inst->state) {
      case ST_CONNECTING:
        len = sizeof err;
        if (getsockopt(inst->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
          err = errno;
        if (err != 0) {
          LOG_RATE(LOGS_ERR, "Could not connect to NTS-KE server %s : %s", inst->label,
                   strerror(err));
          fail(inst);
          return;
        }
        inst->state = ST_HANDSHAKE;
        break;
      case ST_HANDSHAKE:
        st = TLS_Handshake(inst->session);
        if (st != TLS_OK)
          break;
        inst->request_len = NKR_BuildRequest(inst->request, sizeof inst->request);
        if (inst->request_len <= 0) {
          fail(inst);
          return;
        }
        inst->state = ST_SENDING;
        break;
      case ST_SENDING:
        st = TLS_Send(inst->session, inst->request + inst->request_sent,
                      inst->request_len - inst->request_sent, &n);
        if (st != TLS_OK)
          break;
        inst->request_sent += n;
        if (inst->request_sent >= inst->request_len) {
          inst->message = Malloc(NKR_MAX_MESSAGE);
          inst->message_len = 0;
          inst->state = ST_RECEIVING;
        }
        break;
      case ST_RECEIVING:
        st = TLS_Receive(inst->session, inst->message + inst->message_len,
                         NKR_MAX_MESSAGE - inst->message_len, &n);
        if (st == TLS_OK)
          inst->message_len += n;
        if (st == TLS_OK || st == TLS_CLOSED) {
          switch (NKR_CheckMessage(inst->message, inst->message_len)) {
            case NKR_OK:
              process_response(inst);
              return;
            case NKR_BAD:
              LOG_RATE(LOGS_ERR, "Malformed NTS-KE response from %s", inst->label);
              fail(inst);
              return;
            default:
              if (st == TLS_CLOSED) {
                LOG_RATE(LOGS_ERR, "NTS-KE server %s closed the connection early",
                         inst->label);
                fail(inst);
                return;
              }
              /* GnuTLS may hold more decrypted data: read again */
              continue;
          }
        }
        break;
      default:
        return;
    }

    if (st == TLS_ERROR || st == TLS_CLOSED) {
      /* Certificate and handshake failures are logged by the TLS layer */
      if (st == TLS_CLOSED)
        LOG_RATE(LOGS_ERR, "NTS-KE server %s closed the connection", inst->label);
      fail(inst);
      return;
    }
    if (st == TLS_WANT_READ || st == TLS_WANT_WRITE) {
      SCH_SetFileHandlerEvents(inst->fd, st == TLS_WANT_READ ? SCH_FILE_INPUT : SCH_FILE_OUTPUT);
      return;
    }
  }
}

static void
socket_ready(int fd, int event, void *arg)
{
  step(arg);
}

NKC_Instance
NKC_Start(const IPAddr *ip, int port, const char *name, int certset,
          NKC_Handler handler, void *arg)
{
  struct sockaddr_storage ss;
  TLS_Credentials credentials;
  NKC_Instance inst;
  socklen_t sa_len;

  credentials = get_credentials(certset);
  if (!credentials)
    return NULL;

  inst = MallocNew(struct NKC_Instance_Record);
  memset(inst, 0, sizeof *inst);
  inst->fd = -1;
  inst->handler = handler;
  inst->arg = arg;
  sa_len = UTI_IPPortToSockaddr(ip, (uint16_t)port, &ss);
  if (strcmp(name, UTI_IPToString(ip)) == 0)
    snprintf(inst->label, sizeof inst->label, "%s", UTI_SockaddrToString((struct sockaddr *)&ss));
  else
    snprintf(inst->label, sizeof inst->label, "%s (%s)", name,
             UTI_SockaddrToString((struct sockaddr *)&ss));

  inst->fd = socket(ip->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (inst->fd < 0) {
    LOG_RATE(LOGS_ERR, "Could not open NTS-KE socket : %s", strerror(errno));
    NKC_Destroy(inst);
    return NULL;
  }
  if (connect(inst->fd, (struct sockaddr *)&ss, sa_len) < 0 && errno != EINPROGRESS) {
    LOG_RATE(LOGS_ERR, "Could not connect to NTS-KE server %s : %s", inst->label,
             strerror(errno));
    NKC_Destroy(inst);
    return NULL;
  }

  inst->session = TLS_CreateSession(inst->fd, credentials, name, inst->label);
  if (!inst->session) {
    NKC_Destroy(inst);
    return NULL;
  }

  inst->state = ST_CONNECTING;
  SCH_AddFileHandler(inst->fd, SCH_FILE_OUTPUT, socket_ready, inst);
  inst->timeout_id = SCH_AddTimeout(NKC_TIMEOUT, session_timeout, inst);
  DEBUG_LOG("Started NTS-KE with %s", inst->label);
  return inst;
}

void
NKC_Destroy(NKC_Instance inst)
{
  if (!inst)
    return;
  release(inst);
  Free(inst);
}
