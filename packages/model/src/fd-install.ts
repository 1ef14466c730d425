// Handing out descriptor numbers (fd_install, get_unused_fd_flags: lowest free first) and the
// executor's cap on how many a scenario holds. Apart from fd-table.ts, which releases files on
// close: the kinds of file (sockets) install numbers, and closing reaches back into them.
import { LIMITS } from '@epl/program';
import { fail, Outcome } from './outcome';
import { Draft, FileId } from './state';
import { defineReasons, StepLog } from './why';

defineReasons({
  'fd.emfile': ['open max', (o) => `the scenario already holds ${o.open} descriptors (at most ${o.max}): EMFILE`],
  'fd.bind': ['name file', (o) => `${o.name} gets the lowest free number for file#${o.file}`],
});

/** The lowest number the table does not hold (-2 marks a number the executor holds for a moment). */
export function lowestFree(d: Draft): number {
  let n = 0;
  while (n < d.fdFile.length && d.fdFile[n] !== -1) n++;
  return n;
}

/** Descriptors the scenario holds. */
function openCount(d: Draft): number {
  let n = 0;
  for (const f of d.fdFile) if (f >= 0) n++;
  return n;
}

const MAX_OPEN = LIMITS.maxOpenFds;

/** The executor's cap on open descriptors (LIMITS.maxOpenFds): a creating op beyond it gets EMFILE. */
export function room(d: Draft, log: StepLog, n: number): boolean {
  if (d.fdFile.length + n <= MAX_OPEN) return true;
  const open = openCount(d);
  if (open + n <= MAX_OPEN) return true;
  log.because('fd.emfile', open, MAX_OPEN);
  return false;
}

/** fd_install: number `fd` now refers to file `f` (one more reference). */
export function install(d: Draft, fd: number, f: FileId): void {
  d.setFd(fd, f);
  d.fileW(f).refs++;
}

/** Installs a new file at the lowest free number and binds the name to it. */
export function installNew(d: Draft, log: StepLog, slot: number, f: FileId): void {
  const fd = lowestFree(d);
  log.because('fd.bind', log.name(slot), f);
  install(d, fd, f);
  d.setSlot(slot, fd);
}

/** A creating op that failed: its names are bound to no number. */
export function failBind(d: Draft, errno: number, ...slots: number[]): Outcome {
  for (const slot of slots) d.setSlot(slot, -1);
  return fail(errno);
}
