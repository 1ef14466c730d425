#include "lane.h"

#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>

#include "executor.h"

namespace epl {

std::string laneMetaError(const int32_t* meta, size_t metaWords, size_t codeWords, size_t stringBytes) {
  if (metaWords % kLaneMetaWords != 0) return "meta must hold 5 words per Program";
  char why[160];
  for (size_t k = 0; k < metaWords / kLaneMetaWords; k++) {
    const int32_t* m = meta + k * kLaneMetaWords;
    bool codeOk = m[0] >= 0 && m[1] >= 0 && static_cast<size_t>(m[0]) + static_cast<size_t>(m[1]) <= codeWords;
    bool stringsOk = m[2] >= 0 && m[3] >= 0 && static_cast<size_t>(m[2]) + static_cast<size_t>(m[3]) <= stringBytes;
    if (!codeOk || !stringsOk) {
      snprintf(why, sizeof why, "Program %zu of the batch lies outside its %s", k, codeOk ? "strings" : "code");
      return why;
    }
  }
  return "";
}

// Runs every Program of a batch on `exec`. Never throws.
static void runBatch(Executor& exec, const Isolation& iso, LaneBatch& b) {
  b.isolation = iso;
  try {
    size_t n = b.meta.size() / kLaneMetaWords;
    b.offsets.assign(n + 1, 0);
    size_t total = 0;
    for (size_t k = 0; k < n; k++) {
      const int32_t* m = &b.meta[k * kLaneMetaWords];
      RunInput in;
      in.code = b.code.data() + m[0];
      in.words = m[1];
      in.strings = b.strings.data() + m[2];
      in.stringBytes = m[3];
      in.slotCount = m[4];
      in.family = b.family;
      exec.run(in, nullptr);
      size_t size = exec.resultSize();
      // Each result starts 4-byte aligned: decode reads it through Int32Array views, in place.
      size_t padded = (size + 3) & ~static_cast<size_t>(3);
      if (total + padded > static_cast<size_t>(INT32_MAX)) throw std::length_error("the batch's results pass 2 GiB");
      b.raw.resize(total + padded);
      exec.writeResult(b.raw.data() + total);
      total += padded;
      b.offsets[k + 1] = static_cast<int32_t>(total);
    }
  } catch (const std::exception& e) {
    b.raw.clear();
    b.offsets.clear();
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
      if (exec) runBatch(*exec, iso, *b);
      else b->error = broken;
    }
    done_(b);
  }
}

}  // namespace epl
