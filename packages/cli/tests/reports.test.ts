// --html, --junit and --tap on run, record and explain, on the kernel: the files are written and
// valid (JUnit against the schema packages/report promises, with xmllint; TAP through node-tap's
// parser; the HTML opened from disk in headless Chromium), and a file that cannot be written is
// one line and exit 74. Without /usr/bin/chromium the browser test is reported as skipped.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Parser } from 'tap-parser';
import { validateXML } from 'xmllint-wasm';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@epl/report';
import { explainFiles, parseExplainArgs } from '../src/commands/explain';
import { main } from '../src/main';
import { reportPaths, wantsReports } from '../src/reports';
import { captureIo } from './commands/io';

jest.setTimeout(120_000);

const XSD = readFileSync(path.join(__dirname, '..', '..', 'report', 'tests', 'junit.xsd'), 'utf8');
const chromiumMissing = existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} not found; install it with: apt-get install -y chromium`;
if (chromiumMissing !== undefined) process.stderr.write(`@epl/cli: the browser test is SKIPPED: ${chromiumMissing}\n`);
const inChromium = chromiumMissing === undefined ? it : it.skip;

const SOURCE = `pipe r w
epoll ep
add ep r IN

scenario "a pipe wakes its reader" {
  write w "hi"   => 2
  wait           => r: IN
  read r 1       => "h"
  wait           => r: IN
}

scenario "wrong on purpose" {
  write w "a"    => 1
  wait           => r: OUT     # it reports IN
}

scenario "a tcp pair" {
  tcp 5 6
  close 5        ~> 5 > 6 F.
}
`;

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'epl-cli-reports-'));
  file = path.join(dir, 'reports.epl');
  writeFileSync(file, SOURCE);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function epl(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

async function junitErrors(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: { fileName: 'report.xml', contents: xml }, schema: { fileName: 'junit.xsd', contents: XSD } });
  return r.errors.map((e) => e.rawMessage);
}

function tap(text: string): Promise<{ ok: boolean; count: number; pass: number; fail: number }> {
  return new Promise((resolve) => {
    const p = new Parser((final) => resolve({ ok: final.ok, count: final.count, pass: final.pass, fail: final.fail }));
    p.end(text);
  });
}

const out = (name: string) => path.join(dir, name);

describe('reportPaths', () => {
  it('takes the three options, refuses an empty path', () => {
    expect(reportPaths({ html: 'a.html', tap: 't' })).toEqual({ html: 'a.html', tap: 't' });
    expect(reportPaths({ junit: '' })).toBe('--junit takes a file');
    expect(wantsReports(reportPaths({}) as object)).toBe(false);
  });
});

describe('epl run --html --junit --tap', () => {
  it('writes the three reports of the run beside its text, valid, with the failure located', async () => {
    const r = await epl('run', file, '--html', out('r.html'), '--junit', out('r.xml'), '--tap', out('r.tap'));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL ${file} (1 of 3 scenarios failed)`);
    const xml = readFileSync(out('r.xml'), 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toContain(`<testsuites name="epl run ${file}" tests="3" failures="1" errors="0">`);
    expect(xml).toContain(`message="${file}:14:3: =&gt; expected r: OUT, got r: IN"`);
    expect(await tap(readFileSync(out('r.tap'), 'utf8'))).toEqual({ ok: false, count: 3, pass: 2, fail: 1 });
    const html = readFileSync(out('r.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`<title>epl run ${file}</title>`);
  });

  it('a report that cannot be written is one line on stderr and exit 74, after the run printed its results', async () => {
    const r = await epl('run', file, '--junit', dir);
    expect(r.code).toBe(74);
    expect(r.err).toBe(`epl run: cannot write ${dir}: EISDIR (is a folder)\n`);
    expect(r.out).toContain(`FAIL ${file}`);
  });
});

describe('epl record --html --junit --tap', () => {
  it('writes the reports of the recorded run', async () => {
    const r = await epl('record', file, '--junit', out('rec.xml'), '--tap', out('rec.tap'), '--html', out('rec.html'));
    expect(r.code).toBe(1);
    const xml = readFileSync(out('rec.xml'), 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toContain('tests="3" failures="1"');
    expect(await tap(readFileSync(out('rec.tap'), 'utf8'))).toMatchObject({ count: 3, fail: 1 });
    expect(readFileSync(out('rec.html'), 'utf8')).toContain(`<title>epl record ${file}</title>`);
    expect((await epl('record', file, '--html', path.join(dir, 'nope', 'x.html'))).code).toBe(74);
  });
});

describe('epl explain --html --junit --tap', () => {
  it('the model agrees: every testcase passes, whatever the file expected', async () => {
    const r = await epl('explain', file, '--junit', out('e.xml'), '--tap', out('e.tap'));
    expect(r.code).toBe(0);
    const xml = readFileSync(out('e.xml'), 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toContain('tests="3" failures="0" errors="0"');
    expect(await tap(readFileSync(out('e.tap'), 'utf8'))).toEqual({ ok: true, count: 3, pass: 3, fail: 0 });
  });

  it('a planted disagreement fails its testcase with the model answer against the kernel one', async () => {
    const parsed = parseExplainArgs([file, '--junit', out('p.xml'), '--tap', out('p.tap')]);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(await explainFiles(parsed, captureIo(), { flip: ['epoll.lt-requeue'] })).toBe(1);
    const xml = readFileSync(out('p.xml'), 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<failure type="model" message="[^"]*: =&gt; model [^"]*, kernel [^"]*"/);
    expect(await tap(readFileSync(out('p.tap'), 'utf8'))).toMatchObject({ ok: false, count: 3 });
  });

  inChromium('the HTML opens from disk in Chromium: reasons under each statement, the disagreeing step marked', async () => {
    const parsed = parseExplainArgs([file, '--html', out('p.html')]);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(await explainFiles(parsed, captureIo(), { flip: ['epoll.lt-requeue'] })).toBe(1);
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(path.join(tmpdir(), 'epl-cli-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
    const fetched: string[] = [];
    try {
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url === `file://${out('p.html')}`) return route.continue();
        fetched.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      await page.goto(`file://${out('p.html')}`);
      const seen = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('details.scn')).map((sec) => ({
          title: sec.querySelector('.title')?.textContent ?? '',
          status: sec.dataset.status ?? '',
          rows: Array.from(sec.querySelectorAll<HTMLElement>('tr.step')).map((tr) => ({
            statement: tr.querySelector('td.op code')?.textContent ?? '',
            failed: tr.classList.contains('fail'),
            why: Array.from(tr.querySelectorAll('ul.why li')).map((li) => li.textContent ?? ''),
            xp: Array.from(tr.querySelectorAll('.xp b')).map((b) => b.textContent ?? ''),
          })),
        })),
      );
      expect(seen.map((s) => [s.title, s.status])).toEqual([
        ['a pipe wakes its reader', 'fail'],
        ['wrong on purpose', 'pass'],
        ['a tcp pair', 'pass'],
      ]);
      const rows = seen[0].rows;
      // Every step carries the model's reasons; the wait after the first one disagrees (the flipped rule).
      expect(rows.every((row) => row.why.length > 0)).toBe(true);
      expect(rows.find((row) => row.statement === 'add ep r IN')?.why).toEqual(['ep registers (file#0, fd r) for IN|ERR|HUP, data r']);
      const failed = rows.filter((row) => row.failed);
      expect(failed.map((row) => row.statement)).toEqual(['wait']);
      expect(failed[0].xp).toEqual(['=> model', 'kernel']);
      expect(fetched).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
