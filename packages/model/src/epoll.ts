// epoll (epoll(7), epoll_ctl(2), epoll_wait(2), fs/eventpoll.c). An epoll instance keeps items
// keyed by (file, fd number), not by fd: a registration belongs to the open file description it
// was made through, lives as long as that description does, and is reported under its data even
// after the fd it was made with is closed. Each item waits on its file's wait queue; a wake-up
// whose key matches the item's mask puts it at the tail of the ready list if it is not there.
// epoll_wait walks the ready list in order, polls each item again, reports the ones with events,
// and puts level-triggered ones back at the tail.
import { EPOLL_FLAGS, formatEpollFlags } from '@epl/program';
import { counterPoll } from './eventfd';
import { flagText } from './flags';
import { E, fail, OK, Outcome, value } from './outcome';
import { pipeAfterPoll, pipePoll } from './pipe';
import { sockAfterPoll, sockPoll } from './sock';
import { Draft, EpollObj, FileId, Item, itemKey, ItemKey, keyFd, keyFile, State, Watcher } from './state';
import { defineReasons, StepLog, TemplateObjects } from './why';

const { IN, OUT, ERR, HUP, RDNORM, ET, ONESHOT, EXCLUSIVE, WAKEUP } = EPOLL_FLAGS;
/** EP_PRIVATE_BITS: the bits that say how to report, not what. */
export const PRIVATE = (WAKEUP | ONESHOT | ET | EXCLUSIVE) >>> 0;
/** EPOLLEXCLUSIVE_OK_BITS: the only bits an EXCLUSIVE registration may carry. */
const EXCLUSIVE_OK = (IN | OUT | ERR | HUP | WAKEUP | ET | EXCLUSIVE) >>> 0;
/** EP_MAX_NESTS. */
const MAX_NESTS = 4;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;

const flags = (o: TemplateObjects, k: string): string => formatEpollFlags(Number(o[k]));
const reg = (o: TemplateObjects): string => `(file#${o.file}, fd ${o.target})`;

