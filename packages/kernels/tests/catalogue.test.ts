import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOGUE, KernelsError, defaultCacheDir, findKernel, listKernels, readFetched, requireFetched, writeManifest } from '../src/catalogue';

let cache: string;
beforeEach(() => (cache = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-kernels-cache-'))));
afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

/** What fetchKernel leaves for a kernel (manifest and vmlinux). */
function fakeFetched(name: string, release: string): void {
  const k = findKernel(name);
  const dir = path.join(cache, k.package);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'vmlinux'), '');
  writeManifest(dir, { name: k.name, package: k.package, version: '1.0', release, modules: ['9p'] });
}

describe('the catalogue', () => {
  it('holds 5.10 (bullseye, private apt), 6.1 and 6.12 (bookworm), generic flavours', () => {
    expect(CATALOGUE.map((k) => [k.name, k.suite, k.privateApt])).toEqual([
      ['5.10', 'bullseye', true],
      ['6.1', 'bookworm', false],
      ['6.12', 'bookworm', false],
    ]);
    for (const k of CATALOGUE) expect(k.package).toMatch(/^linux-image-.*-amd64$/);
    for (const k of CATALOGUE) expect(k.package).not.toMatch(/cloud/);
  });

  it('finds a kernel by name or package, and lists the known names otherwise', () => {
    expect(findKernel('6.1').package).toBe('linux-image-6.1.0-57-amd64');
    expect(findKernel('linux-image-6.1.0-57-amd64').name).toBe('6.1');
    expect(() => findKernel('4.19')).toThrow(new KernelsError("unknown kernel '4.19' (known: host, 5.10, 6.1, 6.12)"));
  });
});

describe('defaultCacheDir', () => {
  it('takes EPL_KERNELS_CACHE first, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultCacheDir({ EPL_KERNELS_CACHE: '/x/k', XDG_CACHE_HOME: '/c' })).toBe('/x/k');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/epl/kernels');
    expect(defaultCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'epl', 'kernels'));
    // The XDG spec ignores a relative value.
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'rel' })).toBe(path.join(os.homedir(), '.cache', 'epl', 'kernels'));
  });
});

describe('the cache', () => {
  it('lists the host, then each catalogue kernel as fetched (release, path) or fetchable', () => {
    fakeFetched('6.12', '6.12.118+deb12-amd64');
    const list = listKernels(cache);
    expect(list[0]).toEqual({ name: 'host', status: 'host', release: os.release() });
    expect(list.slice(1).map((k) => [k.name, k.status, k.release])).toEqual([
      ['5.10', 'fetchable', undefined],
      ['6.1', 'fetchable', undefined],
      ['6.12', 'fetched', '6.12.118+deb12-amd64'],
    ]);
    expect(list[3].path).toBe(path.join(cache, 'linux-image-6.12.118+deb12-amd64'));
  });

  it('does not count a folder without its vmlinux as fetched', () => {
    fakeFetched('6.1', '6.1.0-57-amd64');
    fs.rmSync(path.join(cache, 'linux-image-6.1.0-57-amd64', 'vmlinux'));
    expect(readFetched(cache, findKernel('6.1'))).toBeUndefined();
  });

  it('names the fetch command for a kernel that is not fetched', () => {
    expect(() => requireFetched(cache, '6.1')).toThrow(`kernel 6.1 (linux-image-6.1.0-57-amd64) is not fetched into ${cache}: run \`epl kernels fetch 6.1\``);
  });
});
