/*
  ntsd - the NTP client's sockets

  Every request of the client goes out from a new UDP socket connected to
  the server: the kernel picks a random source port for it and delivers
  only datagrams from the server's address and port.  Replies are read
  with the kernel's receive timestamp.  This module only moves datagrams;
  what goes in them is ntp_client.c's business.

  Transmit timestamps are chronyd's on Linux: the daemon reads the clock
  just before sendmsg(), and the kernel (SO_TIMESTAMPING, software) again
  when the request leaves for the network device, reporting that time on
  the socket's error queue.  The kernel's is the better t1: the time
  sendmsg() spends in the system call and the UDP and IP layers (several
  microseconds, and varying) is then not counted as network delay.
  Without it (another kernel, a simulator, a timestamp that came too late
  or makes no sense) the daemon's is used.
*/
#ifndef NTSD_NTP_CLSOCK_H
#define NTSD_NTP_CLSOCK_H

#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "util.h"

/* 1 if there is a route to ip and port (onoffline): a UDP connect sends
   nothing */
int NSK_IsConnectable(const IPAddr *ip, uint16_t port);

/* A non-blocking socket connected to ip and port; *local gets our address
   (unchanged if unknown).  Returns the descriptor, or -1 (logged). */
int NSK_Open(const IPAddr *ip, uint16_t port, IPAddr *local);

/* The transmit time of the request on a socket, real time (not cooked) */
typedef struct {
  struct timespec daemon;      /* just before sendmsg() */
  struct timespec kernel;      /* the kernel's, if have_kernel */
  int have_kernel;
} NSK_TxTime;

/* Send the datagram; tx->daemon is the real time just before, and the
   kernel's timestamp is looked for at once (it is usually there when
   sendmsg() returns).  Returns 0 with errno set on failure. */
int NSK_Send(int fd, const uint8_t *pkt, int len, NSK_TxTime *tx);

/* Empty the socket's error queue, taking the kernel's transmit timestamp
   into *tx if it is there and was not yet had.  Call it whenever the
   socket is ready: a timestamp queued after NSK_Send() makes poll()
   report an error (POLLERR) until it is read. */
void NSK_ReadTxTimestamp(int fd, NSK_TxTime *tx);

/* 1 with *ts the kernel's software transmit timestamp if msg, read from
   the error queue, is one (SCM_TIMESTAMPING with an IP_RECVERR or
   IPV6_RECVERR saying so); 0 for anything else */
int NSK_ParseTxTimestamp(struct msghdr *msg, struct timespec *ts);

/* Longest time from the daemon's transmit timestamp to the kernel's that
   is believed (chronyd's MAX_TX_DELAY) */
#define NSK_MAX_TX_DELAY 1.0

/* The request's t1 for a reply received at rx (real time, kernel or
   daemon), given the daemon's t1 already cooked (t1_daemon): the kernel's
   timestamp moved by the same correction when it is plausible, i.e. not
   before the daemon's, at most NSK_MAX_TX_DELAY after it, and not after
   rx; t1_daemon otherwise.  Returns 1 when the kernel's is used.  Pure. */
int NSK_ChooseTxTime(const NSK_TxTime *tx, const struct timespec *rx,
                     const struct timespec *t1_daemon, struct timespec *t1);

/* NSK_Receive's results other than a length */
#define NSK_NOTHING -1             /* nothing to read */
#define NSK_TRUNCATED -2           /* a datagram (or its control data) too long */

/* Read one datagram of at most max bytes.  *rx_time is the kernel's
   receive timestamp (*kernel = 1) or the real time after reading; it is
   set for a truncated datagram too, *kernel only for a whole one.
   Returns the length, NSK_NOTHING or NSK_TRUNCATED. */
int NSK_Receive(int fd, uint8_t *pkt, int max, struct timespec *rx_time, int *kernel);

#endif
