// The executor core: runs every op of a Program with raw syscalls and records one results block.
// Plain C++ with Linux headers, no N-API: addon.cc is the only file that talks to JavaScript.
#pragma once

#include <sys/epoll.h>
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "capture.h"
#include "isolate.h"
#include "opcodes.h"
#include "results.h"

namespace epl {

// What a scenario (one run, or a session's runs) holds: the number each name had, which names
// were ever bound, and the descriptors it owns. Only owned numbers ever reach the kernel.
struct FdState {
  struct Owned {
    int fd;
    int32_t creator;  // slot of the name whose creating op made the description (a dup keeps it)
    int32_t file;     // the open file description: numbered by creating ops, shared by dups
    bool socket;      // written with send(MSG_NOSIGNAL) rather than write()
    bool tcp;         // a TCP socket: its last close may block for SO_LINGER
  };
  int32_t num[limits::maxSlots];
  bool bound[limits::maxSlots];
  std::vector<Owned> owned;
  Endpoints endpoints;
  bool lingerUsed = false;
  int32_t nextFile = 0;
  // Bytes written and not read back (LIMITS.maxQueuedBytes), over every descriptor.
  int64_t queued = 0;

  FdState() { clear(); }
  ~FdState() { teardown(); }
  FdState(const FdState&) = delete;
  FdState& operator=(const FdState&) = delete;

  Owned* find(int fd) {
    for (Owned& o : owned)
      if (o.fd == fd) return &o;
    return nullptr;
  }
  // Closes every owned descriptor (with SO_LINGER off first if a script set it, so no close
  // blocks) and forgets every name.
  void teardown();
  void clear();
};

struct RunInput {
  const int32_t* code;
  int64_t words;  // length of code in int32 words
  const uint8_t* strings;
  int64_t stringBytes;
  double slotCount;  // as given: validated here
  int32_t family;
};

// Per-environment executor: capture socket, reusable buffers and the last run's results.
class Executor {
 public:
  Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs a Program against `st` (a fresh scratch state, torn down after, when st is null).
  // Never throws; a malformed Program yields an error in the results.
  void run(const RunInput& in, FdState* session);
  // Runs a small tcp Program and forgets its results (see executor.cc).
  void warmUp();

  // The last run laid out as one buffer.
  size_t resultSize() const { return results_.size(meta_); }
  void writeResult(uint8_t* out) const { results_.write(meta_, out); }

  // Isolates the calling thread (once: later calls return the first answer).
  const Isolation& isolate();
  bool isolated() const { return isolated_; }

  // Whether the capture is on, and why not. Opens it on first use.
  bool captureOn();
  const char* captureReason() const { return captureReason_; }

 private:
  bool validate(const RunInput& in, const FdState& st, int64_t& validOps);
  void step(const int32_t* w, const RunInput& in, FdState& st, int32_t* rec);
  void drainWire(FdState& st);
  void fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  // Ending a run at a step (the step is not recorded; meta_.errorOp names it).
  void stopRun(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  bool timeFor(int64_t ms, const char* why);
  bool queueFor(FdState& st, int64_t bytes);
  int64_t lingerMs(const FdState& st, const FdState::Owned& o) const;
  const char* opName() const;

  // Creating-op helpers.
  bool room(FdState& st, size_t n, int32_t* rec, std::initializer_list<int32_t> slots);
  void bindFd(FdState& st, int32_t slot, int fd, int32_t creator, bool socket, bool tcp, int32_t* rec);
  void bindDup(FdState& st, int32_t slot, int fd, const FdState::Owned& from, int32_t* rec);
  void bindFailed(FdState& st, std::initializer_list<int32_t> slots, int err, int32_t* rec);
  void opTcp(FdState& st, int af, int32_t a, int32_t b, int32_t* rec);
  void opUnix(FdState& st, int32_t a, int32_t b, int32_t* rec);
  int bindListener(int fd, sockaddr_storage& addr, socklen_t len);
  void endpoint(FdState& st, int32_t slot, int fd, const sockaddr_storage* peer);

  Capture capture_;
  bool captureTried_ = false;
  bool captureOk_ = false;
  char captureReason_[256] = {0};
  Isolation isolation_;
  bool isolated_ = false;

  Results results_;
  Results::Meta meta_;
  // The run in progress: its end (LIMITS.maxRunMs from its start), the op running, and whether
  // a step ended it.
  timespec deadline_ = {0, 0};
  int64_t opIndex_ = 0;
  int32_t opCode_ = 0;
  bool stopped_ = false;
  char kernel_[65];
  char error_[320];
  FdState scratch_;
  // The read buffer (maxIoBytes), allocated on first use and never zeroed: a read touches only
  // the pages it fills, where zeroing 1 MiB costs a fresh thread milliseconds of page faults.
  std::unique_ptr<uint8_t[]> io_;
  void ioBuffer() {
    if (!io_) io_.reset(new uint8_t[static_cast<size_t>(limits::maxIoBytes)]);
  }
  std::vector<epoll_event> events_;  // maxWaitEvents
  // The next port bindListener() tries (kListenerPorts); each Executor starts at its own.
  uint16_t nextPort_;
};

// Bytes of 'x' for write_n and fill, shared read-only by every environment.
const uint8_t* fillBytes();

}  // namespace epl
