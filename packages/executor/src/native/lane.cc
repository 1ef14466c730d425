#include "lane.h"

#include <exception>
#include <memory>
#include <stdexcept>

#include "executor.h"

namespace epl {

// Runs every Program of a batch on `exec`. Never throws.
static void runLaneBatch(Executor& exec, const Isolation& iso, LaneBatch& b) {
  b.isolation = iso;
  try {
    BatchOut out(nullptr, 0);
    runBatch(exec, BatchInput{b.code.data(), b.strings.data(), b.meta.data(), b.meta.size() / kBatchMetaWords}, nullptr, out, nullptr);
    b.raw = out.take();
  } catch (const std::exception& e) {
    b.raw.clear();
    b.error = std::string("the lane could not run the batch: ") + e.what();
  }
}

Lane::Lane(Done done) : done_(std::move(done)), thread_([this] { loop(); }) {}

Lane::~Lane() { stop(); }

void Lane::submit(LaneBatch* batch) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(batch);
      cv_.notify_one();
      return;
    }
  }
  batch->error = "the lane is closed";
  done_(batch);
}

void Lane::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Lane::loop() {
  // The Executor holds MBs of buffers: on the heap, not on this thread's stack. It is made,
  // isolated and its capture opened before any batch arrives: that is the work the caller's
  // compiling hides.
  std::unique_ptr<Executor> exec;
  Isolation iso;
  std::string broken;
  try {
    exec = std::make_unique<Executor>();
    iso = exec->isolate();
    exec->captureOn();
    exec->warmUp();
  } catch (const std::exception& e) {
    broken = std::string("the lane could not start: ") + e.what();
  }
  for (;;) {
    LaneBatch* b = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      b = queue_.front();
      queue_.pop_front();
      if (stopping_) b->error = "the lane was closed before this batch ran";
    }
    if (b->error.empty()) {
      if (exec) runLaneBatch(*exec, iso, *b);
      else b->error = broken;
    }
    done_(b);
  }
}

}  // namespace epl
