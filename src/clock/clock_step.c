/*
  ntsd - one-off clock step

  The capability is read with capget(2) directly, so that this works with
  and without libcap.
*/
#include "config.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock_step.h"
#include "logging.h"
#include "util.h"

int
CLS_CanStep(void)
{
  struct __user_cap_header_struct header;
  struct __user_cap_data_struct data[2];

  memset(&header, 0, sizeof header);
  memset(data, 0, sizeof data);
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  if (syscall(SYS_capget, &header, data) < 0)
    return 0;
  return (data[CAP_TO_INDEX(CAP_SYS_TIME)].effective & CAP_TO_MASK(CAP_SYS_TIME)) != 0;
}

int
CLS_StepOnce(double offset)
{
  struct timespec now, target;

  if (!CLS_CanStep()) {
    LOG(LOGS_ERR, "Could not step the system clock : no CAP_SYS_TIME");
    return 0;
  }
  clock_gettime(CLOCK_REALTIME, &now);
  UTI_AddDoubleToTimespec(&now, offset, &target);
  if (clock_settime(CLOCK_REALTIME, &target) < 0) {
    LOG(LOGS_ERR, "Could not step the system clock : %s", strerror(errno));
    return 0;
  }
  return 1;
}
