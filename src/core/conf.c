/*
  ntsd - configuration parser and printer

  One table lists every directive with how to parse and how to print it.
  Simple directives (a string, an integer, a flag) are handled generically
  through the offset of their field in CNF_Config; the rest have their own
  parse and print functions, in conf_net.c (sockets, access, sources, NTS)
  and conf_clock.c (the clock discipline).  Errors are reported as
  FILE:LINE: message and are fatal: a time server must not run with a
  configuration that says something other than what the administrator
  meant.
*/
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd_wire.h"
#include "conf.h"
#include "conf_int.h"
#include "memory.h"
#include "ntp_pkt.h"
#include "nts_ke_rec.h"
#include "util.h"

#define MAX_ARGS 64
#define MAX_INCLUDE_DEPTH 10

typedef enum { K_STRING, K_INT, K_DOUBLE, K_FLAG, K_CUSTOM } Kind;

typedef struct {
  const char *name;
  Kind kind;
  size_t offset;            /* K_STRING, K_INT, K_DOUBLE, K_FLAG */
  int min, max;             /* K_INT, K_DOUBLE */
  void (*parse)(const CNI_Where *w, int argc, char **argv);
  void (*print)(FILE *out, const char *name);
} Directive;

CNF_Config CNI_cfg;
static int include_depth;
static int address_family = AF_UNSPEC;

void
CNI_Error(const CNI_Where *w, const char *format, ...)
{
  va_list ap;

  fprintf(stderr, "%s:%d: ", w->file, w->line);
  va_start(ap, format);
  vfprintf(stderr, format, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  exit(1);
}

int
CNI_ParseInt(const CNI_Where *w, const char *s, int min, int max, const char *what)
{
  char *end;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || end == s || *end != '\0' || v < min || v > max)
    CNI_Error(w, "invalid %s \"%s\" (expected an integer from %d to %d)", what, s, min, max);
  return v;
}

double
CNI_ParseDouble(const CNI_Where *w, const char *s, double min, double max, const char *what)
{
  char *end;
  double v;

  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || *end != '\0' || !(v >= min && v <= max))
    CNI_Error(w, "invalid %s \"%s\"", what, s);
  return v;
}

void
CNI_AddString(int *n, char ***list, const char *s)
{
  *list = ReallocArray(char *, *n + 1, *list);
  (*list)[(*n)++] = Strdup(s);
}

void
CNI_SetString(char **field, const char *s)
{
  Free(*field);
  *field = Strdup(s);
}

void
CNI_FreeList(int n, char **list)
{
  int i;

  for (i = 0; i < n; i++)
    Free(list[i]);
  Free(list);
}

static void parse_include(const CNI_Where *w, int argc, char **argv);
static void parse_confdir(const CNI_Where *w, int argc, char **argv);

#define F(field) offsetof(CNF_Config, field)

