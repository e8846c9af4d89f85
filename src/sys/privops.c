/*
  ntsd - privilege drop and system-call filter

  Capabilities are dropped from the bounding set first (while CAP_SETPCAP
  is still effective), then the identity changes with PR_SET_KEEPCAPS set
  only if some capability must survive the setuid(), and the surviving set
  is written explicitly, so what the process holds afterwards never depends
  on the kernel's setuid() rules.  The result is read back and checked.

  The seccomp filter is an allowlist by name, so the same table works on
  every architecture libseccomp knows; names a given architecture lacks
  (mmap2, getuid32...) are skipped.  Calls whose arguments decide whether
  they are harmless (socket, ioctl, clone, prlimit64) get argument rules.
  A sanitizer build adds what LeakSanitizer's check at exit needs (levels
  1 and -1 only); every system test runs ntsd with -F 1.
*/
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef FEAT_PRIVDROP
#include <sys/capability.h>
#endif

#ifdef FEAT_SECCOMP
#include <linux/netlink.h>
/* <sched.h> is shadowed by the scheduler module's header */
#include <linux/sched.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <ucontext.h>
#endif

#include "logging.h"
#include "memory.h"
#include "privops.h"

/* LeakSanitizer (part of ASan) checks for leaks at exit from a helper
   process it clone()s, which ptrace()s the daemon's threads */
#if defined(__SANITIZE_ADDRESS__)
#define LSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define LSAN_BUILD 1
#endif
#endif

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* The user to switch to; valid only when drop_wanted */
static int drop_wanted;
static char *user_name;
static uid_t user_uid;
static gid_t user_gid;

void
PRV_CheckFilterLevel(int level)
{
  if (level < -2 || level > 2)
    LOG_FATAL("Invalid system-call filter level %d (-F takes -2 to 2)", level);
#ifndef FEAT_SECCOMP
  if (level != 0)
    LOG_FATAL("-F %d needs the system-call filter, but ntsd was built without SECCOMP "
              "(configure --without-seccomp)", level);
#endif
}

void
PRV_Initialise(const char *user)
{
  struct passwd *pw;

  drop_wanted = 0;
  if (geteuid() != 0) {
    DEBUG_LOG("Not started as root (uid %u), not switching user", (unsigned int)geteuid());
    return;
  }
  if (!user || !user[0])
    LOG_FATAL("No user to run as (user directive or -u)");

  errno = 0;
  pw = getpwnam(user);
  if (!pw) {
    if (errno)
      LOG_FATAL("Could not look up user %s : %s", user, strerror(errno));
    LOG_FATAL("User %s does not exist (set another with the user directive or -u, "
              "or create it)", user);
  }
  if (pw->pw_uid == 0) {
    DEBUG_LOG("User %s is root, not switching user", user);
    return;
  }

#ifndef FEAT_PRIVDROP
  LOG(LOGS_WARN, "Built without PRIVDROP (configure --without-libcap), staying root "
      "instead of switching to %s", user);
  return;
#else
  drop_wanted = 1;
  user_name = Strdup(user);
  user_uid = pw->pw_uid;
  user_gid = pw->pw_gid;
  DEBUG_LOG("Will run as %s (uid %u gid %u)", user, (unsigned int)user_uid,
            (unsigned int)user_gid);
#endif
}

void
PRV_Finalise(void)
{
  Free(user_name);
  user_name = NULL;
  drop_wanted = 0;
}

/* Hand an existing directory to the user, unless it looks shared: a
   directory that others may write to (/tmp) or that belongs to another
   user was not made for the daemon, and taking it over would be worse than
   failing to write there later */
static int
adopt_dir(const char *path, const struct stat *st)
{
  if (st->st_uid == user_uid && st->st_gid == user_gid)
    return 1;
  if (st->st_uid != 0 && st->st_uid != user_uid) {
    LOG(LOGS_ERR, "Directory %s belongs to uid %u, not to %s", path,
        (unsigned int)st->st_uid, user_name);
    return 0;
  }
  if (st->st_mode & 022) {
    LOG(LOGS_ERR, "Not giving %s to %s : writable by group or others", path, user_name);
    return 0;
  }
  if (chown(path, user_uid, user_gid) < 0) {
    LOG(LOGS_ERR, "Could not change the owner of %s : %s", path, strerror(errno));
    return 0;
  }
  LOG(LOGS_INFO, "Gave directory %s to %s", path, user_name);
  return 1;
}

