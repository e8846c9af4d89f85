/*
  ntsd - the NTP client's sockets

  Every request of the client goes out from a new UDP socket connected to
  the server: the kernel picks a random source port for it and delivers
  only datagrams from the server's address and port.  Replies are read
  with the kernel's receive timestamp.  This module only moves datagrams;
  what goes in them is ntp_client.c's business.
*/
#ifndef NTSD_NTP_CLSOCK_H
#define NTSD_NTP_CLSOCK_H

#include <stdint.h>
#include <time.h>

#include "util.h"

/* 1 if there is a route to ip and port (onoffline): a UDP connect sends
   nothing */
int NSK_IsConnectable(const IPAddr *ip, uint16_t port);

/* A non-blocking socket connected to ip and port; *local gets our address
   (unchanged if unknown).  Returns the descriptor, or -1 (logged). */
int NSK_Open(const IPAddr *ip, uint16_t port, IPAddr *local);

/* Send the datagram; *tx_time is the real time just before.  Returns 0
   with errno set on failure. */
int NSK_Send(int fd, const uint8_t *pkt, int len, struct timespec *tx_time);

/* NSK_Receive's results other than a length */
#define NSK_NOTHING -1             /* nothing to read */
#define NSK_TRUNCATED -2           /* a datagram (or its control data) too long */

/* Read one datagram of at most max bytes.  *rx_time is the kernel's
   receive timestamp (*kernel = 1) or the real time after reading; it is
   set for a truncated datagram too, *kernel only for a whole one.
   Returns the length, NSK_NOTHING or NSK_TRUNCATED. */
int NSK_Receive(int fd, uint8_t *pkt, int max, struct timespec *rx_time, int *kernel);

#endif
