#include "executor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <new>

namespace epl {

static std::array<OpInfo, kMaxOpcode + 1> makeOpTable() {
  std::array<OpInfo, kMaxOpcode + 1> t{};
#define EPL_OP_ROW(code, name, k1, k2, k3, k4) t[code] = OpInfo{code, #name, {Kind::k1, Kind::k2, Kind::k3, Kind::k4}};
  EPL_OPS(EPL_OP_ROW)
#undef EPL_OP_ROW
  return t;
}
const std::array<OpInfo, kMaxOpcode + 1> kOpTable = makeOpTable();

const char* kindName(Kind k) {
  switch (k) {
#define EPL_KIND_NAME(id, name) \
  case Kind::id:                \
    return name;
    EPL_KINDS(EPL_KIND_NAME)
#undef EPL_KIND_NAME
  }
  return "";
}

const uint8_t* fillBytes() {
  static const std::vector<uint8_t> x(static_cast<size_t>(limits::maxIoBytes), 'x');
  return x.data();
}

static timespec deadlineIn(int ms);
static int msLeft(const timespec& deadline);

// How long the tcp op waits for its own handshake (loopback completes it inside connect()).
static constexpr int kHandshakeMs = 1000;
static constexpr int kBacklog = 16;
// Ports for the executor's listening sockets: below Linux's ephemeral range (32768-60999), so
// never a port connect() picks for a client. Tried in turn, kListenerTries at most per bind.
static constexpr int kListenerFirstPort = 10000, kListenerLastPort = 32767, kListenerTries = 64;

// ---------------------------------------------------------------------------------------------
// FdState

void FdState::clear() {
  for (int i = 0; i < limits::maxSlots; i++) {
    num[i] = -1;
    bound[i] = false;
  }
  owned.clear();
  endpoints.reset();
  lingerUsed = false;
  nextFile = 0;
  queued = 0;
}

// Never blocks: SO_LINGER, the only thing that makes a close wait, is turned off first (the
// scenario is over, so nothing it observes changes).
void FdState::teardown() {
  for (const Owned& o : owned) {
    if (lingerUsed && o.socket) {
      linger off = {0, 0};
      setsockopt(o.fd, SOL_SOCKET, SO_LINGER, &off, sizeof off);
    }
    close(o.fd);
  }
  clear();
}

// ---------------------------------------------------------------------------------------------
// Results layout

size_t Results::size(const Meta& m) const {
  size_t text = strlen(m.kernel) + (m.reason ? strlen(m.reason) : 0) + (m.error ? strlen(m.error) : 0);
  size_t n = (layout::headerWords + steps_.size() + ready_.size() + segs_.size()) * 4 + bytes_.size() + text;
  // Padded to whole words, so results packed back to back stay 4-byte aligned for Int32Array views.
  return (n + 3) & ~static_cast<size_t>(3);
}

void Results::write(const Meta& m, uint8_t* out) const {
  int32_t h[layout::headerWords];
  memset(h, 0, sizeof h);
  size_t at = layout::headerWords * 4;
  auto section = [&](const std::vector<int32_t>& v) {
    if (!v.empty()) memcpy(out + at, v.data(), v.size() * 4);
    size_t off = at;
    at += v.size() * 4;
    return static_cast<int32_t>(off);
  };
  h[layout::hMagic] = layout::magic;
  h[layout::hVersion] = layout::version;
  h[layout::hStepCount] = static_cast<int32_t>(stepCount());
  h[layout::hFlags] = m.flags;
  h[layout::hFamily] = m.family;
  h[layout::hErrorOp] = m.errorOp;
  h[layout::hStepsOffset] = section(steps_);
  h[layout::hReadyOffset] = section(ready_);
  h[layout::hReadyCount] = static_cast<int32_t>(ready_.size() / layout::readyWords);
  h[layout::hSegOffset] = section(segs_);
  h[layout::hSegCount] = static_cast<int32_t>(segs_.size() / layout::segmentWords);
  h[layout::hBytesOffset] = static_cast<int32_t>(at);
  h[layout::hBytesLen] = static_cast<int32_t>(bytes_.size());
  if (!bytes_.empty()) memcpy(out + at, bytes_.data(), bytes_.size());
  at += bytes_.size();
  h[layout::hBytesDropped] = static_cast<int32_t>(bytesDropped_ > INT32_MAX ? INT32_MAX : bytesDropped_);
  h[layout::hTextOffset] = static_cast<int32_t>(at);
  size_t textStart = at;
  auto text = [&](const char* s, int32_t offWord, int32_t lenWord) {
    size_t n = s ? strlen(s) : 0;
    h[offWord] = static_cast<int32_t>(at - textStart);
    h[lenWord] = static_cast<int32_t>(n);
    if (n) memcpy(out + at, s, n);
    at += n;
  };
  text(m.kernel, layout::hKernelOff, layout::hKernelLen);
  text(m.reason, layout::hReasonOff, layout::hReasonLen);
  text(m.error, layout::hErrorOff, layout::hErrorLen);
  h[layout::hTextLen] = static_cast<int32_t>(at - textStart);
  h[layout::hTotalBytes] = static_cast<int32_t>(at);
  while (at & 3) out[at++] = 0;
  memcpy(out, h, sizeof h);
}

// ---------------------------------------------------------------------------------------------
// Executor

Executor::Executor()
    : events_(static_cast<size_t>(limits::maxWaitEvents)),
      // Executors sharing a network namespace (no private one for unprivileged threads) start
      // apart, so they seldom try the same ports.
      nextPort_(static_cast<uint16_t>(kListenerFirstPort + (static_cast<unsigned>(syscall(SYS_gettid)) * 7919u) %
                                                               (kListenerLastPort - kListenerFirstPort + 1))) {
  utsname u;
  if (uname(&u) == 0) snprintf(kernel_, sizeof kernel_, "%s", u.release);
  else snprintf(kernel_, sizeof kernel_, "unknown");
  error_[0] = 0;
  meta_ = {0, 0, -1, kernel_, nullptr, nullptr};
}

const Isolation& Executor::isolate() {
  if (!isolated_) {
    // A capture opened before belongs to the old namespace and the shared table: close it there
    // (after unshare only this thread's copy would close) and reopen on the next run.
    capture_.close();
    captureTried_ = false;
    isolation_ = isolateThread();
    isolated_ = true;
  }
  return isolation_;
}

bool Executor::captureOn() {
  if (!captureTried_) {
    captureTried_ = true;
    captureOk_ = capture_.open(captureReason_, sizeof captureReason_);
  }
  return captureOk_;
}

void Executor::fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(error_, sizeof error_, fmt, ap);
  va_end(ap);
}

