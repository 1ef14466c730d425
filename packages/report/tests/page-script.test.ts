// The HTML report in a real browser (headless Chromium from Debian's package), on real records
// of the founding scenarios run on this kernel. Without /usr/bin/chromium these tests are
// reported as skipped, with the reason in the suite's name and on stderr.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { groupRecords } from '../src/group';
import { renderHtml } from '../src/html';
import type { AnyScenarioRecord } from '../src/records';
import { groupBodyHtml, splitFlags } from '../src/view';
import { ARTIFACTS, chromiumMissing, launch } from './browser';
import type { Browser } from './browser';
import { FOUNDING, failingCopy, founding, withOtherKernel } from './record-fixtures';
import type { Run } from './record-fixtures';

jest.setTimeout(60_000);

if (chromiumMissing !== undefined) process.stderr.write(`@epl/report: the browser tests are SKIPPED: ${chromiumMissing}\n`);
// The one conditional skip of the suite: visible in jest's summary and named with its reason.
const inChromium = chromiumMissing === undefined ? describe : describe.skip;

interface WaitCell {
  id: string;
  v: number;
  step: number;
  cells: Record<string, string[]>;
}

interface Arrow {
  id: string;
  v: number;
  step: number;
  src: string;
  dst: string;
  flags: string;
  len: number;
  label: string;
  mark: string;
}

/** Every `wait` row of every variant panel: the chips shown per name (a `missing` chip is not a reported flag). */
function waitCells(page: Page): Promise<WaitCell[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('details.scn')).flatMap((sec) =>
      Array.from(sec.querySelectorAll<HTMLElement>('.panel')).flatMap((panel) => {
        const names = Array.from(panel.querySelectorAll<HTMLElement>('thead th.nm')).map((th) => th.dataset.name ?? '');
        return Array.from(panel.querySelectorAll<HTMLElement>('tr.step.wait')).map((tr) => ({
          id: sec.id,
          v: Number(panel.dataset.v),
          step: Number(tr.dataset.step),
          cells: Object.fromEntries(
            Array.from(tr.querySelectorAll('td.nm')).map((td, k) => [
              names[k],
              Array.from(td.querySelectorAll('.chip:not(.missing)')).map((c) => c.textContent),
            ]),
          ),
        }));
      }),
    ),
  );
}

/** Every arrow of every variant's diagram. */
function arrows(page: Page): Promise<Arrow[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('details.scn')).flatMap((sec) =>
      Array.from(sec.querySelectorAll<HTMLElement>('.panel')).flatMap((panel) =>
        Array.from(panel.querySelectorAll<SVGGElement>('tr.step g.arrow')).map((g) => ({
          id: sec.id,
          v: Number(panel.dataset.v),
          step: Number(g.closest('tr')?.dataset.step),
          src: g.dataset.src ?? '',
          dst: g.dataset.dst ?? '',
          flags: g.dataset.flags ?? '',
          len: Number(g.dataset.len),
          label: g.querySelector('text')?.textContent ?? '',
          mark: g.classList.contains('extra') ? 'extra' : g.classList.contains('missing') ? 'missing' : '',
        })),
      ),
    ),
  );
}

function recordOf(records: readonly AnyScenarioRecord[], id: string, v: number): AnyScenarioRecord {
  const g = groupRecords(records).find((x) => x.id === id);
  if (!g) throw new Error(`no scenario ${id}`);
  return g.variants[v].record;
}

async function current(page: Page): Promise<{ id?: string; focused: boolean; open?: boolean }> {
  return page.evaluate(() => {
    const sec = document.querySelector<HTMLDetailsElement>('details.scn.current');
    return { id: sec?.id, focused: sec !== null && document.activeElement === sec.querySelector('summary'), open: sec?.open };
  });
}

