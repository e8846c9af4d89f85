/*
  ntsd - configuration parser and printer

  One table lists every directive with how to parse and how to print it.
  Simple directives (a string, an integer, a flag) are handled generically
  through the offset of their field in CNF_Config; the rest have their own
  parse and print functions.  Errors are reported as FILE:LINE: message and
  are fatal: a time server must not run with a configuration that says
  something other than what the administrator meant.
*/
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "memory.h"
#include "util.h"

#define MAX_ARGS 64
#define MAX_LINE 2048
#define MAX_INCLUDE_DEPTH 10

typedef enum { K_STRING, K_INT, K_DOUBLE, K_FLAG, K_CUSTOM } Kind;

typedef struct {
  const char *file;
  int line;
} Where;

typedef struct {
  const char *name;
  Kind kind;
  size_t offset;            /* K_STRING, K_INT, K_DOUBLE, K_FLAG */
  int min, max;             /* K_INT, K_DOUBLE */
  void (*parse)(const Where *w, int argc, char **argv);
  void (*print)(FILE *out, const char *name);
} Directive;

static CNF_Config cfg;
static int include_depth;
static int address_family = AF_UNSPEC;

static void
config_error(const Where *w, const char *format, ...) __attribute__((format(printf, 2, 3), noreturn));

#include <stdarg.h>

static void
config_error(const Where *w, const char *format, ...)
{
  va_list ap;

  fprintf(stderr, "%s:%d: ", w->file, w->line);
  va_start(ap, format);
  vfprintf(stderr, format, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  exit(1);
}

static int
parse_int(const Where *w, const char *s, int min, int max, const char *what)
{
  char *end;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || end == s || *end != '\0' || v < min || v > max)
    config_error(w, "invalid %s \"%s\" (expected an integer from %d to %d)", what, s, min, max);
  return v;
}

static double
parse_double(const Where *w, const char *s, double min, double max, const char *what)
{
  char *end;
  double v;

  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || *end != '\0' || !(v >= min && v <= max))
    config_error(w, "invalid %s \"%s\"", what, s);
  return v;
}

static void
add_string(int *n, char ***list, const char *s)
{
  *list = ReallocArray(char *, *n + 1, *list);
  (*list)[(*n)++] = Strdup(s);
}

static void
set_string(char **field, const char *s)
{
  Free(*field);
  *field = Strdup(s);
}

/* ---- custom directives ---- */

static void
parse_access(const Where *w, int argc, char **argv, int allow, int *n, CNF_AccessRule **rules)
{
  CNF_AccessRule r;
  int i = 1;

  memset(&r, 0, sizeof r);
  r.allow = allow;
  if (i < argc && strcmp(argv[i], "all") == 0) {
    r.all = 1;
    i++;
  }
  if (i < argc) {
    if (!UTI_ParseSubnet(argv[i], &r.net, &r.bits))
      config_error(w, "invalid subnet \"%s\"", argv[i]);
    i++;
  } else {
    r.any = 1;
  }
  if (i < argc)
    config_error(w, "too many arguments for %s", argv[0]);

  *rules = ReallocArray(CNF_AccessRule, *n + 1, *rules);
  (*rules)[(*n)++] = r;
}

static void parse_allow(const Where *w, int c, char **v) { parse_access(w, c, v, 1, &cfg.n_access, &cfg.access); }
static void parse_deny(const Where *w, int c, char **v) { parse_access(w, c, v, 0, &cfg.n_access, &cfg.access); }
static void parse_cmdallow(const Where *w, int c, char **v) { parse_access(w, c, v, 1, &cfg.n_cmd_access, &cfg.cmd_access); }
static void parse_cmddeny(const Where *w, int c, char **v) { parse_access(w, c, v, 0, &cfg.n_cmd_access, &cfg.cmd_access); }

