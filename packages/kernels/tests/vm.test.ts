import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelsError } from '../src/catalogue';
import type { FetchedKernel } from '../src/catalogue';
import { checkGuestVisible, defaultAccel, jobScript, qemuArgs, runInKernel, shQuote } from '../src/vm';
import { GUEST, itInGuest } from './guest';

const kernel: FetchedKernel = { name: '6.1', package: 'p', version: 'v', release: '6.1.0-57-amd64', dir: '/cache/p', modules: [] };

describe('qemuArgs', () => {
  it('boots the ELF vmlinux (PVH) under multi-threaded TCG with 2 vCPUs by default', () => {
    const a = qemuArgs(kernel, '/j/initramfs.cpio', '/j/job', { accel: 'tcg' }).join(' ');
    expect(a).toContain('-accel tcg,thread=multi -cpu max -smp 2 -m 2048');
    expect(a).toContain('-kernel /cache/p/vmlinux -initrd /j/initramfs.cpio');
    expect(a).toContain('-virtfs local,path=/,mount_tag=eplroot,security_model=none,readonly=on,multidevs=remap');
    expect(a).toContain('-virtfs local,path=/j/job,mount_tag=epljob,security_model=none,multidevs=remap');
    expect(a).toContain('-no-reboot');
  });

  it('uses deterministic virtual time on one vCPU with icount, and the host CPU under KVM', () => {
    expect(qemuArgs(kernel, 'i', 'j', { accel: 'tcg', icount: true, smp: 2 }).join(' ')).toContain(
      '-accel tcg,thread=single -icount shift=0,sleep=off -cpu max -smp 1',
    );
    expect(qemuArgs(kernel, 'i', 'j', { accel: 'kvm' }).join(' ')).toContain('-accel kvm -cpu host -smp 2');
  });
});

describe('defaultAccel', () => {
  it('obeys EPL_KERNELS_ACCEL, else KVM only with /dev/kvm and vmx or svm', () => {
    expect(defaultAccel({ EPL_KERNELS_ACCEL: 'tcg' })).toBe('tcg');
    expect(defaultAccel({ EPL_KERNELS_ACCEL: 'kvm' })).toBe('kvm');
    const usable = fs.existsSync('/dev/kvm') && /^flags\s*:.*\b(vmx|svm)\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    expect(defaultAccel({})).toBe(usable ? 'kvm' : 'tcg');
  });
});

describe('checkGuestVisible', () => {
  it('says a guest cannot see files under the folders it mounts its own tmpfs on', () => {
    expect(() => checkGuestVisible('/tmp/x.epl')).toThrow(
      '/tmp/x.epl is under /tmp, which a guest kernel does not see (it mounts its own there): use a folder elsewhere',
    );
    expect(() => checkGuestVisible('/run')).toThrow(/under \/run/);
    expect(() => checkGuestVisible(process.cwd())).not.toThrow();
  });
});

describe('jobScript', () => {
  it('quotes every word so sh gives the command exactly its arguments', () => {
    const args = ["it's", 'a b', '$HOME', '`x`', ''];
    const r = spawnSync('sh', ['-c', `printf '<%s>' ${args.map(shQuote).join(' ')}`]);
    expect(r.stdout.toString()).toBe(args.map((a) => `<${a}>`).join(''));
  });

  it('sends output to the job folder, changes directory, and runs with only the given environment', () => {
    expect(jobScript(['node', 'x y'], '/w', { PATH: '/bin', HOME: '/root' })).toBe(
      "exec </dev/null >/run/epl-job/stdout 2>/run/epl-job/stderr\ncd '/w' || exit 125\nexec /usr/bin/env -i 'PATH=/bin' 'HOME=/root' 'node' 'x y'\n",
    );
  });
});

describe(`runInKernel (boots ${GUEST} under qemu)`, () => {
  it('refuses an unknown kernel and an empty command before starting anything', async () => {
    await expect(runInKernel('4.19', ['true'])).rejects.toThrow(KernelsError);
    await expect(runInKernel(GUEST, [])).rejects.toThrow('runInKernel: no command given');
  });

  itInGuest(
    'runs the host’s node as root in the guest and returns its status, output, release and times',
    async () => {
      // A TMPDIR of its own, to see that the scratch folder (job folder, initramfs) is removed.
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-kernels-vm-'));
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = tmp;
      const script = 'const os=require("os");console.log(os.release(),process.getuid(),process.cwd());console.error("to stderr");process.exit(3)';
      let r;
      try {
        r = await runInKernel(GUEST, [process.execPath, '-e', script], { cwd: '/usr', env: { EXTRA: 'x' }, timeoutMs: 240_000 });
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
      expect(fs.readdirSync(tmp)).toEqual([]);
      fs.rmdirSync(tmp);
      expect(r.release).toMatch(/^6\.1\.0-\d+-amd64$/);
      expect(r.release).not.toBe(os.release());
      expect(r.stdout).toBe(`${r.release} 0 /usr\n`);
      expect(r.stderr).toBe('to stderr\n');
      expect(r.exitCode).toBe(3);
      expect(r.firstOutputMs).toBeGreaterThan(0);
      expect(r.bootMs).toBeGreaterThanOrEqual(r.firstOutputMs);
      expect(r.wallMs).toBeGreaterThan(r.bootMs);
    },
    300_000,
  );

  itInGuest(
    'kills qemu at the timeout and says so, leaving nothing running',
    async () => {
      const started = Date.now();
      await expect(runInKernel(GUEST, ['sleep', '600'], { timeoutMs: 3000 })).rejects.toThrow(/did not finish within 3000 ms; qemu was killed/);
      expect(Date.now() - started).toBeLessThan(20_000);
      const ps = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]).stdout.toString();
      expect(ps).not.toMatch(/qemu-system/);
    },
    60_000,
  );
});
