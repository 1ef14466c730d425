// The CI smoke test of issue 13: the founding scenarios under the host and one guest kernel.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runOnKernels } from '../src/run-on-kernels';
import { GUEST, itInGuest } from './guest';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('runOnKernels', () => {
  it('refuses an unknown or unfetched kernel before running anything', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-kernels-empty-'));
    try {
      await expect(runOnKernels(['host', '4.19'], ['scenarios'], { cwd: ROOT, cacheDir: cache })).rejects.toThrow(/unknown kernel '4.19'/);
      await expect(runOnKernels(['6.1'], ['scenarios'], { cwd: ROOT, cacheDir: cache })).rejects.toThrow(/run `epl kernels fetch 6.1`/);
      await expect(runOnKernels(['host'], ['--json', 'scenarios'], { cwd: ROOT, cacheDir: cache })).rejects.toThrow(/adds --json itself/);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  itInGuest(
    `runs scenarios/founding on the host and under ${GUEST}: 5 of 5 pass on each, records carry each kernel's release`,
    async () => {
      const runs = await runOnKernels(['host', GUEST], ['scenarios/founding'], { cwd: ROOT, timeoutMs: 240_000 });
      expect(runs.map((r) => r.kernel)).toEqual(['host', GUEST]);
      const [host, guest] = runs;
      expect(host.release).toBe(os.release());
      expect(guest.error).toBeUndefined();
      expect(guest.release).toMatch(/^6\.1\.0-\d+-amd64$/);
      for (const r of runs) {
        expect(r.records).toHaveLength(5);
        expect(r.records.every((x) => x.kernel === r.release)).toBe(true);
        // Each failure shows what came: a pass count alone would hide which step flipped.
        expect(r.records.filter((x) => !x.pass).map((x) => `${r.kernel}: ${x.title}: ${JSON.stringify(x.steps.filter((s) => !s.pass))}`)).toEqual([]);
        expect(r.exitCode).toBe(0);
      }
      expect(guest.records.every((x) => x.netns && x.wire.captured)).toBe(true);
      expect(guest.bootMs).toBeGreaterThan(0);
      expect(guest.wallMs).toBeGreaterThan(guest.bootMs!);
    },
    300_000,
  );
});
