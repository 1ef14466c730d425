// `epl kernels` through main(): the listing, and fetch's usage errors (a real fetch is
// @epl/kernels' own test).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/main';
import { captureIo } from './io';

let cache: string;
beforeEach(() => (cache = mkdtempSync(path.join(tmpdir(), 'epl-cli-kernels-'))));
afterEach(() => rmSync(cache, { recursive: true, force: true }));

async function epl(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('epl kernels', () => {
  it('lists the host, then each kernel fetched (release, cache folder) or fetchable', async () => {
    const dir = path.join(cache, 'linux-image-6.1.0-57-amd64');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'vmlinux'), '');
    writeFileSync(
      path.join(dir, 'kernel.json'),
      JSON.stringify({ name: '6.1', package: 'linux-image-6.1.0-57-amd64', version: '6.1.192-3', release: '6.1.0-57-amd64', modules: [] }),
    );
    const r = await epl('kernels', '--cache', cache);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^kernel +status +release +package +cache$/);
    expect(lines[1]).toMatch(new RegExp(`^host +host +${release().replace(/[.+]/g, '\\$&')}$`));
    expect(lines[2]).toMatch(/^5\.10 +fetchable +linux-image-5\.10\.0-32-amd64$/);
    expect(lines[3]).toMatch(new RegExp(`^6\\.1 +fetched +6\\.1\\.0-57-amd64 +linux-image-6\\.1\\.0-57-amd64 +${dir}$`));
    expect(lines[4]).toMatch(/^6\.12 +fetchable +linux-image-6\.12\.118\+deb12-amd64$/);
    expect(r.out).toContain(`cache: ${cache}\n`);
    expect(r.out).toMatch(/^accelerator: (kvm|tcg \(no usable KVM: emulated, slower\))$/m);
  });

  it('refuses an unknown subcommand, an unknown kernel and a fetch of nothing (exit 2)', async () => {
    expect(await epl('kernels', 'frob')).toEqual({
      code: 2,
      out: '',
      err: "epl kernels: unknown subcommand 'frob' (known: fetch)\nusage: epl kernels [--cache DIR]\n",
    });
    expect(await epl('kernels', 'fetch', '4.19', '--cache', cache)).toEqual({
      code: 2,
      out: '',
      err: "epl kernels: unknown kernel '4.19' (known: host, 5.10, 6.1, 6.12)\n",
    });
    expect((await epl('kernels', 'fetch')).err).toMatch(/^epl kernels: fetch takes kernel names: 5\.10 6\.1 6\.12\n/);
    expect((await epl('kernels', '--cache')).err).toMatch(/^epl kernels: --cache takes a value\n/);
  });
});
