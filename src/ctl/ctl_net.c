/*
  ntsctl - talking to the daemon

  The address list, socket set-up and retry logic of chronyc 4.3: every
  transmission gets a fresh random sequence number, the timeout doubles
  with each of the (by default 3) transmissions, and after the last one the
  next address of the list is tried with the same request.
*/
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "memory.h"

#define MAX_ADDRESSES 32

typedef struct {
  int is_unix;
  char path[sizeof ((struct sockaddr_un *)0)->sun_path];
  IPAddr ip;
  uint16_t port;
} Address;

static Address addresses[MAX_ADDRESSES];
static int n_addresses;
static int current = -1;      /* index of the open address */
static int sock_fd = -1;
static char client_path[sizeof ((struct sockaddr_un *)0)->sun_path];

static int initial_timeout = 1000;   /* ms */
static int max_retries = 2;

void
CTN_SetTimeout(int initial_ms)
{
  initial_timeout = initial_ms < 100 ? 100 : initial_ms;
}

void
CTN_SetRetries(int retries)
{
  max_retries = retries < 0 ? 0 : retries > 30 ? 30 : retries;
}

static void
add_host(const char *host, int port, int family)
{
  struct addrinfo hints, *res, *ai;
  Address *a;

  if (host[0] == '/') {
    if (n_addresses >= MAX_ADDRESSES || strlen(host) >= sizeof addresses[0].path)
      return;
    a = &addresses[n_addresses++];
    memset(a, 0, sizeof *a);
    a->is_unix = 1;
    strcpy(a->path, host);
    return;
  }

  memset(&hints, 0, sizeof hints);
  hints.ai_family = family ? family : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(host, NULL, &hints, &res) != 0)
    return;
  for (ai = res; ai && n_addresses < MAX_ADDRESSES; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
      continue;
    a = &addresses[n_addresses++];
    memset(a, 0, sizeof *a);
    UTI_SockaddrToIPPort(ai->ai_addr, &a->ip, &a->port);
    a->port = port;
  }
  freeaddrinfo(res);
}

int
CTN_SetAddresses(const char *hosts, int port, int family)
{
  char *list, *p, *next;

  n_addresses = 0;
  if (!hosts) {
    add_host(NTSD_SOCKET_PATH, port, family);
    if (family != AF_INET6)
      add_host("127.0.0.1", port, family);
    if (family != AF_INET)
      add_host("::1", port, family);
    return n_addresses > 0;
  }

  list = Strdup(hosts);
  for (p = list; p; p = next) {
    next = strchr(p, ',');
    if (next)
      *next++ = '\0';
    if (*p)
      add_host(p, port, family);
  }
  Free(list);
  return n_addresses > 0;
}

/* chronyc's client socket: <dir of the server socket>/chronyc.<pid>.sock,
   mode 0666 so that a daemon running as another user can reply */
static int
open_unix(const Address *a)
{
  struct sockaddr_un sun;
  const char *slash;
  int fd, dir_len;

  fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;

  slash = strrchr(a->path, '/');
  dir_len = slash - a->path;
  if (dir_len == 0)
    snprintf(client_path, sizeof client_path, "/chronyc.%d.sock", (int)getpid());
  else if (snprintf(client_path, sizeof client_path, "%.*s/chronyc.%d.sock", dir_len, a->path,
                    (int)getpid()) >= (int)sizeof client_path)
    goto fail;

  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  strcpy(sun.sun_path, client_path);
  unlink(client_path);
  if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
    client_path[0] = '\0';
    goto fail;
  }
  if (chmod(client_path, 0666) < 0)
    goto fail;

  strcpy(sun.sun_path, a->path);
  if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0)
    goto fail;
  return fd;

fail:
  close(fd);
  if (client_path[0])
    unlink(client_path);
  client_path[0] = '\0';
  return -1;
}

