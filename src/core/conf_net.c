/*
  ntsd - configuration: sockets, access rules, sources and NTS

  The directives of conf.c's table that take more than one value and are
  about the network side of the daemon.
*/
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "memory.h"
#include "ntp_pkt.h"
#include "nts_ke_rec.h"
#include "util.h"

static void
parse_access(const CNI_Where *w, int argc, char **argv, int allow, int *n, CNF_AccessRule **rules)
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
      CNI_Error(w, "invalid subnet \"%s\"", argv[i]);
    i++;
  } else {
    r.any = 1;
  }
  if (i < argc)
    CNI_Error(w, "too many arguments for %s", argv[0]);

  *rules = ReallocArray(CNF_AccessRule, *n + 1, *rules);
  (*rules)[(*n)++] = r;
}

void
CNN_ParseAllow(const CNI_Where *w, int argc, char **argv)
{
  parse_access(w, argc, argv, 1, &CNI_cfg.n_access, &CNI_cfg.access);
}

void
CNN_ParseDeny(const CNI_Where *w, int argc, char **argv)
{
  parse_access(w, argc, argv, 0, &CNI_cfg.n_access, &CNI_cfg.access);
}

void
CNN_ParseCmdallow(const CNI_Where *w, int argc, char **argv)
{
  parse_access(w, argc, argv, 1, &CNI_cfg.n_cmd_access, &CNI_cfg.cmd_access);
}

void
CNN_ParseCmddeny(const CNI_Where *w, int argc, char **argv)
{
  parse_access(w, argc, argv, 0, &CNI_cfg.n_cmd_access, &CNI_cfg.cmd_access);
}

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

void
CNN_PrintAllow(FILE *out, const char *name)
{
  (void)name;
  print_access_rules(out, "allow", "deny", CNI_cfg.n_access, CNI_cfg.access);
}

void
CNN_PrintCmdallow(FILE *out, const char *name)
{
  (void)name;
  print_access_rules(out, "cmdallow", "cmddeny", CNI_cfg.n_cmd_access, CNI_cfg.cmd_access);
}

static void
parse_bindaddress(const CNI_Where *w, int argc, char **argv, IPAddr *v4, IPAddr *v6)
{
  IPAddr ip;

  if (argc != 2)
    CNI_Error(w, "%s takes one address", argv[0]);
  if (!UTI_StringToIP(argv[1], &ip))
    CNI_Error(w, "invalid address \"%s\"", argv[1]);
  if (ip.family == AF_INET)
    *v4 = ip;
  else
    *v6 = ip;
}

void
CNN_ParseBindaddr(const CNI_Where *w, int argc, char **argv)
{
  parse_bindaddress(w, argc, argv, &CNI_cfg.bind_ntp4, &CNI_cfg.bind_ntp6);
}

void
CNN_ParseBindcmdaddr(const CNI_Where *w, int argc, char **argv)
{
  if (argc == 2 && argv[1][0] == '/')
    CNI_SetString(&CNI_cfg.bind_cmd_path, argv[1]);
  else
    parse_bindaddress(w, argc, argv, &CNI_cfg.bind_cmd4, &CNI_cfg.bind_cmd6);
}

void
CNN_PrintBindaddr(FILE *out, const char *name)
{
  if (CNI_cfg.bind_ntp4.family != AF_UNSPEC)
    fprintf(out, "%s %s\n", name, UTI_IPToString(&CNI_cfg.bind_ntp4));
  if (CNI_cfg.bind_ntp6.family != AF_UNSPEC)
    fprintf(out, "%s %s\n", name, UTI_IPToString(&CNI_cfg.bind_ntp6));
}

void
CNN_PrintBindcmdaddr(FILE *out, const char *name)
{
  if (CNI_cfg.bind_cmd4.family != AF_UNSPEC)
    fprintf(out, "%s %s\n", name, UTI_IPToString(&CNI_cfg.bind_cmd4));
  if (CNI_cfg.bind_cmd6.family != AF_UNSPEC)
    fprintf(out, "%s %s\n", name, UTI_IPToString(&CNI_cfg.bind_cmd6));
  if (CNI_cfg.bind_cmd_path)
    fprintf(out, "%s %s\n", name, CNI_cfg.bind_cmd_path);
}


