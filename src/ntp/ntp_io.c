/*
  ntsd - NTP sockets

  recvmmsg() takes up to BATCH requests at a time (again at once, up to
  MAX_BATCHES times, while batches come back full), each with its kernel
  receive timestamp (SO_TIMESTAMPNS) and destination address (IP_PKTINFO),
  so the reply leaves from the address the client sent to even on a
  wildcard socket.  Replies go out with one sendmmsg() per batch, or one
  sendmsg() for a single reply.  All buffers are static: nothing is
  allocated per packet.
*/
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "logging.h"
#include "ntp_io.h"
#include "ntp_server.h"
#include "sched.h"
#include "stats.h"

/* As many as a busy client keeps in flight (the benchmark's window): at
   full load a batch of 32 was always full, and each batch costs three
   system calls whatever its size */
#define BATCH 64
#define MAX_BATCHES 4
#define CMSG_SPACE_ALL (CMSG_SPACE(sizeof (struct timespec)) + \
                        CMSG_SPACE(sizeof (struct in6_pktinfo)) + 64)

static int server_fds[2] = { -1, -1 };
static int n_server_fds;

static uint8_t rx_bufs[BATCH][NIO_MAX_PACKET];
static uint8_t tx_bufs[BATCH][NIO_MAX_PACKET];
static union { struct cmsghdr align; char buf[CMSG_SPACE_ALL]; } rx_cmsgs[BATCH], tx_cmsgs[BATCH];
static struct sockaddr_storage rx_addrs[BATCH];
static struct iovec rx_iovs[BATCH], tx_iovs[BATCH];
static struct mmsghdr rx_msgs[BATCH], tx_msgs[BATCH];

static int
open_server_socket(int family, const IPAddr *bind_ip, int port)
{
  struct sockaddr_storage ss;
  IPAddr any;
  socklen_t sa_len;
  int fd, on = 1;

  fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    LOG(LOGS_WARN, "Could not open NTP socket (%s) : %s",
        family == AF_INET ? "IPv4" : "IPv6", strerror(errno));
    return -1;
  }

  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0)
    LOG(LOGS_WARN, "Kernel receive timestamps not available");
  /* The destination address is only needed to answer from the right
     address of a wildcard socket; it costs a control message per packet */
  if (family == AF_INET) {
    if (bind_ip->family == AF_UNSPEC)
      setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
  } else {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind_ip->family == AF_UNSPEC)
      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
  }

  if (bind_ip->family == AF_UNSPEC) {
    memset(&any, 0, sizeof any);
    any.family = family;
    bind_ip = &any;
  }
  sa_len = UTI_IPPortToSockaddr(bind_ip, port, &ss);
  if (bind(fd, (struct sockaddr *)&ss, sa_len) < 0) {
    LOG_FATAL("Could not bind NTP socket to %s : %s",
              UTI_SockaddrToString((struct sockaddr *)&ss), strerror(errno));
  }
  return fd;
}

/* Pull the receive timestamp and destination address out of the control
   data; the reply control data is prepared at the same time */
static void
process_cmsgs(struct msghdr *rx, struct msghdr *tx, struct timespec *rx_ts)
{
  struct cmsghdr *cm, *out;
  size_t tx_len = 0;

  rx_ts->tv_sec = 0;
  rx_ts->tv_nsec = 0;
  out = NULL;

  for (cm = CMSG_FIRSTHDR(rx); cm; cm = CMSG_NXTHDR(rx, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS &&
        cm->cmsg_len >= CMSG_LEN(sizeof (struct timespec))) {
      memcpy(rx_ts, CMSG_DATA(cm), sizeof *rx_ts);
    } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
               cm->cmsg_len >= CMSG_LEN(sizeof (struct in_pktinfo))) {
      struct in_pktinfo pi;

      memcpy(&pi, CMSG_DATA(cm), sizeof pi);
      out = (struct cmsghdr *)tx->msg_control;
      out->cmsg_level = IPPROTO_IP;
      out->cmsg_type = IP_PKTINFO;
      out->cmsg_len = CMSG_LEN(sizeof pi);
      pi.ipi_ifindex = 0;
      pi.ipi_spec_dst = pi.ipi_addr;
      memcpy(CMSG_DATA(out), &pi, sizeof pi);
      tx_len = CMSG_SPACE(sizeof pi);
    } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO &&
               cm->cmsg_len >= CMSG_LEN(sizeof (struct in6_pktinfo))) {
      struct in6_pktinfo pi;

      memcpy(&pi, CMSG_DATA(cm), sizeof pi);
      out = (struct cmsghdr *)tx->msg_control;
      out->cmsg_level = IPPROTO_IPV6;
      out->cmsg_type = IPV6_PKTINFO;
      out->cmsg_len = CMSG_LEN(sizeof pi);
      pi.ipi6_ifindex = 0;
      memcpy(CMSG_DATA(out), &pi, sizeof pi);
      tx_len = CMSG_SPACE(sizeof pi);
    }
  }
  tx->msg_controllen = tx_len;
  if (!tx_len)
    tx->msg_control = NULL;
}

/* The receive headers point at fixed buffers; recvmmsg() only changes
   the name and control lengths (and the flags) of the messages it fills,
   so those are restored after use instead of rebuilding all BATCH
   headers on every wake-up, which cost more than the packet when the
   batch is short */
static void
reset_rx_msg(int i)
{
  rx_msgs[i].msg_hdr.msg_namelen = sizeof rx_addrs[i];
  rx_msgs[i].msg_hdr.msg_controllen = sizeof rx_cmsgs[i].buf;
}

