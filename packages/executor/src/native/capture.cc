#include "capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace epl {

bool toAddr(const sockaddr_storage& ss, Addr& out) {
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    memset(out.ip, 0, 10);
    out.ip[10] = 0xff;
    out.ip[11] = 0xff;
    memcpy(out.ip + 12, &in->sin_addr, 4);
    out.port = ntohs(in->sin_port);
    return true;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    memcpy(out.ip, &in6->sin6_addr, 16);
    out.port = ntohs(in6->sin6_port);
    return true;
  }
  return false;
}

static bool sameIp(const Addr& a, const Addr& b) { return memcmp(a.ip, b.ip, 16) == 0; }
static bool same(const Addr& a, const Addr& b) { return a.port == b.port && sameIp(a, b); }

void Endpoints::reset() {
  for (uint16_t p : usedPorts_) heads_[p] = -1;
  usedPorts_.clear();
  list_.clear();
}

void Endpoints::add(int32_t slot, const Addr& local, const Addr* peer) {
  if (heads_.empty()) heads_.assign(65536, -1);
  Entry e;
  e.local = local;
  e.hasPeer = peer != nullptr;
  if (peer) e.peer = *peer;
  else memset(&e.peer, 0, sizeof e.peer);
  e.slot = slot;
  int32_t& head = heads_[local.port];
  if (head < 0) usedPorts_.push_back(local.port);
  e.next = head;
  head = static_cast<int32_t>(list_.size());
  list_.push_back(e);
}

int32_t Endpoints::lookup(const Addr& self, const Addr& other) const {
  if (heads_.empty()) return -1;
  int32_t listener = -1;
  for (int32_t i = heads_[self.port]; i >= 0; i = list_[i].next) {
    const Entry& e = list_[i];
    if (!sameIp(e.local, self)) continue;
    if (e.hasPeer) {
      if (same(e.peer, other)) return e.slot;
    } else if (listener < 0) {
      listener = e.slot;
    }
  }
  if (listener >= 0) return listener;
  // A connect the kernel refused at once: it released the port before getsockname() could see it.
  for (int32_t i = heads_[0]; i >= 0; i = list_[i].next) {
    const Entry& e = list_[i];
    if (e.hasPeer && same(e.peer, other)) return e.slot;
  }
  return -1;
}

