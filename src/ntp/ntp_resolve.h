/*
  ntsd - asynchronous name resolution

  getaddrinfo() blocks, and the event loop must not: names are resolved
  with glibc's getaddrinfo_a(), whose helper threads touch nothing of
  ours, and the loop checks for finished requests with a short timer while
  any is pending (resolution is rare: start-up and pool refills).  No
  signal and no extra descriptor is involved.  Numeric addresses never get
  here.
*/
#ifndef NTSD_NTP_RESOLVE_H
#define NTSD_NTP_RESOLVE_H

#include "util.h"

#define NRS_MAX_ADDRESSES 16

/* n is 0 when the name could not be resolved */
typedef void (*NRS_Handler)(int n, const IPAddr *ips, void *arg);

void NRS_Initialise(void);
/* Pending requests are forgotten; their handlers are never called */
void NRS_Finalise(void);

/* Resolve name to at most NRS_MAX_ADDRESSES addresses of family (AF_UNSPEC
   for both); handler runs later from the event loop.  Returns 0 if the
   request could not even be started (handler not called). */
int NRS_Resolve(const char *name, int family, NRS_Handler handler, void *arg);

#endif
