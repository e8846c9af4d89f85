/*
  ntsd - the event loop

  A poll(2) loop over a small table of file handlers and a sorted list of
  timers.  Signals are turned into bytes on a self-pipe so that handlers run
  inside the loop, never inside signal context.  Only poll and clock_gettime
  are used, so the loop keeps working under LD_PRELOAD clock and network
  simulators.
*/
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "logging.h"
#include "memory.h"
#include "sched.h"
#include "util.h"

typedef struct {
  int fd;
  int events;
  SCH_FileHandler handler;
  void *arg;
} FileHandler;

typedef struct Timer {
  SCH_TimeoutID id;
  struct timespec when;          /* monotonic */
  SCH_TimeoutHandler handler;
  void *arg;
  struct Timer *next;
} Timer;

static FileHandler *handlers;
static int n_handlers, max_handlers;
static struct pollfd *pollfds;

static Timer *timers;            /* sorted by when */
static SCH_TimeoutID next_timer_id;

static struct timespec last_real, last_mono;
static int need_to_exit;

#define MAX_SIGNAL 64
static SCH_SignalHandler signal_handlers[MAX_SIGNAL];
static int signal_pipe[2] = { -1, -1 };

static void
read_clocks(void)
{
  clock_gettime(CLOCK_REALTIME, &last_real);
  clock_gettime(CLOCK_MONOTONIC, &last_mono);
}

static void
signal_to_pipe(int signo)
{
  unsigned char c = signo;
  int saved_errno = errno;

  /* Nothing useful can be done if the pipe is full; the signal is then
     already pending as a byte */
  if (write(signal_pipe[1], &c, 1) < 0) {
  }
  errno = saved_errno;
}

static void
handle_signal_pipe(int fd, int event, void *arg)
{
  unsigned char buf[16];
  ssize_t i, n;

  (void)event;
  (void)arg;
  n = read(fd, buf, sizeof buf);
  for (i = 0; i < n; i++) {
    if (buf[i] < MAX_SIGNAL && signal_handlers[buf[i]])
      signal_handlers[buf[i]](buf[i]);
  }
}

void
SCH_Initialise(void)
{
  int i;

  n_handlers = 0;
  max_handlers = 0;
  handlers = NULL;
  pollfds = NULL;
  timers = NULL;
  next_timer_id = 0;
  need_to_exit = 0;
  read_clocks();

  if (pipe(signal_pipe) < 0)
    LOG_FATAL("Could not create signal pipe : %s", strerror(errno));
  for (i = 0; i < 2; i++) {
    fcntl(signal_pipe[i], F_SETFL, O_NONBLOCK);
    fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
  }
  SCH_AddFileHandler(signal_pipe[0], SCH_FILE_INPUT, handle_signal_pipe, NULL);
}

void
SCH_Finalise(void)
{
  Timer *t;
  int i;

  for (i = 0; i < MAX_SIGNAL; i++) {
    if (signal_handlers[i]) {
      signal(i, SIG_DFL);
      signal_handlers[i] = NULL;
    }
  }
  while (timers) {
    t = timers;
    timers = t->next;
    Free(t);
  }
  for (i = 0; i < 2; i++) {
    if (signal_pipe[i] >= 0)
      close(signal_pipe[i]);
    signal_pipe[i] = -1;
  }
  Free(handlers);
  Free(pollfds);
  handlers = NULL;
  pollfds = NULL;
  n_handlers = max_handlers = 0;
}

static int
find_handler(int fd)
{
  int i;

  for (i = 0; i < n_handlers; i++) {
    if (handlers[i].fd == fd)
      return i;
  }
  return -1;
}

void
SCH_AddFileHandler(int fd, int events, SCH_FileHandler handler, void *arg)
{
  assert(fd >= 0 && find_handler(fd) < 0);

  if (n_handlers == max_handlers) {
    max_handlers = max_handlers ? 2 * max_handlers : 16;
    handlers = ReallocArray(FileHandler, max_handlers, handlers);
    pollfds = ReallocArray(struct pollfd, max_handlers, pollfds);
  }
  handlers[n_handlers].fd = fd;
  handlers[n_handlers].events = events;
  handlers[n_handlers].handler = handler;
  handlers[n_handlers].arg = arg;
  n_handlers++;
}

void
SCH_SetFileHandlerEvents(int fd, int events)
{
  int i = find_handler(fd);

  assert(i >= 0);
  handlers[i].events = events;
}

