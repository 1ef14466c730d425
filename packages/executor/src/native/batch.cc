#include "batch.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "executor.h"

namespace epl {

std::string batchMetaError(const int32_t* meta, size_t metaWords, size_t codeWords, size_t stringBytes) {
  if (metaWords % kBatchMetaWords != 0) return "meta must hold 6 words per Program";
  char why[160];
  for (size_t k = 0; k < metaWords / kBatchMetaWords; k++) {
    const int32_t* m = meta + k * kBatchMetaWords;
    bool codeOk = m[0] >= 0 && m[1] >= 0 && static_cast<size_t>(m[0]) + static_cast<size_t>(m[1]) <= codeWords;
    bool stringsOk = m[2] >= 0 && m[3] >= 0 && static_cast<size_t>(m[2]) + static_cast<size_t>(m[3]) <= stringBytes;
    if (!codeOk || !stringsOk) {
      snprintf(why, sizeof why, "Program %zu of the batch lies outside its %s", k, codeOk ? "strings" : "code");
      return why;
    }
  }
  return "";
}

uint8_t* BatchOut::reserve(size_t n) {
  if (size_ + n > static_cast<size_t>(INT32_MAX)) throw std::length_error("the batch's results pass 2 GiB");
  if (ext_ != nullptr) {
    if (size_ + n <= extBytes_) return ext_ + size_;
    own_.assign(ext_, ext_ + size_);
    ext_ = nullptr;
  }
  if (own_.size() < size_ + n) own_.resize(size_ + n + ((size_ + n) >> 1));
  return own_.data() + size_;
}

std::vector<uint8_t> BatchOut::take() {
  if (ext_ != nullptr) return std::vector<uint8_t>(ext_, ext_ + size_);
  own_.resize(size_);
  return std::move(own_);
}

size_t runBatch(Executor& exec, const BatchInput& in, FdState* session, BatchOut& out, int32_t* progress) {
  size_t k = 0;
  for (; k < in.programs; k++) {
    if (progress != nullptr) {
      if (__atomic_load_n(&progress[1], __ATOMIC_ACQUIRE) != 0) break;
      __atomic_store_n(&progress[0], static_cast<int32_t>(k), __ATOMIC_RELEASE);
    }
    const int32_t* m = in.meta + k * kBatchMetaWords;
    RunInput run;
    run.code = in.code + m[0];
    run.words = m[1];
    run.strings = in.strings + m[2];
    run.stringBytes = m[3];
    run.slotCount = m[4];
    run.family = m[5];
    exec.run(run, session);
    size_t size = exec.resultSize();
    exec.writeResult(out.reserve(size));
    out.commit(size);
  }
  if (progress != nullptr) __atomic_store_n(&progress[0], -2, __ATOMIC_RELEASE);
  return k;
}

}  // namespace epl
