// Structural equality of Programs: what the printer round trip and the fuzzer compare.
// Code, strings, slot count, names and expectations; never spans, file, title or index.
import type { Program, ResultExpect, Step, WireExpect } from '@epl/program';

/** True when two Programs run the same ops on the same names and expect the same things. */
export function programsEqual(a: Program, b: Program): boolean {
  return programDiff(a, b) === undefined;
}

/** The first difference between two Programs, in words, or undefined when they are equal (see programsEqual). */
export function programDiff(a: Program, b: Program): string | undefined {
  if (a.code.length !== b.code.length) return `code: ${a.code.length} words vs ${b.code.length}`;
  for (let i = 0; i < a.code.length; i++) if (a.code[i] !== b.code[i]) return `code word ${i}: ${a.code[i]} vs ${b.code[i]}`;
  if (!bytesEqual(a.strings, b.strings)) return `strings: ${a.strings.length} bytes vs ${b.strings.length}, or different bytes`;
  if (a.slotCount !== b.slotCount) return `slotCount: ${a.slotCount} vs ${b.slotCount}`;
  if (a.names.length !== b.names.length || a.names.some((n, i) => n !== b.names[i])) return `names: [${a.names.join(', ')}] vs [${b.names.join(', ')}]`;
  const steps = Math.max(a.steps.length, b.steps.length);
  for (let i = 0; i < steps; i++) {
    const x: Step | undefined = a.steps[i];
    const y: Step | undefined = b.steps[i];
    if (!resultEqual(x?.expect, y?.expect)) return `step ${i}: '=>' ${JSON.stringify(x?.expect)} vs ${JSON.stringify(y?.expect)}`;
    if (!wireEqual(x?.wire, y?.wire)) return `step ${i}: '~>' ${JSON.stringify(x?.wire)} vs ${JSON.stringify(y?.wire)}`;
  }
  return undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function resultEqual(a: ResultExpect | undefined, b: ResultExpect | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  switch (a.kind) {
    case 'ok':
    case 'none':
      return b.kind === a.kind;
    case 'number':
      return b.kind === 'number' && a.value === b.value;
    case 'errno':
      return b.kind === 'errno' && a.code === b.code && a.name === b.name;
    case 'bytes':
      return b.kind === 'bytes' && bytesEqual(a.value, b.value);
    case 'ready':
      return (
        b.kind === 'ready' &&
        a.entries.length === b.entries.length &&
        a.entries.every((e, i) => e.slot === b.entries[i].slot && e.events >>> 0 === b.entries[i].events >>> 0)
      );
  }
}

function wireEqual(a: WireExpect | undefined, b: WireExpect | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === 'none' || b.kind === 'none') return a.kind === b.kind;
  return (
    a.segments.length === b.segments.length &&
    a.segments.every((s, i) => {
      const t = b.segments[i];
      return s.src === t.src && s.dst === t.dst && s.flags === t.flags && s.len === t.len;
    })
  );
}
