// Descriptor counts of the pool's isolated workers, read from /proc: the Pool does not report
// them, but each worker unshared its fd table (CLONE_FILES), and /proc/self/task/<tid>/fd
// lists the table of that thread. A thread whose table is the main thread's is left out.
// Counts mean something only while the pool is idle (a running scenario holds descriptors).
import * as fs from 'node:fs';

function targets(tid: string): string[] | undefined {
  const dir = `/proc/self/task/${tid}/fd`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined; // the thread ended
  }
  const out: string[] = [];
  for (const n of names) {
    try {
      out.push(`${n}>${fs.readlinkSync(`${dir}/${n}`)}`);
    } catch {
      // closed between readdir and readlink
    }
  }
  return out.sort();
}

/** Open descriptors per thread (tid) whose fd table is not the main thread's. Empty off Linux. */
export function isolatedFdCounts(): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  const main = targets(String(process.pid))?.join('\n');
  for (const tid of tids) {
    if (tid === String(process.pid)) continue;
    const t = targets(tid);
    // The same table as the main thread's: a libuv or V8 thread, not an isolated worker.
    if (!t || t.join('\n') === main) continue;
    out.set(Number(tid), t.length);
  }
  return out;
}

/** Threads present in both snapshots whose count grew, with how much. */
export function grown(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): { tid: number; before: number; after: number }[] {
  const out: { tid: number; before: number; after: number }[] = [];
  for (const [tid, n] of after) {
    const b = before.get(tid);
    if (b !== undefined && n > b) out.push({ tid, before: b, after: n });
  }
  return out;
}