int
PRV_PrepareUserDir(const char *path, mode_t mode)
{
  struct stat st;
  char *dir, *p;
  int last, ok = 1;

  if (!path || !path[0] || geteuid() != 0)
    return 1;
  if (path[0] != '/' || strcmp(path, "/") == 0) {
    LOG(LOGS_ERR, "Directory %s must be an absolute path other than /", path);
    return 0;
  }

  dir = Strdup(path);
  for (p = dir + 1; ok; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    last = *p == '\0' || p[strspn(p, "/")] == '\0';
    *p = '\0';

    if (stat(dir, &st) < 0) {
      if (errno != ENOENT || mkdir(dir, last ? mode : 0755) < 0) {
        LOG(LOGS_ERR, "Could not create directory %s : %s", dir, strerror(errno));
        ok = 0;
      } else if (last && drop_wanted && chown(dir, user_uid, user_gid) < 0) {
        LOG(LOGS_ERR, "Could not change the owner of %s : %s", dir, strerror(errno));
        /* Don't leave a directory the daemon cannot use behind */
        rmdir(dir);
        ok = 0;
      }
    } else if (!S_ISDIR(st.st_mode)) {
      LOG(LOGS_ERR, "%s is not a directory", dir);
      ok = 0;
    } else if (last && drop_wanted) {
      ok = adopt_dir(dir, &st);
    }

    if (last)
      break;
    *p = '/';
  }
  Free(dir);
  return ok;
}

void
PRV_PrepareCommandSocket(const char *path)
{
  struct stat st;
  char *dir, *slash;

  if (!drop_wanted || !path || !path[0] || strcmp(path, "/") == 0)
    return;
  /* CAM may have refused the socket; then there is nothing to hand over */
  if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
    return;
  if (lchown(path, user_uid, user_gid) < 0)
    LOG(LOGS_WARN, "Could not change the owner of %s : %s", path, strerror(errno));

  dir = Strdup(path);
  slash = strrchr(dir, '/');
  if (slash && slash != dir) {
    *slash = '\0';
    /* CAM accepted the directory only as root's and not open to others;
       check again rather than hand an unexpected directory to a group */
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
        (st.st_mode & 07007)) {
      LOG(LOGS_WARN, "Not giving %s to group of %s; the command socket may not "
          "answer ntsctl there", dir, user_name);
    } else if (chown(dir, -1, user_gid) < 0 ||
               chmod(dir, (st.st_mode & 0770) | 0070) < 0) {
      LOG(LOGS_WARN, "Could not give %s to the group of %s : %s", dir, user_name,
          strerror(errno));
    }
  }
  Free(dir);
}

#ifdef FEAT_PRIVDROP
static void
check_identity(void)
{
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;

  if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
    LOG_FATAL("Could not read the process identity : %s", strerror(errno));
  if (ruid != user_uid || euid != user_uid || suid != user_uid ||
      rgid != user_gid || egid != user_gid || sgid != user_gid || getgroups(0, NULL) != 0)
    LOG_FATAL("Identity not fully switched to %s", user_name);
  /* The saved uid is not root any more, so this must fail */
  if (setuid(0) == 0)
    LOG_FATAL("Could regain root after switching to %s", user_name);
}
#endif

