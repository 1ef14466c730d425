// The descriptor table (close(2), dup(2), fs/file.c) and the executor's own rules on it
// (packages/executor/README.md): numbers are handed out lowest-free-first, a name keeps its
// number after close (a stale name reaches whatever holds that number now), and a number the
// scenario does not hold is answered EBADF without a syscall.
import { LIMITS } from '@epl/program';
import { releaseEpoll, releaseRegistrations } from './epoll';
import { E, fail, OK, Step } from './outcome';
import { pipeRelease } from './pipe';
import { sockRelease } from './sock';
import { FileId, State, file, setAt, updateFile, withFile, withObj, PipeObj, obj } from './state';
import { defineReasons, StepLog } from './why';

defineReasons({
  'fd.not-owned': (o) =>
    o.number === -1
      ? `${o.name} never got a descriptor (the statement that bound it failed): EBADF`
      : `${o.name} is closed in this process's table: no descriptor has its number (${o.number}) now, so the call is EBADF without reaching the kernel`,
  'fd.reused': (o) => `${o.name} was closed and its number now belongs to ${o.holder} (file#${o.file}): the call reaches that file, as in C`,
  'fd.emfile': (o) => `the scenario already holds ${o.open} descriptors (at most ${o.max}): EMFILE`,
  'fd.bind': (o) => `${o.name} gets the lowest free number (fd ${o.number}) for file#${o.file}`,
  'fd.dup': (o) => `${o.name} is a new number (fd ${o.number}) for the same open file description, file#${o.file} (now open ${o.refs} times)`,
  'fd.dup2-same': (o) => `${o.name} already has the number of ${o.from}: dup2 does nothing but check it`,
  'fd.dup2-replace': (o) => `fd ${o.number} (${o.name}) is closed and reopened onto file#${o.file} in one step; its old file#${o.old} loses a reference`,
  'fd.dup2-reuse': (o) => `${o.name}'s old number (fd ${o.number}) is free: it now refers to file#${o.file}`,
  'fd.dup2-none': (o) => `${o.name} never had a number (its statement failed): EBADF`,
  'fd.close': (o) => `fd ${o.number} (${o.name}) leaves the table; file#${o.file} is still open ${o.refs} time(s)`,
  'fd.close-last': (o) => `fd ${o.number} (${o.name}) was the last reference to file#${o.file}: the open file description is released`,
});

/** The lowest number at or above `from` that the table does not hold. */
export function lowestFree(s: State, from = 0): number {
  let n = Math.max(0, from);
  // -2 marks a number the executor holds for a moment (the hidden listener of `tcp`).
  while (n < s.fdFile.length && s.fdFile[n] !== -1) n++;
  return n;
}

/** Descriptors the scenario holds. */
export function openCount(s: State): number {
  let n = 0;
  for (const f of s.fdFile) if (f >= 0) n++;
  return n;
}

/** The executor's cap on open descriptors (LIMITS.maxOpenFds): a creating op beyond it gets EMFILE. */
export function room(s: State, log: StepLog, n: number): boolean {
  const open = openCount(s);
  if (open + n <= LIMITS.maxOpenFds) return true;
  log.because('fd.emfile', { open, max: LIMITS.maxOpenFds });
  return false;
}

/** fd_install: number `fd` now refers to file `f` (one more reference). */
export function install(s: State, fd: number, f: FileId): State {
  const s1 = { ...s, fdFile: setAt(s.fdFile, fd, f, -1) };
  return updateFile(s1, f, { refs: file(s1, f).refs + 1 });
}

/** A name takes a number (a creating statement, or -1 when it failed). */
export function bindSlot(s: State, slot: number, fd: number): State {
  return { ...s, slotFd: setAt(s.slotFd, slot, fd, -1) };
}

/** Installs a new file at the lowest free number and binds the name to it. */
export function installNew(s: State, log: StepLog, slot: number, f: FileId): State {
  const fd = lowestFree(s);
  log.because('fd.bind', { name: log.name(slot), number: fd, file: f });
  return bindSlot(install(s, fd, f), slot, fd);
}

