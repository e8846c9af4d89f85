/*
  ntsd - command and monitoring server

  Answers chronyc-compatible requests (protocol v6) on the UDP command
  port (default 323, 127.0.0.1 and ::1) and on a Unix datagram socket.
  Requests on the Unix socket have full access; over UDP only the
  monitoring commands that chronyd opens to the network are answered, and
  only to localhost or hosts allowed by cmdallow.
*/
#ifndef NTSD_CMDMON_H
#define NTSD_CMDMON_H

#include <stdint.h>

#include "util.h"

/* Open the sockets of the configuration and register them with the event
   loop; failures to open a socket are logged, not fatal */
void CAM_Initialise(void);
/* Close the sockets and remove the Unix socket */
void CAM_Finalise(void);

/* Process one datagram: ip is the sender of a UDP request, or NULL for the
   Unix socket.  The reply is written to reply (reply_max must be at least
   CMW_MAX_REPLY_LEN) and its length returned; 0 means send nothing.  Never
   longer than req_len. */
int CAM_ProcessRequest(const uint8_t *req, int req_len, const IPAddr *ip,
                       uint8_t *reply, int reply_max);

/* Whether a UDP sender may talk to us at all: 127.0.0.1, ::1, or allowed
   by the cmdallow/cmddeny rules (including those added at run time) */
int CAM_IsHostAllowed(const IPAddr *ip);
/* Forget the rules added at run time (and reload the configured ones on
   next use) */
void CAM_ResetHostAccess(void);

#endif