defineReasons({
  'epoll.not-epoll': ['ep', (o) => `${o.ep} is not an epoll instance: EINVAL (epoll_ctl(2))`],
  'epoll.self': ['ep', (o) => `${o.ep} cannot watch itself: EINVAL (epoll_ctl(2))`],
  'epoll.exclusive-mod': ['', () => `EPOLLEXCLUSIVE is only for EPOLL_CTL_ADD: EINVAL (epoll_ctl(2))`],
  'epoll.exclusive-epoll': ['target', (o) => `an EPOLLEXCLUSIVE registration may not watch another epoll (${o.target}): EINVAL`],
  'epoll.exclusive-bits': [
    'extra',
    (o) => `with EPOLLEXCLUSIVE only IN, OUT, ERR, HUP, WAKEUP and ET may be asked; ${flags(o, 'extra')} was: EINVAL (epoll_ctl(2))`,
  ],
  'epoll.exclusive-registered': ['target', (o) => `the registration of ${o.target} was made with EPOLLEXCLUSIVE and cannot be modified: EINVAL (epoll_ctl(2))`],
  'epoll.loop': ['ep target why', (o) => `adding ${o.target} to ${o.ep} would ${o.why}: ELOOP (ep_loop_check)`],
  'epoll.exists': ['ep target file', (o) => `${o.ep} already has a registration ${reg(o)}: the key is the open file description and the fd number: EEXIST`],
  'epoll.absent': ['ep target file', (o) => `${o.ep} has no registration ${reg(o)}: ENOENT`],
  'epoll.add': [
    'ep target file events data now',
    (o) =>
      `${o.ep} registers ${reg(o)} for ${flags(o, 'events')}, data ${o.data}${o.now ? `; it is ready at once (${flags(o, 'now')}) and joins the ready list` : ''}`,
  ],
  'epoll.mod': [
    'ep target file events data now linked',
    (o) =>
      `${o.ep}: the registration ${reg(o)} now asks ${flags(o, 'events')}, data ${o.data}, and is armed again${o.now ? `; it is ready (${flags(o, 'now')})${o.linked ? '' : ' and joins the ready list'}` : ''}`,
  ],
  'epoll.del': ['ep target file', (o) => `${o.ep} drops the registration ${reg(o)}`],
  'epoll.wait-max': ['max', (o) => `maxevents must be above 0 (it is ${o.max}): EINVAL (epoll_wait(2))`],
  'epoll.wait-not-epoll': ['ep', (o) => `${o.ep} is not an epoll instance: EINVAL (epoll_wait(2))`],
  'epoll.reported': [
    'data events mode because',
    (o) =>
      `${o.data}: ${flags(o, 'events')} (${o.because}); ${o.mode === 1 ? 'ONESHOT: now disarmed' : o.mode === 2 ? 'edge-triggered: off the ready list until its next wake-up' : 'level-triggered: back to the tail of the ready list'}`,
  ],
  'epoll.dropped': [
    'file target asks',
    (o) => `${reg(o)} was on the ready list but nothing it asks for holds now (${flags(o, 'asks')}): it leaves the list unreported`,
  ],
  'epoll.et-consumed': [
    'file target asks now',
    (o) => `${reg(o)} is edge-triggered and was reported since its last wake-up: not reported again although ${flags(o, 'now')} holds`,
  ],
  'epoll.oneshot-disarmed': ['file target asks', (o) => `${reg(o)} is EPOLLONESHOT and fired already: disarmed until EPOLL_CTL_MOD`],
  'epoll.masked': ['file target asks now', (o) => `${reg(o)} asks ${flags(o, 'asks')} but its file shows only ${flags(o, 'now')}`],
  'epoll.nothing': ['file target asks now', (o) => `${reg(o)}: nothing is ready (${flags(o, 'asks')})`],
  'epoll.max-left': ['file target max', (o) => `${reg(o)} stays on the ready list: maxevents (${o.max}) was reached first`],
  'epoll.stale-survives': [
    'ep target file holders',
    (o) =>
      `the registration (${o.ep}, file#${o.file}, fd ${o.target}) survives: file#${o.file} is still open as ${o.holders}, and a registration lives as long as its open file description; it can no longer be named to remove it`,
  ],
  'epoll.file-closed': [
    'target data file',
    (o) =>
      `the registration (file#${o.file}, fd ${o.target}) (data ${o.data}) left its epoll when file#${o.file} was closed everywhere (eventpoll_release_file)`,
  ],
});

export function epollCreate(d: Draft): FileId {
  return d.addFile('epoll', d.addObj({ kind: 'epoll', items: [], ready: [], gone: [] }));
}

function findItem(ep: EpollObj, key: ItemKey): Item | undefined {
  for (const it of ep.items) if (it.key === key) return it;
  return undefined;
}

/** An item is armed while its mask holds a poll event (ONESHOT clears them after one report). */
export function armed(events: number): boolean {
  return (events & ~PRIVATE) >>> 0 !== 0;
}

// ---------------------------------------------------------------------------------------------
// Polling a file: each kind's f_op->poll. Polls have side effects the model keeps: a pipe
// remembers it was polled, a TCP socket found full sets SOCK_NOSPACE, and polling a nested epoll
// drops the items of its ready list that turn out not to be ready.

/** vfs_poll of one file (depth counts nested epolls). */
export function pollFile(d: Draft, f: FileId, depth = 0): number {
  const fl = d.file(f);
  switch (fl.kind) {
    case 'pipe-r':
    case 'pipe-w': {
      const m = pipePoll(d.pipe(fl.obj), fl.kind === 'pipe-r');
      pipeAfterPoll(d, f);
      return m;
    }
    case 'eventfd':
      return counterPoll(d.counter(fl.obj));
    case 'socket': {
      const m = sockPoll(d, d.sock(fl.obj));
      sockAfterPoll(d, fl.obj, m);
      return m;
    }
    case 'epoll':
      return epollPoll(d, f, depth);
  }
}