/* The one table of directives, in the order -p prints them */
static const Directive directives[] = {
  { "include", K_CUSTOM, 0, 0, 0, parse_include, NULL },
  { "confdir", K_CUSTOM, 0, 0, 0, parse_confdir, NULL },
  { "user", K_STRING, F(user), 0, 0, NULL, NULL },
  { "pidfile", K_STRING, F(pidfile), 0, 0, NULL, NULL },
  { "logdir", K_STRING, F(logdir), 0, 0, NULL, NULL },
  { "driftfile", K_CUSTOM, 0, 0, 0, CNC_ParseDriftfile, CNC_PrintDriftfile },
  { "keyfile", K_STRING, F(keyfile), 0, 0, NULL, NULL },
  { "port", K_INT, F(port), 0, 65535, NULL, NULL },
  { "bindaddress", K_CUSTOM, 0, 0, 0, CNN_ParseBindaddr, CNN_PrintBindaddr },
  { "allow", K_CUSTOM, 0, 0, 0, CNN_ParseAllow, CNN_PrintAllow },
  { "deny", K_CUSTOM, 0, 0, 0, CNN_ParseDeny, NULL },
  { "local", K_CUSTOM, 0, 0, 0, CNC_ParseLocal, CNC_PrintLocal },
  { "ratelimit", K_CUSTOM, 0, 0, 0, CNN_ParseRatelimit, CNN_PrintRatelimit },
  { "clientloglimit", K_INT, F(clientloglimit), 0, INT_MAX, NULL, NULL },
  { "noclientlog", K_FLAG, F(noclientlog), 0, 0, NULL, NULL },
  { "server", K_CUSTOM, 0, 0, 0, CNN_ParseSource, CNN_PrintSources },
  { "pool", K_CUSTOM, 0, 0, 0, CNN_ParseSource, NULL },
  { "makestep", K_CUSTOM, 0, 0, 0, CNC_ParseMakestep, CNC_PrintMakestep },
  { "maxupdateskew", K_DOUBLE, F(max_update_skew), 0, INT_MAX, NULL, NULL },
  { "corrtimeratio", K_DOUBLE, F(corr_time_ratio), 0, INT_MAX, NULL, NULL },
  { "maxslewrate", K_DOUBLE, F(max_slew_rate), 0, 500000, NULL, NULL },
  { "maxdrift", K_DOUBLE, F(max_drift), 0, 500000, NULL, NULL },
  { "maxclockerror", K_DOUBLE, F(max_clock_error), 0, INT_MAX, NULL, NULL },
  { "minsources", K_INT, F(min_sources), 1, INT_MAX, NULL, NULL },
  { "maxdistance", K_DOUBLE, F(max_distance), 0, INT_MAX, NULL, NULL },
  { "maxjitter", K_DOUBLE, F(max_jitter), 0, INT_MAX, NULL, NULL },
  { "reselectdist", K_DOUBLE, F(reselect_dist), 0, INT_MAX, NULL, NULL },
  { "stratumweight", K_DOUBLE, F(stratum_weight), 0, INT_MAX, NULL, NULL },
  { "combinelimit", K_DOUBLE, F(combine_limit), 0, INT_MAX, NULL, NULL },
  { "maxchange", K_CUSTOM, 0, 0, 0, CNC_ParseMaxchange, CNC_PrintMaxchange },
  { "leapsectz", K_STRING, F(leapsectz), 0, 0, NULL, NULL },
  { "leapseclist", K_STRING, F(leapseclist), 0, 0, NULL, NULL },
  { "leapsecmode", K_CUSTOM, 0, 0, 0, CNC_ParseLeapsecmode, CNC_PrintLeapsecmode },
  { "rtcsync", K_FLAG, F(rtcsync), 0, 0, NULL, NULL },
  { "cmdport", K_INT, F(cmdport), 0, 65535, NULL, NULL },
  { "bindcmdaddress", K_CUSTOM, 0, 0, 0, CNN_ParseBindcmdaddr, CNN_PrintBindcmdaddr },
  { "cmdallow", K_CUSTOM, 0, 0, 0, CNN_ParseCmdallow, CNN_PrintCmdallow },
  { "cmddeny", K_CUSTOM, 0, 0, 0, CNN_ParseCmddeny, NULL },
  { "ntsserverkey", K_CUSTOM, 0, 0, 0, CNN_ParseNtsserverkey, CNN_PrintNtsserverkey },
  { "ntsservercert", K_CUSTOM, 0, 0, 0, CNN_ParseNtsservercert, CNN_PrintNtsservercert },
  { "ntsport", K_INT, F(ntsport), 1, 65535, NULL, NULL },
  { "maxntsconnections", K_INT, F(max_nts_connections), 1, 100000, NULL, NULL },
  { "ntsratelimit", K_CUSTOM, 0, 0, 0, CNN_ParseNtsratelimit, CNN_PrintNtsratelimit },
  { "ntsrotate", K_INT, F(nts_rotate), 0, INT_MAX, NULL, NULL },
  { "ntsdumpdir", K_STRING, F(nts_dump_dir), 0, 0, NULL, NULL },
  { "ntsntpserver", K_STRING, F(nts_ntp_server), 0, 0, NULL, NULL },
  { "ntstrustedcerts", K_CUSTOM, 0, 0, 0, CNN_ParseNtstrustedcerts, CNN_PrintNtstrustedcerts },
  { "nosystemcert", K_FLAG, F(nosystemcert), 0, 0, NULL, NULL },
  { "nocerttimecheck", K_INT, F(nocerttimecheck), 0, INT_MAX, NULL, NULL },
  { "ntsrefresh", K_INT, F(nts_refresh), 0, INT_MAX, NULL, NULL },
};

#define N_DIRECTIVES ((int)(sizeof directives / sizeof directives[0]))

static void
parse_args(const CNI_Where *w, int argc, char **argv)
{
  const Directive *d = NULL;
  char *base = (char *)&CNI_cfg;
  int i;

  for (i = 0; i < N_DIRECTIVES; i++) {
    /* Directive names are not case-sensitive, as in chrony.conf */
    if (strcasecmp(argv[0], directives[i].name) == 0) {
      d = &directives[i];
      break;
    }
  }
  if (!d)
    CNI_Error(w, "unknown or unsupported directive \"%s\"", argv[0]);
  argv[0] = (char *)d->name;

  switch (d->kind) {
    case K_STRING:
      if (argc != 2)
        CNI_Error(w, "%s takes one argument", d->name);
      CNI_SetString((char **)(base + d->offset), argv[1]);
      break;
    case K_INT:
      if (argc != 2)
        CNI_Error(w, "%s takes one argument", d->name);
      *(int *)(base + d->offset) = CNI_ParseInt(w, argv[1], d->min, d->max, d->name);
      break;
    case K_DOUBLE:
      if (argc != 2)
        CNI_Error(w, "%s takes one argument", d->name);
      *(double *)(base + d->offset) = CNI_ParseDouble(w, argv[1], d->min, d->max, d->name);
      break;
    case K_FLAG:
      if (argc != 1)
        CNI_Error(w, "%s takes no arguments", d->name);
      *(int *)(base + d->offset) = 1;
      break;
    case K_CUSTOM:
      d->parse(w, argc, argv);
      break;
  }
}