inChromium(`the report in Chromium${chromiumMissing !== undefined ? ` (SKIPPED: ${chromiumMissing})` : ''}`, () => {
  let browser: Browser;
  let good: Run;
  let bad: Run;

  beforeAll(async () => {
    good = await founding();
    bad = await failingCopy();
    browser = await launch();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser.close();
  });
  afterEach(() => {
    // Nothing a page did may throw, and nothing may be fetched: the report is self-contained.
    expect(browser.errors).toEqual([]);
    expect(browser.refused).toEqual([]);
  });

  it('runs the founding file: 5 scenarios × 3 families, every one passing', () => {
    expect(good.records.map((r) => [r.title.slice(0, 2), r.family, r.pass])).toEqual(
      ['1.', '2.', '3.', '4.', '5.'].flatMap((t) => ['tcp', 'tcp6', 'unix'].map((f) => [t, f, true])),
    );
  });

  it('a wait cell shows exactly the flags reported for that name', async () => {
    const page = await browser.open(renderHtml(good.records, { sources: good.sources }));
    const cells = await waitCells(page);
    const waits = good.records.reduce((n, r) => n + r.steps.filter((s) => s.ready !== undefined).length, 0);
    expect(waits).toBeGreaterThan(50);
    expect(cells).toHaveLength(waits);
    for (const c of cells) {
      const r = recordOf(good.records, c.id, c.v);
      const step = r.steps[c.step];
      const want = Object.fromEntries((r.names ?? []).map((n) => [n, splitFlags(step.ready?.find((e) => e.name === n)?.events ?? '')]));
      expect({ at: `${r.title} [${r.family}] line ${step.line}`, cells: c.cells }).toEqual({ at: `${r.title} [${r.family}] line ${step.line}`, cells: want });
    }
    // The dup scenario: after close(5), 5 is still reported (the registration lives on).
    const dup = cells.find((c) => recordOf(good.records, c.id, c.v).title.startsWith('3.') && recordOf(good.records, c.id, c.v).steps[c.step].line === 57);
    expect(dup?.cells).toEqual({ '5': ['OUT'], '6': ['OUT'], '3': [], '7': ['OUT'] });
    await page.close();
  });

  it('the diagram has one arrow per captured segment, labelled with its tcpdump flags and length', async () => {
    const page = await browser.open(renderHtml(good.records, { sources: good.sources }));
    const drawn = await arrows(page);
    const captured = good.records.filter((r) => r.wire.captured);
    const want: Arrow[] = [];
    for (const g of groupRecords(good.records))
      g.variants.forEach((v, k) =>
        v.record.steps.forEach((s, i) => {
          for (const w of s.wire ?? []) want.push({ id: g.id, v: k, step: i, ...w, label: `[${w.flags}]${w.len ? ` len ${w.len}` : ''}`, mark: '' });
        }),
      );
    if (captured.length === 0) {
      // Not root: nothing captured, and the page says so.
      expect(drawn).toEqual([]);
      expect(await page.locator('th.wire').first().textContent()).toContain('wire not captured');
    } else {
      expect(want.length).toBeGreaterThan(40);
      expect(drawn).toEqual(want);
      // The handshake of the setup and the FIN of scenario 1's close, as tcpdump would label them.
      expect(drawn.filter((a) => a.label === '[S.]').length).toBe(15);
      expect(drawn.some((a) => a.src === '5' && a.dst === '6' && a.label === '[F.]')).toBe(true);
    }
    await page.close();
  });

  it('a failed step is marked in place and shows expected vs got', async () => {
    const page = await browser.open(renderHtml(bad.records, { sources: bad.sources }));
    const failing = bad.records.filter((r) => !r.pass);
    expect(failing.map((r) => [r.title.slice(0, 2), r.family])).toEqual([
      ['1.', 'tcp'],
      ['1.', 'tcp6'],
      ['1.', 'unix'],
    ]);
    const sec = page.locator('details.scn.fail');
    expect(await sec.count()).toBe(1);
    expect(await sec.locator('summary .title').textContent()).toBe(failing[0].title);
    const panel = sec.locator('.panel').first();
    const rows = panel.locator('tr.step.fail');
    expect(await rows.count()).toBe(2);
    // The wait: expected vs got in EPL syntax, and the chips say which flags differ.
    const wait = rows.nth(0);
    expect(await wait.getAttribute('data-line')).toBe('20');
    expect((await wait.locator('.xp').innerText()).replace(/\s+/g, ' ')).toBe('=> expected 5: OUT, 6: IN|OUT got 5: IN|OUT|RDHUP, 6: OUT');
    expect(await wait.locator('.chip.extra').allTextContents()).toEqual(['IN', 'RDHUP']);
    expect(await wait.locator('.chip.missing').allTextContents()).toEqual(['IN']);
    expect(await wait.locator('td.st').textContent()).toContain('✗');
    // The close: the wire expected from 6, captured from 5.
    const close = rows.nth(1);
    expect(await close.getAttribute('data-line')).toBe('27');
    expect((await close.locator('.xp').innerText()).replace(/\s+/g, ' ')).toBe('~> expected 6 > 5 F. got 5 > 6 F.');
    const marks = await close
      .locator('g.arrow')
      .evaluateAll((gs) => gs.map((g) => `${g.getAttribute('class') ?? ''} ${g.querySelector('title')?.textContent ?? ''}`));
    expect(marks).toEqual(['arrow k-fin extra 5 > 6 F. (not expected)', 'arrow k-fin missing 6 > 5 F. (expected, not captured)']);
    // The index and the header count it.
    expect(await page.locator('#index li.it .st-icon.fail').count()).toBe(1);
    expect(await page.locator('header .count.fail').textContent()).toBe('3 failed');
    await sec.screenshot({ path: path.join(ARTIFACTS, 'failing-copy-scenario-1.png') });
    await page.close();
  });

  it('marks errored and flaky runs and steps whose wire was not checked', async () => {
    const base = good.records.filter((r) => r.title.startsWith('2.'));
    const errored: AnyScenarioRecord = { ...base[0], pass: false, error: 'over its time budget (10000 ms)', steps: base[0].steps.slice(0, 8) };
    const flaky: AnyScenarioRecord = { ...base[1], attempts: 2, flaky: { attempts: 2, firstFailure: 'founding.epl:33:3: … ~> expectation failed' } };
    const unchecked: AnyScenarioRecord = {
      ...base[2],
      wire: { captured: false, reason: 'no CAP_NET_RAW' },
      steps: base[2].steps.map(({ wire: _wire, ...s }) => (s.wireExpect !== undefined ? { ...s, wireChecked: false } : s)),
    };
    const page = await browser.open(renderHtml([errored, flaky, unchecked], { sources: good.sources }));
    const sec = page.locator('details.scn');
    expect(await sec.getAttribute('data-status')).toBe('error');
    expect(await sec.locator('.vars .var').allTextContents()).toEqual(['! tcp', '~ tcp6', '✓ unix']);
    const panels = sec.locator('.panel');
    expect(await panels.nth(0).locator('.banner.err').textContent()).toContain('over its time budget (10000 ms)');
    expect(await panels.nth(0).locator('tr.step.err').textContent()).toContain('did not complete: over its time budget');
    expect(await panels.nth(0).locator('tr.step').count()).toBe(9);
    expect(await panels.nth(1).locator('.banner.flaky summary').textContent()).toContain('passed on attempt 2 of 2');
    expect(await panels.nth(1).locator('.banner.flaky pre').textContent()).toBe('founding.epl:33:3: … ~> expectation failed');
    const unck = panels.nth(2).locator('tr.step.unck');
    expect(await unck.count()).toBe(unchecked.steps.filter((s) => s.wireChecked === false).length);
    expect(await unck.first().locator('.unck').textContent()).toContain('not checked: the wire was not captured');
    expect(await panels.nth(2).locator('th.wire').textContent()).toBe('wire not captured: no CAP_NET_RAW');
    // Setup steps are set apart from the scenario's own.
    expect(await panels.nth(2).locator('tbody.setup tr.step').count()).toBe(5);
    expect(await panels.nth(2).locator('tbody.own tr.step').count()).toBe(14);
    await page.close();
  });

  it('shows families and kernels side by side, the differing cells highlighted', async () => {
    const records = withOtherKernel(good.records, '4.2.0-other');
    const page = await browser.open(renderHtml(records, { sources: good.sources }));
    const sec = page.locator('details.scn').first();
    expect(await sec.locator('.tab').allTextContents()).toEqual(
      ['tcp · 6.18.44-fc-v1252', 'tcp6 · 6.18.44-fc-v1252', 'unix · 6.18.44-fc-v1252', 'tcp · 4.2.0-other', 'tcp6 · 4.2.0-other', 'unix · 4.2.0-other'].map(
        (l) => l.replace('6.18.44-fc-v1252', good.records[0].kernel),
      ),
    );
    const mx = sec.locator('details.mx');
    expect(await mx.getAttribute('open')).toBe('');
    expect(await mx.locator('summary').textContent()).toContain('6 runs side by side: 1 of 15 steps differ');
    const row = mx.locator('tr.differs');
    expect(await row.count()).toBe(1);
    expect(await row.locator('td.op').textContent()).toBe('wait');
    expect(await row.locator('td.diff').allTextContents()).toEqual(['✗5: OUT', '✗5: OUT', '✗5: OUT']);
    // A scenario whose variants all agree keeps its table folded.
    const same = renderHtml(good.records, { sources: good.sources });
    const page2 = await browser.open(same);
    expect(await page2.locator('details.mx[open]').count()).toBe(0);
    expect(await page2.locator('details.mx summary').first().textContent()).toBe('tcp · tcp6 · unix side by side: all 15 steps agree');
    await sec.screenshot({ path: path.join(ARTIFACTS, 'kernels-side-by-side.png') });
    await page.close();
    await page2.close();
  });

  describe('many scenarios', () => {
    // 60 copies of the founding file's 5 scenarios under other names: too many to open at once.
    let many: AnyScenarioRecord[];
    let page: Page;
    beforeAll(() => {
      many = [];
      for (let k = 1; k <= 12; k++) many.push(...good.records.map((r) => ({ ...r, file: `copy-${String(k).padStart(2, '0')}/founding.epl` })));
    });
    beforeEach(async () => {
      page = await browser.open(renderHtml(many));
    });
    afterEach(async () => {
      await page.close();
    });

    it('opens collapsed, and a scenario renders when opened, as it would have been written in Node', async () => {
      expect(await page.locator('details.scn').count()).toBe(60);
      expect(await page.locator('details.scn[open]').count()).toBe(0);
      expect(await page.locator('details.scn .body table').count()).toBe(0);
      const groups = groupRecords(many);
      await page.locator(`#${groups[7].id} > summary`).click();
      await page.waitForFunction((id) => document.querySelector(`#${id} .body table`) !== null, groups[7].id);
      const lazy = await page.locator(`#${groups[7].id} .body`).innerHTML();
      const direct = await page.evaluate((html) => {
        const t = document.createElement('template');
        t.innerHTML = html;
        return t.innerHTML;
      }, groupBodyHtml(groups[7]));
      expect(lazy).toBe(direct);
      expect(lazy).toContain('<table class="tl"');
      expect(await current(page)).toEqual({ id: groups[7].id, focused: true, open: true });
    });

    it('keyboard: j and k move between scenarios, Enter and o open, h and l switch families', async () => {
      const ids = groupRecords(many).map((g) => g.id);
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('j');
      expect(await current(page)).toEqual({ id: ids[0], focused: true, open: false });
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      expect((await current(page)).id).toBe(ids[2]);
      await page.keyboard.press('k');
      expect(await current(page)).toEqual({ id: ids[1], focused: true, open: false });
      expect(await page.locator('#index li.it.current a').getAttribute('href')).toBe(`#${ids[1]}`);
      await page.keyboard.press('Enter');
      await page.waitForFunction((id) => document.querySelector(`#${id} .body table`) !== null, ids[1]);
      expect((await current(page)).open).toBe(true);
      const on = () => page.locator(`#${ids[1]} .tab.on`).textContent();
      expect(await on()).toBe('tcp');
      await page.keyboard.press('l');
      expect(await on()).toBe('tcp6');
      await page.keyboard.press('l');
      await page.keyboard.press('l');
      expect(await on()).toBe('unix');
      await page.keyboard.press('h');
      expect(await on()).toBe('tcp6');
      expect(await page.locator(`#${ids[1]} .panel.on`).getAttribute('data-v')).toBe('1');
      await page.keyboard.press('o');
      expect((await current(page)).open).toBe(false);
      await page.keyboard.press('?');
      expect(await page.locator('#help').isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      expect(await page.locator('#help').isVisible()).toBe(false);
    });

    it('the filter: / focuses it, words narrow the scenarios and the index, Enter goes to the first', async () => {
      await page.keyboard.press('/');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('filter');
      await page.keyboard.type('copy-03 dup');
      const visible = await page.locator('details.scn:not([hidden]) summary .title').allTextContents();
      expect(visible.map((t) => t.slice(0, 2))).toEqual(['3.', '4.', '5.']);
      expect(await page.locator('#index li.it:not([hidden])').count()).toBe(3);
      expect(await page.locator('#index li.file:not([hidden])').count()).toBe(1);
      expect(await page.locator('#shown').textContent()).toBe('3 of 60 scenarios');
      await page.keyboard.press('Enter');
      const first = await current(page);
      expect(first.focused).toBe(true);
      expect(await page.locator(`#${first.id ?? ''} .where`).textContent()).toBe('copy-03/founding.epl:49');
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      expect(await page.locator(`#${(await current(page)).id ?? ''} .title`).textContent()).toMatch(/^5\./);
      // Nothing failed here: the problems-only switch (f) leaves nothing.
      await page.keyboard.press('f');
      expect(await page.locator('#shown').textContent()).toBe('0 of 60 scenarios');
      await page.keyboard.press('f');
      // Escape in the filter empties it (the browser's own way with a search box) and leaves it.
      await page.keyboard.press('/');
      await page.keyboard.press('Escape');
      expect(await page.evaluate(() => document.activeElement?.id)).not.toBe('filter');
      expect(await page.locator('#shown').textContent()).toBe('60 scenarios');
    });

    it('a link to a scenario opens it', async () => {
      const id = groupRecords(many)[42].id;
      await page.locator(`#index a[href="#${id}"]`).click();
      await page.waitForFunction((x) => document.querySelector(`#${x} .body table`) !== null, id);
      expect(await current(page)).toEqual({ id, focused: true, open: true });
    });
  });

  it('prints without the index, every family of an open scenario one after the other', async () => {
    const page = await browser.open(renderHtml(good.records, { sources: good.sources }));
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#index').isVisible()).toBe(false);
    expect(await page.locator('.panel:visible').count()).toBe(15);
    expect(await page.locator('.panel .vh:visible').count()).toBe(15);
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'founding.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });

  it('saves screenshots of the founding file', async () => {
    const page = await browser.open(renderHtml(good.records, { title: `epl run ${FOUNDING}`, sources: good.sources }));
    const shots = ['founding-top.png', 'founding-full.png'];
    await page.screenshot({ path: path.join(ARTIFACTS, shots[0]) });
    await page.screenshot({ path: path.join(ARTIFACTS, shots[1]), fullPage: true });
    const sections = page.locator('details.scn');
    for (let k = 0; k < (await sections.count()); k++) {
      const name = `founding-scenario-${k + 1}.png`;
      await sections.nth(k).screenshot({ path: path.join(ARTIFACTS, name) });
      shots.push(name);
    }
    for (const s of shots) expect(fs.readFileSync(path.join(ARTIFACTS, s)).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });
});
