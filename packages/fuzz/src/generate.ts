// Random valid sequences, written straight into ProgramCode words (no builder, no text):
// generation must cost far less than running. A small model of each name (kind, open or
// closed) keeps the naming rules and weights the choice toward ops that change readiness;
// stale names are used on purpose now and then, as a C program with a bug would.
import { EPOLL_FLAGS, OP_WORDS, Op } from '@epl/program';

// Module-level copies: an imported binding is a getter on every use, and this is the hot loop.
const O = Op;
const WORDS = OP_WORDS;
import { Rng } from './prng';
import type { Seq } from './seq';

export interface GenOptions {
  /** Ops per sequence (default 30). */
  readonly length?: number;
  /** Most names one sequence binds (default 16): keeps the model small and reuse likely. */
  readonly maxNames?: number;
  /** Override the weight of op categories (0 leaves a category out). */
  readonly weights?: Partial<Record<Category, number>>;
}

export const DEFAULT_LENGTH = 30;

// What a name holds, for weighting only (the kernel judges kinds, not the generator).
const STREAM = 0; // connected stream end: tcp, tcp6, unix, pair, accepted
const BARE = 1; // socket, never connected
const LISTEN = 2;
const CONN = 3; // connect()ing / connected client
const PIPE_R = 4;
const PIPE_W = 5;
const EVENT = 6;
const EPOLL = 7;

const bit = (k: number): number => 1 << k;
const SOCKETS = bit(STREAM) | bit(CONN);
const WRITABLE = SOCKETS | bit(PIPE_W) | bit(EVENT);
const READABLE = SOCKETS | bit(PIPE_R) | bit(EVENT);
const SHUTTABLE = SOCKETS | bit(BARE) | bit(LISTEN);
const ANY = 0xff;

const { IN, OUT, PRI, ERR, HUP, RDHUP, ET, ONESHOT, EXCLUSIVE, WAKEUP } = EPOLL_FLAGS;
const EVENT_SETS = [IN | OUT | RDHUP, IN | OUT | ERR | HUP | RDHUP, IN, OUT, IN | OUT, IN | RDHUP, IN | PRI, PRI, RDHUP, 0];
const EVENT_BITS = [IN, OUT, PRI, ERR, HUP, RDHUP];

const enc = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const TEXTS = [enc('a'), enc('ab'), enc('hello\n'), enc('')];
const COUNTERS = [enc('\x01\0\0\0\0\0\0\0'), enc('\x02\0\0\0\0\0\0\0'), enc('\xfe\xff\xff\xff\xff\xff\xff\xff'), enc('\x01')];
const OOB = [enc('x'), enc('ab')];

/** Names print as numbers from 3 up, like the descriptors of strace output. */
export function slotName(slot: number): string {
  return String(slot + 3);
}
const NAMES: string[] = [];
for (let i = 0; i < 256; i++) NAMES.push(slotName(i));

/** Op categories and their base weights: readiness changers dominate. */
const CATS = ['create', 'add', 'mod', 'del', 'wait', 'write', 'read', 'shutdown', 'close', 'fill', 'drain', 'oob', 'linger', 'dup', 'dup2', 'sleep'] as const;
type Cat = (typeof CATS)[number];
export type Category = Cat;
const BASE_WEIGHT: Record<Cat, number> = {
  create: 0,
  add: 9,
  mod: 4,
  del: 2,
  wait: 9,
  write: 12,
  read: 9,
  shutdown: 6,
  close: 7,
  fill: 1.2,
  drain: 2,
  oob: 2,
  linger: 2,
  dup: 4,
  dup2: 3,
  sleep: 0.2,
};
const READINESS: ReadonlySet<number> = new Set([
  O.write,
  O.write_n,
  O.read,
  O.shutdown,
  O.close,
  O.fill,
  O.drain,
  O.send_oob,
  O.connect,
  O.connect_new,
  O.accept,
  O.dup2,
  O.mod,
  O.add,
]);

export class Generator {
  private readonly length: number;
  private readonly maxNames: number;
  // Per-sequence state, reset by generate().
  private words = new Int32Array(0);
  private n = 0;
  private bytes: number[] = [];
  private kind: number[] = [];
  private open: boolean[] = [];
  private regs: number[] = []; // epoll * 256 + target, approximate (for weights only)
  private readonly weights = new Array<number>(CATS.length).fill(0);
  private readonly base: Record<Cat, number>;

