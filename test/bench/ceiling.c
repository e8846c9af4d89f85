/*
  ntsd - the ceiling: the least work that still answers NTP correctly

  A responder with nothing but the batched I/O any server needs: one
  recvmmsg() per wake-up, one clock reading per batch, one sendmmsg().
  Each client request (mode 3, version 1-4, at least a header) gets a
  48-byte server reply (mode 4, same version, stratum 10, origin = the
  client's transmit timestamp, receive = transmit = the batch's time);
  anything else is dropped.  No access control, no client log, no
  extension fields: what a real server does beyond this is its overhead,
  which the benchmark reports as the ratio to this rate.

  With -k DIR it also answers NTS requests, with the server keys of
  DIR/ntskeys (an ntsd's ntsdumpdir, so that the cookies of that ntsd's
  NTS-KE open here) and ntsd's own NTS codec (src/nts/nts_ntp_server.c):
  the cookie opened, the request's authenticator checked, a new cookie
  sealed and the reply encrypted, which RFC 8915 requires of any server.
  That is the NTS ceiling: batched I/O and the NTS work, nothing else.

  Usage: ceiling -p PORT [-h ADDRESS] [-t MAX_SECONDS] [-k KEY_DIR]
  It stops by itself after MAX_SECONDS (default 3600), or on SIGTERM.
*/
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "nts_keyring.h"
#include "nts_ntp_server.h"
#include "ntp_pkt.h"

#define BATCH 64
#define HEADER_LEN 48
#define MAX_PACKET 2048
/* Seconds between 1900 (NTP era 0) and 1970 */
#define NTP_UNIX_OFFSET 2208988800UL

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
  quit = 1;
}

/* Append the NTS part of the reply to the header in r; returns the reply
   length, 0 for no reply */
static int
add_nts(const uint8_t *q, int len, uint8_t *r)
{
  NNS_Context ctx;
  NNS_Result result;
  NPK_Info info;

  if (!NPK_ParsePacket(q, len, &info))
    return 0;
  result = NNS_CheckRequest(q, len, &info, &ctx);
  if (result == NNS_NOT_NTS)
    return HEADER_LEN;
  if (result != NNS_OK)
    return 0;
  return NNS_FinishReply(&ctx, result, r, MAX_PACKET);
}

static void
put32(uint8_t *p, uint32_t x)
{
  p[0] = x >> 24;
  p[1] = x >> 16;
  p[2] = x >> 8;
  p[3] = x;
}

int
main(int argc, char **argv)
{
  static uint8_t rx_bufs[BATCH][MAX_PACKET], tx_bufs[BATCH][MAX_PACKET];
  static struct sockaddr_storage addrs[BATCH];
  static struct mmsghdr rx_msgs[BATCH], tx_msgs[BATCH];
  static struct iovec rx_iov[BATCH], tx_iov[BATCH];
  const char *host = "127.0.0.1", *key_dir = NULL;
  struct sockaddr_in sin;
  struct timeval tv = { 1, 0 };
  struct sigaction sa;
  struct timespec ts;
  uint32_t sec, frac;
  uint8_t *q, *r;
  time_t end;
  int fd, opt, port = 0, max_seconds = 3600, i, n, n_tx, version, len;

  while ((opt = getopt(argc, argv, "h:k:p:t:")) != -1) {
    switch (opt) {
      case 'h': host = optarg; break;
      case 'k': key_dir = optarg; break;
      case 'p': port = atoi(optarg); break;
      case 't': max_seconds = atoi(optarg); break;
      default: port = -1; break;
    }
  }
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  if (port <= 0 || port > 65535 || max_seconds <= 0 || optind != argc ||
      inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
    fprintf(stderr, "usage: ceiling -p PORT [-h IPV4-ADDRESS] [-t MAX_SECONDS] [-k KEY_DIR]\n");
    return 2;
  }
  if (key_dir && !NKY_Load(key_dir)) {
    fprintf(stderr, "ceiling: no server keys in %s\n", key_dir);
    return 1;
  }

  fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
    perror("ceiling: socket");
    return 1;
  }
  /* Wake up now and then to honour the time limit when nobody asks */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  /* Exit normally on SIGTERM, as the daemons do; without SA_RESTART the
     signal interrupts recvmmsg() */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  for (i = 0; i < BATCH; i++) {
    rx_iov[i].iov_base = rx_bufs[i];
    rx_iov[i].iov_len = MAX_PACKET;
    tx_iov[i].iov_base = tx_bufs[i];
  }

  end = time(NULL) + max_seconds;
  while (!quit && time(NULL) < end) {
    for (i = 0; i < BATCH; i++) {
      rx_msgs[i].msg_hdr.msg_name = &addrs[i];
      rx_msgs[i].msg_hdr.msg_namelen = sizeof addrs[i];
      rx_msgs[i].msg_hdr.msg_iov = &rx_iov[i];
      rx_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    /* Block for the first datagram, then take whatever else is queued */
    n = recvmmsg(fd, rx_msgs, BATCH, MSG_WAITFORONE, NULL);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        perror("ceiling: recvmmsg");
        return 1;
      }
      continue;
    }

    clock_gettime(CLOCK_REALTIME, &ts);
    sec = (uint32_t)(ts.tv_sec + NTP_UNIX_OFFSET);
    frac = (uint32_t)(((uint64_t)ts.tv_nsec << 32) / 1000000000);

    for (i = n_tx = 0; i < n; i++) {
      q = rx_bufs[i];
      version = (q[0] >> 3) & 7;
      if (rx_msgs[i].msg_len < HEADER_LEN || (q[0] & 7) != 3 || version < 1 || version > 4)
        continue;
      r = tx_bufs[n_tx];
      memset(r, 0, HEADER_LEN);
      r[0] = (uint8_t)(version << 3 | 4);
      r[1] = 10;                      /* stratum, as "local stratum 10" */
      r[2] = q[2];                    /* poll */
      r[3] = (uint8_t)-20;            /* precision, about 1 us */
      put32(r + 12, 0x7f7f0101);      /* reference id of a local clock */
      put32(r + 16, sec);             /* reference */
      memcpy(r + 24, q + 40, 8);      /* origin = the client's transmit */
      put32(r + 32, sec);             /* receive */
      put32(r + 36, frac);
      put32(r + 40, sec);             /* transmit */
      put32(r + 44, frac);
      len = HEADER_LEN;
      if (key_dir && rx_msgs[i].msg_len > HEADER_LEN &&
          (len = add_nts(q, rx_msgs[i].msg_len, r)) <= 0)
        continue;
      tx_iov[n_tx].iov_len = len;
      tx_msgs[n_tx].msg_hdr.msg_name = &addrs[i];
      tx_msgs[n_tx].msg_hdr.msg_namelen = rx_msgs[i].msg_hdr.msg_namelen;
      tx_msgs[n_tx].msg_hdr.msg_iov = &tx_iov[n_tx];
      tx_msgs[n_tx].msg_hdr.msg_iovlen = 1;
      n_tx++;
    }
    if (n_tx > 0 && sendmmsg(fd, tx_msgs, n_tx, 0) < 0 && errno != EAGAIN)
      perror("ceiling: sendmmsg");
  }
  close(fd);
  return 0;
}