const char* Executor::opName() const {
  const OpInfo* op = opInfo(opCode_);
  return op ? op->name : "?";
}

// Ends the run at the op running: run() drops its record and names it in the results.
void Executor::stopRun(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(error_, sizeof error_, fmt, ap);
  va_end(ap);
  meta_.errorOp = static_cast<int32_t>(opIndex_);
  stopped_ = true;
}

// Whether a call that may block `ms` fits in what is left of the run (LIMITS.maxRunMs). When it
// does not, the run ends before the call: refusing is the only way to bound a close that
// SO_LINGER holds, since a signal cannot cut it short and teardown cannot run under it.
bool Executor::timeFor(int64_t ms, const char* why) {
  int64_t left = msLeft(deadline_);
  if (ms <= left) return true;
  stopRun(
      "over the time budget: op %lld (%s) could block %lld ms (%s), more than the %lld ms left of the run's %lld ms (LIMITS.maxRunMs); the "
      "run ends before it",
      static_cast<long long>(opIndex_), opName(), static_cast<long long>(ms), why, static_cast<long long>(left),
      static_cast<long long>(limits::maxRunMs));
  return false;
}

// Whether `bytes` more may be written: what a run's writes have queued and its reads not taken
// back bounds the kernel memory (socket and pipe buffers) one run can hold.
bool Executor::queueFor(FdState& st, int64_t bytes) {
  if (st.queued + bytes <= limits::maxQueuedBytes) return true;
  stopRun(
      "over the queued-bytes limit: op %lld (%s) would write %lld bytes with %lld written and not read back already, more than %lld "
      "(LIMITS.maxQueuedBytes); the run ends before it",
      static_cast<long long>(opIndex_), opName(), static_cast<long long>(bytes), static_cast<long long>(st.queued),
      static_cast<long long>(limits::maxQueuedBytes));
  return false;
}

// The longest a close of `o` may block: tcp_close waits up to SO_LINGER's time for the FIN to be
// acknowledged (non-blocking socket or not) when `o` is the description's last descriptor.
// Only a scenario that ran `linger` can have it on (accepted sockets inherit it from their
// listener), so other scenarios make no syscall here.
int64_t Executor::lingerMs(const FdState& st, const FdState::Owned& o) const {
  if (!st.lingerUsed || !o.tcp) return 0;
  for (const FdState::Owned& x : st.owned)
    if (x.file == o.file && &x != &o) return 0;
  linger l = {0, 0};
  socklen_t len = sizeof l;
  if (getsockopt(o.fd, SOL_SOCKET, SO_LINGER, &l, &len) < 0 || !l.l_onoff) return 0;
  return static_cast<int64_t>(l.l_linger) * 1000;
}