bool Capture::open(char* reason, size_t reasonSize) {
  close();
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int e = errno;
    if (e == EPERM || e == EACCES)
      snprintf(reason, reasonSize, "no CAP_NET_RAW: opening a packet socket was refused (%s), so segments cannot be captured", strerror(e));
    else snprintf(reason, reasonSize, "no packet capture: socket(AF_PACKET) failed (%s)", strerror(e));
    return false;
  }
  const char* step = nullptr;
  // Keep only IPv4/IPv6 TCP (lo has an Ethernet header): everything else never reaches the ring.
  static sock_filter code[] = {
      {BPF_LD | BPF_H | BPF_ABS, 0, 0, 12},
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 2, ETH_P_IP},
      {BPF_LD | BPF_B | BPF_ABS, 0, 0, 23},
      {BPF_JMP | BPF_JEQ | BPF_K, 3, 4, IPPROTO_TCP},
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 3, ETH_P_IPV6},
      {BPF_LD | BPF_B | BPF_ABS, 0, 0, 20},
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, IPPROTO_TCP},
      {BPF_RET | BPF_K, 0, 0, 160},
      {BPF_RET | BPF_K, 0, 0, 0},
  };
  sock_fprog prog = {static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  int one = 1;
  int version = TPACKET_V2;
  tpacket_req req = {kBlockSize, kBlockCount, kFrameSize, kFrameCount};
  ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  sockaddr_ll ll;
  memset(&ll, 0, sizeof ll);
  void* ring = MAP_FAILED;
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) step = "SO_ATTACH_FILTER";
  // Each segment on lo passes the tap twice; the outgoing copy is noise. Older kernels lack the
  // option: parse() also skips PACKET_OUTGOING frames.
  else if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0 && errno != ENOPROTOOPT)
    step = "PACKET_IGNORE_OUTGOING";
  else if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) < 0) step = "PACKET_VERSION";
  else if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0) step = "PACKET_RX_RING";
  else if ((ring = mmap(nullptr, static_cast<size_t>(kBlockSize) * kBlockCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
    step = "mmap";
  else if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) step = "SIOCGIFINDEX lo";
  else {
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(ETH_P_ALL);
    ll.sll_ifindex = ifr.ifr_ifindex;
    // Bound with a protocol only now, so nothing queued before the ring and filter were ready.
    if (bind(fd, reinterpret_cast<sockaddr*>(&ll), sizeof ll) < 0) step = "bind lo";
  }
  if (step) {
    int e = errno;
    snprintf(reason, reasonSize, "no packet capture: %s failed (%s)", step, strerror(e));
    if (ring != MAP_FAILED) munmap(ring, static_cast<size_t>(kBlockSize) * kBlockCount);
    ::close(fd);
    return false;
  }
  fd_ = fd;
  ring_ = static_cast<uint8_t*>(ring);
  head_ = 0;
  return true;
}

void Capture::close() {
  if (ring_) munmap(ring_, static_cast<size_t>(kBlockSize) * kBlockCount);
  if (fd_ >= 0) ::close(fd_);
  ring_ = nullptr;
  fd_ = -1;
  head_ = 0;
}

bool Capture::ready(const uint8_t* frame) {
  const auto* h = reinterpret_cast<const tpacket2_hdr*>(frame);
  return (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) != 0;
}

void Capture::release(uint8_t* frame) {
  auto* h = reinterpret_cast<tpacket2_hdr*>(frame);
  __atomic_store_n(&h->tp_status, static_cast<__u32>(TP_STATUS_KERNEL), __ATOMIC_RELEASE);
}

static uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

bool Capture::parse(const uint8_t* frame, Wire& w) {
  const auto* h = reinterpret_cast<const tpacket2_hdr*>(frame);
  const auto* ll = reinterpret_cast<const sockaddr_ll*>(frame + TPACKET_ALIGN(sizeof(tpacket2_hdr)));
  if (ll->sll_pkttype == PACKET_OUTGOING) return false;
  uint32_t mac = h->tp_mac, net = h->tp_net, snap = h->tp_snaplen;
  if (mac >= kFrameSize || net < mac || net >= kFrameSize || snap < net - mac) return false;
  uint32_t have = snap - (net - mac);
  if (net + have > kFrameSize || h->tp_len < net - mac) return false;
  uint32_t wireLen = h->tp_len - (net - mac);  // whole packet from the IP header on
  const uint8_t* ip = frame + net;
  if (have < 1) return false;
  uint32_t ipLen, total;
  if ((ip[0] >> 4) == 4) {
    ipLen = (ip[0] & 0x0f) * 4u;
    if (have < 20 || ipLen < 20 || ip[9] != IPPROTO_TCP) return false;
    if (be16(ip + 6) & 0x1fff) return false;  // a later fragment has no TCP header
    total = be16(ip + 2);
    memset(w.src.ip, 0, 10);
    w.src.ip[10] = w.src.ip[11] = 0xff;
    memcpy(w.src.ip + 12, ip + 12, 4);
    memset(w.dst.ip, 0, 10);
    w.dst.ip[10] = w.dst.ip[11] = 0xff;
    memcpy(w.dst.ip + 12, ip + 16, 4);
  } else if ((ip[0] >> 4) == 6) {
    ipLen = 40;
    if (have < 40 || ip[6] != IPPROTO_TCP) return false;
    total = be16(ip + 4) + 40u;
    memcpy(w.src.ip, ip + 8, 16);
    memcpy(w.dst.ip, ip + 24, 16);
  } else {
    return false;
  }
  if (total <= ipLen) total = wireLen;  // a GSO super-packet may carry 0 as its length
  if (have < ipLen + 20) return false;
  const uint8_t* tcp = ip + ipLen;
  uint32_t tcpLen = (tcp[12] >> 4) * 4u;
  if (tcpLen < 20 || total < ipLen + tcpLen) return false;
  w.src.port = be16(tcp);
  w.dst.port = be16(tcp + 2);
  w.flags = tcp[13];
  w.len = total - ipLen - tcpLen;
  return true;
}

}  // namespace epl
