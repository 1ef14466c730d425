// A lane: one native thread that isolates itself as a pool worker does at start (private fd
// table, own network namespace where permitted, capture opened there), then runs the batches
// of Programs handed to it, one after another, until stopped. For runs too small to pay for a
// Node worker thread's start (50-100 ms on a small machine): a native thread and a namespace
// cost about a millisecond, and the lane gets them ready while its caller is still compiling.
// Plain C++, no N-API: addon.cc hands batches over and the results back.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "batch.h"
#include "isolate.h"

namespace epl {

struct LaneBatch {
  std::vector<int32_t> code;
  std::vector<uint8_t> strings;
  std::vector<int32_t> meta;
  // Filled by the lane: every Program's results buffer back to back (BatchOut).
  std::vector<uint8_t> raw;
  Isolation isolation;
  std::string error;      // set when the batch could not run at all
  void* owner = nullptr;  // the caller's: the lane never touches it
};

class Lane {
 public:
  // Called on the lane's thread with each batch it is done with (run, or refused at stop).
  using Done = std::function<void(LaneBatch*)>;

  // Starts the thread; it isolates itself and opens the capture at once.
  explicit Lane(Done done);
  // Stops: see stop().
  ~Lane();
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  // Queues a batch; `done` gets it back. After stop(), `done` gets it back at once, refused.
  void submit(LaneBatch* batch);
  // Lets the running batch finish, refuses the queued ones, and joins the thread. Idempotent.
  void stop();

 private:
  void loop();

  Done done_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<LaneBatch*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace epl
