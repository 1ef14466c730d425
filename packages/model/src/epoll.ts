// epoll (epoll(7), epoll_ctl(2), epoll_wait(2), fs/eventpoll.c). An epoll instance keeps items
// keyed by (file, fd number), not by fd: a registration belongs to the open file description it
// was made through, lives as long as that description does, and is reported under its data even
// after the fd it was made with is closed. Each item waits on its file's wait queue; a wake-up
// whose key matches the item's mask puts it at the tail of the ready list if it is not there.
// epoll_wait walks the ready list in order, polls each item again, reports the ones with events,
// and puts level-triggered ones back at the tail.
import { EPOLL_FLAGS, formatEpollFlags } from '@epl/program';
import { counterPoll } from './eventfd';
import { E, fail, OK, Step, value } from './outcome';
import { pipeAfterPoll, pipePoll } from './pipe';
import { sockAfterPoll, sockPoll } from './sock';
import { addFile, addObj, EpollObj, File, FileId, Item, ItemKey, obj, State, updateFile, updateObj, Watcher, file, CounterObj, PipeObj, SockObj } from './state';
import { defineReasons, StepLog } from './why';

const { IN, OUT, ERR, HUP, RDNORM, ET, ONESHOT, EXCLUSIVE, WAKEUP, RDHUP, PRI } = EPOLL_FLAGS;
/** EP_PRIVATE_BITS: the bits that say how to report, not what. */
export const PRIVATE = (WAKEUP | ONESHOT | ET | EXCLUSIVE) >>> 0;
/** EPOLLEXCLUSIVE_OK_BITS: the only bits an EXCLUSIVE registration may carry. */
const EXCLUSIVE_OK = (IN | OUT | ERR | HUP | WAKEUP | ET | EXCLUSIVE) >>> 0;
/** EP_MAX_NESTS. */
const MAX_NESTS = 4;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;

defineReasons({
  'epoll.not-epoll': (o) => `${o.ep} is not an epoll instance: EINVAL (epoll_ctl(2))`,
  'epoll.self': (o) => `${o.ep} cannot watch itself: EINVAL (epoll_ctl(2))`,
  'epoll.exclusive-mod': () => `EPOLLEXCLUSIVE is only for EPOLL_CTL_ADD: EINVAL (epoll_ctl(2))`,
  'epoll.exclusive-epoll': (o) => `an EPOLLEXCLUSIVE registration may not watch another epoll (${o.target}): EINVAL`,
  'epoll.exclusive-bits': (o) => `with EPOLLEXCLUSIVE only IN, OUT, ERR, HUP, WAKEUP and ET may be asked; ${o.extra} was: EINVAL (epoll_ctl(2))`,
  'epoll.exclusive-registered': (o) => `the registration of ${o.target} was made with EPOLLEXCLUSIVE and cannot be modified: EINVAL (epoll_ctl(2))`,
  'epoll.loop': (o) => `adding ${o.target} to ${o.ep} would ${o.why}: ELOOP (ep_loop_check)`,
  'epoll.exists': (o) => `${o.ep} already has a registration for (file#${o.file}, fd ${o.target}): the key is the open file description and the fd number: EEXIST`,
  'epoll.absent': (o) => `${o.ep} has no registration for (file#${o.file}, fd ${o.target}): ENOENT${o.note ? ` (${o.note})` : ''}`,
  'epoll.add': (o) => `${o.ep} registers (file#${o.file}, fd ${o.target}) for ${o.events}, data ${o.data}${o.ready ? `; it is ready at once (${o.now}) and joins the ready list` : ''}`,
  'epoll.mod': (o) => `${o.ep}: the registration (file#${o.file}, fd ${o.target}) now asks ${o.events}, data ${o.data}, and is armed again${o.ready ? `; it is ready (${o.now})${o.linked ? '' : ' and joins the ready list'}` : ''}`,
  'epoll.del': (o) => `${o.ep} drops the registration (file#${o.file}, fd ${o.target})`,
  'epoll.wait-max': (o) => `maxevents must be above 0 (it is ${o.max}): EINVAL (epoll_wait(2))`,
  'epoll.wait-not-epoll': (o) => `${o.ep} is not an epoll instance: EINVAL (epoll_wait(2))`,
  'epoll.reported': (o) => `${o.data}: ${o.events} (${o.because})`,
  'epoll.dropped': (o) => `(file#${o.file}, fd ${o.target}) was on the ready list but nothing it asks for holds now (${o.asks}): it leaves the list unreported`,
  'epoll.et-consumed': (o) => `(file#${o.file}, fd ${o.target}) is edge-triggered and was reported since its last wake-up: not reported again${o.now ? ` although ${o.now} holds` : ''}`,
  'epoll.oneshot-disarmed': (o) => `(file#${o.file}, fd ${o.target}) is EPOLLONESHOT and fired already: disarmed until EPOLL_CTL_MOD`,
  'epoll.masked': (o) => `(file#${o.file}, fd ${o.target}) asks ${o.asks} but its file shows only ${o.now}`,
  'epoll.nothing': (o) => `(file#${o.file}, fd ${o.target}): nothing is ready (${o.asks})`,
  'epoll.max-left': (o) => `(file#${o.file}, fd ${o.target}) stays on the ready list: maxevents (${o.max}) was reached first`,
  'epoll.file-closed': (o) => `the registration of fd ${o.target} (data ${o.data}) left ${o.ep} when file#${o.file} was closed everywhere (eventpoll_release_file)`,
});

