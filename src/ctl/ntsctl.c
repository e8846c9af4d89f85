/*
  ntsctl - command-line client of ntsd

  A drop-in for chronyc 4.3: same options, commands, output (including CSV
  with -c), exit statuses, and the same way of talking to the daemon, so it
  also works with chronyd.  With -j every command prints one JSON object
  on one line instead.

  JSON output (-j), stable field names.  Times are seconds with a fraction;
  offsets in seconds, positive when the local clock is ahead ("fast");
  absent or unknown values are null.  Reference ids are 8 hex digits.

    tracking     reference_id, reference_name, reference_address, stratum,
                 ref_time, system_time_offset (positive: clock fast),
                 last_offset, rms_offset, frequency_ppm (positive: clock
                 runs fast), residual_frequency_ppm, skew_ppm, root_delay,
                 root_dispersion, update_interval, leap_status (0 normal,
                 1 insert, 2 delete, 3 unsynchronised)
    sources      sources: [ { mode ("^" server, "=" peer, "#" refclock),
                 state ("*" "+" "-" "x" "~" "?"), name, address, stratum,
                 poll, reach, last_rx (seconds or null), adjusted_offset,
                 measured_offset, error } ]
    sourcestats  sources: [ { name, address, reference_id, samples, runs,
                 span, frequency_ppm, frequency_skew_ppm, offset,
                 offset_error, std_dev } ]
    selectdata   sources: [ { state, name, address, reference_id,
                 authenticated, configured_options, effective_options
                 (5 characters "NPTR-" as chronyc), last_sample_ago, score,
                 interval_low, interval_high, leap } ]
    authdata     sources: [ { name, address, mode ("-", "SK", "NTS"), key_id,
                 key_type, key_length, last_ke_ago (or null), ke_attempts,
                 nak, cookies, cookie_length } ]
    ntpdata      one object, or sources: [ ... ] without an address:
                 remote_address, remote_port, local_address, leap, version,
                 mode, stratum, poll, precision, root_delay,
                 root_dispersion, reference_id, reference_name,
                 reference_time, offset, peer_delay, peer_dispersion,
                 response_time, jitter_asymmetry, tests (10 bits, 1 =
                 passed), interleaved, authenticated, tx_timestamping,
                 rx_timestamping ("daemon", "kernel", "hardware"),
                 total_tx, total_rx, total_valid_rx, total_good_rx, and
                 from newer daemons total_kernel_tx, total_kernel_rx,
                 total_hw_tx, total_hw_rx
    serverstats  ntp_packets_received, ntp_packets_dropped,
                 command_packets_received, command_packets_dropped,
                 client_log_records_dropped, nts_ke_connections_accepted,
                 nts_ke_connections_dropped, authenticated_ntp_packets,
                 interleaved_ntp_packets, ntp_timestamps_held,
                 ntp_timestamp_span, and from newer daemons
                 ntp_daemon_rx_timestamps, ntp_daemon_tx_timestamps,
                 ntp_kernel_rx_timestamps, ntp_kernel_tx_timestamps,
                 ntp_hardware_rx_timestamps, ntp_hardware_tx_timestamps
    clients      clients: [ { name, address, ntp_hits, ntp_drops,
                 ntp_interval, ntp_timeout_interval, ntp_last_ago,
                 nts_ke_hits, nts_ke_drops, nts_ke_interval,
                 nts_ke_last_ago, cmd_hits, cmd_drops, cmd_interval,
                 cmd_last_ago } ] (intervals log2 seconds, 127 unknown;
                 *_last_ago 4294967295 never)
    activity     online, offline, burst_online, burst_offline, unresolved
    sourcename   name
    manual list  samples: [ { index, time, slewed_offset, original_offset,
                 residual } ]
    rtcdata      ref_time, samples, runs, span, rtc_fast_by,
                 rtc_gain_rate_ppm
    smoothing    active, leap_only, offset, frequency_ppm, wander_ppm,
                 last_update_ago, remaining_time
    settime      offset, frequency_change_ppm, new_frequency_ppm
    other        commands without a report print {"status":"200 OK"} (or
                 "208 Access allowed", "209 Access denied")
  Failures print {"error":"<chronyc's status line>"} on stdout instead of
  the report, e.g. {"error":"503 No such source"} or {"error":"506 Cannot
  talk to daemon"}; local syntax errors stay plain text on stderr.
*/
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl.h"
#include "memory.h"