void
PRV_DropRoot(int keep_sys_time, int keep_net_bind_service)
{
#ifdef FEAT_PRIVDROP
  cap_value_t keep[2];
  cap_flag_value_t v;
  char kept[64];
  cap_t caps;
  int i, j, n = 0;

  if (!drop_wanted)
    return;

  if (keep_sys_time)
    keep[n++] = CAP_SYS_TIME;
  if (keep_net_bind_service)
    keep[n++] = CAP_NET_BIND_SERVICE;
  snprintf(kept, sizeof kept, "%s%s%s", keep_sys_time ? "CAP_SYS_TIME" : "",
           n > 1 ? " and " : "", keep_net_bind_service ? "CAP_NET_BIND_SERVICE" : "");

  /* Say why before anything changed, e.g. under a service manager or
     setpriv that took the capability away */
  for (i = 0; i < n; i++) {
    if (prctl(PR_CAPBSET_READ, keep[i], 0, 0, 0) != 1)
      LOG_FATAL("%s is needed but not in the bounding set%s",
                keep[i] == CAP_SYS_TIME ? "CAP_SYS_TIME" : "CAP_NET_BIND_SERVICE",
                keep[i] == CAP_SYS_TIME ? " (use -x not to control the clock)" : "");
  }

  /* Nothing the daemon may ever execute or be given can regain the rest */
  for (i = 0; i < 64; i++) {
    for (j = 0; j < n && keep[j] != i; j++)
      ;
    if (j < n)
      continue;
    if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0) {
      if (errno == EINVAL)
        break;
      LOG_FATAL("Could not drop capability %d from the bounding set : %s", i, strerror(errno));
    }
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    LOG_FATAL("Could not clear the ambient capabilities : %s", strerror(errno));

  if (prctl(PR_SET_KEEPCAPS, n > 0, 0, 0, 0) < 0)
    LOG_FATAL("prctl(PR_SET_KEEPCAPS) failed : %s", strerror(errno));

  /* Groups first: they need CAP_SETGID, which setuid() takes away */
  if (setgroups(0, NULL) < 0)
    LOG_FATAL("Could not drop supplementary groups : %s", strerror(errno));
  if (setresgid(user_gid, user_gid, user_gid) < 0)
    LOG_FATAL("Could not switch to group %u : %s", (unsigned int)user_gid, strerror(errno));
  if (setresuid(user_uid, user_uid, user_uid) < 0)
    LOG_FATAL("Could not switch to user %s : %s", user_name, strerror(errno));

  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    LOG_FATAL("prctl(PR_SET_KEEPCAPS) failed : %s", strerror(errno));

  caps = cap_init();
  if (!caps)
    LOG_FATAL("cap_init() failed : %s", strerror(errno));
  if (n > 0 && (cap_set_flag(caps, CAP_PERMITTED, n, keep, CAP_SET) < 0 ||
                cap_set_flag(caps, CAP_EFFECTIVE, n, keep, CAP_SET) < 0))
    LOG_FATAL("cap_set_flag() failed : %s", strerror(errno));
  if (cap_set_proc(caps) < 0)
    LOG_FATAL("Could not set the capabilities to %s : %s", n > 0 ? kept : "none",
              strerror(errno));
  cap_free(caps);

  check_identity();

  /* Read back: exactly the kept capabilities, nothing inheritable */
  caps = cap_get_proc();
  if (!caps)
    LOG_FATAL("cap_get_proc() failed : %s", strerror(errno));
  for (i = 0; i < 64 && CAP_IS_SUPPORTED(i); i++) {
    for (j = 0; j < n && keep[j] != i; j++)
      ;
    if (cap_get_flag(caps, i, CAP_PERMITTED, &v) < 0 || (v == CAP_SET) != (j < n) ||
        cap_get_flag(caps, i, CAP_EFFECTIVE, &v) < 0 || (v == CAP_SET) != (j < n) ||
        cap_get_flag(caps, i, CAP_INHERITABLE, &v) < 0 || v == CAP_SET)
      LOG_FATAL("Unexpected capability %d after switching to %s", i, user_name);
  }
  cap_free(caps);

  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    LOG_FATAL("prctl(PR_SET_NO_NEW_PRIVS) failed : %s", strerror(errno));

  LOG(LOGS_INFO, "Running as %s (uid %u gid %u) with %s", user_name, (unsigned int)user_uid,
      (unsigned int)user_gid, n > 0 ? kept : "no capabilities");
#else
  (void)keep_sys_time;
  (void)keep_net_bind_service;
#endif
}

