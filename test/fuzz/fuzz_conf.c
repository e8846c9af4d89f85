/*
  ntsd - fuzzing the configuration parser (CNF_ParseLine, CNF_Print)

  The input is a configuration file, parsed line by line.  A bad line makes
  the parser print FILE:LINE: and exit(1), as it should at start-up; this
  harness is linked with -Wl,--wrap=exit so that such an exit during a
  parse returns here instead (conf.c is unchanged).  include and confdir
  lines are skipped: they would read whatever files the fuzzer names.

  What is accepted must print (as ntsd -p) in a canonical form that parses
  again, without error, to the same configuration.
*/
#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "fuzz.h"

#define MAX_FILE 8192

void __real_exit(int status) __attribute__((noreturn));
void __wrap_exit(int status) __attribute__((noreturn));

static jmp_buf parse_env;
static int in_parse;
static FILE *devnull;

/* Every call of exit() in the program comes here; only those from inside
   CNF_ParseLine() are caught */
void
__wrap_exit(int status)
{
  if (in_parse) {
    in_parse = 0;
    longjmp(parse_env, 1);
  }
  __real_exit(status);
}

void
FUZ_Setup(void)
{
  devnull = fopen("/dev/null", "w");
  FUZ_ASSERT(devnull);
}

void
FUZ_WriteSeeds(void)
{
  static const char *const seeds[] = {
    ("server 192.0.2.1 iburst\npool pool.example.org maxsources 3\nallow 10.0.0.0/8\n"
     "deny 10.1.0.0/16\nlocal stratum 10\nport 11123\nbindaddress 127.0.0.1\n"),
    ("driftfile /var/lib/ntsd/drift 3600\nkeyfile /etc/ntsd/keys\nratelimit interval 3 burst 8 leak 2\n"
     "clientloglimit 1000000\nnoclientlog\ncmdport 0\nbindcmdaddress /run/ntsd.sock\n"
     "cmdallow all 192.0.2.0/24\ncmddeny ::1\n"),
    ("ntsserverkey /etc/a.key\nntsservercert /etc/a.crt\nntsport 4460\nmaxntsconnections 50\n"
     "ntsratelimit interval 6 burst 8 leak 2\nntsrotate 0\nntsdumpdir /var/lib/ntsd\n"
     "ntsntpserver ntp.example.org\nntstrustedcerts 1 /etc/ssl/set1\nnosystemcert\n"
     "nocerttimecheck 1\nntsrefresh 86400\n"),
    ("server 192.0.2.2 key 1 minpoll 4 maxpoll 6 maxsamples 3\nserver ntp.example.org nts\n"
     "user nobody\npidfile /run/x.pid\nlogdir /var/log\n# comment\n; another\n"),
  };
  char name[16];
  size_t i;

  for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
    snprintf(name, sizeof name, "conf%zu", i);
    FUZ_WriteSeed(name, seeds[i], strlen(seeds[i]));
  }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  FUZ_Initialise();
  return 0;
}

/* Returns 1 if the line was taken, 0 if the parser rejected it */
static int
parse_line(const char *line, int number)
{
  FILE *saved = stderr;

  if (setjmp(parse_env)) {
    stderr = saved;
    return 0;
  }
  /* The parser's error messages are expected and not worth the time */
  stderr = devnull;
  in_parse = 1;
  CNF_ParseLine("fuzz.conf", number, line);
  in_parse = 0;
  stderr = saved;
  return 1;
}

static int
reads_files(const char *line)
{
  line += strspn(line, " \t\r\v\f");
  return strncasecmp(line, "include", 7) == 0 || strncasecmp(line, "confdir", 7) == 0;
}

static char *
print_config(void)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);

  FUZ_ASSERT(f);
  CNF_Print(f);
  FUZ_ASSERT(fclose(f) == 0);
  return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char text[MAX_FILE + 1], *line, *next, *printed, *reprinted;
  int number = 0;

  if (size > MAX_FILE)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';

  CNF_Initialise(0);
  for (line = text; line < text + size; line = next) {
    next = memchr(line, '\n', text + size - line);
    if (next)
      *next++ = '\0';
    else
      next = text + size;
    number++;
    if (!reads_files(line))
      parse_line(line, number);
  }

  /* ntsd -p, whose output must parse back to itself */
  printed = print_config();
  CNF_Finalise();
  CNF_Initialise(0);
  number = 0;
  for (line = printed; *line; line = next) {
    next = strchr(line, '\n');
    FUZ_ASSERT(next);
    *next = '\0';
    FUZ_ASSERT(parse_line(line, ++number));
    *next++ = '\n';
  }
  reprinted = print_config();
  FUZ_ASSERT(strcmp(printed, reprinted) == 0);

  free(printed);
  free(reprinted);
  CNF_Finalise();
  return 0;
}