static void
print_access_rules(FILE *out, const char *allow_name, const char *deny_name,
                   int n, const CNF_AccessRule *rules)
{
  int i;

  for (i = 0; i < n; i++) {
    fprintf(out, "%s%s", rules[i].allow ? allow_name : deny_name, rules[i].all ? " all" : "");
    if (!rules[i].any)
      fprintf(out, " %s/%d", UTI_IPToString(&rules[i].net), rules[i].bits);
    fprintf(out, "\n");
  }
}

static void print_allow(FILE *o, const char *n) { (void)n; print_access_rules(o, "allow", "deny", cfg.n_access, cfg.access); }
static void print_cmdallow(FILE *o, const char *n) { (void)n; print_access_rules(o, "cmdallow", "cmddeny", cfg.n_cmd_access, cfg.cmd_access); }

static void
parse_bindaddress(const Where *w, int argc, char **argv, IPAddr *v4, IPAddr *v6)
{
  IPAddr ip;

  if (argc != 2)
    config_error(w, "%s takes one address", argv[0]);
  if (!UTI_StringToIP(argv[1], &ip))
    config_error(w, "invalid address \"%s\"", argv[1]);
  if (ip.family == AF_INET)
    *v4 = ip;
  else
    *v6 = ip;
}

static void parse_bindaddr(const Where *w, int c, char **v) { parse_bindaddress(w, c, v, &cfg.bind_ntp4, &cfg.bind_ntp6); }

static void
parse_bindcmdaddr(const Where *w, int argc, char **argv)
{
  if (argc == 2 && argv[1][0] == '/')
    set_string(&cfg.bind_cmd_path, argv[1]);
  else
    parse_bindaddress(w, argc, argv, &cfg.bind_cmd4, &cfg.bind_cmd6);
}

static void
print_bindaddr(FILE *out, const char *name)
{
  if (cfg.bind_ntp4.family != AF_UNSPEC)
    fprintf(out, "%s %s\n", name, UTI_IPToString(&cfg.bind_ntp4));
  if (cfg.bind_ntp6.family != AF_UNSPEC)
    fprintf(out, "%s %s\n", name, UTI_IPToString(&cfg.bind_ntp6));
}

static void
print_bindcmdaddr(FILE *out, const char *name)
{
  if (cfg.bind_cmd4.family != AF_UNSPEC)
    fprintf(out, "%s %s\n", name, UTI_IPToString(&cfg.bind_cmd4));
  if (cfg.bind_cmd6.family != AF_UNSPEC)
    fprintf(out, "%s %s\n", name, UTI_IPToString(&cfg.bind_cmd6));
  if (cfg.bind_cmd_path)
    fprintf(out, "%s %s\n", name, cfg.bind_cmd_path);
}

static void
parse_driftfile(const Where *w, int argc, char **argv)
{
  if (argc < 2 || argc > 3)
    config_error(w, "driftfile takes a file name and an optional interval");
  set_string(&cfg.driftfile, argv[1]);
  cfg.driftfile_interval = argc == 3 ? parse_int(w, argv[2], 1, INT_MAX, "interval") : 0;
}

static void
print_driftfile(FILE *out, const char *name)
{
  if (!cfg.driftfile)
    return;
  fprintf(out, "%s %s", name, cfg.driftfile);
  if (cfg.driftfile_interval)
    fprintf(out, " %d", cfg.driftfile_interval);
  fprintf(out, "\n");
}

static void
parse_local(const Where *w, int argc, char **argv)
{
  int i;

  cfg.local_stratum = 10;
  cfg.local_orphan = 0;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "stratum") == 0 && i + 1 < argc)
      cfg.local_stratum = parse_int(w, argv[++i], 1, 15, "stratum");
    else if (strcmp(argv[i], "orphan") == 0)
      cfg.local_orphan = 1;
    else
      config_error(w, "invalid local option \"%s\"", argv[i]);
  }
}

static void
print_local(FILE *out, const char *name)
{
  if (cfg.local_stratum)
    fprintf(out, "%s stratum %d%s\n", name, cfg.local_stratum, cfg.local_orphan ? " orphan" : "");
}

