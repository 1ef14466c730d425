// The HTML report (@epl/report) on real records: how big the page is, how long Node takes to
// write it and Chromium to show it.
//   report_corpus_records          records of scenarios/ run with --family tcp,tcp6,unix
//   report_corpus_html_kb          renderHtml of them (with the sources), every scenario open
//   report_corpus_render_ms        renderHtml's time in Node (best of 5)
//   report_corpus_load_ms          Chromium: navigation start to the end of the load event,
//                                  the file opened from disk (best of 3, a fresh tab each)
//   report_corpus_fcp_ms           Chromium: navigation start to the first contentful paint
//   report_1000_records            the corpus repeated under other file names up to 1,000
//                                  scenarios, each with its three families
//   report_1000_html_kb, _render_ms, _load_ms, _fcp_ms   the same for that report (folded:
//                                  scenarios are written by the page when opened)
//   report_1000_open_ms            Chromium: opening one folded scenario right after the load,
//                                  from the click on its summary to the frame after its table is
//                                  laid out (unpacking the page's records included if need be)
//   report_1000_junit_kb, report_1000_junit_ms, report_1000_tap_kb   the CI formats of it
// Browser figures need /usr/bin/chromium (Debian's `chromium`); without it they are left out
// and the bench says so on stderr. Timings on a shared 2-core machine vary with its load.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH, renderHtml, renderJunit, renderTap } from '@epl/report';
import type { AnyScenarioRecord } from '@epl/report';
import type { Bench, Report } from '../bench';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SCENARIOS = 1000;

/** Best (lowest) of `runs` timings of `f`, in ms. */
function best(runs: number, f: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    f();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return min;
}

/** The corpus run as `epl run scenarios --json --family tcp,tcp6,unix` would print it, and its sources. */
async function corpus(): Promise<{ records: AnyScenarioRecord[]; sources: Map<string, string> }> {
  const { runFiles } = await import('@epl/runner');
  const { toRecord } = await import('@epl/report');
  const reports = [];
  for await (const f of runFiles([path.join(ROOT, 'scenarios')], { families: ['tcp', 'tcp6', 'unix'], retries: 2, keep: 'all' })) reports.push(f);
  const records: AnyScenarioRecord[] = [];
  const sources = new Map<string, string>();
  for (const f of reports) {
    const file = path.relative(ROOT, f.file);
    if (f.source !== undefined) sources.set(file, f.source);
    for (const s of f.scenarios) records.push({ ...toRecord(s, f.source), file });
  }
  return { records, sources };
}

/** The corpus repeated under numbered folders until `n` scenarios (every family of each). */
function repeated(records: readonly AnyScenarioRecord[], n: number): AnyScenarioRecord[] {
  const byScenario = new Map<string, AnyScenarioRecord[]>();
  for (const r of records) {
    const key = `${r.file}\0${r.title}`;
    byScenario.set(key, [...(byScenario.get(key) ?? []), r]);
  }
  const scenarios = [...byScenario.values()];
  const out: AnyScenarioRecord[] = [];
  for (let i = 0; i < n; i++) {
    const copy = String(Math.floor(i / scenarios.length) + 1).padStart(3, '0');
    for (const r of scenarios[i % scenarios.length]) out.push({ ...r, file: `copy-${copy}/${r.file}` });
  }
  return out;
}

interface PageTimes {
  load: number;
  fcp: number;
  open?: number;
}

