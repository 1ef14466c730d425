// A fast-check generator of valid Programs, built with ProgramBuilder under the language's
// naming rules (what compile() accepts): binds only names that are not open, uses only names
// bound before, dup2 only onto a name that has a number, `connect` on an open name and
// `connect_new` otherwise, ready lists naming operand names, wire endpoints naming sockets.
import fc from 'fast-check';
import { ERRNO, LIMITS, ProgramBuilder, type OpName, type Program, type ResultExpect, type Step, type WireExpect } from '@epl/program';

// Digits and identifiers, S and R among them (they are identifiers, not tcp flags, as names).
const POOL = ['3', '5', '6', '7', '10', '05', 'ep', 'client', 'server', 'r', 'w', 'S', 'R', 'x_1', '_t'];
// prettier-ignore
const OPS: OpName[] = [
  'tcp', 'tcp6', 'unix', 'socket', 'pair', 'pipe', 'eventfd', 'listen', 'connect_new', 'connect', 'accept', 'epoll', 'dup', 'dup2',
  'add', 'mod', 'del', 'wait', 'close', 'shutdown', 'write', 'write_n', 'read', 'send_oob', 'fill', 'drain', 'linger', 'sleep',
];
const SOCKET_OPS = new Set<OpName>(['tcp', 'tcp6', 'unix', 'socket', 'pair', 'listen', 'connect_new', 'accept']);
const ERRNOS = Object.keys(ERRNO);

interface Choice {
  op: number;
  picks: number[];
  n: number;
  bytes: Uint8Array;
  expect: number;
  wire: number;
  flags: number;
  segs: { a: number; b: number; flags: number; len: number }[];
}

const choice: fc.Arbitrary<Choice> = fc.record({
  op: fc.nat(OPS.length - 1),
  picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
  n: fc.oneof(fc.integer({ min: -3, max: 70 }), fc.integer()),
  bytes: fc.uint8Array({ maxLength: 6 }),
  expect: fc.nat(6),
  wire: fc.nat(5),
  flags: fc.oneof(fc.constantFrom(0, 1, 5, 0x2015), fc.nat({ max: 0xffffffff })),
  segs: fc.array(fc.record({ a: fc.nat(), b: fc.nat(), flags: fc.nat(255), len: fc.oneof(fc.constant(0), fc.nat(70000)) }), { minLength: 1, maxLength: 3 }),
});

/** Programs of up to `max` ops, with a leading setup part or none, and a title. */
export function programs(max = 24): fc.Arbitrary<Program> {
  return fc
    .tuple(fc.array(choice, { minLength: 4, maxLength: max, size: 'max' }), fc.nat(max), fc.string({ maxLength: 12 }))
    .map(([cs, setup, title]) => build(cs, setup, title));
}

