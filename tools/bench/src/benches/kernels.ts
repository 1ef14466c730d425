// epl under the guest kernels fetched on this machine (`epl kernels fetch 5.10 6.1 6.12`), through
// @epl/kernels' runOnKernels (one qemu VM per kernel per run). Per kernel K:
//   kernel_K_first_output_ms        qemu start to the guest's /init (kernel boot)
//   kernel_K_boot_ms                qemu start to the command's start (modules, 9p mounts, lo up)
//   kernel_K_first_scenario_ms      qemu start to the end of an `epl run` of the first founding
//                                   scenario alone (boot_ms + that run, timed inside the guest)
//   kernel_K_founding_wall_ms       `epl run scenarios/founding` in a VM, boot to power-off
//   kernel_K_scenarios_wall_ms      `epl run scenarios` (the whole corpus) in a VM
//   kernel_K_MODE_founding_passes   of EPL_BENCH_KERNEL_REPEAT (default 20) runs of
//                                   `epl run scenarios/founding` in one VM, the runs where all 5
//                                   passed; MODE smp2 (TCG, 2 vCPUs, the default), smp1, icount
//                                   (TCG `-icount shift=0,sleep=off`, 1 vCPU). Each failed step is
//                                   printed on stderr (kernel, mode, step, expected, got).
// kernels_scenarios_wall_ms: the corpus under every guest kernel, one after the other.
// EPL_BENCH_KERNELS=6.1,6.12 picks kernels; EPL_BENCH_KERNEL_MODES=smp2,icount picks modes;
// EPL_BENCH_KERNEL_TIMES=0 leaves out the boot and wall times (only the repeated runs).
// Runs only when named (`npm run bench -- kernels`): about 15 minutes for three kernels under TCG.
import * as path from 'node:path';
import type { Bench, Report } from '../bench';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const EPL_JS = path.join(ROOT, 'packages', 'cli', 'bin', 'epl.js');
const FIRST_TITLE = '1. ';
const RUN_MARK = '=== epl run status';

type Mode = 'smp2' | 'smp1' | 'icount';
const MODES: Record<Mode, { smp: number; icount: boolean }> = {
  smp2: { smp: 2, icount: false },
  smp1: { smp: 1, icount: false },
  icount: { smp: 1, icount: true },
};

export const bench: Bench = {
  id: 'kernels',
  onlyWhenNamed: true,
  async run(report: Report): Promise<void> {
    const k = require('@epl/kernels') as typeof import('@epl/kernels');
    const cacheDir = k.defaultCacheDir();
    const wanted = process.env.EPL_BENCH_KERNELS?.split(',').filter(Boolean) ?? k.CATALOGUE.map((c) => c.name);
    const kernels = wanted.filter((n) => {
      if (k.readFetched(cacheDir, k.findKernel(n))) return true;
      process.stderr.write(`bench kernels: ${n} is not fetched (epl kernels fetch ${n}): skipped\n`);
      return false;
    });
    const repeat = Number(process.env.EPL_BENCH_KERNEL_REPEAT ?? 20);
    const modes = (process.env.EPL_BENCH_KERNEL_MODES ?? 'smp2,icount').split(',').filter((m): m is Mode => m in MODES);
    const opts = { cwd: ROOT, timeoutMs: 900_000 };
    const node = process.execPath;

    const times = process.env.EPL_BENCH_KERNEL_TIMES !== '0';
    for (const name of times ? kernels : []) {
      const first = await k.runInKernel(
        name,
        [
          '/bin/sh',
          '-c',
          `s=$(date +%s%N); "$0" "$1" run --json --filter "$2" scenarios/founding; echo "took $(( ($(date +%s%N) - s) / 1000000 ))"`,
          node,
          EPL_JS,
          FIRST_TITLE,
        ],
        opts,
      );
      const took = Number(/took (\d+)/.exec(first.stdout)?.[1] ?? NaN);
      report(`kernel_${name}_first_output_ms`, first.firstOutputMs, 'ms');
      report(`kernel_${name}_boot_ms`, first.bootMs, 'ms');
      report(`kernel_${name}_first_scenario_ms`, first.bootMs + took, 'ms');
      const [founding] = await k.runOnKernels([name], ['scenarios/founding'], opts);
      if (founding.error) throw new Error(founding.error);
      report(`kernel_${name}_founding_wall_ms`, founding.wallMs, 'ms');
    }
    let all = 0;
    for (const name of times ? kernels : []) {
      const [corpus] = await k.runOnKernels([name], ['scenarios'], opts);
      if (corpus.error) throw new Error(corpus.error);
      report(`kernel_${name}_scenarios_wall_ms`, corpus.wallMs, 'ms');
      all += corpus.wallMs;
    }
    if (times && kernels.length) report('kernels_scenarios_wall_ms', all, 'ms');

    for (const mode of modes) {
      for (const name of kernels) {
        const loop = `i=0; while [ $i -lt ${repeat} ]; do "$0" "$1" run --json scenarios/founding; echo "${RUN_MARK} $?"; i=$((i+1)); done`;
        const g = await k.runInKernel(name, ['/bin/sh', '-c', loop, node, EPL_JS], { ...opts, ...MODES[mode] });
        let passes = 0;
        let run = 0;
        let lines: string[] = [];
        for (const line of g.stdout.split('\n')) {
          if (!line.startsWith(RUN_MARK)) {
            if (line.trim()) lines.push(line);
            continue;
          }
          run++;
          const records = k.parseRecords(lines.join('\n'), `${name} ${mode} run ${run}`);
          lines = [];
          if (line.endsWith(' 0') && records.length === 5 && records.every((r) => r.pass)) passes++;
          for (const r of records)
            for (const s of r.steps)
              if (!s.pass)
                process.stderr.write(
                  `flip: ${name} ${mode} run ${run}: ${r.file}:${s.line}:${s.col} "${r.title}" ${s.op}: expected ${s.expect ?? ''} ~> ${s.wireExpect ?? ''}; got ${s.got} ~> ${(s.wire ?? []).map((w) => `${w.src} > ${w.dst} ${w.flags}`).join(', ') || 'none'}\n`,
                );
        }
        report(`kernel_${name}_${mode}_founding_passes`, passes, `of ${run}`);
        report(`kernel_${name}_${mode}_vm_wall_ms`, g.wallMs, 'ms');
      }
    }
  },
};
