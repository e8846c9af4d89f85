/*
  ntsd - command and monitoring server: sockets

  Opens the command sockets, receives datagrams and sends the replies that
  cmd_proc.c produces.  UDP replies leave from the address the request was
  sent to (IP_PKTINFO), which matters when bound to a wildcard address.
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd_wire.h"
#include "cmdmon.h"
#include "conf.h"
#include "logging.h"
#include "memory.h"
#include "sched.h"

static int sock_fd4 = -1;
static int sock_fd6 = -1;
static int sock_fdu = -1;
static char *unix_path;

static int
open_udp_socket(const IPAddr *addr, int port)
{
  struct sockaddr_storage ss;
  socklen_t ss_len;
  int fd, on = 1, family = addr->family;

  fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    LOG(LOGS_ERR, "Could not open command socket : %s", strerror(errno));
    return -1;
  }

  /* As chronyd, so that a restarted daemon can bind at once */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) < 0)
    LOG(LOGS_WARN, "Could not set socket options : %s", strerror(errno));

  if (family == AF_INET) {
    if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) < 0)
      LOG(LOGS_WARN, "Could not set IP_PKTINFO : %s", strerror(errno));
  } else {
    /* The IPv4 socket handles IPv4; mapped addresses would defeat the
       exact ::1 localhost test */
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) < 0)
      LOG(LOGS_WARN, "Could not set IPv6 socket options : %s", strerror(errno));
  }

  ss_len = UTI_IPPortToSockaddr(addr, port, &ss);
  if (bind(fd, (struct sockaddr *)&ss, ss_len) < 0) {
    LOG(LOGS_ERR, "Could not bind command socket to %s : %s",
        UTI_SockaddrToString((struct sockaddr *)&ss), strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/* The directory of the socket: created like chronyd does (0770, parents
   too), and refused if it exists with more permissions or another owner,
   since whoever can write there can replace the socket */
static int
prepare_unix_dir(const char *path)
{
  char dir[sizeof ((struct sockaddr_un *)0)->sun_path], *p;
  struct stat st;

  if (strlen(path) >= sizeof dir)
    return 0;
  strcpy(dir, path);
  p = strrchr(dir, '/');
  if (!p || p == dir)
    return 1;
  *p = '\0';

  for (p = dir + 1; ; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    if (*p == '/')
      *p = '\0';
    else
      p = NULL;
    if (mkdir(dir, 0770) < 0 && errno != EEXIST) {
      LOG(LOGS_ERR, "Could not create directory %s : %s", dir, strerror(errno));
      return 0;
    }
    if (!p)
      break;
    *p = '/';
  }

  if (stat(dir, &st) < 0) {
    LOG(LOGS_ERR, "Could not access directory %s : %s", dir, strerror(errno));
    return 0;
  }
  if (!S_ISDIR(st.st_mode)) {
    LOG(LOGS_ERR, "%s is not a directory", dir);
    return 0;
  }
  if (st.st_mode & 07777 & ~0770) {
    LOG(LOGS_ERR, "Wrong permissions on %s", dir);
    return 0;
  }
  if (st.st_uid != geteuid()) {
    LOG(LOGS_ERR, "Wrong owner of %s (uid %u, expected %u)", dir,
        (unsigned int)st.st_uid, (unsigned int)geteuid());
    return 0;
  }
  return 1;
}

static int
open_unix_socket(const char *path)
{
  struct sockaddr_un sun;
  int fd;

  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof sun.sun_path) {
    LOG(LOGS_ERR, "Unix socket path %s too long", path);
    return -1;
  }
  strcpy(sun.sun_path, path);

  if (!prepare_unix_dir(path)) {
    LOG(LOGS_ERR, "Disabled command socket %s", path);
    return -1;
  }

  fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    LOG(LOGS_ERR, "Could not open command socket : %s", strerror(errno));
    return -1;
  }
  if (unlink(path) < 0 && errno != ENOENT)
    LOG(LOGS_WARN, "Could not remove %s : %s", path, strerror(errno));
  if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
    LOG(LOGS_ERR, "Could not bind command socket to %s : %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/* Ask the kernel to send the reply from the local address the request was
   received on, as found in the control data of recvmsg() */
static socklen_t
make_reply_control(struct msghdr *in, uint8_t *buf, socklen_t buf_len)
{
  struct msghdr out;
  struct cmsghdr *cmsg, *o;

  memset(&out, 0, sizeof out);
  memset(buf, 0, buf_len);
  out.msg_control = buf;
  out.msg_controllen = buf_len;
  o = CMSG_FIRSTHDR(&out);

  for (cmsg = CMSG_FIRSTHDR(in); cmsg; cmsg = CMSG_NXTHDR(in, cmsg)) {
    if (cmsg->cmsg_level == IPPROTO_IP && cmsg->cmsg_type == IP_PKTINFO &&
        cmsg->cmsg_len >= CMSG_LEN(sizeof (struct in_pktinfo))) {
      struct in_pktinfo rx, tx;

      memcpy(&rx, CMSG_DATA(cmsg), sizeof rx);
      memset(&tx, 0, sizeof tx);
      tx.ipi_spec_dst = rx.ipi_addr;
      o->cmsg_level = IPPROTO_IP;
      o->cmsg_type = IP_PKTINFO;
      o->cmsg_len = CMSG_LEN(sizeof tx);
      memcpy(CMSG_DATA(o), &tx, sizeof tx);
      return CMSG_SPACE(sizeof tx);
    }
    if (cmsg->cmsg_level == IPPROTO_IPV6 && cmsg->cmsg_type == IPV6_PKTINFO &&
        cmsg->cmsg_len >= CMSG_LEN(sizeof (struct in6_pktinfo))) {
      struct in6_pktinfo rx;

      memcpy(&rx, CMSG_DATA(cmsg), sizeof rx);
      o->cmsg_level = IPPROTO_IPV6;
      o->cmsg_type = IPV6_PKTINFO;
      o->cmsg_len = CMSG_LEN(sizeof rx);
      memcpy(CMSG_DATA(o), &rx, sizeof rx);
      return CMSG_SPACE(sizeof rx);
    }
  }
  return 0;
}

static void
handle_udp(int fd, int event, void *arg)
{
  uint8_t req[CMW_MAX_REQUEST_LEN + 1], reply[CMW_MAX_REPLY_LEN];
  union {
    struct cmsghdr align;
    uint8_t buf[CMSG_SPACE(sizeof (struct in6_pktinfo)) + CMSG_SPACE(sizeof (struct in_pktinfo))];
  } control, out_control;
  struct sockaddr_storage from;
  struct msghdr msg;
  struct iovec iov;
  IPAddr ip;
  uint16_t port;
  ssize_t len;
  int reply_len;

  memset(&msg, 0, sizeof msg);
  iov.iov_base = req;
  iov.iov_len = sizeof req;
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;

  len = recvmsg(fd, &msg, 0);
  if (len < 0)
    return;
  if (from.ss_family != AF_INET && from.ss_family != AF_INET6)
    return;
  /* A truncated datagram is longer than any valid request */
  if (msg.msg_flags & MSG_TRUNC)
    len = sizeof req;

  UTI_SockaddrToIPPort((struct sockaddr *)&from, &ip, &port);
  reply_len = CAM_ProcessRequest(req, len, &ip, reply, sizeof reply);
  if (!reply_len)
    return;

  iov.iov_base = reply;
  iov.iov_len = reply_len;
  msg.msg_controllen = make_reply_control(&msg, out_control.buf, sizeof out_control.buf);
  msg.msg_control = msg.msg_controllen ? out_control.buf : NULL;
  msg.msg_flags = 0;

  if (sendmsg(fd, &msg, 0) < 0)
    DEBUG_LOG("Could not send command reply : %s", strerror(errno));
}

static void
handle_unix(int fd, int event, void *arg)
{
  uint8_t req[CMW_MAX_REQUEST_LEN + 1], reply[CMW_MAX_REPLY_LEN];
  struct sockaddr_un from;
  socklen_t from_len = sizeof from;
  ssize_t len;
  int reply_len;

  len = recvfrom(fd, req, sizeof req, MSG_TRUNC, (struct sockaddr *)&from, &from_len);
  if (len < 0)
    return;
  if (len > (ssize_t)sizeof req)
    len = sizeof req;

  /* An unbound client socket has no address to reply to */
  if (from_len <= offsetof(struct sockaddr_un, sun_path) || from_len > sizeof from ||
      from.sun_family != AF_UNIX) {
    DEBUG_LOG("Command request from unbound socket dropped");
    return;
  }

  reply_len = CAM_ProcessRequest(req, len, NULL, reply, sizeof reply);
  if (!reply_len)
    return;
  if (sendto(fd, reply, reply_len, 0, (struct sockaddr *)&from, from_len) < 0)
    DEBUG_LOG("Could not send command reply : %s", strerror(errno));
}

void
CAM_Initialise(void)
{
  const CNF_Config *c = CNF_Get();
  int family = CNF_GetAddressFamily();

  if (c->cmdport > 0) {
    if (c->bind_cmd4.family == AF_INET && family != AF_INET6)
      sock_fd4 = open_udp_socket(&c->bind_cmd4, c->cmdport);
    if (c->bind_cmd6.family == AF_INET6 && family != AF_INET)
      sock_fd6 = open_udp_socket(&c->bind_cmd6, c->cmdport);
  }
  if (c->bind_cmd_path && c->bind_cmd_path[0] && strcmp(c->bind_cmd_path, "/") != 0) {
    sock_fdu = open_unix_socket(c->bind_cmd_path);
    if (sock_fdu >= 0)
      unix_path = Strdup(c->bind_cmd_path);
  }

  if (sock_fd4 >= 0)
    SCH_AddFileHandler(sock_fd4, SCH_FILE_INPUT, handle_udp, NULL);
  if (sock_fd6 >= 0)
    SCH_AddFileHandler(sock_fd6, SCH_FILE_INPUT, handle_udp, NULL);
  if (sock_fdu >= 0)
    SCH_AddFileHandler(sock_fdu, SCH_FILE_INPUT, handle_unix, NULL);
}

static void
close_socket(int *fd)
{
  if (*fd < 0)
    return;
  SCH_RemoveFileHandler(*fd);
  close(*fd);
  *fd = -1;
}

void
CAM_Finalise(void)
{
  close_socket(&sock_fd4);
  close_socket(&sock_fd6);
  close_socket(&sock_fdu);
  if (unix_path) {
    unlink(unix_path);
    Free(unix_path);
    unix_path = NULL;
  }
  CAM_ResetHostAccess();
}