#ifdef FEAT_SECCOMP

/* What ntsd calls in every mode (server, client, NTS both sides through
   GnuTLS, command sockets, name resolution in libc, dumps, logging), with
   what libc, GnuTLS, p11-kit and NSS modules call on its behalf */
static const char *const allowed_syscalls[] = {
  /* memory */
  "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise",
  /* threads and process housekeeping, no new processes */
  "futex", "futex_time64", "set_robust_list", "get_robust_list", "rseq",
  "set_tid_address", "exit", "exit_group", "restart_syscall", "getpid", "gettid",
  "tgkill", "sched_getaffinity", "sched_yield", "uname", "sysinfo", "getrlimit",
  "ugetrlimit",
  /* identity (reading only) */
  "getuid", "geteuid", "getgid", "getegid", "getuid32", "geteuid32", "getgid32",
  "getegid32", "getresuid", "getresgid", "getresuid32", "getresgid32", "getgroups",
  "getgroups32",
  /* signals */
  "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigreturn", "sigaltstack",
  /* time: reading, sleeping, and adjusting (which needs CAP_SYS_TIME) */
  "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
  "gettimeofday", "time", "nanosleep", "clock_nanosleep", "clock_nanosleep_time64",
  "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64",
  "settimeofday",
  /* files: configuration, certificates, dumps, drift, logs */
  "open", "openat", "close", "read", "readv", "write", "writev", "pread64", "pwrite64",
  "lseek", "_llseek", "fstat", "fstat64", "stat", "stat64", "lstat", "lstat64",
  "newfstatat", "fstatat64", "statx", "statfs", "statfs64", "fstatfs", "fstatfs64",
  "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents",
  "getdents64", "fsync", "fdatasync", "ftruncate", "ftruncate64", "rename",
  "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat", "rmdir",
  "chmod", "fchmod", "fchmodat", "chown", "chown32", "fchown", "fchown32",
  "fchownat", "lchown", "lchown32", "umask", "flock", "fcntl", "fcntl64", "dup",
  "dup2", "dup3", "pipe", "pipe2",
  /* sockets (socket itself has argument rules below) */
  "socketpair", "bind", "listen", "accept", "accept4", "connect", "getsockname",
  "getpeername", "setsockopt", "getsockopt", "shutdown", "send", "recv", "sendto",
  "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "recvmmsg_time64",
  /* waiting */
  "poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6",
  "pselect6_time64",
  /* randomness for keys, cookies and TLS */
  "getrandom",
};

/* Address families: IP for NTP, NTS-KE and DNS, Unix for the command
   socket, syslog and nscd; netlink is handled below */
static const int allowed_domains[] = { AF_INET, AF_INET6, AF_UNIX };

static const unsigned long allowed_ioctls[] = {
  FIONREAD,                       /* the resolver, pending datagram size */
  FIONBIO,
  TCGETS,                         /* isatty() in stdio */
  SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFCONF, SIOCGIFFLAGS,
  SIOCETHTOOL, SIOCGHWTSTAMP, SIOCSHWTSTAMP,   /* timestamping set-up */
};

/* Level 2: calls that only an attacker would make, killed even when
   other calls just trap */
static const char *const denied_syscalls[] = {
  "execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv",
  "process_vm_writev",
};

static void
write_number(char *buf, size_t *len, unsigned long v, int base)
{
  char tmp[24];
  int n = 0;

  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v && n < (int)sizeof tmp);
  while (n > 0)
    buf[(*len)++] = tmp[--n];
}

/* Trap mode: report the call and let it fail with ENOSYS, so that one run
   shows every missing call.  Only async-signal-safe calls in here. */