/* ratelimit and ntsratelimit: "[interval N] [burst N] [leak N] [kod N]" */
static void
parse_ratelimit_options(const CNI_Where *w, int argc, char **argv, int *interval,
                        int *burst, int *leak, int *kod)
{
  int i;

  for (i = 1; i < argc; i++) {
    if (i + 1 >= argc)
      CNI_Error(w, "missing value for %s option \"%s\"", argv[0], argv[i]);
    if (strcmp(argv[i], "interval") == 0)
      *interval = CNI_ParseInt(w, argv[++i], -19, 12, "interval");
    else if (strcmp(argv[i], "burst") == 0)
      *burst = CNI_ParseInt(w, argv[++i], 1, 255, "burst");
    else if (strcmp(argv[i], "leak") == 0)
      *leak = CNI_ParseInt(w, argv[++i], 1, 4, "leak");
    else if (kod && strcmp(argv[i], "kod") == 0)
      *kod = CNI_ParseInt(w, argv[++i], 0, 4, "kod");
    else
      CNI_Error(w, "invalid %s option \"%s\"", argv[0], argv[i]);
  }
}

void
CNN_ParseRatelimit(const CNI_Where *w, int argc, char **argv)
{
  CNI_cfg.ratelimit = 1;
  parse_ratelimit_options(w, argc, argv, &CNI_cfg.ratelimit_interval, &CNI_cfg.ratelimit_burst,
                          &CNI_cfg.ratelimit_leak, &CNI_cfg.ratelimit_kod);
}

void
CNN_ParseNtsratelimit(const CNI_Where *w, int argc, char **argv)
{
  CNI_cfg.nts_ratelimit = 1;
  parse_ratelimit_options(w, argc, argv, &CNI_cfg.nts_ratelimit_interval, &CNI_cfg.nts_ratelimit_burst,
                          &CNI_cfg.nts_ratelimit_leak, NULL);
}

void
CNN_PrintRatelimit(FILE *out, const char *name)
{
  if (CNI_cfg.ratelimit)
    fprintf(out, "%s interval %d burst %d leak %d kod %d\n", name, CNI_cfg.ratelimit_interval,
            CNI_cfg.ratelimit_burst, CNI_cfg.ratelimit_leak, CNI_cfg.ratelimit_kod);
}

void
CNN_PrintNtsratelimit(FILE *out, const char *name)
{
  if (CNI_cfg.nts_ratelimit)
    fprintf(out, "%s interval %d burst %d leak %d\n", name, CNI_cfg.nts_ratelimit_interval,
            CNI_cfg.nts_ratelimit_burst, CNI_cfg.nts_ratelimit_leak);
}

