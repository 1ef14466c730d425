// The physical reference for the executor: the five founding experiments
// (shared/reference/seed-scenarios.md) looped in plain C with the same syscalls the executor
// makes for the same Programs: the tcp pair (hidden listener, non-blocking connect, accept4,
// listener closed), epoll with both ends added IN|OUT|ERR|HUP|RDHUP, each scenario's steps with
// an epoll_wait(E, ev, 8, 0) after each, teardown closing everything. With --capture it also
// drains a TPACKET_V2 ring on lo after every step and attributes segments by 4-tuple, as the
// executor does.
//
//   c-reference [--seconds T | --iterations N] [--capture] [--netns]
//
// Prints `c_scenarios_per_s N` then `c_scenarios_per_cpu_s N` on stdout; notes go to stderr.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_SIZE 256u
#define BLOCK_SIZE 4096u
#define BLOCK_COUNT 64u
#define FRAME_COUNT (BLOCK_SIZE / FRAME_SIZE * BLOCK_COUNT)
#define ALL (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDHUP)

static uint8_t *ring;
static unsigned head;
static uint16_t port_a, port_b;  // the pair's local ports, for attribution
static long long segments;       // segments attributed to the pair

static void die(const char *what) {
  fprintf(stderr, "c-reference: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int capture_open(void) {
  static struct sock_filter code[] = {
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
  struct sock_fprog prog = {sizeof code / sizeof code[0], code};
  int one = 1, version = TPACKET_V2;
  struct tpacket_req req = {BLOCK_SIZE, BLOCK_COUNT, FRAME_SIZE, FRAME_COUNT};
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket(AF_PACKET)");
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) die("SO_ATTACH_FILTER");
  if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0) die("PACKET_IGNORE_OUTGOING");
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) < 0) die("PACKET_VERSION");
  if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0) die("PACKET_RX_RING");
  ring = mmap(NULL, BLOCK_SIZE * BLOCK_COUNT, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (ring == MAP_FAILED) die("mmap");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) die("SIOCGIFINDEX");
  struct sockaddr_ll ll;
  memset(&ll, 0, sizeof ll);
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = ifr.ifr_ifindex;
  if (bind(fd, (struct sockaddr *)&ll, sizeof ll) < 0) die("bind lo");
  return fd;
}

// Walks the ring as the executor does: parse the IPv4 TCP header, attribute by ports, release.
static void drain(void) {
  if (!ring) return;
  for (;;) {
    uint8_t *frame = ring + (size_t)head * FRAME_SIZE;
    struct tpacket2_hdr *h = (struct tpacket2_hdr *)frame;
    if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) return;
    const struct sockaddr_ll *sll = (const struct sockaddr_ll *)(frame + TPACKET_ALIGN(sizeof(struct tpacket2_hdr)));
    const uint8_t *ip = frame + h->tp_net;
    if (sll->sll_pkttype != PACKET_OUTGOING && h->tp_net < FRAME_SIZE - 40 && (ip[0] >> 4) == 4 && ip[9] == IPPROTO_TCP) {
      const uint8_t *tcp = ip + (ip[0] & 15) * 4;
      uint16_t sport = (uint16_t)(tcp[0] << 8 | tcp[1]), dport = (uint16_t)(tcp[2] << 8 | tcp[3]);
      if ((sport == port_a && dport == port_b) || (sport == port_b && dport == port_a)) segments++;
    }
    __atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    head = (head + 1) % FRAME_COUNT;
  }
}

// The executor's listener port: picked in turn from 10000-32767 with SO_REUSEADDR, as
// bindListener() in executor.cc does (bind(port 0) runs out of ports under TIME_WAIT sockets).
static int bind_listener(int l, struct sockaddr_in *addr) {
  static unsigned next = 0;
  int one = 1;
  if (setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) return -1;
  for (int k = 0; k < 64; k++) {
    addr->sin_port = htons((uint16_t)(10000 + next++ % 22768));
    if (bind(l, (struct sockaddr *)addr, sizeof *addr) == 0) return 0;
    if (errno != EADDRINUSE) return -1;
  }
  addr->sin_port = 0;
  return bind(l, (struct sockaddr *)addr, sizeof *addr);
}

// The executor's tcp op.
static void tcp_pair(int *a, int *b) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  struct sockaddr_in peer;
  socklen_t len = sizeof addr, plen = sizeof peer;
  int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (l < 0) die("socket");
  if (bind_listener(l, &addr) < 0 || listen(l, 1) < 0 || getsockname(l, (struct sockaddr *)&addr, &len) < 0) die("listener");
  *a = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (*a < 0) die("socket");
  if (connect(*a, (struct sockaddr *)&addr, len) < 0 && errno != EINPROGRESS) die("connect");
  *b = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (*b < 0 && errno == EAGAIN) {
    struct pollfd p = {l, POLLIN, 0};
    if (poll(&p, 1, 1000) > 0) *b = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
  }
  if (*b < 0) die("accept4");
  close(l);
  port_a = ntohs(peer.sin_port);
  port_b = ntohs(addr.sin_port);
}

