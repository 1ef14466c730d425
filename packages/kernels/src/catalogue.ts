// The kernels epl can run under: the host's own, and Debian's packaged kernels, by package
// name (CROSS-KERNEL.md). Pinned names, so that two machines that fetch "6.1" run the same
// build. The generic flavour: `-cloud-amd64` has no 9p (CONFIG_NET_9P unset).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface GuestKernel {
  /** What users type: `5.10`, `6.1`, `6.12`. */
  readonly name: string;
  /** The Debian binary package holding it. */
  readonly package: string;
  /** The Debian suite it comes from. */
  readonly suite: string;
  /**
   * Fetched through a private apt configuration (own sources list and lists folder, made from
   * the Debian mirror the host already uses) because the host's sources do not list its suite.
   */
  readonly privateApt: boolean;
}

export const CATALOGUE: readonly GuestKernel[] = [
  { name: '5.10', package: 'linux-image-5.10.0-32-amd64', suite: 'bullseye', privateApt: true },
  { name: '6.1', package: 'linux-image-6.1.0-57-amd64', suite: 'bookworm', privateApt: false },
  { name: '6.12', package: 'linux-image-6.12.118+deb12-amd64', suite: 'bookworm', privateApt: false },
];

/** The name that stands for the kernel this machine runs. */
export const HOST = 'host';

/** An error for people: one clear message, printed without a stack. */
export class KernelsError extends Error {
  override readonly name = 'KernelsError';
}

/** The catalogue entry for a name (`6.1`) or package name; throws listing the known names. */
export function findKernel(name: string): GuestKernel {
  const k = CATALOGUE.find((c) => c.name === name || c.package === name);
  if (!k) throw new KernelsError(`unknown kernel '${name}' (known: ${[HOST, ...CATALOGUE.map((c) => c.name)].join(', ')})`);
  return k;
}

/**
 * Where fetched kernels live: `EPL_KERNELS_CACHE` when set, else `$XDG_CACHE_HOME/epl/kernels`,
 * else `~/.cache/epl/kernels`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EPL_KERNELS_CACHE) return path.resolve(env.EPL_KERNELS_CACHE);
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'epl', 'kernels');
}

/** What `fetch` leaves in `<cache>/<package>/kernel.json`. */
export interface FetchedKernel {
  readonly name: string;
  readonly package: string;
  /** The package version (`6.1.192-3`). */
  readonly version: string;
  /** `uname -r` of the kernel (`6.1.0-57-amd64`). */
  readonly release: string;
  /** The folder holding `vmlinux`, `config`, `modules/`. */
  readonly dir: string;
  /** Modules to insmod, in order (files `modules/<name>.ko`). */
  readonly modules: readonly string[];
}

const MANIFEST = 'kernel.json';

/** The folder of a catalogue kernel in the cache. */
export function kernelDir(cacheDir: string, kernel: GuestKernel): string {
  return path.join(cacheDir, kernel.package);
}

/** The fetched kernel, or undefined when it is not in the cache (or only partly). */
export function readFetched(cacheDir: string, kernel: GuestKernel): FetchedKernel | undefined {
  const dir = kernelDir(cacheDir, kernel);
  let manifest: Omit<FetchedKernel, 'dir'>;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as Omit<FetchedKernel, 'dir'>;
  } catch {
    return undefined;
  }
  if (!fs.existsSync(path.join(dir, 'vmlinux'))) return undefined;
  return { ...manifest, dir };
}

/** Writes the manifest of a kernel unpacked into `dir`. */
export function writeManifest(dir: string, k: Omit<FetchedKernel, 'dir'>): void {
  const { name, package: pkg, version, release, modules } = k;
  fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify({ name, package: pkg, version, release, modules }, null, 2) + '\n');
}

/** A fetched kernel or an error naming the command that fetches it. */
export function requireFetched(cacheDir: string, name: string): FetchedKernel {
  const k = findKernel(name);
  const f = readFetched(cacheDir, k);
  if (!f) throw new KernelsError(`kernel ${k.name} (${k.package}) is not fetched into ${cacheDir}: run \`epl kernels fetch ${k.name}\``);
  return f;
}

export interface KernelListing {
  readonly name: string;
  readonly status: 'host' | 'fetched' | 'fetchable';
  /** `uname -r`: known for the host and fetched kernels. */
  readonly release?: string;
  readonly package?: string;
  readonly version?: string;
  /** The cache folder of a fetched kernel. */
  readonly path?: string;
}

/** The host, then every catalogue kernel with whether it is fetched. */
export function listKernels(cacheDir: string): KernelListing[] {
  const out: KernelListing[] = [{ name: HOST, status: 'host', release: os.release() }];
  for (const k of CATALOGUE) {
    const f = readFetched(cacheDir, k);
    out.push(
      f
        ? { name: k.name, status: 'fetched', release: f.release, package: k.package, version: f.version, path: f.dir }
        : { name: k.name, status: 'fetchable', package: k.package },
    );
  }
  return out;
}
