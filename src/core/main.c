/*
  ntsd - start-up and shut-down

  The order of initialisation here is the architecture in one place: logging
  and configuration first, then the event loop, then the modules that own
  sockets (NTP, NTS-KE, command), each finalised in reverse order.
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdmon.h"
#include "conf.h"
#include "discipline.h"
#include "keys.h"
#include "logging.h"
#include "ntp_client.h"
#include "ntp_io.h"
#include "ntp_once.h"
#include "ntp_server.h"
#include "pidfile.h"
#include "privops.h"
#include "sched.h"
#include "sources.h"
#include "srcsel.h"
#ifdef FEAT_NTS
#include "nts_ke_server.h"
#endif

/* Exit codes, documented in ntsd.8 */
#define EXIT_OK 0
#define EXIT_ERROR 1

static int ready_fd = -1;
static int exit_status = EXIT_OK;

static void
print_usage(FILE *out)
{
  fprintf(out,
          "Usage: ntsd [OPTION]... [DIRECTIVE]...\n\n"
          "  -f FILE     read configuration from FILE (default %s)\n"
          "  -d          stay in the foreground and log to stderr (-d -d: debug)\n"
          "  -n          stay in the foreground\n"
          "  -x          do not control the system clock\n"
          "  -Q          measure the offset of the sources once, do not set the clock\n"
          "  -q          set the clock once and exit\n"
          "  -t SECONDS  exit after SECONDS\n"
          "  -u USER     run as USER after start-up (default %s)\n"
          "  -U          do not refuse to start as a non-root user\n"
          "  -F LEVEL    system-call filter: 0 off, 1 allowlist, 2 also kill fork/exec,\n"
          "              negative: trap and report instead of killing\n"
          "  -L LEVEL    minimum log level (0 info, 1 warning, 2 error, 3 fatal, -1 debug)\n"
          "  -l FILE     log to FILE\n"
          "  -p          print the effective configuration and exit\n"
          "  -4, -6      use IPv4 or IPv6 only\n"
          "  -v          print the version and features and exit\n"
          "  -h          print this help\n",
          DEFAULT_CONF_FILE, DEFAULT_USER);
}

/* The Linux driver changes the real clock, so only when asked to (no -x)
   and able to (CAP_SYS_TIME, checked after the privilege drop); otherwise
   the discipline runs on the read-only driver, as chronyd -x */
static DSC_Driver *
create_clock_driver(int control_clock)
{
  DSC_Driver *driver = NULL;

  if (control_clock) {
    driver = DSC_CreateLinuxDriver(CNF_Get()->rtcsync);
    if (!driver)
      LOG(LOGS_WARN, "Could not control the system clock, running as with -x");
  }
  return driver ? driver : DSC_CreateReadOnlyDriver();
}

static void
quit_signal(int signo)
{
  LOG(LOGS_INFO, "Received signal %d, exiting", signo);
  SCH_QuitProgram();
}

static void
timeout_reached(void *arg)
{
  (void)arg;
  LOG(LOGS_INFO, "Timeout reached");
  exit_status = EXIT_ERROR;
  SCH_QuitProgram();
}

/* Fork into the background.  The parent waits until the child reports that
   start-up finished, so that `ntsd` returns non-zero when the daemon could
   not start (for service managers and for administrators alike). */
static void
daemonise(void)
{
  int fds[2], null_fd;
  pid_t pid;
  char c;

  if (pipe(fds) < 0)
    LOG_FATAL("pipe() failed : %s", strerror(errno));

  pid = fork();
  if (pid < 0)
    LOG_FATAL("fork() failed : %s", strerror(errno));
  if (pid > 0) {
    close(fds[1]);
    exit(read(fds[0], &c, 1) == 1 ? EXIT_OK : EXIT_ERROR);
  }
  close(fds[0]);
  setsid();
  pid = fork();
  if (pid < 0)
    LOG_FATAL("fork() failed : %s", strerror(errno));
  if (pid > 0)
    _exit(EXIT_OK);

  if (chdir("/") < 0) {
  }
  null_fd = open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    if (null_fd > 2)
      close(null_fd);
  }
  ready_fd = fds[1];
}

/* -F takes a small signed number; anything else is a mistake worth
   stopping for rather than silently running without the filter */
static int
parse_filter_level(const char *arg)
{
  char *end;
  long level;

  errno = 0;
  level = strtol(arg, &end, 10);
  if (errno || end == arg || *end != '\0' || level < -2 || level > 2)
    LOG_FATAL("Invalid system-call filter level %s (-F takes -2 to 2)", arg);
  return level;
}

static void
signal_ready(void)
{
  if (ready_fd >= 0) {
    if (write(ready_fd, "", 1) < 0) {
    }
    close(ready_fd);
    ready_fd = -1;
  }
}

