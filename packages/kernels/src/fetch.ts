// `epl kernels fetch`: downloads a Debian kernel package with apt-get (never installs it: the
// host's /boot and /lib/modules are untouched), unpacks it with dpkg-deb into a scratch folder,
// and keeps what a guest boot needs: the ELF vmlinux (PVH boot), the config, and the 9p
// modules decompressed and ordered. The scratch folder is removed whatever happens.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractVmlinux, decompress } from './bzimage';
import { KernelsError, kernelDir, readFetched, writeManifest } from './catalogue';
import type { FetchedKernel, GuestKernel } from './catalogue';
import { builtinModules, loadOrder, moduleDepends, moduleName } from './modules';
import { runTool } from './tool';

/** The modules that mount a 9p share over virtio-pci; their dependencies come with them. */
export const ROOT_MODULES = ['virtio_pci', '9pnet_virtio', '9p'];

const DPKG_HINT = 'apt-get install dpkg (Debian and derivatives only)';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export interface FetchOptions {
  readonly cacheDir: string;
  /** Progress lines for people. */
  readonly log?: (line: string) => void;
}

/** Fetches `kernel` into the cache unless it is there; returns what is in the cache. */
export async function fetchKernel(kernel: GuestKernel, opts: FetchOptions): Promise<FetchedKernel> {
  const have = readFetched(opts.cacheDir, kernel);
  if (have) {
    opts.log?.(`${kernel.name}: ${kernel.package} already in ${have.dir}`);
    return have;
  }
  fs.mkdirSync(opts.cacheDir, { recursive: true });
  // In the cache folder itself, so the finished kernel is moved into place with one rename.
  const scratch = fs.mkdtempSync(path.join(opts.cacheDir, '.fetch-'));
  try {
    const env = kernel.privateApt ? { ...process.env, APT_CONFIG: await privateAptConfig(opts.cacheDir, kernel.suite, opts.log) } : process.env;
    opts.log?.(`${kernel.name}: apt-get download ${kernel.package}`);
    const dl = await runTool('apt-get', ['download', '-o', 'APT::Sandbox::User=root', kernel.package], { cwd: scratch, env, install: DPKG_HINT });
    if (dl.status !== 0) {
      const why = lastLine(dl.stderr);
      const notFound = /unable to locate|couldn't find|has no installation candidate/i.test(dl.stderr);
      const hint = !notFound
        ? ''
        : kernel.privateApt
          ? ` (the private ${kernel.suite} lists in ${path.join(opts.cacheDir, 'apt', kernel.suite)} do not hold it)`
          : ': run `apt-get update` (as root) and try again; if it is still missing, Debian has dropped this build and the catalogue (packages/kernels/src/catalogue.ts) needs a newer package name';
      throw new KernelsError(`apt-get download ${kernel.package} failed: ${why}${hint}`);
    }
    const deb = fs.readdirSync(scratch).find((f) => f.endsWith('.deb'));
    if (!deb) throw new KernelsError(`apt-get download ${kernel.package} left no .deb in ${scratch}`);
    const version = decodeURIComponent(deb.split('_')[1] ?? '');
    opts.log?.(`${kernel.name}: unpacking ${deb}`);
    const unpacked = path.join(scratch, 'root');
    const x = await runTool('dpkg-deb', ['-x', deb, unpacked], { cwd: scratch, install: DPKG_HINT });
    if (x.status !== 0) throw new KernelsError(`dpkg-deb -x ${deb} failed: ${lastLine(x.stderr)}`);
    const out = path.join(scratch, 'kernel');
    fs.mkdirSync(path.join(out, 'modules'), { recursive: true });
    const { release, modules } = keepBootFiles(kernel, unpacked, out);
    fs.rmSync(unpacked, { recursive: true, force: true });
    fs.rmSync(path.join(scratch, deb), { force: true });
    writeManifest(out, { name: kernel.name, package: kernel.package, version, release, modules });
    const dest = kernelDir(opts.cacheDir, kernel);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(out, dest);
    opts.log?.(`${kernel.name}: ${release} in ${dest}`);
    const done = readFetched(opts.cacheDir, kernel);
    if (!done) throw new KernelsError(`${kernel.package}: the cache entry ${dest} is incomplete after fetching`);
    return done;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^W: Download is performed unsandboxed/.test(l));
  return lines[lines.length - 1] ?? 'no message';
}

