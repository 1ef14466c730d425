// Programs whose results say which one ran, and the run loop the tests share.
import { ProgramBuilder } from '@epl/program';
import type { Family, ProgramCode } from '@epl/program';
import type { ResultView } from '@epl/executor';
import type { Job, Ran, Runner } from '../src';

/** A Program whose result tells which one it was: an eventfd holding `n`, read back. */
export function numbered(n: number): ProgramCode {
  return new ProgramBuilder().op('eventfd', ['e', n]).op('read', ['e', 8]).op('close', ['e']).build();
}

/** The number a `numbered` Program read back. */
export const counter = (v: ResultView): number => Buffer.from(v.bytesOf(1) ?? []).readUInt32LE(0);

export const jobs = (programs: readonly ProgramCode[], family: Family = 'tcp'): Job[] => programs.map((program) => ({ program, family }));

/** Every outcome, in input order; views are copied (the run's memory is reused as it goes). */
export async function runAll(runner: Runner, list: readonly Job[]): Promise<Ran[]> {
  const out = new Array<Ran>(list.length);
  for await (const r of runner.run(list)) out[r.id] = r.view ? { id: r.id, view: r.view.copy() } : r;
  return out;
}
