// `epl kernels`: the kernels this machine can run epl under; `epl kernels fetch NAME…` gets them.
import { resolve } from 'node:path';
import type { KernelListing } from '@epl/kernels';
import type { Command, Io } from '../command';
import { EXIT } from '../command';
import { readArgs } from '../options';

const usage = `usage: epl kernels [--cache DIR]
       epl kernels fetch NAME… [--cache DIR]

Lists the kernels epl can run under: the host's own, the Debian kernels fetched into the
cache, and those that can be fetched (5.10, 6.1, 6.12), with their release and cache folder.

fetch NAME…   downloads each kernel's Debian package with apt-get (never installed: the
              host's /boot is untouched; 5.10 comes from bullseye through a private apt
              configuration in the cache that leaves the host's sources alone), unpacks it
              and keeps what a guest boot needs

options:
  --cache DIR   the cache folder (default: $EPL_KERNELS_CACHE, else $XDG_CACHE_HOME/epl/kernels,
                else ~/.cache/epl/kernels)

Guest kernels boot under qemu: apt-get install --no-install-recommends qemu-system-x86 busybox-static
exit status: 0 done, 1 a fetch failed, 2 usage errors.
`;

interface KernelsArgs {
  fetch: string[] | undefined;
  cache?: string;
}

function parse(args: readonly string[]): KernelsArgs | string {
  const r = readArgs(args, { cache: { type: 'string' } });
  if (typeof r === 'string') return r;
  const [sub, ...names] = r.positionals;
  const out: KernelsArgs = { fetch: undefined, ...(r.values.cache !== undefined ? { cache: r.values.cache } : {}) };
  if (r.values.cache === '') return '--cache takes a folder';
  if (sub === undefined) return out;
  if (sub !== 'fetch') return `unknown subcommand '${sub}' (known: fetch)`;
  if (names.length === 0) return 'fetch takes kernel names: 5.10 6.1 6.12';
  return { ...out, fetch: names };
}

/** The listing as an aligned table. */
export function listingTable(rows: readonly KernelListing[]): string {
  const header = ['kernel', 'status', 'release', 'package', 'cache'];
  const cells = rows.map((r) => [r.name, r.status, r.release ?? '', r.package ?? '', r.path ?? '']);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  return (
    [header, ...cells]
      .map((r) =>
        r
          .map((v, c) => v.padEnd(widths[c]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export const command: Command = {
  summary: 'list the kernels epl can run under; `epl kernels fetch 6.1` gets one',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = parse(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`epl kernels: ${parsed}\n${usage.split('\n')[0]}\n`);
      return EXIT.usage;
    }
    const kernels = require('@epl/kernels') as typeof import('@epl/kernels');
    const cacheDir = parsed.cache !== undefined ? resolve(parsed.cache) : kernels.defaultCacheDir();
    if (parsed.fetch === undefined) {
      io.stdout.write(listingTable(kernels.listKernels(cacheDir)));
      const lines = [`cache: ${cacheDir}`];
      for (const check of [kernels.findQemu, () => kernels.readStaticBusybox()]) {
        try {
          check();
        } catch (e) {
          lines.push(`cannot boot a guest yet: ${(e as Error).message}`);
        }
      }
      lines.push(`accelerator: ${kernels.defaultAccel() === 'kvm' ? 'kvm' : 'tcg (no usable KVM: emulated, slower)'}`);
      io.stdout.write(lines.join('\n') + '\n');
      return EXIT.ok;
    }
    let wanted: ReturnType<typeof kernels.findKernel>[];
    try {
      wanted = [...new Set(parsed.fetch)].map((n) => kernels.findKernel(n));
    } catch (e) {
      io.stderr.write(`epl kernels: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
    let failed = false;
    for (const k of wanted) {
      try {
        const f = await kernels.fetchKernel(k, { cacheDir, log: (l) => io.stderr.write(l + '\n') });
        io.stdout.write(`${k.name}: ${f.release} (${f.package} ${f.version}) in ${f.dir}\n`);
      } catch (e) {
        if (!(e instanceof kernels.KernelsError)) throw e;
        io.stderr.write(`epl kernels: ${e.message}\n`);
        failed = true;
      }
    }
    return failed ? EXIT.failed : EXIT.ok;
  },
};
