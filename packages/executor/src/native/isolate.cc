#include "isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace epl {

bool onMainThread() { return static_cast<pid_t>(syscall(SYS_gettid)) == getpid(); }

// Brings lo up in the current namespace; 0 or an errno.
static int loopbackUp() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  int err = 0;
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
    err = errno;
  } else if (!(ifr.ifr_flags & IFF_UP)) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) err = errno;
  }
  close(s);
  return err;
}

Isolation isolateThread() {
  Isolation r;
  if (unshare(CLONE_FILES) < 0) {
    snprintf(r.reason, sizeof r.reason, "unshare(CLONE_FILES) failed: %s", strerror(errno));
    return r;
  }
  r.files = true;
  // Keep a way back: a namespace whose lo cannot be brought up is worse than the host's.
  int back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (unshare(CLONE_NEWNET) < 0) {
    int e = errno;
    if (e == EPERM)
      snprintf(r.reason, sizeof r.reason, "no CAP_SYS_ADMIN: unshare(CLONE_NEWNET) was refused (%s), so runs use the host loopback",
               strerror(e));
    else snprintf(r.reason, sizeof r.reason, "unshare(CLONE_NEWNET) failed (%s), so runs use the host loopback", strerror(e));
  } else if (int e = loopbackUp()) {
    snprintf(r.reason, sizeof r.reason, "lo could not be brought up in a new network namespace (%s), so runs use the host loopback",
             strerror(e));
    if (back < 0 || setns(back, CLONE_NEWNET) < 0)
      snprintf(r.reason, sizeof r.reason,
               "lo could not be brought up in a new network namespace (%s) and the host namespace could not be re-entered", strerror(e));
  } else {
    r.netns = true;
  }
  if (back >= 0) close(back);
  return r;
}

}  // namespace epl