static void
parse_makestep(const Where *w, int argc, char **argv)
{
  if (argc != 3)
    config_error(w, "makestep takes a threshold and a limit");
  cfg.makestep_threshold = parse_double(w, argv[1], 0.0, 1e9, "threshold");
  cfg.makestep_limit = parse_int(w, argv[2], -1, INT_MAX, "limit");
}

static void
print_makestep(FILE *out, const char *name)
{
  /* Without the directive chronyd never steps: nothing to print */
  if (cfg.makestep_limit)
    fprintf(out, "%s %.9g %d\n", name, cfg.makestep_threshold, cfg.makestep_limit);
}

/* ratelimit and ntsratelimit: "[interval N] [burst N] [leak N] [kod N]" */
static void
parse_ratelimit_options(const Where *w, int argc, char **argv, int *interval,
                        int *burst, int *leak, int *kod)
{
  int i;

  for (i = 1; i < argc; i++) {
    if (i + 1 >= argc)
      config_error(w, "missing value for %s option \"%s\"", argv[0], argv[i]);
    if (strcmp(argv[i], "interval") == 0)
      *interval = parse_int(w, argv[++i], -19, 12, "interval");
    else if (strcmp(argv[i], "burst") == 0)
      *burst = parse_int(w, argv[++i], 1, 255, "burst");
    else if (strcmp(argv[i], "leak") == 0)
      *leak = parse_int(w, argv[++i], 1, 4, "leak");
    else if (kod && strcmp(argv[i], "kod") == 0)
      *kod = parse_int(w, argv[++i], 0, 4, "kod");
    else
      config_error(w, "invalid %s option \"%s\"", argv[0], argv[i]);
  }
}

static void
parse_ratelimit(const Where *w, int argc, char **argv)
{
  cfg.ratelimit = 1;
  parse_ratelimit_options(w, argc, argv, &cfg.ratelimit_interval, &cfg.ratelimit_burst,
                          &cfg.ratelimit_leak, &cfg.ratelimit_kod);
}

static void
parse_ntsratelimit(const Where *w, int argc, char **argv)
{
  cfg.nts_ratelimit = 1;
  parse_ratelimit_options(w, argc, argv, &cfg.nts_ratelimit_interval, &cfg.nts_ratelimit_burst,
                          &cfg.nts_ratelimit_leak, NULL);
}

static void
print_ratelimit(FILE *out, const char *name)
{
  if (cfg.ratelimit)
    fprintf(out, "%s interval %d burst %d leak %d kod %d\n", name, cfg.ratelimit_interval,
            cfg.ratelimit_burst, cfg.ratelimit_leak, cfg.ratelimit_kod);
}

static void
print_ntsratelimit(FILE *out, const char *name)
{
  if (cfg.nts_ratelimit)
    fprintf(out, "%s interval %d burst %d leak %d\n", name, cfg.nts_ratelimit_interval,
            cfg.nts_ratelimit_burst, cfg.nts_ratelimit_leak);
}