// Checks the whole Program before anything runs, so a bad op (or a budget overrun) is known up
// front; validOps is how many ops can run before it.
bool Executor::validate(const RunInput& in, const FdState& st, int64_t& validOps) {
  validOps = 0;
  if (in.words % kOpWords != 0) {
    fail("malformed program: code has %lld words, not a multiple of %d", static_cast<long long>(in.words), kOpWords);
    return false;
  }
  int64_t ops = in.words / kOpWords;
  if (ops > limits::maxOps) {
    fail("malformed program: %lld ops (at most %lld)", static_cast<long long>(ops), static_cast<long long>(limits::maxOps));
    return false;
  }
  double sc = in.slotCount;
  if (!(sc >= 0 && sc <= static_cast<double>(limits::maxSlots)) || std::floor(sc) != sc) {
    fail("malformed program: slotCount %g is not an integer in 0..%lld", sc, static_cast<long long>(limits::maxSlots));
    return false;
  }
  int32_t slots = static_cast<int32_t>(sc);
  if (in.stringBytes > limits::maxStringBytes) {
    fail("malformed program: string table of %lld bytes (at most %lld)", static_cast<long long>(in.stringBytes),
         static_cast<long long>(limits::maxStringBytes));
    return false;
  }
  if (in.family < 0 || in.family >= kFamilyCount) {
    fail("unknown family code %d", in.family);
    return false;
  }
  bool bound[limits::maxSlots];
  memcpy(bound, st.bound, sizeof bound);
  int64_t budget = 0;
  for (int64_t i = 0; i < ops; i++) {
    const int32_t* w = in.code + i * kOpWords;
    const OpInfo* op = opInfo(w[0]);
    if (!op) {
      meta_.errorOp = static_cast<int32_t>(i);
      fail("malformed program: op %lld: unknown opcode %d", static_cast<long long>(i), w[0]);
      return false;
    }
    int32_t binds[kMaxOperands];
    int nb = 0;
    int wi = 1;
    const char* bad = nullptr;
    char why[160];
    for (int k = 0; k < kMaxOperands && !bad; k++, wi++) {
      int32_t v = wi < kOpWords ? w[wi] : 0;
      Kind kind = op->kinds[k];
      switch (kind) {
        case Kind::NONE:
          break;
        case Kind::BIND:
        case Kind::REBIND:
        case Kind::USE:
        case Kind::DATA:
          if (v < 0 || v >= slots) {
            snprintf(why, sizeof why, "operand %d (%s): slot %d outside 0..%d", k + 1, kindName(kind), v, slots - 1);
            bad = why;
          } else if ((kind == Kind::USE || kind == Kind::REBIND) && !bound[v]) {
            snprintf(why, sizeof why, "operand %d (%s): slot %d was never bound", k + 1, kindName(kind), v);
            bad = why;
          } else if (kind == Kind::BIND) {
            binds[nb++] = v;
          }
          break;
        case Kind::INT:
        case Kind::FLAGS:
        case Kind::HOW:
          break;
        case Kind::COUNT:
        case Kind::MS:
        case Kind::SECONDS:
        case Kind::MAX: {
          int64_t lo = kind == Kind::MAX ? INT32_MIN : 0;
          int64_t hi = kind == Kind::COUNT     ? limits::maxIoBytes
                       : kind == Kind::MS      ? limits::maxSleepMs
                       : kind == Kind::SECONDS ? limits::maxLingerSeconds
                                               : limits::maxWaitEvents;
          if (v < lo || v > hi) {
            if (kind == Kind::MAX) snprintf(why, sizeof why, "operand %d (max): %d above %lld", k + 1, v, static_cast<long long>(hi));
            else snprintf(why, sizeof why, "operand %d (%s): %d outside 0..%lld", k + 1, kindName(kind), v, static_cast<long long>(hi));
            bad = why;
          } else if (kind == Kind::MS) {
            budget += v;
          } else if (kind == Kind::SECONDS) {
            budget += static_cast<int64_t>(v) * 1000;
          }
          break;
        }
        case Kind::STR: {
          int32_t len = wi + 1 < kOpWords ? w[wi + 1] : -1;
          if (len < 0 || v < 0 || len < 0 || static_cast<int64_t>(v) + len > in.stringBytes) {
            snprintf(why, sizeof why, "operand %d (str): bytes %d+%d outside the string table (%lld bytes)", k + 1, v, len,
                     static_cast<long long>(in.stringBytes));
            bad = why;
          }
          wi++;
          break;
        }
      }
    }
    if (!bad && budget > limits::maxBudgetMs) {
      snprintf(why, sizeof why, "sleeps, wait timeouts and lingers add up to %lld ms here (at most %lld)", static_cast<long long>(budget),
               static_cast<long long>(limits::maxBudgetMs));
      bad = why;
    }
    if (bad) {
      meta_.errorOp = static_cast<int32_t>(i);
      fail("malformed program: op %lld (%s): %s", static_cast<long long>(i), op->name, bad);
      return false;
    }
    for (int b = 0; b < nb; b++) bound[binds[b]] = true;
    validOps = i + 1;
  }
  return true;
}