/** From an unpacked package: vmlinux, config and the ordered 9p modules into `out`. */
function keepBootFiles(kernel: GuestKernel, root: string, out: string): { release: string; modules: string[] } {
  const boot = path.join(root, 'boot');
  const vmlinuz = fs.existsSync(boot) ? fs.readdirSync(boot).find((f) => f.startsWith('vmlinuz-')) : undefined;
  if (!vmlinuz) throw new KernelsError(`${kernel.package} holds no boot/vmlinuz-*: not a kernel image package`);
  const release = vmlinuz.slice('vmlinuz-'.length);
  try {
    fs.writeFileSync(path.join(out, 'vmlinux'), extractVmlinux(fs.readFileSync(path.join(boot, vmlinuz))));
  } catch (e) {
    throw new KernelsError(`${kernel.package}: cannot unpack vmlinux from boot/${vmlinuz}: ${(e as Error).message}`);
  }
  const config = path.join(boot, `config-${release}`);
  if (fs.existsSync(config)) fs.copyFileSync(config, path.join(out, 'config'));

  const modDir = [path.join(root, 'lib/modules', release), path.join(root, 'usr/lib/modules', release)].find((d) => fs.existsSync(d));
  if (!modDir) throw new KernelsError(`${kernel.package} holds no lib/modules/${release}`);
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.(xz|zst|gz))?$/.test(e.name)) files.set(moduleName(e.name), p);
    }
  };
  walk(modDir);
  const builtinFile = path.join(modDir, 'modules.builtin');
  const builtin = fs.existsSync(builtinFile) ? builtinModules(fs.readFileSync(builtinFile, 'utf8')) : new Set<string>();
  const bytes = new Map<string, Buffer>();
  const read = (name: string): Buffer | undefined => {
    const file = files.get(name);
    if (!file) return undefined;
    let b = bytes.get(name);
    if (!b) {
      const raw = fs.readFileSync(file);
      b = file.endsWith('.xz') ? decompress('xz', raw) : file.endsWith('.zst') ? decompress('zstd', raw) : file.endsWith('.gz') ? decompress('gzip', raw) : raw;
      bytes.set(name, b);
    }
    return b;
  };
  let modules: string[];
  try {
    modules = loadOrder(
      ROOT_MODULES,
      (name) => {
        const b = read(name);
        return b ? moduleDepends(b) : undefined;
      },
      (name) => builtin.has(name),
    );
  } catch (e) {
    throw new KernelsError(`${kernel.package} cannot mount a 9p share (a -cloud flavour has no 9p; use the generic one): ${(e as Error).message}`);
  }
  for (const m of modules) fs.writeFileSync(path.join(out, 'modules', `${m}.ko`), read(m)!);
  return { release, modules };
}

/** One Debian mirror URI per suite kind, as the host's apt sources name them. */
export interface HostMirrors {
  readonly archive?: string;
  readonly security?: string;
}

/**
 * The host's Debian mirrors from `apt-get indextargets` output: the Repo-URI of the `main`
 * Packages index of a suite without a dash (the release), and of a `-security` suite.
 */
export function hostMirrors(indextargets: string): HostMirrors {
  let archive: string | undefined;
  let security: string | undefined;
  for (const block of indextargets.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1]?.trim();
    if (field('Created-By') !== 'Packages' || field('Component') !== 'main') continue;
    const release = field('Release');
    const uri = field('Repo-URI');
    if (!release || !uri) continue;
    if (/-security$/.test(release)) security ??= uri;
    else if (!release.includes('-') && !release.includes('/')) archive ??= uri;
  }
  return { archive, security };
}

/**
 * A private apt configuration for `suite` under `<cache>/apt/<suite>`: its own sources list
 * (the host's Debian mirrors with `suite` and `suite-security`), lists and cache folders, so
 * the host's sources and lists are never touched. Its lists are updated on first use.
 */
async function privateAptConfig(cacheDir: string, suite: string, log?: (line: string) => void): Promise<string> {
  const dir = path.join(cacheDir, 'apt', suite);
  const conf = path.join(dir, 'apt.conf');
  const lists = path.join(dir, 'lists');
  if (!fs.existsSync(conf)) {
    const targets = await runTool('apt-get', ['indextargets', '--no-release-info'], { install: DPKG_HINT });
    const mirrors = hostMirrors(targets.stdout);
    if (!mirrors.archive) throw new KernelsError(`no Debian mirror in this machine's apt sources to fetch ${suite} from (apt-get indextargets lists none)`);
    if (!fs.existsSync(KEYRING)) throw new KernelsError(`${KEYRING} is missing: apt-get install debian-archive-keyring`);
    const securityBase = mirrors.security ?? mirrors.archive.replace(/\/debian\/?$/, '/debian-security/');
    const sources = [`deb [signed-by=${KEYRING}] ${mirrors.archive} ${suite} main`, `deb [signed-by=${KEYRING}] ${securityBase} ${suite}-security main`];
    for (const d of ['sources.list.d', 'lists/partial', 'cache/archives/partial']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sources.list'), sources.join('\n') + '\n');
    const q = (s: string) => JSON.stringify(s);
    fs.writeFileSync(
      conf,
      [
        `Dir::Etc::SourceList ${q(path.join(dir, 'sources.list'))};`,
        `Dir::Etc::SourceParts ${q(path.join(dir, 'sources.list.d'))};`,
        `Dir::State::Lists ${q(lists)};`,
        `Dir::Cache ${q(path.join(dir, 'cache'))};`,
        'APT::Sandbox::User "root";',
      ].join('\n') + '\n',
    );
  }
  if (!fs.readdirSync(lists).some((f) => f.endsWith('Packages') || f.includes('Packages.'))) {
    log?.(`apt-get update (private lists for ${suite} in ${dir}; the host's sources are untouched)`);
    const u = await runTool('apt-get', ['update'], { env: { ...process.env, APT_CONFIG: conf }, install: DPKG_HINT });
    if (u.status !== 0) throw new KernelsError(`apt-get update of the private ${suite} lists (${dir}) failed: ${lastLine(u.stderr)}`);
  }
  return conf;
}
