// Per-thread isolation: a private fd table and, where permitted, a network namespace of its own.
#pragma once

#include <cstddef>

namespace epl {

struct Isolation {
  bool files = false;
  bool netns = false;
  char reason[256] = {0};  // why netns (or files) was not obtained; empty when both were
};

// True on the process's main thread (its tid is the pid): isolating it would cut the host off
// from its own descriptors.
bool onMainThread();

// unshare(CLONE_FILES); then unshare(CLONE_NEWNET) with lo brought up, falling back to the host
// namespace when that is not permitted. Never throws.
Isolation isolateThread();

}  // namespace epl
