/*
  ntsd - configuration

  chrony.conf syntax: one directive per line with its arguments.  Every
  directive is in one table in conf.c and every value lands in the one
  CNF_Config structure, which the rest of the daemon reads through CNF_Get()
  after start-up.  The configuration can be printed in canonical form (-p) and
  printing then re-parsing gives the same structure.
*/
#ifndef NTSD_CONF_H
#define NTSD_CONF_H

#include <stdio.h>

#include "util.h"

/* One allow/deny (or cmdallow/cmddeny) rule, applied in order */
typedef struct {
  int allow;          /* 1 allow, 0 deny */
  int all;            /* the "all" keyword: overrides more specific rules */
  int any;            /* no subnet given: every address */
  IPAddr net;
  int bits;
} CNF_AccessRule;

typedef enum { CNF_SRC_SERVER, CNF_SRC_POOL } CNF_SourceType;

/* A server or pool directive */
typedef struct {
  CNF_SourceType type;
  char *name;
  int port;
  int minpoll, maxpoll;
  int iburst, burst, prefer, noselect, offline, nts, trust, require;
  int maxsamples, minsamples;    /* -1: not set */
  int version;                   /* 0: default */
  unsigned int key;              /* 0: none */
  double maxdelay;
  double maxdelayratio;          /* 0: off */
  double maxdelaydevratio;       /* 10 */
  int maxsources;
  int ntsport;
  int certset;
} CNF_Source;

/* leapsecmode: how a leap second is applied to the clock */
typedef enum {
  CNF_LEAPSECMODE_SYSTEM = 0,    /* the kernel (STA_INS/STA_DEL); default */
  CNF_LEAPSECMODE_SLEW,
  CNF_LEAPSECMODE_STEP,
  CNF_LEAPSECMODE_IGNORE,
} CNF_LeapSecMode;

typedef struct {
  /* general */
  char *pidfile;
  char *user;
  char *logdir;
  char *driftfile;
  int driftfile_interval;        /* 0: default */
  char *keyfile;

  /* NTP server */
  int port;                      /* NTP port, default 123; 0 disables the server */
  IPAddr bind_ntp4, bind_ntp6;   /* AF_UNSPEC: any */
  int n_access; CNF_AccessRule *access;
  int local_stratum;             /* 0: no "local" directive */
  int local_orphan;
  int ratelimit, ratelimit_interval, ratelimit_burst, ratelimit_leak, ratelimit_kod;
  int clientloglimit;            /* bytes */
  int noclientlog;

  /* sources */
  int n_sources; CNF_Source *sources;

  /* clock discipline and source selection (chrony's units: ppm, s) */
  double makestep_threshold;     /* makestep; limit 0: never step */
  int makestep_limit;            /* negative: any update may step */
  double max_update_skew;        /* ppm */
  double corr_time_ratio;
  double max_slew_rate;          /* ppm */
  double max_drift;              /* ppm */
  double max_clock_error;        /* ppm */
  int min_sources;
  double max_distance, max_jitter, reselect_dist, stratum_weight, combine_limit;
  int maxchange;                 /* the directive was given */
  double maxchange_offset;       /* s */
  int maxchange_start, maxchange_ignore;  /* ignore -1: never exit */
  char *leapsectz;               /* zone with leap seconds, e.g. right/UTC */
  char *leapseclist;             /* leap-seconds.list file */
  CNF_LeapSecMode leapsecmode;
  int rtcsync;                   /* let the kernel copy the time to the RTC */

  /* command sockets */
  int cmdport;                   /* default 323; 0 disables UDP */
  IPAddr bind_cmd4, bind_cmd6;
  char *bind_cmd_path;           /* Unix socket; "/" disables it */
  int n_cmd_access; CNF_AccessRule *cmd_access;

  /* NTS server */
  int n_nts_keys; char **nts_server_keys;
  int n_nts_certs; char **nts_server_certs;
  int ntsport;                   /* 4460 */
  int max_nts_connections;       /* 100 */
  int nts_ratelimit, nts_ratelimit_interval, nts_ratelimit_burst, nts_ratelimit_leak;
  int nts_rotate;                /* 604800; 0: keys managed externally */
  char *nts_dump_dir;
  char *nts_ntp_server;          /* NULL: no Server Negotiation record */

  /* NTS client */
  int n_nts_trusted; char **nts_trusted_certs;
  int nosystemcert;
  int nocerttimecheck;
  int nts_refresh;
} CNF_Config;

/* Command-line settings that override or complete the file */
void CNF_Initialise(int restarted);
void CNF_Finalise(void);

/* Parse a file; a missing default file is not an error when allow_missing */
void CNF_ReadFile(const char *filename, int allow_missing);
/* Parse one line given on the command line (e.g. "server ... iburst") */
void CNF_ParseLine(const char *filename, int line_number, const char *line);

/* -4/-6: restrict addresses of sockets and sources */
void CNF_SetAddressFamily(int family);
int CNF_GetAddressFamily(void);

const CNF_Config *CNF_Get(void);

/* Print the effective configuration in canonical form */
void CNF_Print(FILE *out);

/* Match an address against allow/deny rules; returns 1 if allowed */
int CNF_AccessAllowed(const CNF_AccessRule *rules, int n_rules, const IPAddr *ip, int default_allow);

#endif