static void
parse_source(const Where *w, int argc, char **argv)
{
  CNF_Source s;
  const char *o;
  int i;

  if (argc < 2)
    config_error(w, "%s needs a host name or address", argv[0]);

  memset(&s, 0, sizeof s);
  s.type = strcmp(argv[0], "pool") == 0 ? CNF_SRC_POOL : CNF_SRC_SERVER;
  s.port = 123;
  s.minpoll = 6;
  s.maxpoll = 10;
  s.maxsamples = -1;
  s.minsamples = -1;
  s.maxdelay = 3.0;
  s.maxdelaydevratio = 10.0;
  s.maxsources = 4;
  s.ntsport = 4460;

  for (i = 2; i < argc; i++) {
    o = argv[i];
    if (strcmp(o, "iburst") == 0) s.iburst = 1;
    else if (strcmp(o, "burst") == 0) s.burst = 1;
    else if (strcmp(o, "prefer") == 0) s.prefer = 1;
    else if (strcmp(o, "noselect") == 0) s.noselect = 1;
    else if (strcmp(o, "offline") == 0) s.offline = 1;
    else if (strcmp(o, "nts") == 0) s.nts = 1;
    else if (strcmp(o, "trust") == 0) s.trust = 1;
    else if (strcmp(o, "require") == 0) s.require = 1;
    else if (i + 1 >= argc)
      config_error(w, "unknown or incomplete %s option \"%s\"", argv[0], o);
    else if (strcmp(o, "minpoll") == 0) s.minpoll = parse_int(w, argv[++i], -6, 24, "minpoll");
    else if (strcmp(o, "maxpoll") == 0) s.maxpoll = parse_int(w, argv[++i], -6, 24, "maxpoll");
    else if (strcmp(o, "port") == 0) s.port = parse_int(w, argv[++i], 1, 65535, "port");
    else if (strcmp(o, "key") == 0) s.key = parse_int(w, argv[++i], 1, INT_MAX, "key");
    else if (strcmp(o, "version") == 0) s.version = parse_int(w, argv[++i], 1, 4, "version");
    else if (strcmp(o, "maxsamples") == 0) s.maxsamples = parse_int(w, argv[++i], 0, 64, "maxsamples");
    else if (strcmp(o, "minsamples") == 0) s.minsamples = parse_int(w, argv[++i], 0, 64, "minsamples");
    else if (strcmp(o, "maxdelay") == 0) s.maxdelay = parse_double(w, argv[++i], 0.0, 1e3, "maxdelay");
    else if (strcmp(o, "maxdelayratio") == 0)
      s.maxdelayratio = parse_double(w, argv[++i], 0.0, 1e9, "maxdelayratio");
    else if (strcmp(o, "maxdelaydevratio") == 0)
      s.maxdelaydevratio = parse_double(w, argv[++i], 0.0, 1e9, "maxdelaydevratio");
    else if (strcmp(o, "maxsources") == 0 && s.type == CNF_SRC_POOL)
      s.maxsources = parse_int(w, argv[++i], 1, 16, "maxsources");
    else if (strcmp(o, "ntsport") == 0) s.ntsport = parse_int(w, argv[++i], 1, 65535, "ntsport");
    else if (strcmp(o, "certset") == 0) s.certset = parse_int(w, argv[++i], 0, 65535, "certset");
    else
      config_error(w, "unknown or unsupported %s option \"%s\"", argv[0], o);
  }
  if (s.key && s.nts)
    config_error(w, "options key and nts cannot be used together");
  s.name = Strdup(argv[1]);
  cfg.sources = ReallocArray(CNF_Source, cfg.n_sources + 1, cfg.sources);
  cfg.sources[cfg.n_sources++] = s;
}

static void
print_sources(FILE *out, const char *name)
{
  const CNF_Source *s;
  int i;

  (void)name;
  for (i = 0; i < cfg.n_sources; i++) {
    s = &cfg.sources[i];
    fprintf(out, "%s %s port %d minpoll %d maxpoll %d maxdelay %.9g", s->type == CNF_SRC_POOL ?
            "pool" : "server", s->name, s->port, s->minpoll, s->maxpoll, s->maxdelay);
    if (s->type == CNF_SRC_POOL) fprintf(out, " maxsources %d", s->maxsources);
    if (s->iburst) fprintf(out, " iburst");
    if (s->burst) fprintf(out, " burst");
    if (s->prefer) fprintf(out, " prefer");
    if (s->noselect) fprintf(out, " noselect");
    if (s->trust) fprintf(out, " trust");
    if (s->require) fprintf(out, " require");
    if (s->maxdelayratio > 0.0) fprintf(out, " maxdelayratio %.9g", s->maxdelayratio);
    if (s->maxdelaydevratio != 10.0) fprintf(out, " maxdelaydevratio %.9g", s->maxdelaydevratio);
    if (s->offline) fprintf(out, " offline");
    if (s->key) fprintf(out, " key %u", s->key);
    if (s->version) fprintf(out, " version %d", s->version);
    if (s->maxsamples >= 0) fprintf(out, " maxsamples %d", s->maxsamples);
    if (s->minsamples >= 0) fprintf(out, " minsamples %d", s->minsamples);
    if (s->nts) fprintf(out, " nts ntsport %d certset %d", s->ntsport, s->certset);
    fprintf(out, "\n");
  }
}

