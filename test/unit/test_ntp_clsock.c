/*
  Unit tests of src/ntp/ntp_clsock.c: the choice between the daemon's and
  the kernel's transmit timestamp, the parsing of the error queue's
  control messages, and on Linux a real request on loopback whose kernel
  transmit timestamp must be found.
*/
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#endif

#include "ntp_clsock.h"
#include "test.h"
#include "util.h"

#define BASE 1700000000

/* BASE + ns nanoseconds (a double would not keep them) */
static struct timespec
ts(long long ns)
{
  struct timespec r;

  r.tv_sec = BASE + ns / 1000000000;
  r.tv_nsec = ns % 1000000000;
  return r;
}

static void
test_choose(void)
{
  NSK_TxTime tx;
  struct timespec rx, t1_daemon, t1;

  memset(&tx, 0, sizeof tx);
  tx.daemon = ts(100000LL);
  /* Cooked: the discipline's correction moved it by 2 ms */
  t1_daemon = ts(2100000LL);
  rx = ts(200000LL);

  /* No kernel timestamp: the daemon's, as it was */
  TEST_CHECK(!NSK_ChooseTxTime(&tx, &rx, &t1_daemon, &t1));
  TEST_CHECK(UTI_CompareTimespecs(&t1, &t1_daemon) == 0);

  /* 15 us later: taken, with the same correction */
  tx.kernel = ts(115000LL);
  tx.have_kernel = 1;
  TEST_CHECK(NSK_ChooseTxTime(&tx, &rx, &t1_daemon, &t1));
  TEST_CHECK(fabs(UTI_DiffTimespecsToDouble(&t1, &t1_daemon) - 15e-6) < 2e-9);

  /* The same instant is plausible too */
  tx.kernel = tx.daemon;
  TEST_CHECK(NSK_ChooseTxTime(&tx, &rx, &t1_daemon, &t1));
  TEST_CHECK(UTI_CompareTimespecs(&t1, &t1_daemon) == 0);

  /* Before the daemon read the clock: impossible, not used */
  tx.kernel = ts(99000LL);
  TEST_CHECK(!NSK_ChooseTxTime(&tx, &rx, &t1_daemon, &t1));
  TEST_CHECK(UTI_CompareTimespecs(&t1, &t1_daemon) == 0);

  /* After the reply arrived: not used */
  tx.kernel = ts(201000LL);
  TEST_CHECK(!NSK_ChooseTxTime(&tx, &rx, &t1_daemon, &t1));
  TEST_CHECK(UTI_CompareTimespecs(&t1, &t1_daemon) == 0);

  /* More than NSK_MAX_TX_DELAY after the daemon's (the reply came later
     still): not believed */
  rx = ts(10000000000LL);
  tx.kernel = ts(100000 + (long long)(NSK_MAX_TX_DELAY * 1e9) + 1000000);
  TEST_CHECK(!NSK_ChooseTxTime(&tx, &rx, &t1_daemon, &t1));
  tx.kernel = ts(100000 + (long long)(NSK_MAX_TX_DELAY * 1e9) - 1000000);
  TEST_CHECK(NSK_ChooseTxTime(&tx, &rx, &t1_daemon, &t1));
}

#ifdef __linux__

/* An error queue message as the kernel makes it: SCM_TIMESTAMPING with
   sw as its software timestamp (unless no_ts), then an extended error of
   level/type with errno_/origin/info; tss_len shortens the first */
typedef struct {
  struct msghdr msg;
  /* last: struct cmsghdr ends in a flexible array */
  union { struct cmsghdr align; char buf[256]; } cmsg;
} FakeMsg;

