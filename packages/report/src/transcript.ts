// strace-style lines for a run, with the script's names; tcpdump-style wire lines under
// each step. A name the step binds shows its real descriptor: `dup(5) = 7<fd 12>`.
import { printReady, quote } from '@epl/compiler';
import { Op, errnoName, formatShutMode, formatEpollFlags, formatTcpFlags, stringOperand, word } from '@epl/program';
import type { Program, StepResult } from '@epl/program';
import type { ResultView } from '@epl/executor';

export interface TranscriptOptions {
  /** Last op index to show (inclusive); default: every op that ran. */
  readonly upTo?: number;
  /** Show the wire lines (default true). */
  readonly wire?: boolean;
  /** Prefix of every line (default none). */
  readonly indent?: string;
  /** A note appended to the line of op `i`, e.g. the failed expectation. */
  readonly note?: (index: number) => string | undefined;
}

/** strace truncates strings at 32 bytes; so do we. */
const STRING_MAX = 32;
/** Where results line up, as in strace's own output. */
const RESULT_COLUMN = 40;

function slot(program: Program, s: number): string {
  return program.names[s] ?? `#${s}`;
}

function bound(program: Program, s: number, fd: number | undefined): string {
  const name = slot(program, s);
  return fd !== undefined && fd >= 0 ? `${name}<fd ${fd}>` : name;
}

function retText(r: StepResult): string {
  return r.errno !== 0 ? `-1 ${errnoName(r.errno)}` : String(r.ret);
}

/** The call and its result for op `i`, without padding: `["shutdown(5, SHUT_RD)", "0"]`. */
export function describeStep(program: Program, i: number, r: StepResult, family: string): [string, string] {
  const w = (k: number) => word(program, i, k);
  const n = (k: number) => slot(program, w(k));
  const fd = (k: number) => r.fds[k];
  const code = w(0);
  const ret = retText(r);
  // Ops whose return value is the new descriptor show the name it was bound to.
  const newFd = (slotWord: number, k = 0) => (r.errno !== 0 ? ret : bound(program, w(slotWord), fd(k)));
  const pairOf = (call: string) => `${call}(${bound(program, w(1), fd(0))}, ${bound(program, w(2), fd(1))})`;
  const socketpair = () => `socketpair(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0, [${bound(program, w(1), fd(0))}, ${bound(program, w(2), fd(1))}])`;
  switch (code) {
    case Op.tcp:
      return [pairOf('tcp'), ret];
    case Op.tcp6:
      return [pairOf('tcp6'), ret];
    case Op.unix:
      return [socketpair(), ret];
    case Op.pair:
      return [family === 'unix' ? socketpair() : pairOf(family === 'tcp6' ? 'tcp6' : 'tcp'), ret];
    case Op.socket:
      return ['socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, 0)', newFd(1)];
    case Op.pipe:
      return [`pipe2([${bound(program, w(1), fd(0))}, ${bound(program, w(2), fd(1))}], O_NONBLOCK)`, ret];
    case Op.eventfd:
      return [`eventfd2(${w(2)}, EFD_NONBLOCK)`, newFd(1)];
    case Op.listen:
      return [`listen(${bound(program, w(1), fd(0))})`, ret];
    case Op.connect_new:
      return [`connect(${bound(program, w(1), fd(0))}, ${n(2)})`, ret];
    case Op.connect:
      return [`connect(${n(1)}, ${n(2)})`, ret];
    case Op.accept:
      return [`accept4(${n(1)}, NULL, NULL, SOCK_NONBLOCK)`, newFd(2)];
    case Op.epoll:
      return ['epoll_create1(0)', newFd(1)];
    case Op.dup:
      return [`dup(${n(1)})`, newFd(2)];
    case Op.dup2:
      return [`dup2(${n(1)}, ${n(2)})`, newFd(2)];
    case Op.add:
    case Op.mod:
      return [`epoll_ctl(${n(1)}, EPOLL_CTL_${code === Op.add ? 'ADD' : 'MOD'}, ${n(2)}, {${formatEpollFlags(w(3))}, data=${n(4)}})`, ret];
    case Op.del:
      return [`epoll_ctl(${n(1)}, EPOLL_CTL_DEL, ${n(2)})`, ret];
    case Op.wait: {
      const ready = r.errno === 0 ? `{${printReady(program.names, r.ready ?? []).replace(/^none$/, '')}}` : '...';
      return [`epoll_wait(${n(1)}, ${ready}, ${w(2)}, ${w(3)})`, ret];
    }
    case Op.close:
      return [`close(${n(1)})`, ret];
    case Op.shutdown: {
      const how = formatShutMode(w(2));
      return [`shutdown(${n(1)}, ${/^\d|^-/.test(how) ? how : 'SHUT_' + how})`, ret];
    }
    case Op.write: {
      const s = stringOperand(program, i, 2);
      return [`write(${n(1)}, ${quote(s, STRING_MAX)}, ${s.length})`, ret];
    }
    case Op.write_n: {
      const count = w(2);
      const shown = new Uint8Array(Math.min(count, STRING_MAX)).fill(0x78);
      return [`write(${n(1)}, ${quote(shown)}${count > STRING_MAX ? '...' : ''}, ${count})`, ret];
    }
    case Op.read: {
      const buf = r.errno === 0 ? quote(r.bytes ?? new Uint8Array(0), STRING_MAX) : '...';
      return [`read(${n(1)}, ${buf}, ${w(2)})`, ret];
    }
    case Op.send_oob: {
      const s = stringOperand(program, i, 2);
      return [`send(${n(1)}, ${quote(s, STRING_MAX)}, ${s.length}, MSG_OOB)`, ret];
    }
    case Op.fill:
      return [`fill(${n(1)})`, ret];
    case Op.drain:
      return [`drain(${n(1)})`, ret];
    case Op.linger:
      return [`setsockopt(${n(1)}, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=${w(2)}})`, ret];
    case Op.sleep:
      return [`sleep(${w(1)} ms)`, ret];
    default:
      return [`op${code}()`, ret];
  }
}

/** One line: the call padded to the result column, then `= result`. */
export function stepLine(program: Program, i: number, r: StepResult, family: string): string {
  const [call, ret] = describeStep(program, i, r, family);
  return `${call.length < RESULT_COLUMN ? call.padEnd(RESULT_COLUMN) : call + ' '}= ${ret}`;
}

/** The whole transcript as text, one line per step and one per captured segment. */
export function transcript(program: Program, view: ResultView, opts: TranscriptOptions = {}): string {
  const indent = opts.indent ?? '';
  const last = Math.min(view.stepCount - 1, opts.upTo ?? Infinity);
  const family = view.family;
  const lines: string[] = [];
  for (let i = 0; i <= last; i++) {
    const r = view.step(i);
    const note = opts.note?.(i);
    lines.push(indent + stepLine(program, i, r, family) + (note ? `  ${note}` : ''));
    if (opts.wire !== false) {
      for (const s of r.wire)
        lines.push(`${indent}  ${slot(program, s.src)} > ${slot(program, s.dst)} [${formatTcpFlags(s.flags)}]${s.len ? ` len ${s.len}` : ''}`);
      if (r.wireDropped) lines.push(`${indent}  (${r.wireDropped} more segment${r.wireDropped === 1 ? '' : 's'} not kept)`);
    }
  }
  const error = view.error;
  if (error !== undefined && (opts.upTo === undefined || opts.upTo >= view.stepCount)) lines.push(`${indent}error: ${error}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}