void
CNF_ParseLine(const char *filename, int line_number, const char *line)
{
  char buf[MAX_LINE], *argv[MAX_ARGS], *p;
  CNI_Where w = { filename, line_number };
  int argc = 0;

  if (strlen(line) >= sizeof buf)
    CNI_Error(&w, "line too long");
  strcpy(buf, line);

  for (p = buf; *p; ) {
    while (isspace((unsigned char)*p))
      *p++ = '\0';
    if (!*p)
      break;
    if (argc == 0 && strchr("#;!%", *p))
      return;
    if (argc == MAX_ARGS)
      CNI_Error(&w, "too many arguments");
    argv[argc++] = p;
    while (*p && !isspace((unsigned char)*p))
      p++;
  }
  if (argc > 0)
    parse_args(&w, argc, argv);
}

void
CNF_ReadFile(const char *filename, int allow_missing)
{
  char line[MAX_LINE + 2];
  FILE *f;
  int n = 0;
  CNI_Where w = { filename, 0 };

  f = fopen(filename, "r");
  if (!f) {
    if (allow_missing && errno == ENOENT)
      return;
    fprintf(stderr, "%s: could not open configuration file : %s\n", filename, strerror(errno));
    exit(1);
  }
  while (fgets(line, sizeof line, f)) {
    n++;
    w.line = n;
    if (!strchr(line, '\n') && !feof(f))
      CNI_Error(&w, "line too long");
    CNF_ParseLine(filename, n, line);
  }
  fclose(f);
}

static void
parse_include(const CNI_Where *w, int argc, char **argv)
{
  glob_t g;
  size_t i;
  int r;

  if (argc != 2)
    CNI_Error(w, "include takes one file pattern");
  if (++include_depth > MAX_INCLUDE_DEPTH)
    CNI_Error(w, "include nested too deeply");
  r = glob(argv[1], 0, NULL, &g);
  if (r == 0) {
    /* glob() sorts, so files are read in a predictable order */
    for (i = 0; i < g.gl_pathc; i++)
      CNF_ReadFile(g.gl_pathv[i], 0);
    globfree(&g);
  } else if (r != GLOB_NOMATCH) {
    CNI_Error(w, "could not expand \"%s\"", argv[1]);
  }
  include_depth--;
}

