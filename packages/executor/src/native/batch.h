// A batch: Programs laid out back to back in one code array and one string table, described by
// a meta table, run one after another by one native call. The pool's workers (synchronously, on
// their own thread) and lanes (on a native thread) both run batches through runBatch().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace epl {

class Executor;
struct FdState;

// Words per Program in a batch's meta: code offset and length (words), string offset and length
// (bytes), slot count, family code. BATCH_META_WORDS in src/batch.ts; a test compares them.
constexpr int32_t kBatchMetaWords = 6;

// Why a meta table does not describe Programs inside code and strings; empty when it does.
// (A malformed Program inside its bounds is not refused here: it is its own results' error.)
std::string batchMetaError(const int32_t* meta, size_t metaWords, size_t codeWords, size_t stringBytes);

struct BatchInput {
  const int32_t* code;
  const uint8_t* strings;
  const int32_t* meta;
  size_t programs;
};

// Where a batch's results go: every Program's results buffer back to back, each starting 4-byte
// aligned (readers walk them by each header's total). Into the caller's memory while they fit,
// then into memory of its own (what was written so far is copied over once).
class BatchOut {
 public:
  BatchOut(uint8_t* external, size_t externalBytes) : ext_(external), extBytes_(externalBytes) {}
  // Room for n more bytes at the end; valid until the next call.
  uint8_t* reserve(size_t n);
  void commit(size_t n) { size_ += (n + 3) & ~static_cast<size_t>(3); }
  size_t size() const { return size_; }
  // True while everything is in the caller's memory.
  bool external() const { return ext_ != nullptr; }
  const std::vector<uint8_t>& own() const { return own_; }
  // The results in memory of its own (copied out of the caller's if they were there).
  std::vector<uint8_t> take();

 private:
  uint8_t* ext_;
  size_t extBytes_;
  std::vector<uint8_t> own_;
  size_t size_ = 0;
};

// Runs every Program of a batch on `exec`, against `session` (or a fresh state per Program when
// null). `progress`, when given, is two cells shared with a watcher on another thread: [0] the
// index of the Program running (-1 before, -2 after), [1] set by the watcher to stop after the
// current Program. Returns how many Programs ran.
size_t runBatch(Executor& exec, const BatchInput& in, FdState* session, BatchOut& out, int32_t* progress);

}  // namespace epl
