// The results buffer: one compact, self-describing block per run (see README "Results buffer").
// Little-endian int32 sections, then the bytes pool and the text pool. src/decode.ts reads it;
// the addon exports these constants so a test proves both sides use the same layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "opcodes.h"

namespace epl {

#define EPL_LAYOUT(X)                                                             \
  X(magic, 0x524c5045) /* "EPLR" read as little-endian bytes */                   \
  X(version, 1)                                                                   \
  X(headerWords, 24)                                                              \
  X(stepWords, 13)                                                                \
  X(readyWords, 2)                                                                \
  X(segmentWords, 4)                                                              \
  /* header word indexes */                                                       \
  X(hMagic, 0)                                                                    \
  X(hVersion, 1)                                                                  \
  X(hTotalBytes, 2)                                                               \
  X(hStepCount, 3)                                                                \
  X(hFlags, 4)                                                                    \
  X(hFamily, 5)                                                                   \
  X(hErrorOp, 6)                                                                  \
  X(hStepsOffset, 7)                                                              \
  X(hReadyOffset, 8)                                                              \
  X(hReadyCount, 9)                                                               \
  X(hSegOffset, 10)                                                               \
  X(hSegCount, 11)                                                                \
  X(hBytesOffset, 12)                                                             \
  X(hBytesLen, 13)                                                                \
  X(hTextOffset, 14)                                                              \
  X(hTextLen, 15)                                                                 \
  X(hKernelOff, 16)                                                               \
  X(hKernelLen, 17)                                                               \
  X(hReasonOff, 18)                                                               \
  X(hReasonLen, 19)                                                               \
  X(hErrorOff, 20)                                                                \
  X(hErrorLen, 21)                                                                \
  X(hBytesDropped, 22)                                                            \
  /* flag bits */                                                                 \
  X(flagNetns, 1)                                                                 \
  X(flagCaptured, 2)                                                              \
  /* step word indexes */                                                         \
  X(sOpcode, 0)                                                                   \
  X(sRet, 1)                                                                      \
  X(sErrno, 2)                                                                    \
  X(sFdCount, 3)                                                                  \
  X(sFd0, 4)                                                                      \
  X(sFd1, 5)                                                                      \
  X(sBytesOff, 6)                                                                 \
  X(sBytesLen, 7) /* -1: the op records no bytes */                               \
  X(sReadyStart, 8)                                                               \
  X(sReadyCount, 9) /* -1: the op is not a wait */                                \
  X(sSegStart, 10)                                                                \
  X(sSegCount, 11)                                                                \
  X(sSegDropped, 12) /* segments of the step past a per-step or per-run cap */    \
  /* what one run keeps at most, so that its results buffer stays under 3 MiB: */ \
  X(maxRunBytes, 2 << 20)  /* read bytes; the rest counted in hBytesDropped */    \
  X(maxRunSegments, 16384) /* the rest counted in sSegDropped */                  \
  X(maxRunReady, 16384)    /* a wait past it ends the run */

namespace layout {
#define EPL_LAYOUT_CONST(name, value) constexpr int32_t name = (value);
EPL_LAYOUT(EPL_LAYOUT_CONST)
#undef EPL_LAYOUT_CONST
}  // namespace layout

// Accumulates one run's results in per-environment vectors (capacity kept between runs, so a
// warm run allocates nothing) and lays them out as one buffer at the end.
class Results {
 public:
  void reset() {
    steps_.clear();
    ready_.clear();
    segs_.clear();
    bytes_.clear();
    bytesDropped_ = 0;
  }

  // Starts a step record and returns its index; every field is filled by the setters below.
  int32_t* beginStep(int32_t opcode) {
    size_t at = steps_.size();
    steps_.resize(at + layout::stepWords);
    int32_t* s = &steps_[at];
    s[layout::sOpcode] = opcode;
    s[layout::sRet] = 0;
    s[layout::sErrno] = 0;
    s[layout::sFdCount] = 0;
    s[layout::sFd0] = -1;
    s[layout::sFd1] = -1;
    s[layout::sBytesOff] = 0;
    s[layout::sBytesLen] = -1;
    s[layout::sReadyStart] = 0;
    s[layout::sReadyCount] = -1;
    s[layout::sSegStart] = static_cast<int32_t>(segs_.size() / layout::segmentWords);
    s[layout::sSegCount] = 0;
    s[layout::sSegDropped] = 0;
    return s;
  }
  // The step record being written (the vector may have moved since beginStep).
  int32_t* current() { return &steps_[steps_.size() - layout::stepWords]; }
  size_t stepCount() const { return steps_.size() / layout::stepWords; }

  void readyBegin() {
    int32_t* s = current();
    s[layout::sReadyStart] = static_cast<int32_t>(ready_.size() / layout::readyWords);
    s[layout::sReadyCount] = 0;
  }
  void ready(int32_t slot, uint32_t events) {
    ready_.push_back(slot);
    ready_.push_back(static_cast<int32_t>(events));
    current()[layout::sReadyCount]++;
  }

  // Records bytes read for the current step, at most maxRunBytes in the whole run; the rest
  // are counted in bytesDropped_ (the step's byte count then falls short of its ret).
  void bytes(const uint8_t* p, size_t n) {
    int32_t* s = current();
    size_t room = static_cast<size_t>(layout::maxRunBytes) - bytes_.size();
    size_t k = n;
    if (k > room) {
      bytesDropped_ += static_cast<int64_t>(k - room);
      k = room;
    }
    s[layout::sBytesOff] = static_cast<int32_t>(bytes_.size());
    s[layout::sBytesLen] = static_cast<int32_t>(k);
    bytes_.insert(bytes_.end(), p, p + k);
  }

  // Whether `n` more ready entries fit in the run's maxRunReady.
  bool readyFits(size_t n) const { return ready_.size() / layout::readyWords + n <= static_cast<size_t>(layout::maxRunReady); }

  // Forgets the current step's record (a step refused, or cut short, ends the run without one).
  void dropStep() { steps_.resize(steps_.size() - layout::stepWords); }

  void segment(int32_t src, int32_t dst, int32_t flags, int32_t len) {
    int32_t* s = current();
    if (s[layout::sSegCount] >= limits::maxSegmentsPerStep ||
        segs_.size() >= static_cast<size_t>(layout::maxRunSegments) * layout::segmentWords) {
      s[layout::sSegDropped]++;
      return;
    }
    segs_.push_back(src);
    segs_.push_back(dst);
    segs_.push_back(flags);
    segs_.push_back(len);
    s[layout::sSegCount]++;
  }

  struct Meta {
    int32_t flags;
    int32_t family;
    int32_t errorOp;
    const char* kernel;
    const char* reason;  // may be null
    const char* error;   // may be null
  };

  // Size of the laid-out buffer.
  size_t size(const Meta& m) const;
  // Lays the run out into `out` (which has size(m) bytes).
  void write(const Meta& m, uint8_t* out) const;

 private:
  std::vector<int32_t> steps_;
  std::vector<int32_t> ready_;
  std::vector<int32_t> segs_;
  std::vector<uint8_t> bytes_;
  int64_t bytesDropped_ = 0;
};

}  // namespace epl