static void
sigsys_handler(int signo, siginfo_t *info, void *context)
{
  static const char prefix[] = "ntsd: seccomp: blocked system call ";
  static const char middle[] = " (arch 0x";
  static const char suffix[] = "), failing it with ENOSYS\n";
  char buf[128];
  size_t len = 0;
  int saved_errno = errno;
  ucontext_t *uc = context;

  (void)signo;
  memcpy(buf, prefix, sizeof prefix - 1);
  len = sizeof prefix - 1;
  write_number(buf, &len, (unsigned long)info->si_syscall, 10);
  memcpy(buf + len, middle, sizeof middle - 1);
  len += sizeof middle - 1;
  write_number(buf, &len, info->si_arch, 16);
  memcpy(buf + len, suffix, sizeof suffix - 1);
  len += sizeof suffix - 1;
  if (write(STDERR_FILENO, buf, len) < 0) {
  }

#if defined(__x86_64__)
  uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__i386__)
  uc->uc_mcontext.gregs[REG_EAX] = -ENOSYS;
#elif defined(__aarch64__)
  uc->uc_mcontext.regs[0] = -ENOSYS;
#else
  /* No known return register to set: continuing would be unpredictable */
  (void)uc;
  _exit(1);
#endif
  errno = saved_errno;
}

/* The SCMP_Ax() macros leave datum_b out, which clang warns about */
static struct scmp_arg_cmp
arg_cmp(unsigned int arg, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b)
{
  struct scmp_arg_cmp c;

  c.arg = arg;
  c.op = op;
  c.datum_a = a;
  c.datum_b = b;
  return c;
}

static int
add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int n_args,
         const struct scmp_arg_cmp *args)
{
  int r = seccomp_rule_add_array(ctx, action, nr, n_args, args);

  if (r < 0)
    LOG(LOGS_ERR, "seccomp: could not add a rule for system call %d : %s", nr, strerror(-r));
  return r >= 0;
}

/* Add the allowlist; returns the number of rules, or -1 on failure */
static int
add_allowlist(scmp_filter_ctx ctx)
{
  struct scmp_arg_cmp a[2];
  unsigned int i;
  int nr, n = 0;

  for (i = 0; i < sizeof allowed_syscalls / sizeof allowed_syscalls[0]; i++) {
    nr = seccomp_syscall_resolve_name(allowed_syscalls[i]);
    if (nr == __NR_SCMP_ERROR) {
      DEBUG_LOG("seccomp: %s unknown to libseccomp", allowed_syscalls[i]);
      continue;
    }
    /* Pseudo numbers are names this architecture does not have */
    if (nr < 0)
      continue;
    if (!add_rule(ctx, SCMP_ACT_ALLOW, nr, 0, NULL))
      return -1;
    n++;
  }

  for (i = 0; i < sizeof allowed_domains / sizeof allowed_domains[0]; i++, n++) {
    a[0] = arg_cmp(0, SCMP_CMP_EQ, allowed_domains[i], 0);
    if (!add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, a))
      return -1;
  }
  /* getaddrinfo() asks the kernel for the local addresses (AI_ADDRCONFIG) */
  a[0] = arg_cmp(0, SCMP_CMP_EQ, AF_NETLINK, 0);
  a[1] = arg_cmp(2, SCMP_CMP_EQ, NETLINK_ROUTE, 0);
  if (!add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2, a))
    return -1;
  n++;

  for (i = 0; i < sizeof allowed_ioctls / sizeof allowed_ioctls[0]; i++, n++) {
    a[0] = arg_cmp(1, SCMP_CMP_EQ, allowed_ioctls[i], 0);
    if (!add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, a))
      return -1;
  }

  /* Threads (a resolver thread, libraries) but never a new process */
  a[0] = arg_cmp(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
  if (!add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, a))
    return -1;
  n++;
  /* clone3() passes its flags in memory, which a filter cannot read; libc
     falls back to clone() when it is missing */
  nr = seccomp_syscall_resolve_name("clone3");
  if (nr >= 0) {
    if (!add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0, NULL))
      return -1;
    n++;
  }

  /* Reading limits only: getrlimit() is prlimit64() without a new limit */
  a[0] = arg_cmp(2, SCMP_CMP_EQ, 0, 0);
  if (!add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, a))
    return -1;
  n++;

  return n;
}