int
main(int argc, char **argv)
{
  const char *conf_file = DEFAULT_CONF_FILE, *user = NULL, *log_file = NULL;
  int opt, debug = 0, nofork = 0, print_config = 0, allow_nonroot = 0;
  int client_only = 0, control_clock = 1, filter_level = 0, log_level = LOGS_INFO;
  int conf_from_args, i;
  double timeout = 0.0;
  pid_t other;

  LOG_Initialise();

  while ((opt = getopt(argc, argv, "46df:F:hl:L:npqQt:u:Uvx")) != -1) {
    switch (opt) {
      case '4': CNF_SetAddressFamily(AF_INET); break;
      case '6': CNF_SetAddressFamily(AF_INET6); break;
      case 'd': debug++; nofork = 1; break;
      case 'f': conf_file = optarg; break;
      case 'F': filter_level = parse_filter_level(optarg); break;
      case 'l': log_file = optarg; break;
      case 'L': log_level = atoi(optarg); break;
      case 'n': nofork = 1; break;
      case 'p': print_config = 1; break;
      case 'q': client_only = 1; nofork = 1; break;
      case 'Q': client_only = 2; nofork = 1; control_clock = 0; break;
      case 't': timeout = atof(optarg); break;
      case 'u': user = optarg; break;
      case 'U': allow_nonroot = 1; break;
      case 'x': control_clock = 0; break;
      case 'v':
        printf("ntsd version %s (%s)\n", NTSD_VERSION, NTSD_FEATURES);
        return EXIT_OK;
      case 'h':
        print_usage(stdout);
        return EXIT_OK;
      default:
        print_usage(stderr);
        return EXIT_ERROR;
    }
  }

  if (debug > 1)
    log_level = LOGS_DEBUG;
  LOG_SetMinSeverity(log_level);

  /* As chronyd: directives on the command line replace the file */
  CNF_Initialise(0);
  conf_from_args = optind < argc;
  if (conf_from_args) {
    for (i = optind; i < argc; i++)
      CNF_ParseLine("command line", i - optind + 1, argv[i]);
  } else {
    CNF_ReadFile(conf_file, 0);
  }
  if (user) {
    char line[256];

    snprintf(line, sizeof line, "user %s", user);
    CNF_ParseLine("-u", 0, line);
  }

  if (print_config) {
    CNF_Print(stdout);
    CNF_Finalise();
    return EXIT_OK;
  }

  PRV_CheckFilterLevel(filter_level);

  if (client_only) {
    /* -q/-Q: measure the sources once, without serving anything and
       without the pid file, so that it can run next to the daemon */
    signal(SIGPIPE, SIG_IGN);
    if (log_file)
      LOG_OpenFileLog(log_file);
    exit_status = NOC_Run(client_only == 1, timeout, filter_level);
    CNF_Finalise();
    LOG_Finalise();
    return exit_status;
  }

  if (!allow_nonroot && geteuid() != 0 && !nofork)
    LOG_FATAL("Not superuser (use -U to start as another user)");

  if (log_file)
    LOG_OpenFileLog(log_file);
  if (!nofork) {
    daemonise();
    if (!log_file)
      LOG_OpenSystemLog();
  }

  switch (PID_Create(CNF_Get()->pidfile, &other)) {
    case 1:
      break;
    case 0:
      if (other)
        LOG_FATAL("Another ntsd seems to be running (pid %d) : %s", (int)other, CNF_Get()->pidfile);
      LOG_FATAL("Another ntsd seems to be running : %s", CNF_Get()->pidfile);
    default:
      LOG_FATAL("Could not create pid file %s", CNF_Get()->pidfile);
  }

  /* Directories written after the privilege drop must belong to the user */
  PRV_Initialise(CNF_Get()->user);
  PRV_PrepareUserDir(CNF_Get()->nts_dump_dir, 0750);
  PRV_PrepareUserDir(CNF_Get()->logdir, 0750);

  SCH_Initialise();
  KEY_Initialise();
  NIO_Initialise();
  NSR_Initialise();
  NCL_Initialise();
#ifdef FEAT_NTS
  NKS_Initialise();
#endif
  CAM_Initialise();

  /* Every socket is bound and every root-only file open: no port below
     1024 is bound later, so only the clock needs a capability */
  PRV_PrepareCommandSocket(CNF_Get()->bind_cmd_path);
  PRV_DropRoot(control_clock, 0);
  SSL_Initialise(create_clock_driver(control_clock));

  SCH_SetSignalHandler(SIGINT, quit_signal);
  SCH_SetSignalHandler(SIGTERM, quit_signal);
  signal(SIGPIPE, SIG_IGN);
  if (timeout > 0.0)
    SCH_AddTimeout(timeout, timeout_reached, NULL);

  /* Last, so that nothing done at start-up has to be in the allowlist */
  PRV_EnableSystemCallFilter(filter_level);

  LOG(LOGS_INFO, "ntsd version %s (%s) starting", NTSD_VERSION, NTSD_FEATURES);
  signal_ready();

  SCH_MainLoop();

  LOG(LOGS_INFO, "ntsd exiting");
  CAM_Finalise();
#ifdef FEAT_NTS
  NKS_Finalise();
#endif
  NCL_Finalise();
  SRC_Finalise();
  SSL_Finalise();
  NSR_Finalise();
  NIO_Finalise();
  KEY_Finalise();
  SCH_Finalise();
  PRV_Finalise();
  PID_Remove();
  CNF_Finalise();
  LOG_Finalise();

  return exit_status;
}
