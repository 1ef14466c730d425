// The descriptor table (close(2), dup(2), fs/file.c) and the executor's own rules on it
// (packages/executor/README.md): numbers are handed out lowest-free-first, a name keeps its
// number after close (a stale name reaches whatever holds that number now), and a number the
// scenario does not hold is answered EBADF without a syscall.
import { releaseEpoll, releaseRegistrations } from './epoll';
import { failBind, install, lowestFree, room } from './fd-install';
import { E, fail, OK, Outcome } from './outcome';
import { pipeRelease } from './pipe';
import { sockRelease } from './sock';
import { Draft, FileId } from './state';
import { defineReasons, StepLog } from './why';

defineReasons({
  'fd.not-owned': [
    'name number',
    (o) =>
      o.number === -1
        ? `${o.name} never got a descriptor (the statement that bound it failed): EBADF`
        : `${o.name} is closed in this process's table: no descriptor has its number now, so the call is EBADF without reaching the kernel`,
  ],
  'fd.reused': [
    'name holder file',
    (o) => `${o.name} was closed and its number now belongs to ${o.holder} (file#${o.file}): the call reaches that file, as in C`,
  ],
  'fd.dup': ['name file refs', (o) => `${o.name} is a new number for the same open file description, file#${o.file} (now open ${o.refs} times)`],
  'fd.dup2-same': ['name from', (o) => `${o.name} already has the number of ${o.from}: dup2 does nothing but check it`],
  'fd.dup2-replace': [
    'name file old',
    (o) => `${o.name}'s number is closed and reopened onto file#${o.file} in one step; its old file#${o.old} loses a reference`,
  ],
  'fd.dup2-reuse': ['name file', (o) => `${o.name}'s old number is free: it now refers to file#${o.file}`],
  'fd.dup2-none': ['name', (o) => `${o.name} never had a number (its statement failed): EBADF`],
  'fd.close': ['name file refs', (o) => `${o.name} leaves the table; file#${o.file} is still open ${o.refs} time(s), so nothing else happens`],
  'fd.close-last': ['name file', (o) => `${o.name} was the last reference to file#${o.file}: the open file description is released`],
});

/** The executor's EBADF rule: the file a name's number holds now, or -1 (with the reason). */
export function live(d: Draft, log: StepLog, slot: number): FileId {
  const fd = d.slotFd[slot] ?? -1;
  const f = d.fileAt(fd);
  if (f < 0) log.because('fd.not-owned', log.name(slot), fd);
  else if (log.explain) {
    const h = holderOf(d, fd);
    if (h !== slot && h >= 0) log.because('fd.reused', log.name(slot), log.name(h), f);
  }
  return f;
}

/** The name that holds number `fd` now (the last one bound to it), -1 if none. */
function holderOf(d: Draft, fd: number): number {
  for (let i = d.slotFd.length - 1; i >= 0; i--) if (d.slotFd[i] === fd) return i;
  return -1;
}

/** close(2): the number leaves the table; the description is released with its last reference. */
export function closeFd(d: Draft, log: StepLog, fd: number, name: string): void {
  const f = d.fdFile[fd];
  d.setFd(fd, -1);
  fput(d, log, f, name);
}

/** fput: one reference fewer; the last one releases the file (__fput: eventpoll_release first, then the kind's release). */
export function fput(d: Draft, log: StepLog, f: FileId, name: string): void {
  const fl = d.fileW(f);
  if (fl.refs > 1) {
    fl.refs--;
    log.because('fd.close', name, f, fl.refs);
    return;
  }
  log.because('fd.close-last', name, f);
  releaseRegistrations(d, log, f);
  switch (fl.kind) {
    case 'pipe-r':
    case 'pipe-w':
      pipeRelease(d, log, f);
      break;
    case 'eventfd':
      d.removeObj(fl.obj);
      break;
    case 'epoll':
      releaseEpoll(d, f);
      break;
    case 'socket':
      sockRelease(d, log, f);
      break;
  }
  d.removeFile(f);
}

/** dup(2) (F_DUPFD_CLOEXEC from 0): the lowest free number, onto the same description. */
export function dupFd(d: Draft, log: StepLog, fromSlot: number, toSlot: number): Outcome {
  const f = live(d, log, fromSlot);
  if (f < 0) return failBind(d, E.EBADF, toSlot);
  if (!room(d, log, 1)) return failBind(d, E.EMFILE, toSlot);
  const fd = lowestFree(d);
  install(d, fd, f);
  d.setSlot(toSlot, fd);
  log.because('fd.dup', log.name(toSlot), f, d.file(f).refs);
  return OK;
}

/**
 * dup2(2) as the executor makes it: onto a number the scenario holds, dup3 (the old file loses
 * a reference); onto a closed number, F_DUPFD_CLOEXEC from it, kept only if it is that number
 * (nothing else opens numbers in an isolated table, so it is); the name keeps its number either way.
 */
export function dup2Fd(d: Draft, log: StepLog, fromSlot: number, toSlot: number): Outcome {
  const f = live(d, log, fromSlot);
  if (f < 0) return fail(E.EBADF);
  const from = d.slotFd[fromSlot];
  const n = d.slotFd[toSlot] ?? -1;
  const name = log.name(toSlot);
  if (n === from) {
    log.because('fd.dup2-same', name, log.name(fromSlot));
    return OK;
  }
  if (n < 0) {
    log.because('fd.dup2-none', name);
    return fail(E.EBADF);
  }
  const old = d.fileAt(n);
  if (old >= 0) {
    log.because('fd.dup2-replace', name, f, old);
    // dup3 installs the new file first, then drops the old one's reference.
    install(d, n, f);
    fput(d, log, old, name);
    return OK;
  }
  if (!room(d, log, 1)) return fail(E.EMFILE);
  log.because('fd.dup2-reuse', name, f);
  install(d, n, f);
  return OK;
}