export function epollCreate(s: State): [State, FileId] {
  const [s1, o] = addObj(s, { kind: 'epoll', items: [], ready: [], gone: [] });
  return addFile(s1, 'epoll', o);
}

function epOf(s: State, f: FileId): EpollObj {
  return obj<EpollObj>(s, file(s, f).obj);
}

function findItem(ep: EpollObj, f: FileId, fd: number): Item | undefined {
  for (const it of ep.items) if (it.file === f && it.fd === fd) return it;
  return undefined;
}

function linked(ep: EpollObj, f: FileId, fd: number): boolean {
  for (const k of ep.ready) if (k.file === f && k.fd === fd) return true;
  return false;
}

function withoutKey(list: readonly ItemKey[], f: FileId, fd: number): ItemKey[] {
  return list.filter((k) => k.file !== f || k.fd !== fd);
}

/** An item is armed while its mask holds a poll event (ONESHOT clears them after one report). */
export function armed(events: number): boolean {
  return (events & ~PRIVATE) >>> 0 !== 0;
}

// ---------------------------------------------------------------------------------------------
// Polling a file: each kind's f_op->poll. Polls have side effects the model keeps: a pipe
// remembers it was polled, a TCP socket found full sets SOCK_NOSPACE, and polling a nested epoll
// drops the items of its ready list that turn out not to be ready.

export interface Polled {
  readonly s: State;
  readonly m: number;
}

/** vfs_poll of one file (depth counts nested epolls). */
export function pollFile(s: State, f: FileId, depth = 0): Polled {
  const fl = file(s, f);
  switch (fl.kind) {
    case 'pipe-r':
    case 'pipe-w': {
      const m = pipePoll(obj<PipeObj>(s, fl.obj), fl.kind === 'pipe-r');
      return { s: pipeAfterPoll(s, f), m };
    }
    case 'eventfd':
      return { s, m: counterPoll(obj<CounterObj>(s, fl.obj)) };
    case 'socket': {
      const m = sockPoll(s, obj<SockObj>(s, fl.obj));
      return { s: sockAfterPoll(s, fl.obj, m), m };
    }
    case 'epoll':
      return epollPoll(s, f, depth);
  }
}

/** ep_item_poll: the file's poll masked by what the item asks (its ERR|HUP included). */
function itemPoll(s: State, it: Item, depth: number): Polled {
  const p = pollFile(s, it.file, depth);
  return { s: p.s, m: (p.m & it.events) >>> 0 };
}

/**
 * __ep_eventpoll_poll: an epoll is readable (IN|RDNORM) when an item of its ready list is
 * really ready. Items found not ready on the way are dropped from its ready list; the scan
 * stops at the first ready one.
 */
