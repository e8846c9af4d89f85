/*
  ntsd - the NTP client's sockets

  Receive timestamps by SO_TIMESTAMPNS, which every kernel has; transmit
  timestamps by SO_TIMESTAMPING, software only (as chronyd without
  hwtimestamp): a socket sends one request, so the one timestamp on its
  error queue is that request's and needs no matching.  OPT_TSONLY keeps
  the kernel from looping the request back with it, where the kernel has
  the option.
*/
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(__linux__) && defined(SO_TIMESTAMPING)
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
/* (the SOF_ flags are an enum, not macros to test) */
#define HAVE_TX_TIMESTAMPS 1
#endif

#include "logging.h"
#include "ntp_clsock.h"

int
NSK_IsConnectable(const IPAddr *ip, uint16_t port)
{
  struct sockaddr_storage ss;
  socklen_t len;
  int fd, ok;

  fd = socket(ip->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  len = UTI_IPPortToSockaddr(ip, port, &ss);
  ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
  close(fd);
  return ok;
}

/* Without them (not Linux, an old kernel, a simulator) the daemon's
   transmit timestamps are used: nothing to report */
static void
enable_tx_timestamps(int fd)
{
#ifdef HAVE_TX_TIMESTAMPS
  int flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
              SOF_TIMESTAMPING_OPT_TSONLY;

  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) == 0)
    return;
  /* Linux before 4.0 */
  flags &= ~SOF_TIMESTAMPING_OPT_TSONLY;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags);
#else
  (void)fd;
#endif
}

int
NSK_Open(const IPAddr *ip, uint16_t port, IPAddr *local)
{
  struct sockaddr_storage ss, sa;
  socklen_t sa_len, local_len = sizeof sa;
  uint16_t local_port;
  int fd, on = 1;

  fd = socket(ip->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    LOG_RATE(LOGS_ERR, "Could not open NTP client socket : %s", strerror(errno));
    return -1;
  }
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  enable_tx_timestamps(fd);
  sa_len = UTI_IPPortToSockaddr(ip, port, &ss);
  if (connect(fd, (struct sockaddr *)&ss, sa_len) < 0) {
    LOG_RATE(LOGS_WARN, "Could not connect to %s : %s",
             UTI_SockaddrToString((struct sockaddr *)&ss), strerror(errno));
    close(fd);
    return -1;
  }
  if (getsockname(fd, (struct sockaddr *)&sa, &local_len) == 0)
    UTI_SockaddrToIPPort((struct sockaddr *)&sa, local, &local_port);
  return fd;
}

int
NSK_Send(int fd, const uint8_t *pkt, int len, NSK_TxTime *tx)
{
  struct msghdr msg;
  struct iovec iov;

  memset(&msg, 0, sizeof msg);
  iov.iov_base = (void *)pkt;
  iov.iov_len = len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;

  memset(tx, 0, sizeof *tx);
  clock_gettime(CLOCK_REALTIME, &tx->daemon);
  if (sendmsg(fd, &msg, 0) < 0)
    return 0;
  NSK_ReadTxTimestamp(fd, tx);
  return 1;
}

int
NSK_ParseTxTimestamp(struct msghdr *msg, struct timespec *ts)
{
#ifdef HAVE_TX_TIMESTAMPS
  struct scm_timestamping tss;
  struct sock_extended_err ee;
  struct cmsghdr *cm;
  int have_ts = 0, is_tx = 0;

  if (msg->msg_flags & MSG_CTRUNC)
    return 0;
  for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPING &&
        cm->cmsg_len >= CMSG_LEN(sizeof tss)) {
      memcpy(&tss, CMSG_DATA(cm), sizeof tss);
      /* ts[0] is the software timestamp; 0 when the kernel had none */
      have_ts = (tss.ts[0].tv_sec != 0 || tss.ts[0].tv_nsec != 0) &&
                tss.ts[0].tv_nsec >= 0 && tss.ts[0].tv_nsec < 1000000000;
      *ts = tss.ts[0];
    } else if (((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
                (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)) &&
               cm->cmsg_len >= CMSG_LEN(sizeof ee)) {
      memcpy(&ee, CMSG_DATA(cm), sizeof ee);
      /* Not an ICMP error, and the time the request left (not when it
         was queued or acknowledged) */
      is_tx = ee.ee_errno == ENOMSG && ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING &&
              ee.ee_info == SCM_TSTAMP_SND;
    }
  }
  return have_ts && is_tx;
#else
  (void)msg;
  (void)ts;
  return 0;
#endif
}

/* One timestamp is expected; anything else there is read and dropped
   (left there, it would keep poll() reporting the socket) */
#define MAX_ERRQUEUE_READS 4

void
NSK_ReadTxTimestamp(int fd, NSK_TxTime *tx)
{
  union { struct cmsghdr align; char buf[256]; } cmsg;
  uint8_t data[64];
  struct timespec ts;
  struct msghdr msg;
  struct iovec iov;
  int i;

  for (i = 0; i < MAX_ERRQUEUE_READS; i++) {
    memset(&msg, 0, sizeof msg);
    /* Without OPT_TSONLY the request comes back too: only its start */
    iov.iov_base = data;
    iov.iov_len = sizeof data;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsg.buf;
    msg.msg_controllen = sizeof cmsg.buf;
    if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
      return;
    if (!tx->have_kernel && NSK_ParseTxTimestamp(&msg, &ts)) {
      tx->kernel = ts;
      tx->have_kernel = 1;
    }
  }
}

int
NSK_ChooseTxTime(const NSK_TxTime *tx, const struct timespec *rx,
                 const struct timespec *t1_daemon, struct timespec *t1)
{
  double delay;

  *t1 = *t1_daemon;
  if (!tx->have_kernel)
    return 0;
  delay = UTI_DiffTimespecsToDouble(&tx->kernel, &tx->daemon);
  if (!(delay >= 0.0 && delay <= NSK_MAX_TX_DELAY) ||
      UTI_CompareTimespecs(&tx->kernel, rx) > 0)
    return 0;
  /* The cooking of a few microseconds earlier still applies */
  UTI_AddDoubleToTimespec(t1_daemon, delay, t1);
  return 1;
}

int
NSK_Receive(int fd, uint8_t *pkt, int max, struct timespec *rx_time, int *kernel)
{
  /* Room for SCM_TIMESTAMPNS and the SCM_TIMESTAMPING some kernels add
     since SO_TIMESTAMPING asks for software reports: a truncated control
     message would drop the reply */
  union { struct cmsghdr align; char buf[256]; } cmsg;
  struct msghdr msg;
  struct cmsghdr *cm;
  struct iovec iov;
  ssize_t n;

  memset(&msg, 0, sizeof msg);
  iov.iov_base = pkt;
  iov.iov_len = max;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cmsg.buf;
  msg.msg_controllen = sizeof cmsg.buf;

  n = recvmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0)
    return NSK_NOTHING;
  clock_gettime(CLOCK_REALTIME, rx_time);
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
    return NSK_TRUNCATED;

  *kernel = 0;
  for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS &&
        cm->cmsg_len >= CMSG_LEN(sizeof (struct timespec))) {
      memcpy(rx_time, CMSG_DATA(cm), sizeof *rx_time);
      *kernel = 1;
    }
  }
  return (int)n;
}