void
SCH_RemoveFileHandler(int fd)
{
  int i = find_handler(fd);

  assert(i >= 0);
  /* Mark instead of compacting: the dispatch loop may be walking the table.
     Free slots are reclaimed after dispatch. */
  handlers[i].fd = -1;
  handlers[i].handler = NULL;
}

static void
compact_handlers(void)
{
  int i, j;

  for (i = j = 0; i < n_handlers; i++) {
    if (handlers[i].fd >= 0)
      handlers[j++] = handlers[i];
  }
  n_handlers = j;
}

SCH_TimeoutID
SCH_AddTimeout(double delay, SCH_TimeoutHandler handler, void *arg)
{
  Timer *t, **p;
  struct timespec now;

  if (delay < 0.0)
    delay = 0.0;
  clock_gettime(CLOCK_MONOTONIC, &now);

  t = MallocNew(Timer);
  do {
    t->id = ++next_timer_id;
  } while (t->id == 0);
  UTI_AddDoubleToTimespec(&now, delay, &t->when);
  t->handler = handler;
  t->arg = arg;

  for (p = &timers; *p && UTI_CompareTimespecs(&(*p)->when, &t->when) <= 0; p = &(*p)->next)
    ;
  t->next = *p;
  *p = t;
  return t->id;
}

void
SCH_RemoveTimeout(SCH_TimeoutID id)
{
  Timer *t, **p;

  if (id == 0)
    return;
  for (p = &timers; *p; p = &(*p)->next) {
    if ((*p)->id == id) {
      t = *p;
      *p = t->next;
      Free(t);
      return;
    }
  }
}

void
SCH_GetLastEventTime(struct timespec *real, struct timespec *mono)
{
  if (real)
    *real = last_real;
  if (mono)
    *mono = last_mono;
}

static void
dispatch_timers(void)
{
  Timer *t;
  int n;

  /* Bounded so that a handler re-adding a zero timeout cannot starve I/O */
  for (n = 0; n < 1000 && timers; n++) {
    if (UTI_CompareTimespecs(&timers->when, &last_mono) > 0)
      break;
    t = timers;
    timers = t->next;
    t->handler(t->arg);
    Free(t);
    if (need_to_exit)
      break;
  }
}

static int
poll_timeout_ms(void)
{
  double d;

  if (!timers)
    return -1;
  d = UTI_DiffTimespecsToDouble(&timers->when, &last_mono);
  if (d <= 0.0)
    return 0;
  if (d > 1e6)
    return 1000000000;
  /* Round up so that we do not wake just before the timer is due */
  return (int)(d * 1000.0) + 1;
}

void
SCH_MainLoop(void)
{
  int i, n, r, events, revents;

  while (!need_to_exit) {
    n = n_handlers;
    for (i = 0; i < n; i++) {
      pollfds[i].fd = handlers[i].fd;
      pollfds[i].events = (handlers[i].events & SCH_FILE_INPUT ? POLLIN : 0) |
                          (handlers[i].events & SCH_FILE_OUTPUT ? POLLOUT : 0);
      pollfds[i].revents = 0;
    }

    r = poll(pollfds, n, poll_timeout_ms());
    read_clocks();

    if (r < 0) {
      if (errno != EINTR)
        LOG_FATAL("poll() failed : %s", strerror(errno));
      continue;
    }

    for (i = 0; r > 0 && i < n && !need_to_exit; i++) {
      revents = pollfds[i].revents;
      /* A handler may have removed or replaced this fd meanwhile */
      if (!revents || handlers[i].fd != pollfds[i].fd || !handlers[i].handler)
        continue;
      events = 0;
      /* Errors and hang-ups are reported as input so the owner reads the
         error and closes the socket */
      if (revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
        events |= SCH_FILE_INPUT;
      if (revents & POLLOUT)
        events |= SCH_FILE_OUTPUT;
      events &= handlers[i].events ? handlers[i].events : SCH_FILE_INPUT;
      if (events)
        handlers[i].handler(handlers[i].fd, events, handlers[i].arg);
    }
    compact_handlers();

    dispatch_timers();
  }
}

void
SCH_QuitProgram(void)
{
  need_to_exit = 1;
}

void
SCH_SetSignalHandler(int signo, SCH_SignalHandler handler)
{
  struct sigaction sa;

  assert(signo > 0 && signo < MAX_SIGNAL);
  signal_handlers[signo] = handler;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = signal_to_pipe;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  if (sigaction(signo, &sa, NULL) < 0)
    LOG_FATAL("sigaction(%d) failed", signo);
}