#define DEFAULT_PORT CMW_DEFAULT_PORT

static const struct {
  const char *name;
  int (*report)(char *args);
} reports[] = {
  { "tracking", CTR_Tracking },
  { "sources", CTR_Sources },
  { "sourcestats", CTR_SourceStats },
  { "selectdata", CTR_SelectData },
  { "authdata", CTR_AuthData },
  { "ntpdata", CTR_NtpData },
  { "serverstats", CTR_ServerStats },
  { "clients", CTR_Clients },
  { "activity", CTR_Activity },
  { "sourcename", CTR_SourceName },
  { "rtcdata", CTR_Rtc },
  { "smoothing", CTR_Smoothing },
  { "waitsync", CTR_WaitSync },
};

/* chronyc 4.3's help text, without keygen (not implemented) */
static const char *const help_lines[][2] = {
    { "System clock:", "" },
    { "tracking", "Display system time information" },
    { "makestep", "Correct clock by stepping immediately" },
    { "makestep <threshold> <updates>", "Configure automatic clock stepping" },
    { "maxupdateskew <skew>", "Modify maximum valid skew to update frequency" },
    { "waitsync [<max-tries> [<max-correction> [<max-skew> [<interval>]]]]", "Wait until synchronised in specified limits" },
    { "", "" },
    { "Time sources:", "" },
    { "sources [-a] [-v]", "Display information about current sources" },
    { "sourcestats [-a] [-v]", "Display statistics about collected measurements" },
    { "selectdata [-a] [-v]", "Display information about source selection" },
    { "reselect", "Force reselecting synchronisation source" },
    { "reselectdist <dist>", "Modify reselection distance" },
    { "", "" },
    { "NTP sources:", "" },
    { "activity", "Check how many NTP sources are online/offline" },
    { "authdata [-a] [-v]", "Display information about authentication" },
    { "ntpdata [<address>]", "Display information about last valid measurement" },
    { "add server <name> [options]", "Add new NTP server" },
    { "add pool <name> [options]", "Add new pool of NTP servers" },
    { "add peer <name> [options]", "Add new NTP peer" },
    { "delete <address>", "Remove server or peer" },
    { "burst <n-good>/<n-max> [[<mask>/]<address>]", "Start rapid set of measurements" },
    { "maxdelay <address> <delay>", "Modify maximum valid sample delay" },
    { "maxdelayratio <address> <ratio>", "Modify maximum valid delay/minimum ratio" },
    { "maxdelaydevratio <address> <ratio>", "Modify maximum valid delay/deviation ratio" },
    { "minpoll <address> <poll>", "Modify minimum polling interval" },
    { "maxpoll <address> <poll>", "Modify maximum polling interval" },
    { "minstratum <address> <stratum>", "Modify minimum stratum" },
    { "offline [[<mask>/]<address>]", "Set sources in subnet to offline status" },
    { "online [[<mask>/]<address>]", "Set sources in subnet to online status" },
    { "onoffline", "Set all sources to online or offline status" },
    { "", "according to network configuration" },
    { "polltarget <address> <target>", "Modify poll target" },
    { "refresh", "Refresh IP addresses" },
    { "reload sources", "Re-read *.sources files" },
    { "sourcename <address>", "Display original name" },
    { "", "" },
    { "Manual time input:", "" },
    { "manual off|on|reset", "Disable/enable/reset settime command" },
    { "manual list", "Show previous settime entries" },
    { "manual delete <index>", "Delete previous settime entry" },
    { "settime <time>", "Set daemon time" },
    { "", "(e.g. Sep 25, 2015 16:30:05 or 16:30:05)" },
    { "", "" },
    { "NTP access:", "" },
    { "accheck <address>", "Check whether address is allowed" },
    { "clients [-p <packets>] [-k] [-r]", "Report on clients that accessed the server" },
    { "serverstats", "Display statistics of the server" },
    { "allow [<subnet>]", "Allow access to subnet as a default" },
    { "allow all [<subnet>]", "Allow access to subnet and all children" },
    { "deny [<subnet>]", "Deny access to subnet as a default" },
    { "deny all [<subnet>]", "Deny access to subnet and all children" },
    { "local [options]", "Serve time even when not synchronised" },
    { "local off", "Don't serve time when not synchronised" },
    { "smoothtime reset|activate", "Reset/activate time smoothing" },
    { "smoothing", "Display current time smoothing state" },
    { "", "" },
    { "Monitoring access:", "" },
    { "cmdaccheck <address>", "Check whether address is allowed" },
    { "cmdallow [<subnet>]", "Allow access to subnet as a default" },
    { "cmdallow all [<subnet>]", "Allow access to subnet and all children" },
    { "cmddeny [<subnet>]", "Deny access to subnet as a default" },
    { "cmddeny all [<subnet>]", "Deny access to subnet and all children" },
    { "", "" },
    { "Real-time clock:", "" },
    { "rtcdata", "Print current RTC performance parameters" },
    { "trimrtc", "Correct RTC relative to system clock" },
    { "writertc", "Save RTC performance parameters to file" },
    { "", "" },
    { "Other daemon commands:", "" },
    { "cyclelogs", "Close and re-open log files" },
    { "dump", "Dump measurements and NTS keys/cookies" },
    { "rekey", "Re-read keys" },
    { "reset sources", "Drop all measurements" },
    { "shutdown", "Stop daemon" },
    { "", "" },
    { "Client commands:", "" },
    { "dns -n|+n", "Disable/enable resolving IP addresses to hostnames" },
    { "dns -4|-6|-46", "Resolve hostnames only to IPv4/IPv6/both addresses" },
    { "timeout <milliseconds>", "Set initial response timeout" },
    { "retries <retries>", "Set maximum number of retries" },
    { "exit|quit", "Leave the program" },
    { "help", "Generate this help" },
    { "", "" },
};