function epollPoll(s: State, f: FileId, depth: number): Polled {
  const ep = epOf(s, f);
  let cur = s;
  const keep: ItemKey[] = [];
  let m = 0;
  let i = 0;
  for (; i < ep.ready.length; i++) {
    const k = ep.ready[i];
    const it = findItem(ep, k.file, k.fd)!;
    const p = itemPoll(cur, it, depth + 1);
    cur = p.s;
    if (p.m) {
      m = IN | RDNORM;
      break;
    }
  }
  for (let j = i; j < ep.ready.length; j++) keep.push(ep.ready[j]);
  if (keep.length === ep.ready.length) return { s: cur, m };
  return { s: updateObj<EpollObj>(cur, file(cur, f).obj, { ready: keep }), m };
}

// ---------------------------------------------------------------------------------------------
// Wake-ups: ep_poll_callback

/** Delivers the wake-ups a step's rules logged, in order (wake_up on each file's wait queue). */
export function deliverWakes(s: State, log: StepLog): State {
  let cur = s;
  const w = log.wakes;
  for (let i = 0; i < w.length; i += 2) cur = wakeFile(cur, w[i], w[i + 1]);
  return cur;
}

/** __wake_up_common over a file's wait queue: ep_poll_callback for each item waiting on it. */
export function wakeFile(s: State, f: FileId, key: number): State {
  const fl = s.files[f];
  if (!fl || fl.watchers.length === 0) return s;
  let cur = s;
  for (const w of fl.watchers) cur = callback(cur, w, key);
  return cur;
}

/**
 * ep_poll_callback: a disarmed item (ONESHOT fired) or one whose mask misses the wake-up's key
 * is left alone; otherwise it joins the ready list's tail if it is not on it, and an epoll
 * watched by another epoll wakes that one in turn (with IN).
 */
function callback(s: State, w: Watcher, key: number): State {
  const epFile = s.files[w.ep];
  if (!epFile) return s;
  const ep = obj<EpollObj>(s, epFile.obj);
  const it = findItem(ep, w.file, w.fd);
  if (!it || !armed(it.events)) return s;
  if (key && !((key & it.events) >>> 0)) return s;
  let cur = s;
  if (!linked(ep, w.file, w.fd)) cur = updateObj<EpollObj>(cur, epFile.obj, { ready: [...ep.ready, { file: w.file, fd: w.fd }] });
  if (epFile.watchers.length) cur = wakeFile(cur, w.ep, IN);
  return cur;
}

// ---------------------------------------------------------------------------------------------
// epoll_ctl

/** ep_loop_check: would watching `to` from `ep` close a loop or nest more than EP_MAX_NESTS deep? Returns why, or ''. */
function loopCheck(s: State, epF: FileId, toF: FileId): string {
  const down = new Map<FileId, number>();
  const visit = (f: FileId, depth: number): number => {
    const seen = down.get(f);
    if (seen !== undefined) return seen;
    let result = 0;
    down.set(f, 0);
    for (const it of epOf(s, f).items) {
      const t = s.files[it.file];
      if (!t || t.kind !== 'epoll') continue;
      if (it.file === epF || depth > MAX_NESTS) result = MAX_NESTS + 1;
      else result = Math.max(result, visit(it.file, depth + 1) + 1);
      if (result > MAX_NESTS) break;
    }
    down.set(f, result);
    return result;
  };
  const depth = visit(toF, 0);
  if (depth > MAX_NESTS) return 'close a loop of epolls (or nest them more than 4 deep)';
  const up = (f: FileId): number => {
    let r = 0;
    for (const w of file(s, f).watchers) r = Math.max(r, up(w.ep) + 1);
    return r;
  };
  return depth + 1 + up(epF) > MAX_NESTS ? 'nest epolls more than 4 deep' : '';
}

export interface CtlNames {
  readonly ep: string;
  readonly target: string;
  readonly data: string;
}