  constructor(
    private readonly rng: Rng,
    opts: GenOptions = {},
  ) {
    this.length = Math.max(1, opts.length ?? DEFAULT_LENGTH);
    this.maxNames = Math.min(opts.maxNames ?? 16, 250);
    this.base = { ...BASE_WEIGHT, ...opts.weights };
  }

  generate(): Seq {
    const r = this.rng;
    this.words = new Int32Array(this.length * WORDS);
    this.n = 0;
    this.bytes = [];
    this.kind = [];
    this.open = [];
    this.regs.length = 0;
    // Prologue: most interesting sequences start with an epoll watching a connected pair.
    if (r.chance(0.9)) this.create('epoll');
    this.create(r.chance(0.6) ? 'pair' : undefined);
    if (r.chance(0.7)) for (let s = 0; s < this.kind.length && this.room(1); s++) if (this.kind[s] !== EPOLL) this.add(s);
    while (this.room(1)) this.step();
    const names = NAMES.slice(0, this.kind.length);
    return { code: this.words.subarray(0, this.n * WORDS), strings: Uint8Array.from(this.bytes), slotCount: names.length, names };
  }

  private room(k: number): boolean {
    return this.n + k <= this.length;
  }

  private emit(code: number, a = 0, b = 0, c = 0, d = 0, e = 0): void {
    const w = this.n++ * WORDS;
    const ws = this.words;
    ws[w] = code;
    ws[w + 1] = a;
    ws[w + 2] = b;
    ws[w + 3] = c;
    ws[w + 4] = d;
    ws[w + 5] = e;
  }

  private str(b: Uint8Array): [number, number] {
    const off = this.bytes.length;
    for (const x of b) this.bytes.push(x);
    return [off, b.length];
  }

  /** Forget registrations of or in slot s (it was closed or rebound). */
  private unregister(s: number): void {
    const regs = this.regs;
    let w = 0;
    for (let i = 0; i < regs.length; i++) if (regs[i] % 256 !== s && Math.floor(regs[i] / 256) !== s) regs[w++] = regs[i];
    regs.length = w;
  }

  /** The k-th slot (0-based) whose openness is `open` and whose kind is in `kinds`; no allocation. */
  private nth(open: boolean, kinds: number, k: number): number {
    for (let s = 0; s < this.open.length; s++) if (this.open[s] === open && kinds & bit(this.kind[s]) && k-- === 0) return s;
    return -1;
  }

  private countOf(open: boolean, kinds: number): number {
    let n = 0;
    for (let s = 0; s < this.open.length; s++) if (this.open[s] === open && kinds & bit(this.kind[s])) n++;
    return n;
  }

  /** A slot for a creating op to bind: a new name, or now and then a closed one (rebinding is allowed). */
  private fresh(kind: number): number {
    const closed = this.countOf(false, ANY);
    let s: number;
    if (closed && (this.kind.length >= this.maxNames || this.rng.chance(0.3))) s = this.nth(false, ANY, this.rng.int(closed));
    else if (this.kind.length < this.maxNames) s = this.kind.length;
    else return -1;
    this.kind[s] = kind;
    this.open[s] = true;
    this.unregister(s);
    return s;
  }

  /** A random open slot of one of these kinds, or -1. */
  private pickOpen(kinds: number): number {
    const n = this.countOf(true, kinds);
    return n ? this.nth(true, kinds, this.rng.int(n)) : -1;
  }

  /** A name to pass to the kernel: mostly an open one of a fitting kind, sometimes any, sometimes stale. */
  private use(kinds: number): number {
    const r = this.rng;
    const x = r.u32() / 0x100000000;
    let s = -1;
    if (x < 0.08) {
      const n = this.countOf(false, ANY);
      if (n) s = this.nth(false, ANY, r.int(n));
    } else if (x >= 0.18) s = this.pickOpen(kinds);
    if (s < 0) s = this.pickOpen(ANY);
    if (s < 0 && this.kind.length) s = r.int(this.kind.length);
    return s;
  }