static void parse_ntsserverkey(const Where *w, int c, char **v)
{
  if (c != 2) config_error(w, "%s takes one file name", v[0]);
  add_string(&cfg.n_nts_keys, &cfg.nts_server_keys, v[1]);
}

static void parse_ntsservercert(const Where *w, int c, char **v)
{
  if (c != 2) config_error(w, "%s takes one file name", v[0]);
  add_string(&cfg.n_nts_certs, &cfg.nts_server_certs, v[1]);
}

static void parse_ntstrustedcerts(const Where *w, int c, char **v)
{
  char buf[MAX_LINE];

  if (c == 3) {
    parse_int(w, v[1], 0, 65535, "certificate set");
    snprintf(buf, sizeof buf, "%s %s", v[1], v[2]);
  } else if (c == 2) {
    snprintf(buf, sizeof buf, "0 %s", v[1]);
  } else {
    config_error(w, "%s takes an optional set and a file or directory", v[0]);
  }
  add_string(&cfg.n_nts_trusted, &cfg.nts_trusted_certs, buf);
}

static void
print_list(FILE *out, const char *name, int n, char **list)
{
  int i;

  for (i = 0; i < n; i++)
    fprintf(out, "%s %s\n", name, list[i]);
}

static void print_ntsserverkey(FILE *o, const char *n) { print_list(o, n, cfg.n_nts_keys, cfg.nts_server_keys); }
static void print_ntsservercert(FILE *o, const char *n) { print_list(o, n, cfg.n_nts_certs, cfg.nts_server_certs); }
static void print_ntstrustedcerts(FILE *o, const char *n) { print_list(o, n, cfg.n_nts_trusted, cfg.nts_trusted_certs); }

static void parse_include(const Where *w, int argc, char **argv);
static void parse_confdir(const Where *w, int argc, char **argv);

#define F(field) offsetof(CNF_Config, field)