static int
open_udp(const Address *a)
{
  struct sockaddr_storage ss;
  socklen_t len;
  int fd;

  fd = socket(a->ip.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  len = UTI_IPPortToSockaddr(&a->ip, a->port, &ss);
  if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Open the first address from index first on */
static int
open_from(int first)
{
  int i;

  CTN_Close();
  for (i = first; i < n_addresses; i++) {
    sock_fd = addresses[i].is_unix ? open_unix(&addresses[i]) : open_udp(&addresses[i]);
    if (sock_fd >= 0) {
      current = i;
      return 1;
    }
  }
  current = n_addresses;
  return 0;
}

int
CTN_Open(void)
{
  return open_from(0);
}

void
CTN_Close(void)
{
  if (sock_fd >= 0)
    close(sock_fd);
  sock_fd = -1;
  if (client_path[0])
    unlink(client_path);
  client_path[0] = '\0';
}

static uint32_t
random_sequence(void)
{
  uint32_t x;

  if (getrandom(&x, sizeof x, 0) != sizeof x)
    x = (uint32_t)random() ^ (uint32_t)time(NULL);
  return x;
}

static double
now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One address: up to max_retries + 1 transmissions.  Returns 1 with a
   valid reply. */
static int
try_address(uint8_t *req, int req_len, uint8_t *reply, int *reply_len, CMW_ReplyHeader *hdr)
{
  CMW_RequestHeader rq;
  int attempt, n, expected, timeout_ms;
  uint32_t sequence;
  double deadline, now;
  struct pollfd pfd;

  CMW_DecodeRequestHeader(req, req_len, &rq);

  for (attempt = 0; attempt <= max_retries; attempt++) {
    sequence = random_sequence();
    CMW_PutU16(req + 6, attempt);
    CMW_PutU32(req + 8, sequence);
    if (send(sock_fd, req, req_len, 0) < 0) {
      /* Counts as an attempt, as in chronyc */
      continue;
    }
    deadline = now_ms() + (double)initial_timeout * (1 << attempt);

    for (;;) {
      now = now_ms();
      if (now >= deadline)
        break;
      timeout_ms = (int)(deadline - now) + 1;
      pfd.fd = sock_fd;
      pfd.events = POLLIN;
      n = poll(&pfd, 1, timeout_ms);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;

      n = recv(sock_fd, reply, CMW_MAX_REPLY_LEN, 0);
      if (n < 0)
        break;   /* e.g. ICMP port unreachable: retransmit at once */
      if (!CMW_DecodeReplyHeader(reply, n, hdr))
        continue;
      if (!(hdr->version == rq.version ||
            (hdr->version >= CMW_PROTO_VERSION_COMPAT_CLIENT &&
             hdr->status == CMW_STT_BADPKTVERSION)) ||
          hdr->pkt_type != CMW_PKT_TYPE_REPLY || hdr->res1 != 0 || hdr->res2 != 0 ||
          hdr->command != rq.command || hdr->sequence != sequence)
        continue;
      expected = CMW_ReplyLength(hdr->reply);
      if (n < expected)
        break;   /* short reply: retransmit at once */
      *reply_len = n;
      return 1;
    }
  }
  return 0;
}

int
CTN_Request(int command, const uint8_t *body, int body_len,
            uint8_t *reply, int *reply_len, CMW_ReplyHeader *hdr)
{
  uint8_t req[CMW_MAX_REQUEST_LEN];
  CMW_RequestHeader rq;
  int req_len = CMW_RequestLength(command);

  if (req_len < CMW_REQUEST_HEADER_LEN + body_len)
    req_len = CMW_REQUEST_HEADER_LEN + body_len;
  if (req_len > (int)sizeof req)
    return 0;
  memset(req, 0, sizeof req);
  memset(&rq, 0, sizeof rq);
  rq.version = CMW_PROTO_VERSION;
  rq.pkt_type = CMW_PKT_TYPE_REQUEST;
  rq.command = command;
  CMW_EncodeRequestHeader(req, &rq);
  if (body_len > 0)
    memcpy(req + CMW_REQUEST_HEADER_LEN, body, body_len);

  while (current < n_addresses) {
    if (sock_fd >= 0 && try_address(req, req_len, reply, reply_len, hdr))
      return 1;
    open_from(current + 1);
  }
  CTP_Status("506 Cannot talk to daemon", 1);
  return 0;
}

int
CTN_Submit(int command, const uint8_t *body, int body_len, int expected_reply,
           int verbose_status, uint8_t *reply, int *reply_len)
{
  CMW_ReplyHeader hdr;

  if (!CTN_Request(command, body, body_len, reply, reply_len, &hdr))
    return 0;
  if (hdr.status != CMW_STT_SUCCESS || verbose_status)
    CTP_Status(CMW_StatusToString(hdr.status), !CMW_IsSuccessStatus(hdr.status));
  if (!CMW_IsSuccessStatus(hdr.status))
    return 0;
  if (hdr.reply != expected_reply) {
    CTP_Status("508 Bad reply from daemon", 1);
    return 0;
  }
  return 1;
}