function build(choices: Choice[], setupCount: number, title: string): Program {
  const b = new ProgramBuilder('<gen>', title);
  const open = new Set<string>();
  const bound = new Set<string>();
  const sockets = new Set<string>();
  const mentioned = new Set<string>();
  // Expectations name slots, which exist once every op is in: resolved after the loop.
  const later: (() => Partial<Step>)[] = [];
  let budget = 0;
  const pick = (from: Iterable<string>, k: number): string | undefined => {
    const a = [...from];
    return a.length ? a[k % a.length] : undefined;
  };
  const free = () => POOL.filter((n) => !open.has(n));
  const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
  const spend = (ms: number) => {
    if (budget + ms > LIMITS.maxBudgetMs) return 0;
    budget += ms;
    return ms;
  };
  for (const c of choices) {
    const op = OPS[c.op];
    const [i, j, k, l] = c.picks;
    let operands: (string | number | Uint8Array)[] | undefined;
    let binds: string[] = [];
    const use1 = pick(bound, i);
    const use2 = pick(bound, j);
    switch (op) {
      case 'tcp':
      case 'tcp6':
      case 'unix':
      case 'pair':
      case 'pipe': {
        const f = free();
        const a = pick(f, i);
        const z = pick(
          f.filter((n) => n !== a),
          j,
        );
        if (a && z) {
          binds = [a, z];
          operands = [a, z];
        }
        break;
      }
      case 'socket':
      case 'listen':
      case 'epoll':
      case 'eventfd': {
        const a = pick(free(), i);
        if (a) {
          binds = [a];
          operands = op === 'eventfd' ? [a, clamp(c.n, -(2 ** 31), 2 ** 31 - 1)] : [a];
        }
        break;
      }
      case 'connect_new': {
        const a = pick(free(), i);
        const target = pick(
          [...bound].filter((n) => n !== a),
          j,
        );
        if (a && target) {
          binds = [a];
          operands = [a, target];
        }
        break;
      }
      case 'connect': {
        const a = pick(open, i);
        if (a && use2) operands = [a, use2];
        break;
      }
      case 'accept':
      case 'dup': {
        const to = pick(free(), k);
        if (use1 && to) {
          binds = [to];
          operands = [use1, to];
        }
        break;
      }
      case 'dup2':
        if (use1 && use2) {
          binds = [use2];
          operands = [use1, use2];
        }
        break;
      case 'add':
      case 'mod':
        if (use1 && use2) operands = [use1, use2, c.flags | 0, l % 3 === 0 ? POOL[l % POOL.length] : use2];
        break;
      case 'del':
        if (use1 && use2) operands = [use1, use2];
        break;
      case 'wait':
        if (use1) operands = [use1, l % 2 ? 64 : clamp(c.n, -5, LIMITS.maxWaitEvents), spend(clamp(c.n, 0, 50))];
        break;
      case 'close':
        if (use1) {
          operands = [use1];
          open.delete(use1);
        }
        break;
      case 'shutdown':
        if (use1) operands = [use1, l % 2 ? l % 3 : clamp(c.n, -(2 ** 31), 2 ** 31 - 1)];
        break;
      case 'write':
      case 'send_oob':
        if (use1) operands = [use1, c.bytes];
        break;
      case 'write_n':
      case 'read':
        if (use1) operands = [use1, l % 4 === 0 && op === 'read' ? 1024 : clamp(c.n, 0, 100)];
        break;
      case 'fill':
      case 'drain':
        if (use1) operands = [use1];
        break;
      case 'linger':
        if (use1) operands = [use1, spend(clamp(c.n, 0, 2) * 1000) / 1000];
        break;
      case 'sleep':
        operands = [spend(clamp(c.n, 0, 30))];
        break;
    }
    if (!operands) continue;
    for (const n of binds) {
      open.add(n);
      bound.add(n);
    }
    if (SOCKET_OPS.has(op)) for (const n of binds) sockets.add(n);
    for (const x of operands) if (typeof x === 'string') mentioned.add(x);
    const setup = later.length < setupCount;
    const known = [...mentioned];
    const ends = [...sockets];
    later.push(() => ({ setup, expect: result(b, op, c, known), wire: wire(b, c, ends) }));
    b.op(op, operands);
  }
  const extra = later.map((f) => f());
  const p = b.build();
  return { ...p, steps: p.steps.map((s, i) => ({ ...s, ...extra[i] })) };
}

function result(b: ProgramBuilder, op: OpName, c: Choice, known: string[]): ResultExpect | undefined {
  switch (c.expect) {
    case 0:
      return { kind: 'ok' };
    case 1:
      return { kind: 'number', value: c.n };
    case 2: {
      const name = ERRNOS[c.picks[3] % ERRNOS.length];
      return { kind: 'errno', name, code: ERRNO[name] };
    }
    case 3:
      return op === 'read' ? { kind: 'bytes', value: c.bytes } : undefined;
    case 4:
      return op === 'wait' ? { kind: 'none' } : undefined;
    case 5:
      if (op !== 'wait') return undefined;
      return { kind: 'ready', entries: c.segs.map((s) => ({ slot: b.slot(known[s.a % known.length]), events: (s.flags * 0x1001) >>> 0 })) };
    default:
      return undefined;
  }
}

function wire(b: ProgramBuilder, c: Choice, sockets: string[]): WireExpect | undefined {
  if (c.wire === 0) return { kind: 'none' };
  if (c.wire > 2 || sockets.length === 0) return undefined;
  const at = (k: number) => b.slot(sockets[k % sockets.length]);
  return { kind: 'segments', segments: c.segs.map((g) => ({ src: at(g.a), dst: at(g.b), flags: g.flags, len: g.len })) };
}
