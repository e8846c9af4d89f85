/*
  ntsd - NTS for the NTP client (RFC 8915 section 5)

  The NTS state of one source: the keys and cookies from NTS-KE, the NTP
  server they are good for (Server and Port Negotiation), and what goes
  into a request and must come back in a reply.  Each request carries a
  fresh Unique Identifier, one cookie that is then forgotten (a cookie sent
  twice would link the two requests), a placeholder per cookie missing
  from the jar of NNC_MAX_COOKIES, and the authenticator made with the C2S
  key.  A reply counts only if it echoes that identifier and authenticates
  with the S2C key; its encrypted cookies go into the jar.

  NTS-KE runs when the jar is empty, after an NTS NAK, when the keys are
  older than ntsrefresh, and after the refresh command (NNC_ForceKe).  Attempts that are not followed by an
  authenticated reply back off exponentially (NNC_MIN_KE_INTERVAL doubled
  up to NNC_MAX_KE_INTERVAL), so a dead or hostile server is never
  hammered, whether NTS-KE fails or succeeds with keys that do not work.

  Keys and cookies are saved to ntsdumpdir/NAME.nts when the instance is
  destroyed, in chronyd's client format (so the files can move between
  the two daemons), and read back, then removed, when it is created:

    NNC0
    <name>
    <real time of the NTS-KE, seconds since the epoch>
    <NTP server address> <NTP port>
    <context id> <AEAD id> <S2C key hex> <C2S key hex>
    <cookie hex>           one line per cookie, the next one to use first

  The file is written to NAME.tmp with mode 0600, synced and renamed, so
  a crash leaves either the old file or the new one.  Removing it after
  reading means a crash never makes us send the same cookie twice.
*/
#ifndef NTSD_NTS_NTP_CLIENT_H
#define NTSD_NTS_NTP_CLIENT_H

#include <stdint.h>

#include "ntp_pkt.h"
#include "util.h"

#define NNC_MAX_COOKIES 8
#define NNC_UID_LEN 32
#define NNC_MIN_KE_INTERVAL 4.0
#define NNC_MAX_KE_INTERVAL 4096.0

typedef struct NNC_Instance_Record *NNC_Instance;

/* Called from the event loop when keys and cookies have become available
   (after NTS-KE), so the owner can send a request without waiting for
   its next poll */
typedef void (*NNC_ReadyHandler)(void *arg);

void NNC_Initialise(void);
void NNC_Finalise(void);

/* name: what the certificate must be valid for (the source's name);
   dump_name: the file in ntsdumpdir (NULL for none); ke_ip/ke_port: the
   NTS-KE server; ntp_port: the NTP port when the server does not
   negotiate one */
NNC_Instance NNC_CreateInstance(const char *name, const char *dump_name, const IPAddr *ke_ip,
                                int ke_port, int certset, uint16_t ntp_port,
                                NNC_ReadyHandler handler, void *arg);
/* Saves the cookies (see above) and frees everything */
void NNC_DestroyInstance(NNC_Instance inst);

/* 1 if a request can be authenticated now; otherwise NTS-KE is started
   (unless one is running or the backoff forbids it) and 0 returned */
int NNC_PrepareForAuth(NNC_Instance inst);

/* The refresh command: drop the keys and cookies, so that the next
   NNC_PrepareForAuth starts a new NTS-KE at once, without the backoff of
   earlier failures.  An NTS-KE already running is kept: its keys are as
   new as those of another one would be. */
void NNC_ForceKe(NNC_Instance inst);

/* Where the NTP requests go; valid after NNC_PrepareForAuth returned 1 */
void NNC_GetNtpAddress(NNC_Instance inst, IPAddr *ip, uint16_t *port);

/* Append the NTS fields to a request of *len bytes (the header); uses up
   a cookie.  Returns 0 if the request cannot be made. */
int NNC_GenerateRequestAuth(NNC_Instance inst, uint8_t *pkt, int *len, int max_len);

typedef enum {
  NNC_AUTH_OK,       /* authentic reply to our latest request */
  NNC_AUTH_NAK,      /* NTS NAK echoing our identifier: NTS-KE is needed */
  NNC_AUTH_BAD,      /* anything else: drop it */
} NNC_AuthResult;

/* Check a server-mode reply; is_ntsn says the header is a KoD NTSN */
NNC_AuthResult NNC_CheckResponseAuth(NNC_Instance inst, const uint8_t *pkt, int len,
                                     const NPK_Info *info, int is_ntsn);

/* For the authdata report */
typedef struct {
  int aead;                    /* 0 without keys */
  int key_length;              /* bits */
  double last_ke_ago;          /* seconds since the last successful NTS-KE; < 0: never */
  unsigned int context_id;     /* successful NTS-KEs (kept in the dump file) */
  int ke_attempts;             /* NTS-KE sessions since the last authentic reply */
  int nak;                     /* 1: an NTS NAK answered the last request */
  int n_cookies;
  int cookie_length;           /* of the next cookie, 0 if none */
  int ke_running;
} NNC_Report;

void NNC_GetReport(NNC_Instance inst, NNC_Report *report);

/* Write the dump file now; returns 1 on success */
int NNC_DumpData(NNC_Instance inst);

#endif
