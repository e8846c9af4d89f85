/*
  ntsd - the NTP client's sources

  The set of server and pool sources of the configuration, each an
  NCL_Instance (ntp_client.h).  A name is resolved in the background and
  gives a server one address, a pool up to maxsources; the rest follow
  when the name gives more addresses later.  A pool source that has gone
  unreachable moves to an address of the name that no source uses, found
  by resolving the name again.  The command protocol's source control
  (online, offline, burst and refresh, by address or for all sources) and
  the activity counts work on the whole set.
*/
#ifndef NTSD_NTP_SOURCES_H
#define NTSD_NTP_SOURCES_H

#include "ntp_client.h"
#include "nts_ntp_client.h"
#include "util.h"

/* Called by NCL_Initialise: add every configured server and pool source */
void NCS_Initialise(void);
/* Destroys every source */
void NCS_Finalise(void);

/* -q/-Q (from NCL_SetOnceMode): the handler is called from the event loop
   once every source has finished and every name has been resolved once */
void NCS_SetOnceMode(NCL_DoneHandler handler, void *arg);

int NCS_GetNumberOfSources(void);
/* Index 0 .. NCS_GetNumberOfSources() - 1, in the order the sources were
   added; return 0 when out of range */
int NCS_GetNtpData(int index, NCL_NtpData *data);
/* By the source's address */
int NCS_GetNtpDataByAddress(const IPAddr *ip, NCL_NtpData *data);
/* The NTS state of source index, for the authdata report; returns 0 when
   out of range or not an NTS source */
int NCS_GetNtsReport(int index, NNC_Report *report);

/* Source control, with chronyd's semantics.  Sources are selected by
   address under mask (a mask of another family: the address exactly);
   address AF_UNSPEC selects all of them.  Return 1 if any matched. */
/* With address AF_UNSPEC, online and offline also set the mode the
   sources of names still unresolved will start in */
int NCS_SetConnectivity(const IPAddr *mask, const IPAddr *address, NCL_Connectivity c);
int NCS_InitiateBurst(const IPAddr *mask, const IPAddr *address, int n_good, int n_total);
/* Names are resolved again (a source whose address is gone moves to a new
   one) and NTS sources get new keys and cookies by NTS-KE */
void NCS_Refresh(void);

typedef struct {
  int online, offline, burst_online, burst_offline;
  int unresolved;                  /* sources names may still give */
} NCS_Activity;
void NCS_GetActivity(NCS_Activity *a);

#endif
