// Wire capture on lo and attribution of TCP segments to the script's names.
// Plain C++ over Linux headers; one Capture per environment (thread), opened once.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace epl {

// One TCP endpoint address, IPv4 stored as v4-mapped IPv6 so both families compare alike.
struct Addr {
  uint8_t ip[16];
  uint16_t port;  // host order
};

// Reads a sockaddr_in/in6 into an Addr; false for any other family.
bool toAddr(const sockaddr_storage& ss, Addr& out);

// The sockets a run created: creator slot, local address, peer address (if connected).
// Append-only during a run (a closed socket's FIN must still be attributed to it), chained by
// local port so a lookup walks only the few endpoints sharing a port.
class Endpoints {
 public:
  void reset();
  void add(int32_t slot, const Addr& local, const Addr* peer);
  // The slot of the endpoint that owns the `self` side of a segment between self and other:
  // full 4-tuple first, then a listener on self's address, then a connecting socket whose port
  // the kernel already released (a refused connect). -1: a stranger.
  int32_t lookup(const Addr& self, const Addr& other) const;
  bool empty() const { return list_.empty(); }

 private:
  struct Entry {
    Addr local;
    Addr peer;
    int32_t slot;
    int32_t next;  // next entry with the same local port, -1 at the end
    bool hasPeer;
  };
  std::vector<Entry> list_;
  std::vector<int32_t> heads_;       // by local port: newest entry, -1 none (65536, allocated on first use)
  std::vector<uint16_t> usedPorts_;  // heads_ entries to clear on reset
};

// A segment as parsed from the wire.
struct Wire {
  Addr src;
  Addr dst;
  uint8_t flags;
  uint32_t len;  // payload bytes
};

// AF_PACKET socket on lo with a TPACKET_V2 receive ring: after a step, the segments it caused
// are already in the ring (loopback delivers inside the sending syscall), and finding none costs
// one memory read instead of a recv() that fails with EAGAIN.
class Capture {
 public:
  Capture() = default;
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  ~Capture() { close(); }

  // Opens the socket; on failure returns false and writes a plain sentence into reason.
  bool open(char* reason, size_t reasonSize);
  void close();
  bool isOpen() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Calls f(const Wire&) for every incoming TCP segment waiting in the ring, oldest first.
  template <typename F>
  void drain(F&& f) {
    if (ring_ == nullptr) return;
    for (;;) {
      uint8_t* frame = ring_ + static_cast<size_t>(head_) * kFrameSize;
      if (!ready(frame)) return;
      Wire w;
      if (parse(frame, w)) f(w);
      release(frame);
      head_ = (head_ + 1) % kFrameCount;
    }
  }

  static constexpr unsigned kFrameSize = 256;  // room for link + IPv6 + TCP headers with options
  static constexpr unsigned kBlockSize = 4096;
  static constexpr unsigned kBlockCount = 64;
  static constexpr unsigned kFrameCount = kBlockSize / kFrameSize * kBlockCount;

 private:
  static bool ready(const uint8_t* frame);
  static void release(uint8_t* frame);
  static bool parse(const uint8_t* frame, Wire& w);

  int fd_ = -1;
  uint8_t* ring_ = nullptr;
  unsigned head_ = 0;
};

}  // namespace epl