/* The one table of directives, in the order -p prints them */
static const Directive directives[] = {
  { "include", K_CUSTOM, 0, 0, 0, parse_include, NULL },
  { "confdir", K_CUSTOM, 0, 0, 0, parse_confdir, NULL },
  { "user", K_STRING, F(user), 0, 0, NULL, NULL },
  { "pidfile", K_STRING, F(pidfile), 0, 0, NULL, NULL },
  { "logdir", K_STRING, F(logdir), 0, 0, NULL, NULL },
  { "driftfile", K_CUSTOM, 0, 0, 0, parse_driftfile, print_driftfile },
  { "keyfile", K_STRING, F(keyfile), 0, 0, NULL, NULL },
  { "port", K_INT, F(port), 0, 65535, NULL, NULL },
  { "bindaddress", K_CUSTOM, 0, 0, 0, parse_bindaddr, print_bindaddr },
  { "allow", K_CUSTOM, 0, 0, 0, parse_allow, print_allow },
  { "deny", K_CUSTOM, 0, 0, 0, parse_deny, NULL },
  { "local", K_CUSTOM, 0, 0, 0, parse_local, print_local },
  { "ratelimit", K_CUSTOM, 0, 0, 0, parse_ratelimit, print_ratelimit },
  { "clientloglimit", K_INT, F(clientloglimit), 0, INT_MAX, NULL, NULL },
  { "noclientlog", K_FLAG, F(noclientlog), 0, 0, NULL, NULL },
  { "server", K_CUSTOM, 0, 0, 0, parse_source, print_sources },
  { "pool", K_CUSTOM, 0, 0, 0, parse_source, NULL },
  { "makestep", K_CUSTOM, 0, 0, 0, parse_makestep, print_makestep },
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
  { "cmdport", K_INT, F(cmdport), 0, 65535, NULL, NULL },
  { "bindcmdaddress", K_CUSTOM, 0, 0, 0, parse_bindcmdaddr, print_bindcmdaddr },
  { "cmdallow", K_CUSTOM, 0, 0, 0, parse_cmdallow, print_cmdallow },
  { "cmddeny", K_CUSTOM, 0, 0, 0, parse_cmddeny, NULL },
  { "ntsserverkey", K_CUSTOM, 0, 0, 0, parse_ntsserverkey, print_ntsserverkey },
  { "ntsservercert", K_CUSTOM, 0, 0, 0, parse_ntsservercert, print_ntsservercert },
  { "ntsport", K_INT, F(ntsport), 1, 65535, NULL, NULL },
  { "maxntsconnections", K_INT, F(max_nts_connections), 1, 100000, NULL, NULL },
  { "ntsratelimit", K_CUSTOM, 0, 0, 0, parse_ntsratelimit, print_ntsratelimit },
  { "ntsrotate", K_INT, F(nts_rotate), 0, INT_MAX, NULL, NULL },
  { "ntsdumpdir", K_STRING, F(nts_dump_dir), 0, 0, NULL, NULL },
  { "ntsntpserver", K_STRING, F(nts_ntp_server), 0, 0, NULL, NULL },
  { "ntstrustedcerts", K_CUSTOM, 0, 0, 0, parse_ntstrustedcerts, print_ntstrustedcerts },
  { "nosystemcert", K_FLAG, F(nosystemcert), 0, 0, NULL, NULL },
  { "nocerttimecheck", K_INT, F(nocerttimecheck), 0, INT_MAX, NULL, NULL },
  { "ntsrefresh", K_INT, F(nts_refresh), 0, INT_MAX, NULL, NULL },
};

#define N_DIRECTIVES ((int)(sizeof directives / sizeof directives[0]))