// A lane's thread runs this once, after isolating itself and opening its capture, while whoever
// opened it is still compiling: the first TCP connection in a fresh namespace and the first use of
// this executor's buffers cost 1.5-3.5 ms, which the first scenario paid otherwise. The Program
// (tcp a b; epoll e; add e a IN; write_n b 1; wait e; read a 1; close a, b, e) leaves nothing open:
// the next scenario gets the same descriptor numbers, and segments of its teardown that reach
// the capture later are strangers to the next scenario's 4-tuples, dropped as any other.
void Executor::warmUp() {
  static constexpr int32_t kIn = EPOLLIN;
  static const int32_t code[] = {
      static_cast<int32_t>(Op::op_tcp),     0, 1, 0,   0, 0,  // tcp a b
      static_cast<int32_t>(Op::op_epoll),   2, 0, 0,   0, 0,  // epoll e
      static_cast<int32_t>(Op::op_add),     2, 0, kIn, 0, 0,  // add e a IN
      static_cast<int32_t>(Op::op_write_n), 1, 1, 0,   0, 0,  // write_n b 1
      static_cast<int32_t>(Op::op_wait),    2, 8, 0,   0, 0,  // wait e max 8 timeout 0
      static_cast<int32_t>(Op::op_read),    0, 1, 0,   0, 0,  // read a 1
      static_cast<int32_t>(Op::op_close),   0, 0, 0,   0, 0,  // close a
      static_cast<int32_t>(Op::op_close),   1, 0, 0,   0, 0,  // close b
      static_cast<int32_t>(Op::op_close),   2, 0, 0,   0, 0,  // close e
  };
  RunInput in;
  in.code = code;
  in.words = sizeof code / sizeof code[0];
  in.strings = nullptr;
  in.stringBytes = 0;
  in.slotCount = 3;
  in.family = 0;  // tcp
  run(in, nullptr);
}

void Executor::run(const RunInput& in, FdState* session) {
  FdState& st = session ? *session : scratch_;
  results_.reset();
  error_[0] = 0;
  meta_.errorOp = -1;
  stopped_ = false;
  deadline_ = deadlineIn(static_cast<int>(limits::maxRunMs));
  bool wire = false;
  try {
    int64_t validOps = 0;
    validate(in, st, validOps);
    wire = captureOn();
    if (wire) capture_.drain([](const Wire&) {});  // earlier scenarios' teardown, strangers
    for (int64_t i = 0; i < validOps; i++) {
      const int32_t* w = in.code + i * kOpWords;
      opIndex_ = i;
      opCode_ = w[0];
      // Non-blocking steps take time too (a fill copies up to 64 MiB): none starts past the end.
      if (msLeft(deadline_) == 0) {
        stopRun("over the time budget: op %lld (%s) would start after the run's %lld ms (LIMITS.maxRunMs); the run ends before it",
                static_cast<long long>(i), opName(), static_cast<long long>(limits::maxRunMs));
        break;
      }
      int32_t* rec = results_.beginStep(w[0]);
      step(w, in, st, rec);
      if (stopped_) {
        results_.dropStep();
        break;
      }
      if (wire) drainWire(st);
    }
  } catch (const std::bad_alloc&) {
    fail("executor failed: out of memory");
  }
  if (!session) st.teardown();
  meta_.flags = (isolation_.netns ? layout::flagNetns : 0) | (wire ? layout::flagCaptured : 0);
  meta_.family = in.family >= 0 && in.family < kFamilyCount ? in.family : 0;
  meta_.kernel = kernel_;
  meta_.reason = wire ? nullptr : captureReason_;
  meta_.error = error_[0] ? error_ : nullptr;
}

void Executor::drainWire(FdState& st) {
  capture_.drain([&](const Wire& w) {
    int32_t src = st.endpoints.lookup(w.src, w.dst);
    if (src < 0) return;
    int32_t dst = st.endpoints.lookup(w.dst, w.src);
    if (dst < 0) return;
    results_.segment(src, dst, w.flags, static_cast<int32_t>(w.len));
  });
}

// ---------------------------------------------------------------------------------------------
// Op helpers

static inline void setRet(int32_t* rec, long r) {
  if (r < 0) {
    rec[layout::sRet] = -1;
    rec[layout::sErrno] = errno;
  } else {
    rec[layout::sRet] = static_cast<int32_t>(r);
  }
}

static inline void setErr(int32_t* rec, int err) {
  rec[layout::sRet] = -1;
  rec[layout::sErrno] = err;
}

static inline void pushFd(int32_t* rec, int fd) { rec[layout::sFd0 + rec[layout::sFdCount]++] = fd; }

// Binds a descriptor of a new description (every creating op but dup).
void Executor::bindFd(FdState& st, int32_t slot, int fd, int32_t creator, bool socket, bool tcp, int32_t* rec) {
  st.num[slot] = fd;
  st.bound[slot] = true;
  st.owned.push_back({fd, creator, st.nextFile++, socket, tcp});
  pushFd(rec, fd);
}

// Binds a dup of `from`: the same description.
void Executor::bindDup(FdState& st, int32_t slot, int fd, const FdState::Owned& from, int32_t* rec) {
  st.num[slot] = fd;
  st.bound[slot] = true;
  st.owned.push_back({fd, from.creator, from.file, from.socket, from.tcp});
  pushFd(rec, fd);
}

