import * as vm from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { groupRecords } from '../src/group';
import { OPEN_ALL_MAX, OPEN_PROBLEMS_MAX, renderHtml } from '../src/html';
import type { AnyScenarioRecord } from '../src/records';
import { sample, sampleFailing } from './record-fixtures';

/** `n` scenarios: `sample()` under numbered titles, every `failEvery`-th one failing. */
function many(n: number, failEvery = 0): AnyScenarioRecord[] {
  return Array.from({ length: n }, (_, i) => ({ ...(failEvery && i % failEvery === 0 ? sampleFailing() : sample()), title: `scenario ${i}` }));
}

/** The records of the folded scenarios the page carries, by section id. */
function data(html: string): Record<string, unknown> {
  const m = /<script type="application\/octet-stream" id="epl-data" data-encoding="gzip base64">([A-Za-z0-9+/=]*)<\/script>/.exec(html);
  if (!m) return {};
  const lines = gunzipSync(Buffer.from(m[1], 'base64')).toString().split('\n');
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('\t')), JSON.parse(l.slice(l.indexOf('\t') + 1)) as unknown]));
}

function script(html: string): string {
  const m = /<script>((?:(?!<script>)[^])*)<\/script><\/body>/.exec(html);
  if (!m) throw new Error('no script');
  return m[1];
}

describe('renderHtml', () => {
  it('is one self-contained page: inline style and script, nothing to fetch', () => {
    const html = renderHtml([sample(), sampleFailing()]);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')).toBe(true);
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
    expect(html).not.toMatch(/url\(|@import|https?:\/\//);
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(() => new vm.Script(script(html))).not.toThrow();
  });

  it('has the counts, a legend, an index entry and a section per scenario', () => {
    const html = renderHtml([sample(), sampleFailing(), sample({ title: 'other', file: 'b.epl' })], { title: 'my run' });
    expect(html).toContain('<title>my run</title>');
    expect(html).toContain(
      '<b>3</b> runs of <b>2</b> scenarios in <b>2</b> files</span><span class="count pass">2 passed</span><span class="count fail">1 failed</span>',
    );
    expect(html).toContain('<b>epoll_wait reports</b><i class="chip c-IN" title="IN">IN</i>');
    const ids = groupRecords([sample(), sample({ title: 'other', file: 'b.epl' })]).map((g) => g.id);
    expect([...html.matchAll(/<li class="it" data-id="([^"]+)"><a href="#([^"]+)">/g)].map((m) => [m[1], m[2]])).toEqual(ids.map((id) => [id, id]));
    expect([...html.matchAll(/<details class="scn (\w+)" id="([^"]+)"/g)].map((m) => [m[1], m[2]])).toEqual([
      ['fail', ids[0]],
      ['pass', ids[1]],
    ]);
    expect(html).toContain('<span class="var fail" title="tcp #2: failed">✗ tcp #2</span>');
    // A scenario that did not pass says why on its summary line, folded or not.
    expect(html).toContain('<span class="why" title="tcp #2: line 7 shutdown 5 WR: ~&gt; expected 5 &gt; 6 F., 6 &gt; 5 ., got 5 &gt; 6 F.">');
    expect(renderHtml([sample({ error: 'the worker died', pass: false })])).toContain('<span class="why" title="tcp: error: the worker died">');
  });

  it('escapes what the records say: a title cannot close the script or add markup', () => {
    const evil = '</script><img src=x onerror=alert(1)> & "q"';
    const records = many(OPEN_ALL_MAX + 1).map((r, i) => (i === 3 ? { ...r, title: evil, file: `<b>${i}.epl` } : r));
    const html = renderHtml(records);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
    // The scenario is folded: its records travel packed (base64 has no `<`).
    expect(JSON.stringify(data(html))).toContain(JSON.stringify(evil));
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });

  it(`opens every scenario of a report of at most ${OPEN_ALL_MAX}, written in the page`, () => {
    const html = renderHtml(many(OPEN_ALL_MAX, 7));
    expect(html.match(/<details class="scn [a-z]+" [^>]*data-rendered="1" open>/g)).toHaveLength(OPEN_ALL_MAX);
    expect(data(html)).toEqual({});
  });

  it(`a larger one opens its first ${OPEN_PROBLEMS_MAX} problems only; the rest render from embedded data when opened`, () => {
    const records = many(200, 3);
    const html = renderHtml(records);
    const groups = groupRecords(records);
    const open = [...html.matchAll(/<details class="scn [a-z]+" id="([^"]+)"[^>]* open>/g)].map((m) => m[1]);
    expect(open).toEqual(
      groups
        .filter((g) => g.status === 'fail')
        .slice(0, OPEN_PROBLEMS_MAX)
        .map((g) => g.id),
    );
    const embedded = data(html);
    expect(Object.keys(embedded).sort()).toEqual(
      groups
        .map((g) => g.id)
        .filter((id) => !open.includes(id))
        .sort(),
    );
    // The data is the scenario's, its records as they came.
    expect(embedded[groups[1].id]).toEqual(JSON.parse(JSON.stringify(groups[1])));
  });

  it('says so when there is nothing to show', () => {
    const html = renderHtml([]);
    expect(html).toContain('<p class="empty">No records.</p>');
    expect(html).toContain('<b>0</b> runs of <b>0</b> scenarios');
  });
});