/** do_epoll_ctl, once both numbers are known to be open (the EBADF cases are the descriptor table's). */
export function epollCtl(s: State, log: StepLog, op: number, epF: FileId, tF: FileId, fd: number, events: number, data: number, n: CtlNames): Step {
  const epFile = file(s, epF);
  const target = file(s, tF);
  if (epF === tF) {
    log.because(epFile.kind === 'epoll' ? 'epoll.self' : 'epoll.not-epoll', { ep: n.ep });
    return { s, r: fail(E.EINVAL) };
  }
  if (epFile.kind !== 'epoll') {
    log.because('epoll.not-epoll', { ep: n.ep });
    return { s, r: fail(E.EINVAL) };
  }
  const ev = events >>> 0;
  if (op !== EPOLL_CTL_DEL && ev & EXCLUSIVE) {
    if (op === EPOLL_CTL_MOD) {
      log.because('epoll.exclusive-mod');
      return { s, r: fail(E.EINVAL) };
    }
    if (target.kind === 'epoll') {
      log.because('epoll.exclusive-epoll', { target: n.target });
      return { s, r: fail(E.EINVAL) };
    }
    if ((ev & ~EXCLUSIVE_OK) >>> 0) {
      log.because('epoll.exclusive-bits', { extra: formatEpollFlags((ev & ~EXCLUSIVE_OK) >>> 0) });
      return { s, r: fail(E.EINVAL) };
    }
  }
  if (op === EPOLL_CTL_ADD && target.kind === 'epoll') {
    const why = loopCheck(s, epF, tF);
    if (why) {
      log.because('epoll.loop', { ep: n.ep, target: n.target, why });
      return { s, r: fail(E.ELOOP) };
    }
  }
  const ep = obj<EpollObj>(s, epFile.obj);
  const it = findItem(ep, tF, fd);
  switch (op) {
    case EPOLL_CTL_ADD:
      if (it) {
        log.because('epoll.exists', { ep: n.ep, target: n.target, file: tF });
        return { s, r: fail(E.EEXIST) };
      }
      return insert(s, log, epF, tF, fd, (ev | ERR | HUP) >>> 0, data, n);
    case EPOLL_CTL_DEL:
      if (!it) {
        log.because('epoll.absent', { ep: n.ep, target: n.target, file: tF, note: '' });
        return { s, r: fail(E.ENOENT) };
      }
      log.because('epoll.del', { ep: n.ep, target: n.target, file: tF });
      return { s: removeItem(s, epF, tF, fd), r: OK };
    case EPOLL_CTL_MOD:
      if (!it) {
        log.because('epoll.absent', { ep: n.ep, target: n.target, file: tF, note: '' });
        return { s, r: fail(E.ENOENT) };
      }
      if (it.events & EXCLUSIVE) {
        log.because('epoll.exclusive-registered', { target: n.target });
        return { s, r: fail(E.EINVAL) };
      }
      return modify(s, log, epF, it, (ev | ERR | HUP) >>> 0, data, n);
    default:
      return { s, r: fail(E.EINVAL) };
  }
}

/** ep_insert: the item waits on the file's queue (EXCLUSIVE ones at the tail, others at the head), is polled once, and joins the ready list if it is ready. */
function insert(s: State, log: StepLog, epF: FileId, tF: FileId, fd: number, events: number, data: number, n: CtlNames): Step {
  const epObj = file(s, epF).obj;
  const ep = obj<EpollObj>(s, epObj);
  const item: Item = { file: tF, fd, events, data };
  const t = file(s, tF);
  const w: Watcher = { ep: epF, file: tF, fd, exclusive: (events & EXCLUSIVE) !== 0 };
  let cur = updateObj<EpollObj>(s, epObj, { items: [...ep.items, item] });
  cur = updateFile(cur, tF, { watchers: w.exclusive ? [...t.watchers, w] : [w, ...t.watchers] });
  const p = itemPoll(cur, item, 1);
  cur = p.s;
  if (p.m) {
    const ep2 = obj<EpollObj>(cur, epObj);
    cur = updateObj<EpollObj>(cur, epObj, { ready: [...ep2.ready, { file: tF, fd }] });
    if (file(cur, epF).watchers.length) log.wake(epF, IN);
  }
  log.because('epoll.add', { ep: n.ep, target: n.target, file: tF, events: formatEpollFlags(events), data: n.data, ready: p.m !== 0, now: formatEpollFlags(p.m) });
  return { s: cur, r: OK };
}