  private step(): void {
    const r = this.rng;
    let open = 0;
    let epolls = 0;
    for (let s = 0; s < this.open.length; s++) {
      if (!this.open[s]) continue;
      open++;
      if (this.kind[s] === EPOLL) epolls++;
    }
    const w = this.weights;
    for (let i = 0; i < CATS.length; i++) w[i] = this.base[CATS[i]];
    if (this.base.create !== 0) w[0] = open < 4 ? 14 : open < 10 ? 5 : 1.5;
    if (this.kind.length === 0) {
      this.create(undefined);
      return;
    }
    if (!epolls) w[CATS.indexOf('wait')] = 1;
    const cat = CATS[r.weighted(w)];
    const before = this.n;
    switch (cat) {
      case 'create':
        this.create(undefined);
        break;
      case 'add':
        this.add(this.use(ANY));
        break;
      case 'mod':
      case 'del': {
        const regs = this.regs;
        let e: number;
        let t: number;
        if (regs.length && r.chance(0.8)) {
          const k = r.pick(regs);
          e = Math.floor(k / 256);
          t = k % 256;
        } else {
          e = this.epoll();
          t = this.use(ANY);
        }
        if (cat === 'mod') this.emit(O.mod, e, t, this.flags(), this.data(t));
        else {
          this.emit(O.del, e, t);
          const at = regs.indexOf(e * 256 + t);
          if (at >= 0) regs.splice(at, 1);
        }
        break;
      }
      case 'wait':
        this.wait();
        return;
      case 'write': {
        const s = this.use(WRITABLE);
        if (this.kind[s] === EVENT && r.chance(0.8)) this.emit(O.write, s, ...this.str(r.pick(COUNTERS)));
        else if (r.chance(0.6)) this.emit(O.write, s, ...this.str(r.pick(TEXTS)));
        // 64 KiB through a captured TCP socket costs ~15 small writes (segments to capture and
        // drain): kept rare, as fill is.
        else this.emit(O.write_n, s, r.chance(0.04) ? 65536 : r.pick([1, 1, 100, 1000, 4096, 0]));
        break;
      }
      case 'read': {
        const s = this.use(READABLE);
        this.emit(O.read, s, this.kind[s] === EVENT && r.chance(0.8) ? 8 : r.pick([1, 1, 1, 2, 8, 1024, 1024, 0]));
        break;
      }
      case 'shutdown':
        this.emit(O.shutdown, this.use(SHUTTABLE), r.chance(0.95) ? r.int(3) : r.pick([3, -1]));
        break;
      case 'close': {
        const s = this.use(ANY);
        this.emit(O.close, s);
        this.open[s] = false;
        this.unregister(s);
        break;
      }
      case 'fill': {
        // Filling a TCP socket copies megabytes (and draining it again): the costliest op by far,
        // so it goes mostly to pipes and eventfds, and to a socket only now and then.
        const small = this.pickOpen(bit(PIPE_W) | bit(EVENT));
        if (small >= 0 && !r.chance(0.1)) this.emit(O.fill, small);
        else if (r.chance(0.2)) this.emit(O.fill, this.use(SOCKETS));
        break;
      }
      case 'drain':
        this.emit(O.drain, this.use(READABLE));
        break;
      case 'oob':
        this.emit(O.send_oob, this.use(SOCKETS), ...this.str(r.pick(OOB)));
        break;
      case 'linger':
        this.emit(O.linger, this.use(SOCKETS), 0);
        break;
      case 'dup': {
        const a = this.use(ANY);
        const b = this.fresh(this.kind[a]);
        if (b >= 0) this.emit(O.dup, a, b);
        break;
      }
      case 'dup2': {
        const a = this.use(ANY);
        const b = r.int(this.kind.length);
        this.emit(O.dup2, a, b);
        // The compiler counts dup2's target as open afterwards, whatever the kernel says.
        this.kind[b] = this.kind[a];
        this.open[b] = true;
        break;
      }
      case 'sleep':
        this.emit(O.sleep, 0);
        break;
    }
    // Look at readiness right after it may have changed, as the founding scenarios do.
    if (this.n > before && READINESS.has(this.words[(this.n - 1) * WORDS]) && r.chance(0.45)) this.wait();
  }

  private epoll(): number {
    const r = this.rng;
    const open: number[] = [];
    for (let s = 0; s < this.open.length; s++) if (this.open[s] && this.kind[s] === EPOLL) open.push(s);
    if (open.length && r.chance(0.92)) return r.pick(open);
    return this.use(bit(EPOLL));
  }

  private wait(): void {
    if (!this.room(1)) return;
    const r = this.rng;
    const x = r.int(40);
    const max = x < 32 ? 64 : x < 36 ? 1 : x < 38 ? 2 : x < 39 ? 0 : -1;
    this.emit(O.wait, this.epoll(), max, 0);
  }