/** The executor's EBADF rule: the file a name's number holds now, or -1 (with the reason). */
export function live(s: State, log: StepLog, slot: number): FileId {
  const fd = s.slotFd[slot] ?? -1;
  const f = fd >= 0 && fd < s.fdFile.length ? s.fdFile[fd] : -1;
  if (f < 0) log.because('fd.not-owned', { name: log.name(slot), number: fd });
  else if (holderOf(s, fd) !== slot) {
    const h = holderOf(s, fd);
    if (h >= 0) log.because('fd.reused', { name: log.name(slot), holder: log.name(h), file: f });
  }
  return f;
}

/** The name that holds number `fd` now (the last one bound to it), -1 if none. */
function holderOf(s: State, fd: number): number {
  for (let i = s.slotFd.length - 1; i >= 0; i--) if (s.slotFd[i] === fd) return i;
  return -1;
}

/** close(2): the number leaves the table; the description is released with its last reference. */
export function closeFd(s: State, log: StepLog, fd: number, name: string): State {
  const f = s.fdFile[fd];
  const s1 = { ...s, fdFile: setAt(s.fdFile, fd, -1, -1) };
  return fput(s1, log, f, fd, name);
}

/** fput: one reference fewer; the last one releases the file (__fput: eventpoll_release first, then the kind's release). */
export function fput(s: State, log: StepLog, f: FileId, fd: number, name: string): State {
  const fl = file(s, f);
  if (fl.refs > 1) {
    log.because('fd.close', { number: fd, name, file: f, refs: fl.refs - 1 });
    return updateFile(s, f, { refs: fl.refs - 1 });
  }
  log.because('fd.close-last', { number: fd, name, file: f });
  let cur = releaseRegistrations(s, log, f);
  switch (fl.kind) {
    case 'pipe-r':
    case 'pipe-w': {
      cur = pipeRelease(cur, log, f);
      const p = obj<PipeObj>(cur, fl.obj);
      if (p.readers === 0 && p.writers === 0) cur = withObj(cur, fl.obj, null);
      break;
    }
    case 'eventfd':
      cur = withObj(cur, fl.obj, null);
      break;
    case 'epoll':
      cur = withObj(releaseEpoll(cur, f), fl.obj, null);
      break;
    case 'socket':
      cur = sockRelease(cur, log, f);
      break;
  }
  return withFile(cur, f, null);
}

/** dup(2) (F_DUPFD_CLOEXEC from 0): the lowest free number, onto the same description. */
export function dupFd(s: State, log: StepLog, fromSlot: number, toSlot: number): Step {
  const f = live(s, log, fromSlot);
  if (f < 0) return { s: bindSlot(s, toSlot, -1), r: fail(E.EBADF) };
  if (!room(s, log, 1)) return { s: bindSlot(s, toSlot, -1), r: fail(E.EMFILE) };
  const fd = lowestFree(s);
  const s1 = bindSlot(install(s, fd, f), toSlot, fd);
  log.because('fd.dup', { name: log.name(toSlot), number: fd, file: f, refs: file(s1, f).refs });
  return { s: s1, r: OK };
}

/**
 * dup2(2) as the executor makes it: onto a number the scenario holds, dup3 (the old file loses
 * a reference); onto a closed number, F_DUPFD_CLOEXEC from it, kept only if it is that number
 * (nothing else runs in an isolated table, so it is); the name keeps its number either way.
 */
export function dup2Fd(s: State, log: StepLog, fromSlot: number, toSlot: number): Step {
  const f = live(s, log, fromSlot);
  if (f < 0) return { s, r: fail(E.EBADF) };
  const from = s.slotFd[fromSlot];
  const n = s.slotFd[toSlot] ?? -1;
  const name = log.name(toSlot);
  if (n === from) {
    log.because('fd.dup2-same', { name, from: log.name(fromSlot) });
    return { s, r: OK };
  }
  if (n < 0) {
    log.because('fd.dup2-none', { name });
    return { s, r: fail(E.EBADF) };
  }
  const old = n < s.fdFile.length ? s.fdFile[n] : -1;
  if (old >= 0) {
    log.because('fd.dup2-replace', { name, number: n, file: f, old });
    // dup3 installs the new file first, then drops the old one's reference.
    const s1 = install({ ...s, fdFile: setAt(s.fdFile, n, -1, -1) }, n, f);
    return { s: fput(s1, log, old, n, name), r: OK };
  }
  if (!room(s, log, 1)) return { s, r: fail(E.EMFILE) };
  log.because('fd.dup2-reuse', { name, number: n, file: f });
  return { s: install(s, n, f), r: OK };
}