void Executor::bindFailed(FdState& st, std::initializer_list<int32_t> slots, int err, int32_t* rec) {
  for (int32_t s : slots) {
    st.num[s] = -1;
    st.bound[s] = true;
    pushFd(rec, -1);
  }
  setErr(rec, err);
}

// The per-scenario cap on open descriptors: creating ops beyond it get EMFILE.
bool Executor::room(FdState& st, size_t n, int32_t* rec, std::initializer_list<int32_t> slots) {
  if (st.owned.size() + n <= static_cast<size_t>(limits::maxOpenFds)) return true;
  bindFailed(st, slots, EMFILE, rec);
  return false;
}

static socklen_t loopback(int af, sockaddr_storage& ss) {
  memset(&ss, 0, sizeof ss);
  if (af == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    return sizeof(sockaddr_in6);
  }
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sizeof(sockaddr_in);
}

static inline sockaddr* sa(sockaddr_storage& ss) { return reinterpret_cast<sockaddr*>(&ss); }

static void setPort(sockaddr_storage& ss, uint16_t port) {
  if (ss.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = htons(port);
  else reinterpret_cast<sockaddr_in*>(&ss)->sin_port = htons(port);
}

// Binds a listening socket the executor makes (the `tcp` pair's listener, `listen`) to a
// loopback port it picks, not to port 0. A TIME_WAIT socket holds its port against bind(port
// 0) for a minute: past ~28,000 such sockets in a namespace every ephemeral port is held, and
// bind(0) scans them all (a scenario took milliseconds) and then fails with EADDRINUSE.
// SO_REUSEADDR, which accepted sockets inherit, lets an explicit bind share a port with
// TIME_WAIT sockets, never with another listener (that port is skipped). No script can see
// which port its listener has. Returns bind()'s result; port 0 is the last resort.
int Executor::bindListener(int fd, sockaddr_storage& addr, socklen_t len) {
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0) {
    for (int k = 0; k < kListenerTries; k++) {
      uint16_t port = nextPort_;
      nextPort_ = port >= kListenerLastPort ? kListenerFirstPort : static_cast<uint16_t>(port + 1);
      setPort(addr, port);
      if (bind(fd, sa(addr), len) == 0) return 0;
      if (errno != EADDRINUSE) return -1;
    }
  }
  setPort(addr, 0);
  return bind(fd, sa(addr), len);
}

// Records a socket's endpoint for wire attribution (only while capturing: it costs a syscall).
void Executor::endpoint(FdState& st, int32_t slot, int fd, const sockaddr_storage* peer) {
  if (!captureOk_) return;
  sockaddr_storage local;
  socklen_t len = sizeof local;
  Addr l, p;
  if (getsockname(fd, sa(local), &len) < 0 || !toAddr(local, l)) return;
  if (peer && toAddr(*peer, p)) st.endpoints.add(slot, l, &p);
  else st.endpoints.add(slot, l, nullptr);
}

