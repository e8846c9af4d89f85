/*
  ntsd - the NTP client's sockets

  SO_TIMESTAMPNS rather than hardware or SO_TIMESTAMPING: the receive
  timestamp is all the client uses, and every kernel has it.
*/
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
NSK_Send(int fd, const uint8_t *pkt, int len, struct timespec *tx_time)
{
  struct msghdr msg;
  struct iovec iov;

  memset(&msg, 0, sizeof msg);
  iov.iov_base = (void *)pkt;
  iov.iov_len = len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;

  clock_gettime(CLOCK_REALTIME, tx_time);
  return sendmsg(fd, &msg, 0) >= 0;
}

int
NSK_Receive(int fd, uint8_t *pkt, int max, struct timespec *rx_time, int *kernel)
{
  union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof (struct timespec)) + 64]; } cmsg;
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