static void
print_help(void)
{
  unsigned int i;

  for (i = 0; i < sizeof help_lines / sizeof help_lines[0]; i++) {
    if (strlen(help_lines[i][0]) > 27)
      printf("%s\n%-27s %s\n", help_lines[i][0], "", help_lines[i][1]);
    else
      printf("%-27s %s\n", help_lines[i][0], help_lines[i][1]);
  }
}

static void
print_usage(FILE *out, const char *progname)
{
  fprintf(out,
          "Usage: %s [OPTION]... [COMMAND]...\n\n"
          "Options:\n"
          "  -4\t\tUse IPv4 addresses only\n"
          "  -6\t\tUse IPv6 addresses only\n"
          "  -n\t\tDon't resolve hostnames\n"
          "  -N\t\tPrint original source names\n"
          "  -c\t\tEnable CSV format\n"
          "  -j\t\tPrint JSON objects\n"
          "  -m\t\tAccept multiple commands\n"
          "  -h HOST\tSpecify server (%s,127.0.0.1,::1)\n"
          "  -p PORT\tSpecify UDP port (%d)\n"
          "  -v, --version\tPrint version and exit\n"
          "      --help\tPrint usage and exit\n",
          progname, NTSD_SOCKET_PATH, DEFAULT_PORT);
}

/* Leading and repeated white-space removed, as chronyc does */
static void
normalise_line(char *line)
{
  char *r = line, *w = line;
  int space = 0;

  while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
    r++;
  for (; *r; r++) {
    if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
      space = 1;
      continue;
    }
    if (space && w > line)
      *w++ = ' ';
    space = 0;
    *w++ = *r;
  }
  *w = '\0';
}

