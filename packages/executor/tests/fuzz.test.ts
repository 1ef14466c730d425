// 100,000 random and malformed Programs in a child process (a native crash fails this test
// instead of killing jest): no crash, no hang, no thrown error, no leaked descriptor.
import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';

const CHILD = path.join(__dirname, 'fixtures', 'fuzz-child.js');
const COUNT = 100_000;

it(`runs ${COUNT} random and malformed Programs without a crash, a hang or a leak`, () => {
  expect(existsSync(path.join(__dirname, '..', 'dist', 'index.js'))).toBe(true); // built by the build target
  const r = spawnSync(process.execPath, [CHILD, String(COUNT), '20261126'], { encoding: 'utf8', timeout: 120_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr }).toEqual({ signal: null, status: 0, stderr: '' });
  const stats = JSON.parse(r.stdout.trim()) as {
    count: number;
    errors: number;
    steps: number;
    leaks: number;
    files: boolean;
    firstLeak: unknown;
    firstThrow: unknown;
  };
  expect(stats.firstThrow).toBeNull();
  expect(stats.firstLeak).toBeNull();
  expect(stats.leaks).toBe(0);
  expect(stats.count).toBe(COUNT);
  expect(stats.files).toBe(true);
  // Both kinds were exercised: Programs refused by validation, and Programs whose ops ran.
  expect(stats.errors).toBeGreaterThan(COUNT / 4);
  expect(stats.count - stats.errors).toBeGreaterThan(COUNT / 4);
  expect(stats.steps).toBeGreaterThan(COUNT);
}, 150_000);