/** ep_modify: new mask and data (which re-arms a ONESHOT item), then a poll; ready and not on the list: it joins. */
function modify(s: State, log: StepLog, epF: FileId, it: Item, events: number, data: number, n: CtlNames): Step {
  const epObj = file(s, epF).obj;
  const ep = obj<EpollObj>(s, epObj);
  const item: Item = { ...it, events, data };
  let cur = updateObj<EpollObj>(s, epObj, { items: ep.items.map((x) => (x === it ? item : x)) });
  const p = itemPoll(cur, item, 1);
  cur = p.s;
  const isLinked = linked(obj<EpollObj>(cur, epObj), it.file, it.fd);
  if (p.m && !isLinked) {
    const ep2 = obj<EpollObj>(cur, epObj);
    cur = updateObj<EpollObj>(cur, epObj, { ready: [...ep2.ready, { file: it.file, fd: it.fd }] });
    if (file(cur, epF).watchers.length) log.wake(epF, IN);
  }
  log.because('epoll.mod', { ep: n.ep, target: n.target, file: it.file, events: formatEpollFlags(events), data: n.data, ready: p.m !== 0, now: formatEpollFlags(p.m), linked: isLinked });
  return { s: cur, r: OK };
}

/** ep_remove: off the file's wait queue, the interest list and the ready list. */
export function removeItem(s: State, epF: FileId, tF: FileId, fd: number): State {
  const epObj = file(s, epF).obj;
  const ep = obj<EpollObj>(s, epObj);
  let cur = updateObj<EpollObj>(s, epObj, {
    items: ep.items.filter((x) => x.file !== tF || x.fd !== fd),
    ready: withoutKey(ep.ready, tF, fd),
  });
  const t = cur.files[tF];
  if (t) cur = updateFile(cur, tF, { watchers: t.watchers.filter((w) => w.ep !== epF || w.fd !== fd) });
  return cur;
}

/** eventpoll_release_file: on the last close of a file, every registration of it, in every epoll, goes. */
export function releaseRegistrations(s: State, log: StepLog, f: FileId): State {
  const fl = file(s, f);
  let cur = s;
  for (const w of fl.watchers) {
    const ep = epOf(cur, w.ep);
    const it = findItem(ep, f, w.fd);
    if (it) {
      log.because('epoll.file-closed', { ep: `file#${w.ep}`, target: w.fd, data: log.name(it.data), file: f });
      cur = updateObj<EpollObj>(cur, file(cur, w.ep).obj, { gone: [...ep.gone, { file: f, fd: w.fd, data: it.data }] });
    }
    cur = removeItem(cur, w.ep, f, w.fd);
  }
  return cur;
}

/** ep_clear_and_put: an epoll's own last close takes its items off their files' wait queues. */
export function releaseEpoll(s: State, f: FileId): State {
  const ep = epOf(s, f);
  let cur = s;
  for (const it of ep.items) {
    const t = cur.files[it.file];
    if (t) cur = updateFile(cur, it.file, { watchers: t.watchers.filter((w) => w.ep !== f) });
  }
  return updateObj<EpollObj>(cur, file(cur, f).obj, { items: [], ready: [] });
}

// ---------------------------------------------------------------------------------------------
// epoll_wait

export interface Reported {
  readonly data: number;
  readonly events: number;
}

export interface Waited extends Step {
  readonly ready?: readonly Reported[];
}

/**
 * ep_send_events: take the ready list; for each item in order, until maxevents are reported:
 * poll it; nothing asked for holds → it leaves the list; otherwise it is reported, a ONESHOT
 * item is disarmed, an ET item stays off the list, an LT item goes back to the tail. Items not
 * reached stay at the front (ep_done_scan).
 */
