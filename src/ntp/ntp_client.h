/*
  ntsd - NTP client

  One NTP source: the polling state machine of a server address, the
  request and reply exchange, and the samples it hands to the source
  registry (sources.h).  Each request goes out from a new connected UDP
  socket, so from a port the kernel picks at random, with a random
  transmit timestamp the reply must echo; the socket is closed after the
  reply or when the next request is due.

  The set of sources (the configured servers and pools, their names, and
  source control by address) is ntp_sources.h.
*/
#ifndef NTSD_NTP_CLIENT_H
#define NTSD_NTP_CLIENT_H

#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "nts_ntp_client.h"
#include "util.h"

/* chronyd's burst: requests 2 seconds apart; iburst stops after 4 good
   samples or 8 requests */
#define NCL_BURST_INTERVAL 2.0
#define NCL_IBURST_GOOD 4
#define NCL_IBURST_TOTAL 8
/* Polls in a row without a reply after which a source is unreachable
   (its reachability register is 0) */
#define NCL_UNREACH_POLLS 8

/* Start the client and every configured server and pool source
   (NCS_Initialise; names are resolved in the background) */
void NCL_Initialise(void);
void NCL_Finalise(void);

/* -q/-Q: call before NCL_Initialise.  Every source is polled every
   NCL_BURST_INTERVAL until it has its maxsamples samples (3 if not set,
   what chronyd needs for its first estimate) or cannot get them any more;
   then the handler is called, once (by ntp_sources.c). */
typedef void (*NCL_DoneHandler)(void *arg);
void NCL_SetOnceMode(NCL_DoneHandler handler, void *arg);

/* The last valid response of a source, for the ntpdata report */
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
  int kernel_tx_ts;                /* so did the transmit timestamp (ntp_clsock.h) */
  int authenticated;
  int tests;                       /* NSP_TEST_* it passed (ntp_sample.h) */
  uint32_t key_id;
  uint32_t tx_count, rx_count, valid_count, good_count;
  uint32_t kernel_tx_count, kernel_rx_count;  /* replies with kernel timestamps */
} NCL_NtpData;

typedef struct NCL_Instance_Record *NCL_Instance;

/* The owner's callbacks, from the event loop.  finished: -q/-Q, the source
   has nothing more to do.  unreachable: at every poll once the source has
   gone NCL_UNREACH_POLLS polls without a reply; returning 1 (a
   replacement is being looked for) starts the count again. */
typedef void (*NCL_FinishedHandler)(void *arg);
typedef int (*NCL_UnreachableHandler)(void *arg);

/* A source of the server or pool directive conf (kept, not copied) at ip.
   online: the mode it starts in (-q/-Q: always online); an iburst is a
   burst returning to that mode.  The first request goes out after delay
   seconds. */
NCL_Instance NCL_CreateInstance(const CNF_Source *conf, const IPAddr *ip, int online,
                                double delay, NCL_FinishedHandler finished,
                                NCL_UnreachableHandler unreachable, void *arg);
/* Stops it and frees everything; an NTS source saves its cookies */
void NCL_DestroyInstance(NCL_Instance inst);

/* The source becomes a new one at another address (same registry slot) */
void NCL_ChangeAddress(NCL_Instance inst, const IPAddr *ip);
/* The configured address and port (NTS may send to another one) */
void NCL_GetAddress(NCL_Instance inst, IPAddr *ip, uint16_t *port);
void NCL_GetNtpData(NCL_Instance inst, NCL_NtpData *data);
/* The NTS state, for the authdata report; 0 if not an NTS source */
int NCL_GetNtsReport(NCL_Instance inst, NNC_Report *report);

/* chronyd's four modes */
typedef enum {
  NCL_MODE_OFFLINE, NCL_MODE_ONLINE, NCL_MODE_BURST_WAS_OFFLINE, NCL_MODE_BURST_WAS_ONLINE
} NCL_Mode;
NCL_Mode NCL_GetMode(NCL_Instance inst);

/* Source control, with chronyd's semantics.  Each returns 0, doing
   nothing, for a source that has finished (-q/-Q), and 1 otherwise. */
typedef enum { NCL_ONLINE, NCL_OFFLINE, NCL_MAYBE_ONLINE } NCL_Connectivity;
/* online/offline; NCL_MAYBE_ONLINE (onoffline): online when there is a
   route to the server */
int NCL_SetConnectivity(NCL_Instance inst, NCL_Connectivity c);
/* n_good good samples or n_total requests NCL_BURST_INTERVAL apart, then
   back to online or offline; a burst already running is left alone */
int NCL_InitiateBurst(NCL_Instance inst, int n_good, int n_total);
/* refresh: an NTS source drops its keys and cookies and gets new ones by
   NTS-KE at its next poll (NNC_ForceKe); other sources are unaffected */
int NCL_ForceNtsKe(NCL_Instance inst);

#endif
