import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findKernel } from '../src/catalogue';
import { fetchKernel, hostMirrors } from '../src/fetch';
import { which } from '../src/tool';

const INDEXTARGETS = `MetaKey: main/binary-amd64/Packages
Repo-URI: http://mirror.example/debian/
Release: bookworm
Component: main
Created-By: Packages

MetaKey: main/binary-amd64/Packages
Repo-URI: http://mirror.example/debian/
Release: bookworm-updates
Component: main
Created-By: Packages

MetaKey: main/i18n/Translation-en
Repo-URI: http://other.example/debian/
Release: bookworm
Component: main
Created-By: Translations

MetaKey: main/binary-amd64/Packages
Repo-URI: http://security.example/debian-security/
Release: bookworm-security
Component: main
Created-By: Packages

MetaKey: main/binary-amd64/Packages
Repo-URI: http://vendor.example/apt/
Release: nodistro
Component: contrib
Created-By: Packages
`;

describe('hostMirrors', () => {
  it('takes the main Packages index of the release and of its -security suite', () => {
    expect(hostMirrors(INDEXTARGETS)).toEqual({ archive: 'http://mirror.example/debian/', security: 'http://security.example/debian-security/' });
  });
  it('finds nothing on a machine without Debian sources', () => {
    expect(hostMirrors('')).toEqual({ archive: undefined, security: undefined });
  });
});

describe('fetchKernel', () => {
  it('returns a kernel already in the cache without downloading', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-kernels-fetch-'));
    try {
      const dir = path.join(cache, 'linux-image-6.12.118+deb12-amd64');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'vmlinux'), '');
      fs.writeFileSync(
        path.join(dir, 'kernel.json'),
        JSON.stringify({ name: '6.12', package: 'linux-image-6.12.118+deb12-amd64', version: 'v', release: 'r', modules: [] }),
      );
      const lines: string[] = [];
      const k = await fetchKernel(findKernel('6.12'), { cacheDir: cache, log: (l) => lines.push(l) });
      expect(k.release).toBe('r');
      expect(lines).toEqual([`6.12: linux-image-6.12.118+deb12-amd64 already in ${dir}`]);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

/** Why apt-get cannot download `pkg` here; undefined when it can. */
function aptUnavailable(pkg: string): string | undefined {
  const r = spawnSync('apt-cache', ['policy', pkg]);
  if (r.status !== 0 || !r.stdout) return 'apt-cache is not here (fetch needs Debian apt)';
  if (!/Candidate: (?!\(none\))/.test(r.stdout.toString())) return `apt has no candidate for ${pkg}: run \`apt-get update\` as root`;
  return undefined;
}

describe('fetchKernel from Debian (downloads 6.12, about 70 MB, into a scratch cache)', () => {
  const k = findKernel('6.12');
  const why = aptUnavailable(k.package);
  if (why) console.warn(`fetch test skipped: ${why}`);
  (why ? it.skip : it)(
    `keeps the ELF vmlinux, the config and the 9p modules decompressed in load order${why ? ` (cannot run here: ${why})` : ''}`,
    async () => {
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-kernels-fetch-'));
      try {
        const f = await fetchKernel(k, { cacheDir: cache });
        expect(f.release).toBe('6.12.118+deb12-amd64');
        expect(f.version).toMatch(/^6\.12\.118-/);
        expect(fs.readFileSync(path.join(f.dir, 'vmlinux')).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
        expect(fs.readFileSync(path.join(f.dir, 'config'), 'utf8')).toMatch(/^CONFIG_NET_9P=m$/m);
        // 6.12 builds virtio_pci in and ships .ko.xz: what is kept is plain ELF, each after what it depends on.
        expect(f.modules).toEqual(['netfs', '9pnet', '9pnet_virtio', '9p']);
        for (const m of f.modules)
          expect(fs.readFileSync(path.join(f.dir, 'modules', `${m}.ko`)).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
        // Only the kernel's folder is left: the scratch folder and the .deb are gone.
        expect(fs.readdirSync(cache)).toEqual([k.package]);
      } finally {
        fs.rmSync(cache, { recursive: true, force: true });
      }
    },
    300_000,
  );
});

describe('fetchKernel failures', () => {
  const noApt = which('apt-get') === undefined ? 'apt-get is not here (fetch needs Debian apt)' : undefined;
  (noApt ? it.skip : it)(
    `names the package apt-get cannot find and what to do, leaving nothing in the cache${noApt ? ` (cannot run here: ${noApt})` : ''}`,
    async () => {
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-kernels-fetch-'));
      try {
        const bogus = { name: '0.0', package: 'linux-image-0.0.0-epl-no-such-amd64', suite: 'bookworm', privateApt: false };
        await expect(fetchKernel(bogus, { cacheDir: cache })).rejects.toThrow(
          /^apt-get download linux-image-0\.0\.0-epl-no-such-amd64 failed: E: .*linux-image-0\.0\.0-epl-no-such-amd64'?: run `apt-get update` \(as root\) and try again; if it is still missing, Debian has dropped this build/,
        );
        expect(fs.readdirSync(cache)).toEqual([]);
      } finally {
        fs.rmSync(cache, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
