/*
  ntsd - NTP client

  Polls the server and pool sources of the configuration and hands every
  valid measurement to the source registry (sources.h).  Each request goes
  out from a new connected UDP socket, so from a port the kernel picks at
  random, with a random transmit timestamp the reply must echo; the socket
  is closed after the reply or when the next request is due.
*/
#ifndef NTSD_NTP_CLIENT_H
#define NTSD_NTP_CLIENT_H

#include <stdint.h>
#include <time.h>

#include "nts_ntp_client.h"
#include "util.h"

/* chronyd's burst: requests 2 seconds apart; iburst stops after 4 good
   samples or 8 requests */
#define NCL_BURST_INTERVAL 2.0
#define NCL_IBURST_GOOD 4
#define NCL_IBURST_TOTAL 8

/* Start every configured server and pool source (names are resolved in
   the background) */
void NCL_Initialise(void);
void NCL_Finalise(void);

/* -q/-Q: call before NCL_Initialise.  Every source is polled every
   NCL_BURST_INTERVAL until it has its maxsamples samples (3 if not set,
   what chronyd needs for its first estimate) or cannot get them any more;
   then the handler is called, once. */
typedef void (*NCL_DoneHandler)(void *arg);
void NCL_SetOnceMode(NCL_DoneHandler handler, void *arg);

/* The last response of a source, for the ntpdata report */
typedef struct {
  IPAddr remote_addr;
  uint16_t remote_port;
  IPAddr local_addr;
  int leap, version, mode, stratum, poll, precision;
  double root_delay, root_dispersion;
  uint32_t ref_id;                 /* host order */
  struct timespec ref_time;
  double offset, peer_delay, peer_dispersion;
  double response_time;            /* server's t3 - t2 */
  int kernel_rx_ts;                /* the receive timestamp came from the kernel */
  int authenticated;
  uint32_t key_id;
  uint32_t tx_count, rx_count, valid_count, good_count;
} NCL_NtpData;

int NCL_GetNumberOfSources(void);
/* Index 0 .. NCL_GetNumberOfSources() - 1; returns 0 when out of range or
   before the source is resolved */
int NCL_GetNtpData(int index, NCL_NtpData *data);
/* By the source's address */
int NCL_GetNtpDataByAddress(const IPAddr *ip, NCL_NtpData *data);

/* Source control, with chronyd's semantics.  Sources are selected by
   address under mask (a mask of another family: the address exactly);
   address AF_UNSPEC selects all of them.  Return 1 if any matched. */
typedef enum { NCL_ONLINE, NCL_OFFLINE, NCL_MAYBE_ONLINE } NCL_Connectivity;
/* online/offline; NCL_MAYBE_ONLINE (onoffline): online when there is a
   route to the server.  With address AF_UNSPEC, online and offline also
   set the mode the sources of names still unresolved will start in. */
int NCL_SetConnectivity(const IPAddr *mask, const IPAddr *address, NCL_Connectivity c);
/* n_good good samples or n_total requests NCL_BURST_INTERVAL apart, then
   back to online or offline; a burst already running is left alone */
int NCL_InitiateBurst(const IPAddr *mask, const IPAddr *address, int n_good, int n_total);
/* Names are resolved again (a source whose address is gone moves to a new
   one) and NTS sources get new keys and cookies by NTS-KE */
void NCL_Refresh(void);

typedef struct {
  int online, offline, burst_online, burst_offline;
  int unresolved;                  /* sources names may still give */
} NCL_Activity;
void NCL_GetActivity(NCL_Activity *a);

/* The NTS state of source index, for the authdata report; returns 0 when
   out of range or not an NTS source */
int NCL_GetNtsReport(int index, NNC_Report *report);

#endif
