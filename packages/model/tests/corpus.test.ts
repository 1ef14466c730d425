// Every .epl corpus of the repository, in every family: the model agrees with the kernel on
// every step's result and ready list.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileFile } from '@epl/compiler';
import { FAMILIES } from '@epl/program';
import type { Program } from '@epl/program';
import { Lane } from '@epl/pool';
import { runAndCompare, tally } from './kernel';

const ROOT = join(__dirname, '../../..');

function eplFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'build') continue;
    if (statSync(path).isDirectory()) out.push(...eplFiles(path));
    else if (name.endsWith('.epl')) out.push(path);
  }
  return out;
}

/** The corpora: scenarios/ and every package's test files; those that do not compile (the error fixtures) are left out. */
function corpus(): Program[] {
  const files = [...eplFiles(join(ROOT, 'scenarios')), ...readdirSync(join(ROOT, 'packages')).flatMap((pkg) => eplFiles(join(ROOT, 'packages', pkg, 'tests')))];
  const programs: Program[] = [];
  for (const f of files.sort()) {
    try {
      programs.push(...compileFile(f));
    } catch {
      // A fixture that is meant not to compile.
    }
  }
  return programs;
}

test('the corpora hold scenarios of every kind', () => {
  const programs = corpus();
  expect(programs.length).toBeGreaterThan(40);
  expect(programs.some((p) => p.file.includes('founding'))).toBe(true);
});

test.each(FAMILIES)(
  'every step of every corpus scenario agrees with the kernel (%s)',
  async (family) => {
    const programs = corpus();
    const t = tally();
    const lane = new Lane();
    try {
      await runAndCompare(lane, programs, family, t, (i) => `${relative(ROOT, programs[i].file)} "${programs[i].title}"`);
    } finally {
      await lane.close();
    }
    expect(t.differences).toEqual([]);
    expect(t.agree).toBe(t.steps);
    // The wire: timing can move a delayed ACK's effects on a loaded machine; at most 1% may differ.
    if (t.wireSteps) expect(t.wireAgree / t.wireSteps).toBeGreaterThanOrEqual(0.99);
  },
  120_000,
);