  private flags(): number {
    const r = this.rng;
    let f: number;
    if (r.chance(0.8)) f = r.pick(EVENT_SETS);
    else {
      f = 0;
      for (const b of EVENT_BITS) if (r.chance(0.4)) f |= b;
    }
    if (r.chance(0.25)) f |= ET;
    if (r.chance(0.15)) f |= ONESHOT;
    if (r.chance(0.06)) f |= EXCLUSIVE;
    if (r.chance(0.04)) f |= WAKEUP;
    return f | 0;
  }

  /** `data`: the target's own name mostly (as the founding scenarios), sometimes another bound name. */
  private data(t: number): number {
    return this.rng.chance(0.88) ? t : this.rng.int(this.kind.length);
  }

  private add(t: number): void {
    if (t < 0 || !this.room(1)) return;
    const e = this.epoll();
    if (e < 0) return;
    this.emit(O.add, e, t, this.flags(), this.data(t));
    if (!this.regs.includes(e * 256 + t)) this.regs.push(e * 256 + t);
  }

  private create(forced: 'epoll' | 'pair' | undefined): void {
    if (!this.room(1)) return;
    const r = this.rng;
    let listeners = 0;
    for (let s = 0; s < this.open.length; s++) if (this.open[s] && this.kind[s] === LISTEN) listeners++;
    const choices = ['pair', 'tcp', 'tcp6', 'unix', 'pipe', 'eventfd', 'epoll', 'listen', 'socket', 'connect', 'accept'] as const;
    const w = [34, 5, 4, 5, 12, 8, 7, 6, 4, listeners ? 10 : 1, listeners ? 8 : 1];
    const what = forced ?? choices[r.weighted(w)];
    switch (what) {
      case 'pair':
      case 'tcp':
      case 'tcp6':
      case 'unix': {
        const a = this.fresh(STREAM);
        const b = a < 0 ? -1 : this.fresh(STREAM);
        if (b >= 0) this.emit(O[what], a, b);
        else if (a >= 0) this.open[a] = false;
        break;
      }
      case 'pipe': {
        const a = this.fresh(PIPE_R);
        const b = a < 0 ? -1 : this.fresh(PIPE_W);
        if (b >= 0) this.emit(O.pipe, a, b);
        else if (a >= 0) this.open[a] = false;
        break;
      }
      case 'eventfd': {
        const s = this.fresh(EVENT);
        if (s >= 0) this.emit(O.eventfd, s, r.chance(0.9) ? r.int(3) : -2);
        break;
      }
      case 'epoll': {
        const s = this.fresh(EPOLL);
        if (s >= 0) this.emit(O.epoll, s);
        // A second epoll is most interesting nested inside the first.
        if (s >= 0 && !forced && r.chance(0.6)) this.add(s);
        break;
      }
      case 'listen': {
        const s = this.fresh(LISTEN);
        if (s >= 0) this.emit(O.listen, s);
        break;
      }
      case 'socket': {
        const s = this.fresh(BARE);
        if (s >= 0) this.emit(O.socket, s);
        break;
      }
      case 'connect': {
        const l = this.use(bit(LISTEN));
        if (l < 0) break;
        const bares: number[] = [];
        for (let s = 0; s < this.open.length; s++) if (this.open[s] && this.kind[s] === BARE) bares.push(s);
        if (bares.length && r.chance(0.6)) {
          const a = r.pick(bares);
          this.emit(O.connect, a, l);
          this.kind[a] = CONN;
        } else if (r.chance(0.05) && this.open.includes(true)) {
          // connect on something already connected or not a socket: the kernel says. `connect`
          // (not connect_new) needs an open name, as the compiler decides by openness.
          const opens: number[] = [];
          for (let s = 0; s < this.open.length; s++) if (this.open[s]) opens.push(s);
          this.emit(O.connect, r.pick(opens), l);
        } else {
          const a = this.fresh(CONN);
          if (a >= 0) this.emit(O.connect_new, a, l);
        }
        break;
      }
      case 'accept': {
        const l = this.use(bit(LISTEN));
        if (l < 0) break;
        const b = this.fresh(STREAM);
        if (b >= 0) this.emit(O.accept, l, b);
        break;
      }
    }
  }
}

/** `count` sequences from one seed: the same seed always gives the same sequences. */
export function generateMany(seed: string | number, count: number, opts: GenOptions = {}): Seq[] {
  const g = new Generator(new Rng(seed), opts);
  const out: Seq[] = [];
  for (let i = 0; i < count; i++) out.push(g.generate());
  return out;
}