export function epollWait(s: State, log: StepLog, epF: FileId, max: number, n: { ep: string; ltRequeue?: boolean }): Waited {
  const epFile = file(s, epF);
  if (max <= 0) {
    log.because('epoll.wait-max', { max });
    return { s, r: fail(E.EINVAL) };
  }
  if (epFile.kind !== 'epoll') {
    log.because('epoll.wait-not-epoll', { ep: n.ep });
    return { s, r: fail(E.EINVAL) };
  }
  const epObj = epFile.obj;
  const start = obj<EpollObj>(s, epObj);
  const scan = start.ready;
  let cur = updateObj<EpollObj>(s, epObj, { ready: [] });
  const requeue: ItemKey[] = [];
  const reported: Reported[] = [];
  const seen = new Set<Item>();
  let i = 0;
  for (; i < scan.length && reported.length < max; i++) {
    const k = scan[i];
    const ep = obj<EpollObj>(cur, epObj);
    const it = findItem(ep, k.file, k.fd);
    if (!it) continue;
    seen.add(it);
    const p = itemPoll(cur, it, 1);
    cur = p.s;
    if (!p.m) {
      log.because('epoll.dropped', { file: k.file, target: k.fd, asks: formatEpollFlags(it.events & ~PRIVATE) });
      continue;
    }
    reported.push({ data: it.data, events: p.m });
    log.because('epoll.reported', { data: log.name(it.data), events: formatEpollFlags(p.m), because: it.events & ONESHOT ? 'ONESHOT: now disarmed' : it.events & ET ? 'edge-triggered: off the list until its next wake-up' : 'level-triggered: back to the tail of the ready list' });
    if (it.events & ONESHOT) {
      const ep2 = obj<EpollObj>(cur, epObj);
      const off: Item = { ...it, events: (it.events & PRIVATE) >>> 0 };
      cur = updateObj<EpollObj>(cur, epObj, { items: ep2.items.map((x) => (x === it ? off : x)) });
    } else if (!(it.events & ET) && n.ltRequeue !== false) {
      requeue.push(k);
    }
  }
  for (let j = i; j < scan.length; j++) {
    log.because('epoll.max-left', { file: scan[j].file, target: scan[j].fd, max });
  }
  const left = scan.slice(i);
  const ep3 = obj<EpollObj>(cur, epObj);
  cur = updateObj<EpollObj>(cur, epObj, { ready: [...left, ...ep3.ready, ...requeue] });
  explainSilent(cur, log, obj<EpollObj>(cur, epObj), seen, scan);
  return { s: cur, r: value(reported.length), ready: reported };
}

/** For every registration the wait did not report, why not (as the reasons of the step). */
function explainSilent(s: State, log: StepLog, ep: EpollObj, seen: ReadonlySet<Item>, scanned: readonly ItemKey[]): void {
  for (const g of ep.gone) log.because('epoll.file-closed', { ep: 'this epoll', target: g.fd, data: log.name(g.data), file: g.file });
  for (const it of ep.items) {
    if (seen.has(it)) continue;
    if (scanned.some((k) => k.file === it.file && k.fd === it.fd)) continue;
    const now = (peekPoll(s, it.file) & it.events) >>> 0;
    const asks = formatEpollFlags((it.events & ~PRIVATE) >>> 0);
    const o = { file: it.file, target: it.fd, asks, now: formatEpollFlags(now) };
    if (!armed(it.events)) log.because('epoll.oneshot-disarmed', o);
    else if (now && it.events & ET) log.because('epoll.et-consumed', o);
    else if (peekPoll(s, it.file)) log.because('epoll.masked', { ...o, now: formatEpollFlags(peekPoll(s, it.file)) });
    else log.because('epoll.nothing', o);
  }
}

/** A poll for explanations only: its side effects are not kept. */
export function peekPoll(s: State, f: FileId): number {
  return pollFile(s, f).m;
}

// ---------------------------------------------------------------------------------------------
// For the state view

export interface ItemView {
  readonly file: FileId;
  readonly fd: number;
  readonly events: number;
  readonly data: number;
  readonly armed: boolean;
  readonly ready: boolean;
}

export function itemsOf(s: State, f: FileId): ItemView[] {
  const ep = epOf(s, f);
  return ep.items.map((it) => ({ file: it.file, fd: it.fd, events: it.events, data: it.data, armed: armed(it.events), ready: linked(ep, it.file, it.fd) }));
}

export function readyOrder(s: State, f: FileId): readonly ItemKey[] {
  return epOf(s, f).ready;
}

export function isEpoll(f: File): boolean {
  return f.kind === 'epoll';
}

export { PRI, RDHUP };
