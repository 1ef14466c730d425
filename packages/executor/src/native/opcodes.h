// Mirror of @epl/program's opcode table (src/opcodes.ts) and LIMITS (src/limits.ts).
// tests/native.test.ts proves the two agree: the addon exports these lists verbatim.
// Append only: opcode numbers are part of saved Programs.
#pragma once

#include <array>
#include <cstdint>

namespace epl {

// Operand kinds, as named in OperandKind (opcodes.ts). NONE pads the operand list.
#define EPL_KINDS(X)    \
  X(NONE, "")           \
  X(BIND, "bind")       \
  X(REBIND, "rebind")   \
  X(USE, "use")         \
  X(DATA, "data")       \
  X(INT, "int")         \
  X(FLAGS, "flags")     \
  X(HOW, "how")         \
  X(COUNT, "count")     \
  X(MS, "ms")           \
  X(SECONDS, "seconds") \
  X(MAX, "max")         \
  X(STR, "str")

enum class Kind : uint8_t {
#define EPL_KIND_ENUM(id, name) id,
  EPL_KINDS(EPL_KIND_ENUM)
#undef EPL_KIND_ENUM
};

// X(code, name, kind1, kind2, kind3, kind4): operand kinds in word order; a STR takes two words.
#define EPL_OPS(X)                         \
  X(1, tcp, BIND, BIND, NONE, NONE)        \
  X(2, tcp6, BIND, BIND, NONE, NONE)       \
  X(3, unix, BIND, BIND, NONE, NONE)       \
  X(4, socket, BIND, NONE, NONE, NONE)     \
  X(5, pair, BIND, BIND, NONE, NONE)       \
  X(6, pipe, BIND, BIND, NONE, NONE)       \
  X(7, eventfd, BIND, INT, NONE, NONE)     \
  X(8, listen, BIND, NONE, NONE, NONE)     \
  X(9, connect_new, BIND, USE, NONE, NONE) \
  X(10, connect, USE, USE, NONE, NONE)     \
  X(11, accept, USE, BIND, NONE, NONE)     \
  X(12, epoll, BIND, NONE, NONE, NONE)     \
  X(13, dup, USE, BIND, NONE, NONE)        \
  X(14, dup2, USE, REBIND, NONE, NONE)     \
  X(15, add, USE, USE, FLAGS, DATA)        \
  X(16, mod, USE, USE, FLAGS, DATA)        \
  X(17, del, USE, USE, NONE, NONE)         \
  X(18, wait, USE, MAX, MS, NONE)          \
  X(19, close, USE, NONE, NONE, NONE)      \
  X(20, shutdown, USE, HOW, NONE, NONE)    \
  X(21, write, USE, STR, NONE, NONE)       \
  X(22, write_n, USE, COUNT, NONE, NONE)   \
  X(23, read, USE, COUNT, NONE, NONE)      \
  X(24, send_oob, USE, STR, NONE, NONE)    \
  X(25, fill, USE, NONE, NONE, NONE)       \
  X(26, drain, USE, NONE, NONE, NONE)      \
  X(27, linger, USE, SECONDS, NONE, NONE)  \
  X(28, sleep, MS, NONE, NONE, NONE)

// `unix` is a predefined macro in GNU C++ modes; the enum uses an `op_` prefix to stay clear of it.
enum class Op : int32_t {
#define EPL_OP_ENUM(code, name, k1, k2, k3, k4) op_##name = code,
  EPL_OPS(EPL_OP_ENUM)
#undef EPL_OP_ENUM
};

constexpr int kOpWords = 6;
constexpr int kMaxOperands = 4;
constexpr int kMaxOpcode = 28;

struct OpInfo {
  int32_t code;
  const char* name;
  Kind kinds[kMaxOperands];
};

// Indexed by opcode; entries with code 0 are not opcodes.
extern const std::array<OpInfo, kMaxOpcode + 1> kOpTable;

constexpr int32_t highestOpcode() {
  int32_t m = 0;
#define EPL_OP_MAX(code, name, k1, k2, k3, k4) m = (code) > m ? (code) : m;
  EPL_OPS(EPL_OP_MAX)
#undef EPL_OP_MAX
  return m;
}
static_assert(highestOpcode() == kMaxOpcode, "kMaxOpcode must be the highest opcode");

inline const OpInfo* opInfo(int32_t code) {
  if (code <= 0 || code > kMaxOpcode) return nullptr;
  const OpInfo* o = &kOpTable[code];
  return o->code == code ? o : nullptr;
}

const char* kindName(Kind k);

// LIMITS, same names and numbers as limits.ts.
#define EPL_LIMITS(X)        \
  X(maxOps, 4096)            \
  X(maxSlots, 256)           \
  X(maxStringBytes, 1 << 20) \
  X(maxIoBytes, 1 << 20)     \
  X(maxSleepMs, 2000)        \
  X(maxWaitEvents, 1024)     \
  X(maxLingerSeconds, 2)     \
  X(maxBudgetMs, 10000)      \
  X(maxRunMs, 11000)         \
  X(maxOpenFds, 512)         \
  X(maxFillBytes, 64 << 20)  \
  X(maxSegmentsPerStep, 256) \
  X(maxQueuedBytes, 64 << 20)

namespace limits {
#define EPL_LIMIT_CONST(name, value) constexpr int64_t name = (value);
EPL_LIMITS(EPL_LIMIT_CONST)
#undef EPL_LIMIT_CONST
}  // namespace limits

// FAMILY_CODE (tables.ts).
enum class Family : int32_t { tcp = 0, tcp6 = 1, unix_ = 2 };
constexpr int32_t kFamilyCount = 3;

}  // namespace epl