static void
init_rx_msgs(void)
{
  int i;

  memset(rx_msgs, 0, sizeof (rx_msgs));
  for (i = 0; i < BATCH; i++) {
    rx_iovs[i].iov_base = rx_bufs[i];
    rx_iovs[i].iov_len = sizeof rx_bufs[i];
    rx_msgs[i].msg_hdr.msg_name = &rx_addrs[i];
    rx_msgs[i].msg_hdr.msg_iov = &rx_iovs[i];
    rx_msgs[i].msg_hdr.msg_iovlen = 1;
    rx_msgs[i].msg_hdr.msg_control = rx_cmsgs[i].buf;
    reset_rx_msg(i);
  }
}

/* Answer one batch; returns the number of datagrams received (0 when the
   socket was empty) */
static int
serve_batch(int fd)
{
  struct timespec rx_ts, now;
  IPAddr ip;
  uint16_t port;
  int i, n, n_tx, n_kernel_rx, kernel_rx, reply_len;

  n = recvmmsg(fd, rx_msgs, BATCH, MSG_DONTWAIT, NULL);
  if (n <= 0)
    return 0;

  clock_gettime(CLOCK_REALTIME, &now);
  NSR_BeginBatch(&now);

  for (i = n_tx = n_kernel_rx = 0; i < n; i++) {
    struct msghdr *rx = &rx_msgs[i].msg_hdr, *tx = &tx_msgs[n_tx].msg_hdr;

    /* Longer than any request, or its timestamp cut off: ignored and, as
       chronyd ignores a datagram of unexpected length, counted nowhere */
    if (rx->msg_flags & (MSG_TRUNC | MSG_CTRUNC))
      continue;

    memset(tx, 0, sizeof *tx);
    tx->msg_control = tx_cmsgs[n_tx].buf;
    process_cmsgs(rx, tx, &rx_ts);
    kernel_rx = rx_ts.tv_sec != 0;
    if (!kernel_rx)
      rx_ts = now;

    UTI_SockaddrToIPPort((struct sockaddr *)&rx_addrs[i], &ip, &port);
    reply_len = NSR_ProcessRequest(rx_bufs[i], rx_msgs[i].msg_len, &ip, port, &rx_ts,
                                   tx_bufs[n_tx], sizeof tx_bufs[n_tx]);
    if (reply_len <= 0)
      continue;

    tx_iovs[n_tx].iov_base = tx_bufs[n_tx];
    tx_iovs[n_tx].iov_len = reply_len;
    tx->msg_name = &rx_addrs[i];
    tx->msg_namelen = rx->msg_namelen;
    tx->msg_iov = &tx_iovs[n_tx];
    tx->msg_iovlen = 1;
    n_tx++;
    n_kernel_rx += kernel_rx;
  }

  NSR_EndBatch();

  /* The timestamp counters of serverstats, once per batch: one RX (the
     kernel's, or the batch's clock reading) and one TX (always the
     daemon's) per response, counted as chronyd does before the send */
  STA_counters.ntp_kernel_rx_timestamps += n_kernel_rx;
  STA_counters.ntp_daemon_rx_timestamps += n_tx - n_kernel_rx;
  STA_counters.ntp_daemon_tx_timestamps += n_tx;

  if (n_tx == 1) {
    if (sendmsg(fd, &tx_msgs[0].msg_hdr, 0) < 0)
      LOG_RATE(LOGS_WARN, "Could not send NTP reply : %s", strerror(errno));
  } else if (n_tx > 1) {
    if (sendmmsg(fd, tx_msgs, n_tx, 0) < 0)
      LOG_RATE(LOGS_WARN, "Could not send NTP replies : %s", strerror(errno));
  }

  for (i = 0; i < n; i++)
    reset_rx_msg(i);
  return n;
}

static void
handle_server_socket(int fd, int event, void *arg)
{
  int i;

  (void)event;
  (void)arg;

  /* A full batch means more are probably queued: reading them straight
     away saves the poll() that would only report the same socket again.
     Bounded, so that NTS-KE, the command sockets and the timers still get
     their turn every MAX_BATCHES batches */
  for (i = 0; i < MAX_BATCHES; i++) {
    if (serve_batch(fd) < BATCH)
      break;
  }
}

static int
any_client_allowed(const CNF_Config *c)
{
  int i;

  for (i = 0; i < c->n_access; i++) {
    if (c->access[i].allow)
      return 1;
  }
  return 0;
}

void
NIO_Initialise(void)
{
  const CNF_Config *c = CNF_Get();
  int family = CNF_GetAddressFamily(), fd;

  n_server_fds = 0;
  init_rx_msgs();
  /* As chronyd: no server socket unless some client may use it */
  if (c->port == 0 || !any_client_allowed(c))
    return;

  if (family != AF_INET6 && (fd = open_server_socket(AF_INET, &c->bind_ntp4, c->port)) >= 0)
    server_fds[n_server_fds++] = fd;
  if (family != AF_INET && (fd = open_server_socket(AF_INET6, &c->bind_ntp6, c->port)) >= 0)
    server_fds[n_server_fds++] = fd;
  if (n_server_fds == 0)
    LOG_FATAL("Could not open any NTP server socket");

  for (fd = 0; fd < n_server_fds; fd++)
    SCH_AddFileHandler(server_fds[fd], SCH_FILE_INPUT, handle_server_socket, NULL);
}

void
NIO_Finalise(void)
{
  int i;

  for (i = 0; i < n_server_fds; i++) {
    SCH_RemoveFileHandler(server_fds[i]);
    close(server_fds[i]);
    server_fds[i] = -1;
  }
  n_server_fds = 0;
}

int
NIO_GetServerSocketCount(void)
{
  return n_server_fds;
}