/** ep_item_poll: the file's poll masked by what the item asks (its ERR|HUP included). */
function itemPoll(d: Draft, it: Item, depth: number): number {
  return (pollFile(d, keyFile(it.key), depth) & it.events) >>> 0;
}

/**
 * __ep_eventpoll_poll: an epoll is readable (IN|RDNORM) when an item of its ready list is
 * really ready. Items found not ready on the way are dropped from its ready list; the scan
 * stops at the first ready one.
 */
function epollPoll(d: Draft, f: FileId, depth: number): number {
  const id = d.file(f).obj;
  const ready = d.epoll(id).ready;
  let i = 0;
  let m = 0;
  for (; i < ready.length; i++) {
    const it = findItem(d.epoll(id), ready[i]);
    if (it && itemPoll(d, it, depth + 1)) {
      m = IN | RDNORM;
      break;
    }
  }
  if (i > 0) d.epollW(id).ready = ready.slice(i);
  return m;
}

// ---------------------------------------------------------------------------------------------
// Wake-ups: ep_poll_callback

/** Delivers the wake-ups a step's rules logged, in order (wake_up on each file's wait queue). */
export function deliverWakes(d: Draft, log: StepLog): void {
  const w = log.wakes;
  for (let i = 0; i < w.length; i += 2) wakeFile(d, w[i], w[i + 1]);
}

/** __wake_up_common over a file's wait queue: ep_poll_callback for each item waiting on it. */
function wakeFile(d: Draft, f: FileId, key: number): void {
  const fl = d.files[f];
  if (!fl) return;
  for (const w of fl.watchers) callback(d, w, key);
}

/**
 * ep_poll_callback: a disarmed item (ONESHOT fired) or one whose mask misses the wake-up's key
 * is left alone; otherwise it joins the ready list's tail if it is not on it, and an epoll
 * watched by another epoll wakes that one in turn (with IN).
 */
function callback(d: Draft, w: Watcher, key: number): void {
  const epFile = d.files[w.ep];
  if (!epFile) return;
  const ep = d.epoll(epFile.obj);
  const it = findItem(ep, w.key);
  if (!it || !armed(it.events)) return;
  if (key && !((key & it.events) >>> 0)) return;
  if (!ep.ready.includes(w.key)) d.epollW(epFile.obj).ready.push(w.key);
  if (epFile.watchers.length) wakeFile(d, w.ep, IN);
}

// ---------------------------------------------------------------------------------------------
// epoll_ctl

