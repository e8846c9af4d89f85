/*
  ntsd - NTP sockets

  The server sockets receive requests in batches with kernel receive
  timestamps and send the replies back in batches.  What to answer is
  decided by ntp_server.c; this module only moves datagrams.
*/
#ifndef NTSD_NTP_IO_H
#define NTSD_NTP_IO_H

#include <stdint.h>
#include <time.h>

#include "util.h"

/* Largest NTP datagram accepted: enough for NTS requests with a full set of
   cookie placeholders, small enough to keep the batch buffers modest */
#define NIO_MAX_PACKET 1280

void NIO_Initialise(void);
void NIO_Finalise(void);

/* Number of open server sockets (0 when no client is allowed) */
int NIO_GetServerSocketCount(void);

#endif