static void
fake_msg(FakeMsg *f, long long sw, size_t tss_len, int level, int type, int errno_,
         int origin, int info)
{
  struct scm_timestamping tss;
  struct sock_extended_err ee;
  struct cmsghdr *cm;

  memset(f, 0, sizeof *f);
  memset(&tss, 0, sizeof tss);
  memset(&ee, 0, sizeof ee);
  if (sw > 0)
    tss.ts[0] = ts(sw);
  ee.ee_errno = errno_;
  ee.ee_origin = origin;
  ee.ee_info = info;

  f->msg.msg_control = f->cmsg.buf;
  f->msg.msg_controllen = CMSG_SPACE(sizeof tss) + CMSG_SPACE(sizeof ee);
  cm = CMSG_FIRSTHDR(&f->msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_TIMESTAMPING;
  cm->cmsg_len = CMSG_LEN(tss_len);
  memcpy(CMSG_DATA(cm), &tss, sizeof tss);
  cm = CMSG_NXTHDR(&f->msg, cm);
  cm->cmsg_level = level;
  cm->cmsg_type = type;
  cm->cmsg_len = CMSG_LEN(sizeof ee);
  memcpy(CMSG_DATA(cm), &ee, sizeof ee);
}

static void
test_parse(void)
{
  const size_t full = sizeof (struct scm_timestamping);
  struct timespec t;
  FakeMsg f;

  fake_msg(&f, 500000000LL, full, SOL_IP, IP_RECVERR, ENOMSG,
           SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND);
  TEST_CHECK(NSK_ParseTxTimestamp(&f.msg, &t));
  TEST_CHECK(t.tv_sec == BASE && t.tv_nsec == 500000000);

  fake_msg(&f, 500000000LL, full, SOL_IPV6, IPV6_RECVERR, ENOMSG,
           SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND);
  TEST_CHECK(NSK_ParseTxTimestamp(&f.msg, &t));

  /* Truncated control data, a short cmsg, no software timestamp */
  fake_msg(&f, 500000000LL, full, SOL_IP, IP_RECVERR, ENOMSG,
           SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND);
  f.msg.msg_flags = MSG_CTRUNC;
  TEST_CHECK(!NSK_ParseTxTimestamp(&f.msg, &t));
  fake_msg(&f, 500000000LL, full - 1, SOL_IP, IP_RECVERR, ENOMSG,
           SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND);
  TEST_CHECK(!NSK_ParseTxTimestamp(&f.msg, &t));
  fake_msg(&f, 0, full, SOL_IP, IP_RECVERR, ENOMSG,
           SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND);
  TEST_CHECK(!NSK_ParseTxTimestamp(&f.msg, &t));

  /* An ICMP error, a timestamp of another kind, no extended error */
  fake_msg(&f, 500000000LL, full, SOL_IP, IP_RECVERR, ECONNREFUSED,
           SO_EE_ORIGIN_ICMP, 0);
  TEST_CHECK(!NSK_ParseTxTimestamp(&f.msg, &t));
  fake_msg(&f, 500000000LL, full, SOL_IP, IP_RECVERR, ENOMSG,
           SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SCHED);
  TEST_CHECK(!NSK_ParseTxTimestamp(&f.msg, &t));
  fake_msg(&f, 500000000LL, full, SOL_SOCKET, SCM_TIMESTAMPNS, ENOMSG,
           SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND);
  TEST_CHECK(!NSK_ParseTxTimestamp(&f.msg, &t));
}

/* A request to a socket of ours on 127.0.0.1 and its echo: the kernel's
   transmit timestamp is there, plausible, and chosen */
static void
test_loopback(void)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  struct timespec rx, t1;
  struct pollfd pfd;
  uint8_t pkt[48], buf[64];
  IPAddr ip, local;
  NSK_TxTime tx;
  int srv, fd, n, kernel = 0;

  srv = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  TEST_CHECK(srv >= 0 && bind(srv, (struct sockaddr *)&sa, sizeof sa) == 0 &&
             getsockname(srv, (struct sockaddr *)&sa, &len) == 0);
  TEST_CHECK(UTI_StringToIP("127.0.0.1", &ip));
  fd = NSK_Open(&ip, ntohs(sa.sin_port), &local);
  TEST_CHECK(fd >= 0);
  if (srv < 0 || fd < 0)
    return;

  memset(pkt, 0, sizeof pkt);
  pkt[0] = 0x23;
  TEST_CHECK(NSK_Send(fd, pkt, sizeof pkt, &tx));
  /* Read again as a later wakeup would: nothing lost, nothing changed */
  NSK_ReadTxTimestamp(fd, &tx);
  TEST_CHECK(tx.have_kernel);
  TEST_CHECK(UTI_DiffTimespecsToDouble(&tx.kernel, &tx.daemon) >= 0.0);

  /* The echo, read with its kernel receive timestamp */
  len = sizeof sa;
  n = recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&sa, &len);
  TEST_CHECK(n == (int)sizeof pkt);
  TEST_CHECK(sendto(srv, buf, n, 0, (struct sockaddr *)&sa, len) == n);
  pfd.fd = fd;
  pfd.events = POLLIN;
  TEST_CHECK(poll(&pfd, 1, 2000) == 1);
  TEST_CHECK(NSK_Receive(fd, buf, sizeof buf, &rx, &kernel) == (int)sizeof pkt);
  TEST_CHECK(kernel);
  TEST_CHECK(NSK_ChooseTxTime(&tx, &rx, &tx.daemon, &t1));
  TEST_CHECK(UTI_CompareTimespecs(&t1, &tx.kernel) == 0);
  /* The error queue is empty: poll() has nothing more to report */
  pfd.events = POLLIN;
  TEST_CHECK(poll(&pfd, 1, 0) == 0);
  close(fd);
  close(srv);
}
#endif

int
main(void)
{
  test_choose();
#ifdef __linux__
  test_parse();
  test_loopback();
#endif
  TEST_END();
}
