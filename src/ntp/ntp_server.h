/*
  ntsd - NTP server

  Decides whether and how to answer one request.  Pure apart from reading
  the clock for the transmit timestamp, so that the whole request path can
  be unit-tested with hand-made packets.
*/
#ifndef NTSD_NTP_SERVER_H
#define NTSD_NTP_SERVER_H

#include <stdint.h>
#include <time.h>

#include "util.h"

void NSR_Initialise(void);
void NSR_Finalise(void);

/* A batch of requests received together shares one reading of the
   reference state and of the monotonic clock */
void NSR_BeginBatch(const struct timespec *now);
void NSR_EndBatch(void);

/* Process a request received from ip:port at rx_ts.  Writes the reply into
   reply (at most reply_max bytes, and never more than req_len) and returns
   its length, or 0 when nothing is to be sent. */
int NSR_ProcessRequest(const uint8_t *req, int req_len, const IPAddr *ip, uint16_t port,
                       const struct timespec *rx_ts, uint8_t *reply, int reply_max);

#endif