void
CNN_ParseSource(const CNI_Where *w, int argc, char **argv)
{
  CNF_Source s;
  const char *o;
  int i;

  if (argc < 2)
    CNI_Error(w, "%s needs a host name or address", argv[0]);

  memset(&s, 0, sizeof s);
  s.type = strcmp(argv[0], "pool") == 0 ? CNF_SRC_POOL : CNF_SRC_SERVER;
  s.port = NPK_PORT;
  s.minpoll = 6;
  s.maxpoll = 10;
  s.maxsamples = -1;
  s.minsamples = -1;
  s.maxdelay = 3.0;
  s.maxdelaydevratio = 10.0;
  s.maxsources = 4;
  s.ntsport = NKR_PORT;

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
      CNI_Error(w, "unknown or incomplete %s option \"%s\"", argv[0], o);
    else if (strcmp(o, "minpoll") == 0) s.minpoll = CNI_ParseInt(w, argv[++i], -6, 24, "minpoll");
    else if (strcmp(o, "maxpoll") == 0) s.maxpoll = CNI_ParseInt(w, argv[++i], -6, 24, "maxpoll");
    else if (strcmp(o, "port") == 0) s.port = CNI_ParseInt(w, argv[++i], 1, 65535, "port");
    else if (strcmp(o, "key") == 0) s.key = CNI_ParseInt(w, argv[++i], 1, INT_MAX, "key");
    else if (strcmp(o, "version") == 0) s.version = CNI_ParseInt(w, argv[++i], 1, 4, "version");
    else if (strcmp(o, "maxsamples") == 0) s.maxsamples = CNI_ParseInt(w, argv[++i], 0, 64, "maxsamples");
    else if (strcmp(o, "minsamples") == 0) s.minsamples = CNI_ParseInt(w, argv[++i], 0, 64, "minsamples");
    else if (strcmp(o, "maxdelay") == 0) s.maxdelay = CNI_ParseDouble(w, argv[++i], 0.0, 1e3, "maxdelay");
    else if (strcmp(o, "maxdelayratio") == 0)
      s.maxdelayratio = CNI_ParseDouble(w, argv[++i], 0.0, 1e9, "maxdelayratio");
    else if (strcmp(o, "maxdelaydevratio") == 0)
      s.maxdelaydevratio = CNI_ParseDouble(w, argv[++i], 0.0, 1e9, "maxdelaydevratio");
    else if (strcmp(o, "maxsources") == 0 && s.type == CNF_SRC_POOL)
      s.maxsources = CNI_ParseInt(w, argv[++i], 1, 16, "maxsources");
    else if (strcmp(o, "ntsport") == 0) s.ntsport = CNI_ParseInt(w, argv[++i], 1, 65535, "ntsport");
    else if (strcmp(o, "certset") == 0) s.certset = CNI_ParseInt(w, argv[++i], 0, 65535, "certset");
    else
      CNI_Error(w, "unknown or unsupported %s option \"%s\"", argv[0], o);
  }
  if (s.key && s.nts)
    CNI_Error(w, "options key and nts cannot be used together");
  s.name = Strdup(argv[1]);
  CNI_cfg.sources = ReallocArray(CNF_Source, CNI_cfg.n_sources + 1, CNI_cfg.sources);
  CNI_cfg.sources[CNI_cfg.n_sources++] = s;
}

void
CNN_PrintSources(FILE *out, const char *name)
{
  const CNF_Source *s;
  int i;

  (void)name;
  for (i = 0; i < CNI_cfg.n_sources; i++) {
    s = &CNI_cfg.sources[i];
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

void
CNN_ParseNtsserverkey(const CNI_Where *w, int argc, char **argv)
{
  if (argc != 2)
    CNI_Error(w, "%s takes one file name", argv[0]);
  CNI_AddString(&CNI_cfg.n_nts_keys, &CNI_cfg.nts_server_keys, argv[1]);
}

void
CNN_ParseNtsservercert(const CNI_Where *w, int argc, char **argv)
{
  if (argc != 2)
    CNI_Error(w, "%s takes one file name", argv[0]);
  CNI_AddString(&CNI_cfg.n_nts_certs, &CNI_cfg.nts_server_certs, argv[1]);
}

void
CNN_ParseNtstrustedcerts(const CNI_Where *w, int argc, char **argv)
{
  char buf[MAX_LINE];

  if (argc == 3) {
    CNI_ParseInt(w, argv[1], 0, 65535, "certificate set");
    snprintf(buf, sizeof buf, "%s %s", argv[1], argv[2]);
  } else if (argc == 2) {
    snprintf(buf, sizeof buf, "0 %s", argv[1]);
  } else {
    CNI_Error(w, "%s takes an optional set and a file or directory", argv[0]);
  }
  CNI_AddString(&CNI_cfg.n_nts_trusted, &CNI_cfg.nts_trusted_certs, buf);
}

static void
print_list(FILE *out, const char *name, int n, char **list)
{
  int i;

  for (i = 0; i < n; i++)
    fprintf(out, "%s %s\n", name, list[i]);
}

void
CNN_PrintNtsserverkey(FILE *out, const char *name)
{
  print_list(out, name, CNI_cfg.n_nts_keys, CNI_cfg.nts_server_keys);
}

void
CNN_PrintNtsservercert(FILE *out, const char *name)
{
  print_list(out, name, CNI_cfg.n_nts_certs, CNI_cfg.nts_server_certs);
}

void
CNN_PrintNtstrustedcerts(FILE *out, const char *name) { print_list(out, name, CNI_cfg.n_nts_trusted, CNI_cfg.nts_trusted_certs); }