void Executor::opTcp(FdState& st, int af, int32_t a, int32_t b, int32_t* rec) {
  if (!room(st, 2, rec, {a, b})) return;
  int lfd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) return bindFailed(st, {a, b}, errno, rec);
  sockaddr_storage laddr, paddr;
  socklen_t llen = loopback(af, laddr), plen = sizeof paddr;
  int afd = -1, bfd = -1, err = 0;
  if (bindListener(lfd, laddr, llen) < 0 || listen(lfd, 1) < 0 || getsockname(lfd, sa(laddr), &llen) < 0) {
    err = errno;
  } else if ((afd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
    err = errno;
  } else if (connect(afd, sa(laddr), llen) < 0 && errno != EINPROGRESS) {
    err = errno;
  } else {
    // Loopback completes the handshake inside connect(); poll (bounded, and within the run's
    // time) only if it has not.
    bfd = accept4(lfd, sa(paddr), &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (bfd < 0 && errno == EAGAIN) {
      pollfd p = {lfd, POLLIN, 0};
      int n;
      do n = poll(&p, 1, std::min(kHandshakeMs, msLeft(deadline_)));
      while (n < 0 && errno == EINTR);
      plen = sizeof paddr;
      if (n > 0) bfd = accept4(lfd, sa(paddr), &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
      else errno = n == 0 ? ETIMEDOUT : errno;
    }
    if (bfd < 0) err = errno;
  }
  close(lfd);
  if (err) {
    if (afd >= 0) close(afd);
    return bindFailed(st, {a, b}, err, rec);
  }
  bindFd(st, a, afd, a, true, true, rec);
  bindFd(st, b, bfd, b, true, true, rec);
  if (captureOk_) {
    // A's local address is the peer accept4() reported; B's is the listener's.
    Addr al, bl;
    if (toAddr(paddr, al) && toAddr(laddr, bl)) {
      st.endpoints.add(a, al, &bl);
      st.endpoints.add(b, bl, &al);
    }
  }
}

void Executor::opUnix(FdState& st, int32_t a, int32_t b, int32_t* rec) {
  if (!room(st, 2, rec, {a, b})) return;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) return bindFailed(st, {a, b}, errno, rec);
  bindFd(st, a, sv[0], a, true, false, rec);
  bindFd(st, b, sv[1], b, true, false, rec);
}

// Sleeps or waits until an absolute CLOCK_MONOTONIC deadline, ms from now.
static timespec deadlineIn(int ms) {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += static_cast<long>(ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

static int msLeft(const timespec& deadline) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long ms = (deadline.tv_sec - now.tv_sec) * 1000LL + (deadline.tv_nsec - now.tv_nsec) / 1000000L;
  return ms < 0 ? 0 : static_cast<int>(ms);
}

// ---------------------------------------------------------------------------------------------
// The op loop body. Operands were checked by validate(); each handler maps its slots to live
// descriptors (a number the scenario does not own is answered EBADF without a syscall), makes
// the call and records the result and errno.

#define LIVE(var, slot)                      \
  int var = st.num[slot];                    \
  FdState::Owned* var##Owned = st.find(var); \
  if (!var##Owned) {                         \
    setErr(rec, EBADF);                      \
    break;                                   \
  }                                          \
  (void)var##Owned

void Executor::step(const int32_t* w, const RunInput& in, FdState& st, int32_t* rec) {
  const Op op = static_cast<Op>(w[0]);
  switch (op) {
    case Op::op_tcp:
      opTcp(st, AF_INET, w[1], w[2], rec);
      break;
    case Op::op_tcp6:
      opTcp(st, AF_INET6, w[1], w[2], rec);
      break;
    case Op::op_unix:
      opUnix(st, w[1], w[2], rec);
      break;
    case Op::op_pair:
      if (in.family == static_cast<int32_t>(Family::unix_)) opUnix(st, w[1], w[2], rec);
      else opTcp(st, in.family == static_cast<int32_t>(Family::tcp6) ? AF_INET6 : AF_INET, w[1], w[2], rec);
      break;
    case Op::op_socket: {
      if (!room(st, 1, rec, {w[1]})) break;
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) bindFailed(st, {w[1]}, errno, rec);
      else bindFd(st, w[1], fd, w[1], true, true, rec);
      break;
    }
    case Op::op_pipe: {
      if (!room(st, 2, rec, {w[1], w[2]})) break;
      int p[2];
      if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) {
        bindFailed(st, {w[1], w[2]}, errno, rec);
        break;
      }
      bindFd(st, w[1], p[0], w[1], false, false, rec);
      bindFd(st, w[2], p[1], w[2], false, false, rec);
      break;
    }
    case Op::op_eventfd: {
      if (!room(st, 1, rec, {w[1]})) break;
      int fd = eventfd(static_cast<unsigned>(w[2]), EFD_NONBLOCK | EFD_CLOEXEC);
      if (fd < 0) bindFailed(st, {w[1]}, errno, rec);
      else bindFd(st, w[1], fd, w[1], false, false, rec);
      break;
    }
    case Op::op_listen: {
      if (!room(st, 1, rec, {w[1]})) break;
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        bindFailed(st, {w[1]}, errno, rec);
        break;
      }
      sockaddr_storage addr;
      socklen_t len = loopback(AF_INET, addr);
      if (bindListener(fd, addr, len) < 0 || listen(fd, kBacklog) < 0) {
        int e = errno;
        close(fd);
        bindFailed(st, {w[1]}, e, rec);
        break;
      }
      bindFd(st, w[1], fd, w[1], true, true, rec);
      endpoint(st, w[1], fd, nullptr);
      break;
    }
    case Op::op_connect_new: {
      // The new socket takes L's family; the result is connect()'s and A is bound either way.
      int32_t a = w[1];
      int lfd = st.num[w[2]];
      if (!st.find(lfd)) {
        bindFailed(st, {a}, EBADF, rec);
        break;
      }
      if (!room(st, 1, rec, {a})) break;
      sockaddr_storage addr;
      socklen_t len = sizeof addr;
      if (getsockname(lfd, sa(addr), &len) < 0) {
        bindFailed(st, {a}, errno, rec);
        break;
      }
      int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        bindFailed(st, {a}, errno, rec);
        break;
      }
      setRet(rec, connect(fd, sa(addr), len));
      bindFd(st, a, fd, a, true, true, rec);
      endpoint(st, a, fd, &addr);
      break;
    }
    case Op::op_connect: {
      LIVE(afd, w[1]);
      LIVE(lfd, w[2]);
      sockaddr_storage addr;
      socklen_t len = sizeof addr;
      if (getsockname(lfd, sa(addr), &len) < 0) {
        setRet(rec, -1);
        break;
      }
      int r = connect(afd, sa(addr), len);
      int e = errno;
      setRet(rec, r);
      if (r == 0 || (e != EISCONN && e != EALREADY)) endpoint(st, afdOwned->creator, afd, &addr);
      break;
    }
    case Op::op_accept: {
      int32_t b = w[2];
      int lfd = st.num[w[1]];
      if (!st.find(lfd)) {
        bindFailed(st, {b}, EBADF, rec);
        break;
      }
      if (!room(st, 1, rec, {b})) break;
      sockaddr_storage peer;
      socklen_t len = sizeof peer;
      int fd = accept4(lfd, sa(peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        bindFailed(st, {b}, errno, rec);
        break;
      }
      bindFd(st, b, fd, b, true, true, rec);
      endpoint(st, b, fd, &peer);
      break;
    }
    case Op::op_epoll: {
      if (!room(st, 1, rec, {w[1]})) break;
      int fd = epoll_create1(EPOLL_CLOEXEC);
      if (fd < 0) bindFailed(st, {w[1]}, errno, rec);
      else bindFd(st, w[1], fd, w[1], false, false, rec);
      break;
    }
    case Op::op_dup: {
      int32_t b = w[2];
      int afd = st.num[w[1]];
      FdState::Owned* src = st.find(afd);
      if (!src) {
        bindFailed(st, {b}, EBADF, rec);
        break;
      }
      FdState::Owned from = *src;  // push_back below may move the entry
      if (!room(st, 1, rec, {b})) break;
      // F_DUPFD_CLOEXEC is dup() (lowest free number) plus close-on-exec.
      int fd = fcntl(afd, F_DUPFD_CLOEXEC, 0);
      if (fd < 0) bindFailed(st, {b}, errno, rec);
      else bindDup(st, b, fd, from, rec);
      break;
    }
    case Op::op_dup2: {
      // B keeps its number whatever happens; fds records it only on success.
      rec[layout::sFdCount] = 1;
      LIVE(afd, w[1]);
      FdState::Owned from = *afdOwned;
      int n = st.num[w[2]];
      if (n == afd) {
        rec[layout::sFd0] = n;  // dup2(fd, fd) just checks fd
      } else if (FdState::Owned* t = st.find(n)) {
        // Replacing n closes what n held: that close may linger.
        int64_t lingerFor = lingerMs(st, *t);
        if (lingerFor && !timeFor(lingerFor, "SO_LINGER of the descriptor it replaces")) break;
        if (dup3(afd, n, O_CLOEXEC) < 0) {
          setRet(rec, -1);
          break;
        }
        *t = {n, from.creator, from.file, from.socket, from.tcp};
        rec[layout::sFd0] = n;
      } else if (n < 0) {
        setErr(rec, EBADF);
      } else if (st.owned.size() >= static_cast<size_t>(limits::maxOpenFds)) {
        setErr(rec, EMFILE);
      } else {
        // A number the scenario closed: take it only if it is still free. F_DUPFD picks the
        // lowest free number >= n atomically, so nothing the host opened there is replaced.
        int fd = fcntl(afd, F_DUPFD_CLOEXEC, n);
        if (fd == n) {
          st.owned.push_back({n, from.creator, from.file, from.socket, from.tcp});
          rec[layout::sFd0] = n;
        } else if (fd >= 0) {
          close(fd);
          setErr(rec, EBUSY);  // what dup2 answers when it races with another open of n
        } else {
          setErr(rec, errno == EINVAL ? EBADF : errno == EMFILE ? EBUSY : errno);
        }
      }
      break;
    }
    case Op::op_add:
    case Op::op_mod: {
      LIVE(efd, w[1]);
      LIVE(xfd, w[2]);
      epoll_event ev;
      ev.events = static_cast<uint32_t>(w[3]);
      ev.data.u64 = static_cast<uint64_t>(w[4]);
      setRet(rec, epoll_ctl(efd, op == Op::op_add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, xfd, &ev));
      break;
    }
    case Op::op_del: {
      LIVE(efd, w[1]);
      LIVE(xfd, w[2]);
      epoll_event ev = {};
      setRet(rec, epoll_ctl(efd, EPOLL_CTL_DEL, xfd, &ev));
      break;
    }
    case Op::op_wait: {
      results_.readyBegin();
      LIVE(efd, w[1]);
      int max = w[2], ms = w[3];
      if (ms > 0 && !timeFor(ms, "its timeout")) break;
      // max is at most maxWaitEvents (validated), the size of events_; 0 or less reaches the
      // kernel, which answers EINVAL.
      int n = epoll_wait(efd, events_.data(), max, ms);
      if (n < 0 && errno == EINTR && ms > 0) {
        timespec deadline = deadlineIn(ms);
        do n = epoll_wait(efd, events_.data(), max, msLeft(deadline));
        while (n < 0 && errno == EINTR);
      }
      if (n > 0 && !results_.readyFits(static_cast<size_t>(n))) {
        stopRun("over the results' limits: op %lld (wait) returned %d events, past the run's %d ready entries; the run ends at it",
                static_cast<long long>(opIndex_), n, layout::maxRunReady);
        break;
      }
      setRet(rec, n);
      for (int i = 0; i < n; i++) results_.ready(static_cast<int32_t>(events_[i].data.u64), events_[i].events);
      break;
    }
    case Op::op_close: {
      LIVE(fd, w[1]);
      int64_t lingerFor = lingerMs(st, *fdOwned);
      if (lingerFor && !timeFor(lingerFor, "SO_LINGER")) break;
      int r = close(fd);
      int e = errno;
      // Linux releases the number even when close() reports an error.
      if (r == 0 || e != EBADF) {
        *fdOwned = st.owned.back();
        st.owned.pop_back();
      }
      errno = e;
      setRet(rec, r);
      break;
    }
    case Op::op_shutdown: {
      LIVE(fd, w[1]);
      setRet(rec, shutdown(fd, w[2]));
      break;
    }
    case Op::op_write:
    case Op::op_write_n: {
      LIVE(fd, w[1]);
      const uint8_t* p = op == Op::op_write ? in.strings + w[2] : fillBytes();
      size_t len = static_cast<size_t>(op == Op::op_write ? w[3] : w[2]);
      if (!queueFor(st, static_cast<int64_t>(len))) break;
      // MSG_NOSIGNAL: a broken socket answers EPIPE instead of raising SIGPIPE.
      ssize_t n = fdOwned->socket ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
      setRet(rec, n);
      if (n > 0) st.queued += n;
      break;
    }
    case Op::op_send_oob: {
      LIVE(fd, w[1]);
      if (!queueFor(st, w[3])) break;
      ssize_t n = send(fd, in.strings + w[2], static_cast<size_t>(w[3]), MSG_OOB | MSG_NOSIGNAL);
      setRet(rec, n);
      if (n > 0) st.queued += n;
      break;
    }
    case Op::op_read: {
      LIVE(fd, w[1]);
      ioBuffer();
      ssize_t n = read(fd, io_.get(), static_cast<size_t>(w[2]));
      setRet(rec, n);
      if (n >= 0) {
        results_.bytes(io_.get(), static_cast<size_t>(n));
        st.queued = std::max<int64_t>(0, st.queued - n);
      }
      break;
    }
    case Op::op_fill: {
      LIVE(fd, w[1]);
      bool sock = fdOwned->socket;
      // Up to maxFillBytes, and no further than maxQueuedBytes lets the run queue.
      int64_t limit = std::min<int64_t>(limits::maxFillBytes, limits::maxQueuedBytes - st.queued);
      int64_t total = 0;
      long r = 0;
      while (total < limit) {
        size_t chunk = static_cast<size_t>(std::min<int64_t>(limits::maxIoBytes, limit - total));
        r = sock ? send(fd, fillBytes(), chunk, MSG_NOSIGNAL) : write(fd, fillBytes(), chunk);
        if (r <= 0) break;
        total += r;
      }
      st.queued += total;
      // Stopped by the queued-bytes limit rather than by EAGAIN or maxFillBytes: the count would
      // say less than the kernel would have taken, so the run ends here without one.
      if (total >= limit && limit < limits::maxFillBytes) {
        stopRun(
            "over the queued-bytes limit: op %lld (fill) took the bytes written and not read back to %lld (LIMITS.maxQueuedBytes) before "
            "the descriptor was full; the run ends at it",
            static_cast<long long>(opIndex_), static_cast<long long>(limits::maxQueuedBytes));
        break;
      }
      // Stopping at EAGAIN is the point; any other error with nothing written is the result.
      if (r < 0 && errno != EAGAIN && total == 0) setRet(rec, -1);
      else rec[layout::sRet] = static_cast<int32_t>(total);
      break;
    }
    case Op::op_drain: {
      // Only the count is kept: drain's result is a count, and keeping bytes nobody compares
      // made a run's results tens of MiB.
      LIVE(fd, w[1]);
      ioBuffer();
      int64_t total = 0;
      ssize_t r = 0;
      while (total < limits::maxFillBytes) {
        size_t chunk = static_cast<size_t>(std::min<int64_t>(limits::maxIoBytes, limits::maxFillBytes - total));
        r = read(fd, io_.get(), chunk);
        if (r <= 0) break;
        total += r;
      }
      st.queued = std::max<int64_t>(0, st.queued - total);
      if (r < 0 && errno != EAGAIN && total == 0) setRet(rec, -1);
      else rec[layout::sRet] = static_cast<int32_t>(total);
      break;
    }
    case Op::op_linger: {
      LIVE(fd, w[1]);
      linger l = {1, w[2]};
      st.lingerUsed = true;  // teardown turns it off again so no close blocks
      setRet(rec, setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l));
      break;
    }
    case Op::op_sleep: {
      if (!timeFor(w[1], "its length")) break;
      timespec deadline = deadlineIn(w[1]);
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
      }
      break;
    }
  }
}

}  // namespace epl
