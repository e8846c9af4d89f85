/*
  ntsctl - shared declarations of the CLI modules

  ctl_net.c talks to the daemon, ctl_print.c formats output the way chronyc
  4.3 does (plus JSON), ctl_report.c and ctl_action.c implement the
  commands, ntsctl.c parses options and command lines.
*/
#ifndef NTSD_CTL_H
#define NTSD_CTL_H

#include <stdint.h>
#include <time.h>

#include "cmd_reply.h"
#include "cmd_wire.h"
#include "util.h"

#ifndef NTSD_SOCKET_PATH
#define NTSD_SOCKET_PATH "/run/ntsd/ntsd.sock"
#endif

/* Output settings from the command line */
typedef struct {
  int csv;          /* -c */
  int json;         /* -j */
  int no_dns;       /* -n */
  int source_names; /* -N */
  int family;       /* -4/-6, dns -4|-6|-46: names in commands resolve to
                       this family (0 any) */
} CTL_Options;

extern CTL_Options CTL_options;

/* ---- ctl_net.c ---- */

/* Build the address list from -h (NULL: default list), -p and -4/-6
   (family 0: any); returns 0 if no entry could be resolved */
int CTN_SetAddresses(const char *hosts, int port, int family);
/* Open the first address that can be opened; 0 if none */
int CTN_Open(void);
void CTN_Close(void);
void CTN_SetTimeout(int initial_ms);
void CTN_SetRetries(int retries);

/* Send a request whose body (after the 20-byte header) is in body/body_len
   and wait for the reply, trying the remaining addresses after a timeout.
   The request is zero-padded to CMW_RequestLength(command).  Returns 1
   with the reply in reply (*reply_len bytes, header decoded into hdr), or
   0 after printing "506 Cannot talk to daemon". */
int CTN_Request(int command, const uint8_t *body, int body_len,
                uint8_t *reply, int *reply_len, CMW_ReplyHeader *hdr);

/* CTN_Request plus chronyc's status handling: print the status line if it
   is not success (or always, with verbose_status), fail on an error status
   or a reply code other than expected ("508 Bad reply from daemon").
   Returns 1 on success. */
int CTN_Submit(int command, const uint8_t *body, int body_len, int expected_reply,
               int verbose_status, uint8_t *reply, int *reply_len);

/* ---- ctl_print.c ---- */

/* chronyc's print_report(): literal text and %[+|-][width][.prec]X
   conversions, where X is one of
     B int (Yes/No)        C int (log2 interval)   F double (ppm fast/slow)
     I unsigned long (s)   L int (leap)            M int (NTP mode)
     N int (timestamping)  O double (s fast/slow)  P double (ppm)
     R unsigned long (id)  S double (s with unit)  T timespec * (date)
     U unsigned long       V timespec * (s.ns)     b unsigned int (bits)
     c int  d int  f double  o unsigned int  s const char *  u unsigned int
   In CSV mode only the values are printed, separated by commas. */
void CTP_Report(const char *format, ...);
/* Header line and a line of '=' under it; nothing in CSV mode */
void CTP_Header(const char *header);
/* Print a line unless in CSV or JSON mode */
void CTP_Info(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Name of an address for reports (chronyc's format_name) */
void CTP_FormatName(char *buf, int size, int trunc, int ref, uint32_t ref_id, int source,
                    const IPAddr *ip);
/* JSON writer: values are written inside the current object or array */
void CTJ_BeginObject(const char *key);
void CTJ_EndObject(void);
void CTJ_BeginArray(const char *key);
void CTJ_EndArray(void);
void CTJ_String(const char *key, const char *value);
void CTJ_Int(const char *key, long long value);
void CTJ_UInt(const char *key, unsigned long long value);
void CTJ_Double(const char *key, double value);
void CTJ_Bool(const char *key, int value);
void CTJ_Null(const char *key);
void CTJ_Address(const char *key, const IPAddr *ip);
void CTJ_Time(const char *key, const struct timespec *ts);
/* Finish the top-level value with a newline */
void CTJ_End(void);
/* The frame of a listing, {"key":[...]}\n, with -j; nothing without */
void CTJ_BeginList(const char *key);
void CTJ_EndList(void);
/* Around each command: with -j its JSON is held back and printed only if
   the command succeeded */
void CTJ_StartCommand(void);
void CTJ_FinishCommand(int ok);
/* A status line ("200 OK", "503 No such source", "506 Cannot talk to
   daemon"); with -j an object {"status": ...} or {"error": ...} */
void CTP_Status(const char *line, int error);

/* ---- commands: return 1 on success ---- */
int CTR_Tracking(char *args);
int CTR_Sources(char *args);
int CTR_SourceStats(char *args);
int CTR_SelectData(char *args);
int CTR_AuthData(char *args);
int CTR_NtpData(char *args);
int CTR_ServerStats(char *args);
int CTR_Clients(char *args);
int CTR_Activity(char *args);
int CTR_SourceName(char *args);
int CTR_ManualList(char *args);
int CTR_Rtc(char *args);
int CTR_Smoothing(char *args);
int CTR_WaitSync(char *args);

/* Action commands, dispatched by name; returns -1 for an unknown name */
int CTA_Run(const char *name, char *args);
/* add server|peer|pool NAME [options] (ctl_add.c) */
int CTA_AddSource(char *args);

/* Address arguments: IP, ID#n or a host name resolved locally */
int CTL_ParseAddress(const char *s, IPAddr *ip);
/* Split off the first word of *args (NULL if none) */
char *CTL_NextWord(char **args);

#endif