/** ep_loop_check: would watching `to` from `ep` close a loop or nest more than EP_MAX_NESTS deep? Returns why, or ''. */
function loopCheck(d: Draft, epF: FileId, toF: FileId): string {
  const down = new Map<FileId, number>();
  const visit = (f: FileId, depth: number): number => {
    const seen = down.get(f);
    if (seen !== undefined) return seen;
    let result = 0;
    down.set(f, 0);
    for (const it of d.epoll(d.file(f).obj).items) {
      const t = keyFile(it.key);
      const tf = d.files[t];
      if (!tf || tf.kind !== 'epoll') continue;
      if (t === epF || depth > MAX_NESTS) result = MAX_NESTS + 1;
      else result = Math.max(result, visit(t, depth + 1) + 1);
      if (result > MAX_NESTS) break;
    }
    down.set(f, result);
    return result;
  };
  const depth = visit(toF, 0);
  if (depth > MAX_NESTS) return 'close a loop of epolls (or nest them more than 4 deep)';
  const up = (f: FileId): number => {
    let r = 0;
    for (const w of d.file(f).watchers) r = Math.max(r, up(w.ep) + 1);
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
export function epollCtl(d: Draft, log: StepLog, op: number, epF: FileId, tF: FileId, fd: number, events: number, data: number, n: CtlNames): Outcome {
  const epFile = d.file(epF);
  const target = d.file(tF);
  if (epF === tF) {
    log.because(epFile.kind === 'epoll' ? 'epoll.self' : 'epoll.not-epoll', n.ep);
    return fail(E.EINVAL);
  }
  if (epFile.kind !== 'epoll') {
    log.because('epoll.not-epoll', n.ep);
    return fail(E.EINVAL);
  }
  const ev = events >>> 0;
  if (op !== EPOLL_CTL_DEL && ev & EXCLUSIVE) {
    if (op === EPOLL_CTL_MOD) {
      log.because('epoll.exclusive-mod');
      return fail(E.EINVAL);
    }
    if (target.kind === 'epoll') {
      log.because('epoll.exclusive-epoll', n.target);
      return fail(E.EINVAL);
    }
    if ((ev & ~EXCLUSIVE_OK) >>> 0) {
      log.because('epoll.exclusive-bits', (ev & ~EXCLUSIVE_OK) >>> 0);
      return fail(E.EINVAL);
    }
  }
  if (op === EPOLL_CTL_ADD && target.kind === 'epoll') {
    const why = loopCheck(d, epF, tF);
    if (why) {
      log.because('epoll.loop', n.ep, n.target, why);
      return fail(E.ELOOP);
    }
  }
  const key = itemKey(tF, fd);
  const it = findItem(d.epoll(epFile.obj), key);
  switch (op) {
    case EPOLL_CTL_ADD:
      if (it) {
        log.because('epoll.exists', n.ep, n.target, tF);
        return fail(E.EEXIST);
      }
      return insert(d, log, epF, key, (ev | ERR | HUP) >>> 0, data, n);
    case EPOLL_CTL_DEL:
      if (!it) {
        log.because('epoll.absent', n.ep, n.target, tF);
        return fail(E.ENOENT);
      }
      log.because('epoll.del', n.ep, n.target, tF);
      removeItem(d, epF, key);
      return OK;
    case EPOLL_CTL_MOD:
      if (!it) {
        log.because('epoll.absent', n.ep, n.target, tF);
        return fail(E.ENOENT);
      }
      if (it.events & EXCLUSIVE) {
        log.because('epoll.exclusive-registered', n.target);
        return fail(E.EINVAL);
      }
      return modify(d, log, epF, it, (ev | ERR | HUP) >>> 0, data, n);
    default:
      return fail(E.EINVAL);
  }
}

/** ep_insert: the item waits on the file's queue (EXCLUSIVE ones at the tail, others at the head), is polled once, and joins the ready list if it is ready. */
function insert(d: Draft, log: StepLog, epF: FileId, key: ItemKey, events: number, data: number, n: CtlNames): Outcome {
  const epObj = d.file(epF).obj;
  const item: Item = { key, events, data, name: n.target };
  d.epollW(epObj).items.push(item);
  const t = d.fileW(keyFile(key));
  const w: Watcher = { ep: epF, key, exclusive: (events & EXCLUSIVE) !== 0 };
  if (w.exclusive) t.watchers.push(w);
  else t.watchers.unshift(w);
  const m = itemPoll(d, item, 1);
  if (m) {
    d.epollW(epObj).ready.push(key);
    if (d.file(epF).watchers.length) log.wake(epF, IN);
  }
  log.because('epoll.add', n.ep, n.target, keyFile(key), events, n.data, m);
  return OK;
}

/** ep_modify: new mask and data (which re-arms a ONESHOT item), then a poll; ready and not on the list: it joins. */
function modify(d: Draft, log: StepLog, epF: FileId, it: Item, events: number, data: number, n: CtlNames): Outcome {
  const epObj = d.file(epF).obj;
  const item: Item = { key: it.key, events, data, name: it.name };
  const ep = d.epollW(epObj);
  ep.items[ep.items.indexOf(it)] = item;
  const m = itemPoll(d, item, 1);
  const linked = d.epoll(epObj).ready.includes(it.key);
  if (m && !linked) {
    d.epollW(epObj).ready.push(it.key);
    if (d.file(epF).watchers.length) log.wake(epF, IN);
  }
  log.because('epoll.mod', n.ep, n.target, keyFile(it.key), events, n.data, m, linked);
  return OK;
}

/** ep_remove: off the file's wait queue, the interest list and the ready list. */
export function removeItem(d: Draft, epF: FileId, key: ItemKey): void {
  const ep = d.epollW(d.file(epF).obj);
  ep.items = ep.items.filter((x) => x.key !== key);
  ep.ready = ep.ready.filter((k) => k !== key);
  const tf = keyFile(key);
  if (d.files[tf]) {
    const t = d.fileW(tf);
    t.watchers = t.watchers.filter((w) => w.ep !== epF || w.key !== key);
  }
}

/**
 * Why a registration made through a number that is closed now lives on (and can no longer be
 * removed): its file is open elsewhere, and the registration belongs to (file, fd), not to fd.
 * Experiment (the founding one, scenarios/founding/founding.epl scenario 3): `dup 5 -> 7`,
 * `add 3 5 …`, `close 5`: `wait` still reports 5, `del 3 5` => EBADF, and only `close 7` ends it.
 */
export function explainStale(d: Draft, log: StepLog, epF: FileId, fd: number, epName: string): void {
  const f = d.files[epF];
  if (!log.explain || fd < 0 || !f || f.kind !== 'epoll') return;
  for (const it of d.epoll(f.obj).items) {
    if (keyFd(it.key) !== fd) continue;
    const file = keyFile(it.key);
    const holders: string[] = [];
    d.slotFd.forEach((n, slot) => {
      if (n >= 0 && d.fileAt(n) === file && !holders.includes(log.name(slot))) holders.push(log.name(slot));
    });
    log.because('epoll.stale-survives', epName, it.name, file, holders.join(', ') || 'another descriptor');
  }
}

/** eventpoll_release_file: on the last close of a file, every registration of it, in every epoll, goes. */
export function releaseRegistrations(d: Draft, log: StepLog, f: FileId): void {
  for (const w of d.file(f).watchers) {
    const epId = d.file(w.ep).obj;
    const it = findItem(d.epoll(epId), w.key);
    if (it) {
      log.because('epoll.file-closed', it.name, log.name(it.data), f);
      d.epollW(epId).gone.push({ key: w.key, data: it.data, name: it.name });
    }
    removeItem(d, w.ep, w.key);
  }
}

/** ep_clear_and_put: an epoll's own last close takes its items off their files' wait queues. */
export function releaseEpoll(d: Draft, f: FileId): void {
  for (const it of d.epoll(d.file(f).obj).items) {
    const tf = keyFile(it.key);
    if (!d.files[tf]) continue;
    const t = d.fileW(tf);
    t.watchers = t.watchers.filter((w) => w.ep !== f);
  }
  d.removeObj(d.file(f).obj);
}

// ---------------------------------------------------------------------------------------------
// epoll_wait

export interface Reported {
  /** The slot named by the registration's data. */
  readonly data: number;
  readonly events: number;
}

/**
 * ep_send_events: take the ready list; for each item in order, until maxevents are reported:
 * poll it; nothing asked for holds → it leaves the list; otherwise it is reported, a ONESHOT
 * item is disarmed, an ET item stays off the list, an LT item goes back to the tail. Items not
 * reached stay at the front (ep_done_scan).
 * Experiment: three pipes' write ends b, d, g registered OUT in that order; `wait e max 1` four
 * times reports b, d, g, b: round robin (tests/epoll.test.ts, max).
 */
export function epollWait(d: Draft, log: StepLog, epF: FileId, max: number, epName: string, ltRequeue = true): Outcome {
  const epFile = d.file(epF);
  if (max <= 0) {
    log.because('epoll.wait-max', max);
    return fail(E.EINVAL);
  }
  if (epFile.kind !== 'epoll') {
    log.because('epoll.wait-not-epoll', epName);
    return fail(E.EINVAL);
  }
  const epObj = epFile.obj;
  const scan = d.epoll(epObj).ready;
  if (!scan.length) {
    if (log.explain) explainSilent(log, d.epoll(epObj), null);
    log.ready = NONE_READY;
    return OK;
  }
  d.epollW(epObj).ready = [];
  const requeue: ItemKey[] = [];
  const reported: Reported[] = [];
  let i = 0;
  for (; i < scan.length && reported.length < max; i++) {
    const k = scan[i];
    const it = findItem(d.epoll(epObj), k);
    if (!it) continue;
    const m = itemPoll(d, it, 1);
    if (!m) {
      log.because('epoll.dropped', keyFile(k), it.name, (it.events & ~PRIVATE) >>> 0);
      continue;
    }
    reported.push({ data: it.data, events: m });
    const mode = it.events & ONESHOT ? 1 : it.events & ET ? 2 : 0;
    if (log.explain) {
      const data = log.name(it.data);
      log.later((st) => ['epoll.reported', { data, events: m, mode, because: flagText(st, keyFile(k), m) }]);
    }
    if (mode === 1) {
      const ep = d.epollW(epObj);
      ep.items[ep.items.indexOf(it)] = { key: it.key, events: (it.events & PRIVATE) >>> 0, data: it.data, name: it.name };
    } else if (mode === 0 && ltRequeue) requeue.push(k);
  }
  if (log.explain) {
    const ep0 = d.epoll(epObj);
    for (let j = i; j < scan.length; j++) log.because('epoll.max-left', keyFile(scan[j]), findItem(ep0, scan[j])?.name ?? String(keyFd(scan[j])), max);
  }
  const ep = d.epollW(epObj);
  ep.ready = i < scan.length ? [...scan.slice(i), ...ep.ready, ...requeue] : ep.ready.length ? [...ep.ready, ...requeue] : requeue;
  if (log.explain) explainSilent(log, ep, scan);
  log.ready = reported;
  return value(reported.length);
}

const NONE_READY: Reported[] = [];

/** For every registration the wait did not reach, why not (as the reasons of the step). */
function explainSilent(log: StepLog, ep: EpollObj, scanned: readonly ItemKey[] | null): void {
  for (const g of ep.gone) log.because('epoll.file-closed', g.name, log.name(g.data), keyFile(g.key));
  for (const it of ep.items) {
    if (scanned?.includes(it.key)) continue;
    const o = { file: keyFile(it.key), target: it.name, asks: (it.events & ~PRIVATE) >>> 0 };
    if (!armed(it.events)) {
      log.because('epoll.oneshot-disarmed', o.file, o.target, o.asks);
      continue;
    }
    log.later((s) => {
      const now = peekPoll(s, o.file);
      if (now & it.events && it.events & ET) return ['epoll.et-consumed', { ...o, now: (now & it.events) >>> 0 }];
      return now ? ['epoll.masked', { ...o, now }] : ['epoll.nothing', o];
    });
  }
}

/** A poll for explanations only: its side effects stay in a throw-away draft. */
export function peekPoll(s: State, f: FileId): number {
  return pollFile(new Draft(s), f);
}

// ---------------------------------------------------------------------------------------------
// For the state view

export interface ItemView {
  readonly file: FileId;
  readonly fd: number;
  readonly name: string;
  readonly events: number;
  readonly data: number;
  readonly armed: boolean;
  readonly ready: boolean;
}

export function itemsOf(s: State, f: FileId): ItemView[] {
  const ep = s.objs[s.files[f]!.obj] as EpollObj;
  return ep.items.map((it) => ({
    file: keyFile(it.key),
    fd: keyFd(it.key),
    name: it.name,
    events: it.events,
    data: it.data,
    armed: armed(it.events),
    ready: ep.ready.includes(it.key),
  }));
}