static struct epoll_event ev[8];
static int E, A, B, D;  // epoll 3, ends 5 and 6, dup 7

static void add(int fd) {
  struct epoll_event e = {.events = ALL, .data.u64 = (uint64_t)fd};
  epoll_ctl(E, EPOLL_CTL_ADD, fd, &e);
  drain();
}
static void wait_(void) {
  epoll_wait(E, ev, 8, 0);
  drain();
}
// One step: the call, then the capture drain, then the wait and its drain.
#define STEP(call) \
  do {             \
    call;          \
    drain();       \
    wait_();       \
  } while (0)

static char buf[1024];

static void scenario(int n) {
  drain();  // stale segments of the previous teardown
  tcp_pair(&A, &B);
  drain();
  E = epoll_create1(EPOLL_CLOEXEC);
  drain();
  add(A);
  add(B);
  wait_();
  D = -1;
  struct epoll_event none = {0};
  switch (n) {
    case 0:
      STEP(shutdown(A, SHUT_RD));
      STEP(read(A, buf, 1));
      STEP(send(B, "a", 1, MSG_NOSIGNAL));
      STEP(read(A, buf, 1));
      STEP(close(A));
      A = -1;
      break;
    case 1:
      STEP(shutdown(A, SHUT_WR));
      STEP(send(A, "a", 1, MSG_NOSIGNAL));
      STEP(read(B, buf, 1));
      STEP(send(B, "a", 1, MSG_NOSIGNAL));
      STEP(read(A, buf, 1));
      STEP(close(A));
      A = -1;
      STEP(send(B, "a", 1, MSG_NOSIGNAL));
      break;
    case 2:
      D = fcntl(A, F_DUPFD_CLOEXEC, 0);
      drain();
      add(D);
      wait_();
      STEP(send(B, "a", 1, MSG_NOSIGNAL));
      STEP(read(A, buf, 1));
      STEP(close(A));
      // del 3 5 after close 5: the executor answers EBADF without a syscall (5 is not owned).
      drain();
      wait_();
      (void)none;
      STEP(close(D));
      A = D = -1;
      break;
    case 3:
    case 4:
      D = fcntl(A, F_DUPFD_CLOEXEC, 0);
      drain();
      add(D);
      STEP(shutdown(D, n == 3 ? SHUT_RD : SHUT_WR));
      break;
  }
  if (A >= 0) close(A);
  close(B);
  close(E);
  if (D >= 0) close(D);
}

static int loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  int r = s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ? -1 : 0;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (r == 0) r = ioctl(s, SIOCSIFFLAGS, &ifr);
  if (s >= 0) close(s);
  return r;
}

static double clock_s(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }

int main(int argc, char **argv) {
  double seconds = 2;
  long long iterations = 0;
  int capture = 0, netns = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--iterations") && i + 1 < argc) iterations = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--capture")) capture = 1;
    else if (!strcmp(argv[i], "--netns")) netns = 1;
    else {
      fprintf(stderr, "usage: c-reference [--seconds T | --iterations N] [--capture] [--netns]\n");
      return 2;
    }
  }
  if (netns) {
    if (unshare(CLONE_NEWNET) < 0 || loopback_up() < 0) {
      fprintf(stderr, "c-reference: no network namespace (%s): using the host loopback\n", strerror(errno));
      netns = 0;
    }
  }
  if (capture) capture_open();
  for (int i = 0; i < 1000; i++) scenario(i % 5);  // warm-up (the executor bench warms up as long)
  segments = 0;
  long long done = 0;
  double t0 = now(), t = t0, cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  for (;;) {
    for (int i = 0; i < 5; i++) scenario(i);
    done += 5;
    if (iterations ? done >= iterations : (t = now()) - t0 >= seconds) break;
  }
  t = now();
  double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  fprintf(stderr, "c-reference: %lld scenarios in %.3f s, netns %s, capture %s, %.2f segments per scenario\n", done, t - t0,
          netns ? "yes" : "no", capture ? "yes" : "no", (double)segments / (double)done);
  printf("c_scenarios_per_s %.0f\n", (double)done / (t - t0));
  // Per second of CPU this process used: steadier than wall time on a machine shared with others.
  printf("c_scenarios_per_cpu_s %.0f\n", (double)done / cpu);
  return 0;
}