static int
compare_strings(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* confdir: *.conf files from several directories, a name in an earlier
   directory hiding the same name in later ones, read in order of name */
static void
parse_confdir(const CNI_Where *w, int argc, char **argv)
{
  char **names = NULL, path[PATH_MAX], *name, *key;
  int i, j, n = 0, len;
  struct dirent *de;
  DIR *d;

  if (argc < 2)
    CNI_Error(w, "confdir takes one or more directories");
  if (++include_depth > MAX_INCLUDE_DEPTH)
    CNI_Error(w, "include nested too deeply");

  for (i = 1; i < argc; i++) {
    if (!(d = opendir(argv[i])))
      continue;
    while ((de = readdir(d))) {
      len = strlen(de->d_name);
      if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
        continue;
      for (j = 0; j < n && strcmp(names[j], de->d_name) != 0; j++)
        ;
      if (j < n)
        continue;
      snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
      /* Keep name and path together so that sorting keeps them paired */
      key = Malloc(strlen(de->d_name) + 1 + strlen(path) + 1);
      sprintf(key, "%s%c%s", de->d_name, '\0', path);
      names = ReallocArray(char *, n + 1, names);
      names[n++] = key;
    }
    closedir(d);
  }
  qsort(names, n, sizeof names[0], compare_strings);
  for (i = 0; i < n; i++) {
    name = names[i];
    CNF_ReadFile(name + strlen(name) + 1, 0);
    Free(name);
  }
  Free(names);
  include_depth--;
}

void
CNF_Initialise(int restarted)
{
  (void)restarted;
  memset(&CNI_cfg, 0, sizeof CNI_cfg);
  CNI_cfg.pidfile = Strdup(DEFAULT_PID_FILE);
  CNI_cfg.user = Strdup(DEFAULT_USER);
  CNI_cfg.port = NPK_PORT;
  CNI_cfg.clientloglimit = 524288;
  CNI_cfg.ratelimit_interval = 3;
  CNI_cfg.ratelimit_burst = 8;
  CNI_cfg.ratelimit_leak = 2;
  /* chronyd's defaults */
  CNI_cfg.max_update_skew = 1000.0;
  CNI_cfg.corr_time_ratio = 3.0;
  CNI_cfg.max_slew_rate = 1e6 / 12.0;
  CNI_cfg.max_drift = 500000.0;
  CNI_cfg.max_clock_error = 1.0;
  CNI_cfg.min_sources = 1;
  CNI_cfg.max_distance = 3.0;
  CNI_cfg.max_jitter = 1.0;
  CNI_cfg.reselect_dist = 1e-4;
  CNI_cfg.stratum_weight = 1e-3;
  CNI_cfg.combine_limit = 3.0;
  CNI_cfg.cmdport = CMW_DEFAULT_PORT;
  UTI_StringToIP("127.0.0.1", &CNI_cfg.bind_cmd4);
  UTI_StringToIP("::1", &CNI_cfg.bind_cmd6);
  CNI_cfg.bind_cmd_path = Strdup(NTSD_SOCKET_PATH);
  CNI_cfg.ntsport = NKR_PORT;
  CNI_cfg.max_nts_connections = 100;
  CNI_cfg.nts_ratelimit_interval = 6;
  CNI_cfg.nts_ratelimit_burst = 8;
  CNI_cfg.nts_ratelimit_leak = 2;
  CNI_cfg.nts_rotate = 604800;
  CNI_cfg.nts_dump_dir = Strdup(DEFAULT_STATE_DIR);
  CNI_cfg.nts_refresh = 2419200;
  include_depth = 0;
}

void
CNF_Finalise(void)
{
  int i;

  for (i = 0; i < N_DIRECTIVES; i++) {
    if (directives[i].kind == K_STRING)
      Free(*(char **)((char *)&CNI_cfg + directives[i].offset));
  }
  for (i = 0; i < CNI_cfg.n_sources; i++)
    Free(CNI_cfg.sources[i].name);
  Free(CNI_cfg.sources);
  Free(CNI_cfg.access);
  Free(CNI_cfg.cmd_access);
  Free(CNI_cfg.bind_cmd_path);
  /* A K_CUSTOM directive, so not freed with the K_STRING ones above */
  Free(CNI_cfg.driftfile);
  CNI_FreeList(CNI_cfg.n_nts_keys, CNI_cfg.nts_server_keys);
  CNI_FreeList(CNI_cfg.n_nts_certs, CNI_cfg.nts_server_certs);
  CNI_FreeList(CNI_cfg.n_nts_trusted, CNI_cfg.nts_trusted_certs);
  memset(&CNI_cfg, 0, sizeof CNI_cfg);
}

void
CNF_SetAddressFamily(int family)
{
  address_family = family;
}

const CNF_Config *
CNF_Get(void)
{
  return &CNI_cfg;
}

int
CNF_GetAddressFamily(void)
{
  return address_family;
}

void
CNF_Print(FILE *out)
{
  const Directive *d;
  char *base = (char *)&CNI_cfg;
  char *s;
  int i;

  for (i = 0; i < N_DIRECTIVES; i++) {
    d = &directives[i];
    switch (d->kind) {
      case K_STRING:
        s = *(char **)(base + d->offset);
        if (s)
          fprintf(out, "%s %s\n", d->name, s);
        break;
      case K_INT:
        fprintf(out, "%s %d\n", d->name, *(int *)(base + d->offset));
        break;
      case K_DOUBLE:
        fprintf(out, "%s %.9g\n", d->name, *(double *)(base + d->offset));
        break;
      case K_FLAG:
        if (*(int *)(base + d->offset))
          fprintf(out, "%s\n", d->name);
        break;
      case K_CUSTOM:
        if (d->print)
          d->print(out, d->name);
        break;
    }
  }
}

int
CNF_AccessAllowed(const CNF_AccessRule *rules, int n_rules, const IPAddr *ip, int default_allow)
{
  int i, allowed = default_allow, best_bits = -1, bits;

  /* As in chronyd: the most specific matching rule wins; among equally
     specific rules the last one; an "all" rule also overrides every more
     specific rule inside its subnet that came before it */
  for (i = 0; i < n_rules; i++) {
    if (!rules[i].any && !UTI_IPInSubnet(ip, &rules[i].net, rules[i].bits))
      continue;
    bits = rules[i].any ? 0 : rules[i].bits;
    if (rules[i].all || bits >= best_bits) {
      allowed = rules[i].allow;
      best_bits = bits;
    }
  }
  return allowed;
}