#ifdef LSAN_BUILD
/* A sanitizer build (never a production one) lets LeakSanitizer's check
   at exit run: it makes the process dumpable, clone()s a tracer that
   shares the memory (not a thread), and the tracer ptrace()s every thread
   to read its registers.  Levels 2 and -2 keep denying clone() and
   ptrace(), so there the leak check must be off (detect_leaks=0). */
static const int lsan_prctls[] = {
  PR_GET_DUMPABLE, PR_SET_DUMPABLE, PR_SET_PTRACER, PR_SET_PDEATHSIG,
};

static int
add_lsan_rules(scmp_filter_ctx ctx)
{
  static const char *const calls[] = { "ptrace", "wait4", "waitpid", "getppid" };
  struct scmp_arg_cmp a[1];
  unsigned int i;
  int nr, n = 0;

  for (i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    nr = seccomp_syscall_resolve_name(calls[i]);
    if (nr < 0)
      continue;
    if (!add_rule(ctx, SCMP_ACT_ALLOW, nr, 0, NULL))
      return -1;
    n++;
  }
  for (i = 0; i < sizeof lsan_prctls / sizeof lsan_prctls[0]; i++, n++) {
    a[0] = arg_cmp(0, SCMP_CMP_EQ, lsan_prctls[i], 0);
    if (!add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, a))
      return -1;
  }
  /* Exactly the flags of the sanitizer's internal_clone() */
  a[0] = arg_cmp(0, SCMP_CMP_EQ, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED, 0);
  if (!add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, a))
    return -1;
  n++;
  return n;
}
#endif

static int
add_denylist(scmp_filter_ctx ctx, uint32_t kill)
{
  struct scmp_arg_cmp a[1];
  unsigned int i;
  int nr;

  for (i = 0; i < sizeof denied_syscalls / sizeof denied_syscalls[0]; i++) {
    nr = seccomp_syscall_resolve_name(denied_syscalls[i]);
    if (nr < 0)
      continue;
    if (!add_rule(ctx, kill, nr, 0, NULL))
      return 0;
  }
  /* clone() without CLONE_THREAD is fork() */
  a[0] = arg_cmp(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
  return add_rule(ctx, kill, SCMP_SYS(clone), 1, a);
}

void
PRV_EnableSystemCallFilter(int level)
{
  scmp_filter_ctx ctx;
  uint32_t kill, deflt;
  struct sigaction sa;
  int n, r;

  if (level == 0)
    return;

  /* Killing the whole process, not just the thread, needs API level 3 */
  kill = seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_KILL;
  deflt = level < 0 ? SCMP_ACT_TRAP : kill;

  ctx = seccomp_init(deflt);
  if (!ctx)
    LOG_FATAL("seccomp_init() failed");

  n = add_allowlist(ctx);
  /* With kill as the default the explicit rules would change nothing (and
     libseccomp refuses rules with the default action) */
  if (n < 0 || (level == -2 && !add_denylist(ctx, kill)))
    LOG_FATAL("Could not build the system-call filter");
#ifdef LSAN_BUILD
  if (level == 1 || level == -1) {
    int m = add_lsan_rules(ctx);

    if (m < 0)
      LOG_FATAL("Could not build the system-call filter");
    n += m;
    LOG(LOGS_INFO, "Sanitizer build: the system-call filter also allows what the leak "
        "check at exit needs (%d rules: ptrace, wait4, clone of a tracer, prctl)", m);
  }
#endif

  if (level < 0) {
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sigsys_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) < 0)
      LOG_FATAL("Could not set the SIGSYS handler : %s", strerror(errno));
  }

  r = seccomp_load(ctx);
  seccomp_release(ctx);
  if (r < 0)
    LOG_FATAL("Could not load the system-call filter : %s", strerror(-r));

  LOG(LOGS_INFO, "Loaded system-call filter level %d (%d rules%s)", level, n,
      level < 0 ? ", trapping" : "");
}

#else

void
PRV_EnableSystemCallFilter(int level)
{
  /* PRV_CheckFilterLevel() already refused a non-zero level */
  (void)level;
}

#endif