/* Returns 1 on success, 0 on failure; *quit is set by quit/exit */
static int
process_line(char *line, int *quit)
{
  char *args = line, *name;
  unsigned int i;
  int r;

  normalise_line(line);
  if (!*line || strchr("!;#%", line[0]))
    return 1;

  name = CTL_NextWord(&args);
  if (!name)
    return 1;

  if (strcmp(name, "quit") == 0 || strcmp(name, "exit") == 0) {
    *quit = 1;
    return 1;
  }
  if (strcmp(name, "help") == 0) {
    print_help();
    return 1;
  }
  if (strcmp(name, "dns") == 0) {
    /* As chronyc: exactly one of the five arguments */
    if (strcmp(args, "-46") == 0)
      CTL_options.family = 0;
    else if (strcmp(args, "-4") == 0)
      CTL_options.family = AF_INET;
    else if (strcmp(args, "-6") == 0)
      CTL_options.family = AF_INET6;
    else if (strcmp(args, "-n") == 0)
      CTL_options.no_dns = 1;
    else if (strcmp(args, "+n") == 0)
      CTL_options.no_dns = 0;
    else {
      fprintf(stderr, "Unrecognized dns command\n");
      return 0;
    }
    return 1;
  }
  if (strcmp(name, "timeout") == 0 || strcmp(name, "retries") == 0) {
    char *w = CTL_NextWord(&args);

    if (!w) {
      fprintf(stderr, "Invalid syntax for %s command\n", name);
      return 0;
    }
    if (name[0] == 't')
      CTN_SetTimeout(atoi(w));
    else
      CTN_SetRetries(atoi(w));
    return 1;
  }

  CTJ_StartCommand();
  r = -1;
  for (i = 0; i < sizeof reports / sizeof reports[0]; i++) {
    if (strcmp(name, reports[i].name) == 0) {
      r = reports[i].report(args);
      break;
    }
  }
  if (r < 0)
    r = CTA_Run(name, args);
  CTJ_FinishCommand(r > 0);
  fflush(stdout);
  if (r < 0) {
    fprintf(stderr, "Unrecognized command\n");
    return 0;
  }
  return r;
}

static int
process_stdin(void)
{
  char line[2048];
  int interactive = isatty(0), ok = 1, quit = 0;

  if (interactive)
    printf("ntsctl (ntsd) version %s\n", NTSD_VERSION);
  for (;;) {
    if (interactive) {
      printf("ntsctl> ");
      fflush(stdout);
    }
    if (!fgets(line, sizeof line, stdin))
      break;
    ok = process_line(line, &quit);
    if (quit)
      break;
  }
  if (interactive && !quit)
    printf("\n");
  return ok;
}

int
main(int argc, char **argv)
{
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'H' },
    { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  const char *hosts = NULL;
  int opt, port = DEFAULT_PORT, family = 0, multi = 0, ok = 1, quit = 0, i;
  size_t len;
  char *line;

  while ((opt = getopt_long(argc, argv, "+46acdf:h:jmnNp:v", long_options, NULL)) != -1) {
    switch (opt) {
      case '4': family = CTL_options.family = AF_INET; break;
      case '6': family = CTL_options.family = AF_INET6; break;
      case 'c': CTL_options.csv = 1; break;
      case 'j': CTL_options.json = 1; break;
      case 'h': hosts = optarg; break;
      case 'm': multi = 1; break;
      case 'n': CTL_options.no_dns = 1; break;
      case 'N': CTL_options.source_names = 1; break;
      case 'p': port = atoi(optarg); break;
      case 'a': case 'd': case 'f':
        /* Accepted and ignored, as chronyc does */
        break;
      case 'v':
        printf("ntsctl (ntsd) version %s (%s)\n", NTSD_VERSION, NTSD_FEATURES);
        return 0;
      case 'H':
        print_usage(stdout, argv[0]);
        return 0;
      default:
        print_usage(stderr, argv[0]);
        return 1;
    }
  }
  if (CTL_options.json)
    CTL_options.csv = 0;

  if (!CTN_SetAddresses(hosts, port, family) || !CTN_Open()) {
    fprintf(stderr, "Could not open connection to daemon\n");
    return 1;
  }

  if (optind >= argc) {
    ok = process_stdin();
  } else if (multi) {
    for (i = optind; i < argc && !quit; i++) {
      line = Strdup(argv[i]);
      ok = process_line(line, &quit);
      Free(line);
      if (!ok)
        break;
    }
  } else {
    for (len = 1, i = optind; i < argc; i++)
      len += strlen(argv[i]) + 1;
    line = Malloc(len);
    line[0] = '\0';
    for (i = optind; i < argc; i++) {
      if (i > optind)
        strcat(line, " ");
      strcat(line, argv[i]);
    }
    ok = process_line(line, &quit);
    Free(line);
  }

  CTN_Close();
  return ok ? 0 : 1;
}