static void
parse_args(const Where *w, int argc, char **argv)
{
  const Directive *d = NULL;
  char *base = (char *)&cfg;
  int i;

  for (i = 0; i < N_DIRECTIVES; i++) {
    /* Directive names are not case-sensitive, as in chrony.conf */
    if (strcasecmp(argv[0], directives[i].name) == 0) {
      d = &directives[i];
      break;
    }
  }
  if (!d)
    config_error(w, "unknown or unsupported directive \"%s\"", argv[0]);
  argv[0] = (char *)d->name;

  switch (d->kind) {
    case K_STRING:
      if (argc != 2)
        config_error(w, "%s takes one argument", d->name);
      set_string((char **)(base + d->offset), argv[1]);
      break;
    case K_INT:
      if (argc != 2)
        config_error(w, "%s takes one argument", d->name);
      *(int *)(base + d->offset) = parse_int(w, argv[1], d->min, d->max, d->name);
      break;
    case K_DOUBLE:
      if (argc != 2)
        config_error(w, "%s takes one argument", d->name);
      *(double *)(base + d->offset) = parse_double(w, argv[1], d->min, d->max, d->name);
      break;
    case K_FLAG:
      if (argc != 1)
        config_error(w, "%s takes no arguments", d->name);
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
  Where w = { filename, line_number };
  int argc = 0;

  if (strlen(line) >= sizeof buf)
    config_error(&w, "line too long");
  strcpy(buf, line);

  for (p = buf; *p; ) {
    while (isspace((unsigned char)*p))
      *p++ = '\0';
    if (!*p)
      break;
    if (argc == 0 && strchr("#;!%", *p))
      return;
    if (argc == MAX_ARGS)
      config_error(&w, "too many arguments");
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
  Where w = { filename, 0 };

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
      config_error(&w, "line too long");
    CNF_ParseLine(filename, n, line);
  }
  fclose(f);
}

static void
parse_include(const Where *w, int argc, char **argv)
{
  glob_t g;
  size_t i;
  int r;

  if (argc != 2)
    config_error(w, "include takes one file pattern");
  if (++include_depth > MAX_INCLUDE_DEPTH)
    config_error(w, "include nested too deeply");
  r = glob(argv[1], 0, NULL, &g);
  if (r == 0) {
    /* glob() sorts, so files are read in a predictable order */
    for (i = 0; i < g.gl_pathc; i++)
      CNF_ReadFile(g.gl_pathv[i], 0);
    globfree(&g);
  } else if (r != GLOB_NOMATCH) {
    config_error(w, "could not expand \"%s\"", argv[1]);
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
parse_confdir(const Where *w, int argc, char **argv)
{
  char **names = NULL, path[PATH_MAX], *name, *key;
  int i, j, n = 0, len;
  struct dirent *de;
  DIR *d;

  if (argc < 2)
    config_error(w, "confdir takes one or more directories");
  if (++include_depth > MAX_INCLUDE_DEPTH)
    config_error(w, "include nested too deeply");

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
  memset(&cfg, 0, sizeof cfg);
  cfg.pidfile = Strdup(DEFAULT_PID_FILE);
  cfg.user = Strdup(DEFAULT_USER);
  cfg.port = 123;
  cfg.clientloglimit = 524288;
  cfg.ratelimit_interval = 3;
  cfg.ratelimit_burst = 8;
  cfg.ratelimit_leak = 2;
  /* chronyd's defaults */
  cfg.max_update_skew = 1000.0;
  cfg.corr_time_ratio = 3.0;
  cfg.max_slew_rate = 1e6 / 12.0;
  cfg.max_drift = 500000.0;
  cfg.max_clock_error = 1.0;
  cfg.min_sources = 1;
  cfg.max_distance = 3.0;
  cfg.max_jitter = 1.0;
  cfg.reselect_dist = 1e-4;
  cfg.stratum_weight = 1e-3;
  cfg.combine_limit = 3.0;
  cfg.cmdport = 323;
  UTI_StringToIP("127.0.0.1", &cfg.bind_cmd4);
  UTI_StringToIP("::1", &cfg.bind_cmd6);
  cfg.bind_cmd_path = Strdup(NTSD_SOCKET_PATH);
  cfg.ntsport = 4460;
  cfg.max_nts_connections = 100;
  cfg.nts_ratelimit_interval = 6;
  cfg.nts_ratelimit_burst = 8;
  cfg.nts_ratelimit_leak = 2;
  cfg.nts_rotate = 604800;
  cfg.nts_dump_dir = Strdup(DEFAULT_STATE_DIR);
  cfg.nts_refresh = 2419200;
  include_depth = 0;
}

static void
free_list(int n, char **list)
{
  int i;

  for (i = 0; i < n; i++)
    Free(list[i]);
  Free(list);
}

void
CNF_Finalise(void)
{
  int i;

  for (i = 0; i < N_DIRECTIVES; i++) {
    if (directives[i].kind == K_STRING)
      Free(*(char **)((char *)&cfg + directives[i].offset));
  }
  for (i = 0; i < cfg.n_sources; i++)
    Free(cfg.sources[i].name);
  Free(cfg.sources);
  Free(cfg.access);
  Free(cfg.cmd_access);
  Free(cfg.bind_cmd_path);
  /* A K_CUSTOM directive, so not freed with the K_STRING ones above */
  Free(cfg.driftfile);
  free_list(cfg.n_nts_keys, cfg.nts_server_keys);
  free_list(cfg.n_nts_certs, cfg.nts_server_certs);
  free_list(cfg.n_nts_trusted, cfg.nts_trusted_certs);
  memset(&cfg, 0, sizeof cfg);
}

void
CNF_SetAddressFamily(int family)
{
  address_family = family;
}

const CNF_Config *
CNF_Get(void)
{
  return &cfg;
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
  char *base = (char *)&cfg;
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