/** Opens each page `runs` times in a fresh tab; the best load and first paint (and opening a folded scenario). */
async function browserTimes(pages: readonly { file: string; open: boolean }[], runs: number): Promise<PageTimes[] | string> {
  if (!fs.existsSync(CHROMIUM_PATH)) return `${CHROMIUM_PATH} not found (apt-get install -y chromium)`;
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const out: PageTimes[] = [];
    for (const p of pages) {
      const times: PageTimes = { load: Infinity, fcp: Infinity, ...(p.open ? { open: Infinity } : {}) };
      for (let i = 0; i < runs; i++) {
        const page = await context.newPage();
        await page.goto(`file://${p.file}`, { waitUntil: 'load' });
        // The paint entry comes after the frame is presented: wait for it (buffered), 5 s at most.
        const t = JSON.parse(
          await page.evaluate(`new Promise((done) => {
            const answer = (fcp) => done(JSON.stringify({ load: performance.getEntriesByType('navigation')[0].loadEventEnd, fcp }));
            const timer = setTimeout(() => answer(-1), 5000);
            new PerformanceObserver((list) => {
              const e = list.getEntriesByName('first-contentful-paint')[0];
              if (e) { clearTimeout(timer); answer(e.startTime); }
            }).observe({ type: 'paint', buffered: true });
          })`),
        ) as { load: number; fcp: number };
        times.load = Math.min(times.load, t.load);
        if (t.fcp >= 0) times.fcp = Math.min(times.fcp, t.fcp);
        if (p.open) {
          // In the page, at once after the load: a click on the 500th folded scenario's summary,
          // to its table written (the records unpacked first if they are not yet), laid out, and
          // the frame after.
          const ms = Number(
            await page.evaluate(`new Promise((done) => {
              const sec = document.querySelectorAll('details.scn:not([open])')[500];
              const started = performance.now();
              const finish = () => {
                void sec.querySelector('table.tl').offsetHeight;
                requestAnimationFrame(() => setTimeout(() => done(performance.now() - started)));
              };
              new MutationObserver((_, seen) => {
                if (sec.querySelector('table.tl')) { seen.disconnect(); finish(); }
              }).observe(sec, { childList: true, subtree: true });
              sec.querySelector('summary').click();
            })`),
          );
          times.open = Math.min(times.open ?? Infinity, ms);
        }
        await page.close();
      }
      out.push(times);
    }
    return out;
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function run(report: Report): Promise<void> {
  const { records, sources } = await corpus();
  const big = repeated(records, SCENARIOS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-bench-report-'));
  try {
    const corpusHtml = renderHtml(records, { title: 'epl run scenarios', sources });
    const bigHtml = renderHtml(big, { title: `epl run: ${SCENARIOS} scenarios` });
    const files = [path.join(dir, 'corpus.html'), path.join(dir, 'big.html')];
    fs.writeFileSync(files[0], corpusHtml);
    fs.writeFileSync(files[1], bigHtml);
    report('report_corpus_records', records.length);
    report('report_corpus_html_kb', Math.round(Buffer.byteLength(corpusHtml) / 1024), 'KiB');
    report(
      'report_corpus_render_ms',
      best(5, () => renderHtml(records, { sources })),
      'ms',
    );
    report('report_1000_records', big.length);
    report('report_1000_html_kb', Math.round(Buffer.byteLength(bigHtml) / 1024), 'KiB');
    report(
      'report_1000_render_ms',
      best(5, () => renderHtml(big)),
      'ms',
    );
    const junit = renderJunit(big);
    report('report_1000_junit_kb', Math.round(Buffer.byteLength(junit) / 1024), 'KiB');
    report(
      'report_1000_junit_ms',
      best(5, () => renderJunit(big)),
      'ms',
    );
    report('report_1000_tap_kb', Math.round(Buffer.byteLength(renderTap(big)) / 1024), 'KiB');
    const times = await browserTimes(
      [
        { file: files[0], open: false },
        { file: files[1], open: true },
      ],
      3,
    );
    if (typeof times === 'string') {
      process.stderr.write(`report: no browser timings: ${times}\n`);
      return;
    }
    report('report_corpus_load_ms', times[0].load, 'ms');
    if (Number.isFinite(times[0].fcp)) report('report_corpus_fcp_ms', times[0].fcp, 'ms');
    report('report_1000_load_ms', times[1].load, 'ms');
    if (Number.isFinite(times[1].fcp)) report('report_1000_fcp_ms', times[1].fcp, 'ms');
    report('report_1000_open_ms', times[1].open ?? NaN, 'ms');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const bench: Bench = { id: 'report', run };
