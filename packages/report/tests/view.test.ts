import * as vm from 'node:vm';
import { groupRecords } from '../src/group';
import type { AnyScenarioRecord } from '../src/records';
import {
  SHIPPED,
  arrowsSvg,
  chip,
  esc,
  groupBodyHtml,
  listHtml,
  matrixHtml,
  namesIn,
  namesOf,
  parseReady,
  parseWire,
  sameReady,
  segmentKind,
  splitFlags,
  stepVerdict,
  timelineHtml,
  wireText,
} from '../src/view';
import type { GroupData } from '../src/view';
import { sample, sampleFailing, step } from './record-fixtures';

function group(records: AnyScenarioRecord[], sources?: Record<string, string>): GroupData {
  return groupRecords(records, sources)[0];
}

/** The rows of a timeline: their classes and the chips of each name cell. */
function rows(html: string): { cls: string; cells: string[][] }[] {
  return [...html.matchAll(/<tr class="(step[^"]*)"[^>]*>([^]*?)<\/tr>/g)].map((m) => ({
    cls: m[1],
    cells: [...m[2].matchAll(/<td class="nm[^"]*">([^]*?)<\/td>/g)].map((c) =>
      [...c[1].matchAll(/<i class="chip ([^"]*)"[^>]*>([^<]*)<\/i>/g)].map(
        (x) => `${x[2]}${x[1].includes('extra') ? '+' : x[1].includes('missing') ? '?' : ''}`,
      ),
    ),
  }));
}

describe('text helpers', () => {
  it('esc escapes what HTML text and attributes need', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('listHtml lets a list wrap between its items only', () => {
    expect(listHtml('5: IN|OUT, 6: <x>')).toBe('<span class="nw">5: IN|OUT</span>, <span class="nw">6: &lt;x&gt;</span>');
  });

  it('splitFlags reads a flag list; 0 is the empty mask', () => {
    expect(splitFlags('IN|OUT|RDHUP')).toEqual(['IN', 'OUT', 'RDHUP']);
    expect(splitFlags('0')).toEqual([]);
  });

  it('parseReady and sameReady read ready lists as sets', () => {
    expect(parseReady('5: IN|OUT, 6: OUT')).toEqual(
      new Map([
        ['5', ['IN', 'OUT']],
        ['6', ['OUT']],
      ]),
    );
    expect(parseReady('none')).toEqual(new Map());
    expect(parseReady('EPIPE')).toBeUndefined();
    expect(sameReady('5: IN|OUT, 6: OUT', '6: OUT, 5: OUT|IN')).toBe(true);
    expect(sameReady('5: IN|OUT, 6: OUT', '5: IN|OUT')).toBe(false);
    expect(sameReady('5: IN|OUT', '5: IN|RDHUP')).toBe(false);
    expect(sameReady('none', 'none')).toBe(true);
  });

  it('parseWire reads what wireText writes', () => {
    const segs = [
      { src: '6', dst: '5', flags: 'P.', len: 1 },
      { src: '5', dst: '6', flags: '.', len: 0 },
    ];
    expect(wireText(segs)).toBe('6 > 5 P. len 1, 5 > 6 .');
    expect(parseWire(wireText(segs))).toEqual(segs);
    expect(wireText([])).toBe('none');
    expect(parseWire('none')).toEqual([]);
    expect(parseWire('5 to 6')).toBeUndefined();
  });

  it('segmentKind picks the colour of a segment', () => {
    const kind = (flags: string, len = 0) => segmentKind({ src: 'a', dst: 'b', flags, len });
    expect([kind('S'), kind('S.'), kind('F.'), kind('FP.', 1), kind('R.'), kind('P.', 3), kind('.')]).toEqual([
      'syn',
      'syn',
      'fin',
      'fin',
      'rst',
      'data',
      'ack',
    ]);
  });
});

describe('stepVerdict', () => {
  const s = sample().steps;
  it('a passing step: each expectation it has passed', () => {
    expect(stepVerdict(s[4])).toEqual({ result: 'pass', wire: 'pass' });
    expect(stepVerdict(s[5])).toEqual({ result: 'pass', wire: 'none' });
    expect(stepVerdict(s[2])).toEqual({ result: 'none', wire: 'none' });
  });

  it('a failed step: the expectation that differs failed, the other passed', () => {
    const f = sampleFailing().steps;
    expect(stepVerdict(f[5])).toEqual({ result: 'fail', wire: 'none' });
    expect(stepVerdict(f[4])).toEqual({ result: 'pass', wire: 'fail' });
  });

  it('a ~> that could not be checked is unchecked, never passed', () => {
    expect(stepVerdict({ ...s[4], wire: undefined, wireChecked: false })).toEqual({ result: 'pass', wire: 'unchecked' });
  });

  it('a failed step where nothing visibly differs marks what it has as failed', () => {
    expect(stepVerdict(step('read 5', 3, { expect: '"a"', got: '"a"', pass: false }))).toEqual({ result: 'fail', wire: 'none' });
    expect(stepVerdict(step('close 5', 3, { wireExpect: 'none', pass: false }))).toEqual({ result: 'none', wire: 'fail' });
  });
});

describe('names', () => {
  it('namesOf gives the record names, or derives them from the steps', () => {
    expect(namesOf(sample())).toEqual(['5', '6', '3']);
    expect(namesOf({ ...sample(), names: undefined })).toEqual(['5', '6', '3']);
  });

  it('namesIn finds the names a statement mentions, not inside strings', () => {
    const names = ['5', '6', '7', 'x'];
    expect(namesIn('write 5 "6 7"', names)).toEqual(['5']);
    expect(namesIn('dup 5 -> 7', names)).toEqual(['5', '7']);
    expect(namesIn('add 3 5 IN data x', names)).toEqual(['5', 'x']);
    expect(namesIn('wait', names)).toEqual([]);
  });
});

describe('chip and arrowsSvg', () => {
  it('a chip has its flag class, and says when it was not expected or did not come', () => {
    expect(chip('RDHUP')).toBe('<i class="chip c-RDHUP" title="RDHUP">RDHUP</i>');
    expect(chip('IN', 'extra')).toContain('class="chip c-IN extra" title="IN: reported, not expected"');
    expect(chip('0x8000')).toContain('class="chip c-x"');
  });

  it('one arrow per segment, from the source lifeline to the destination, labelled tcpdump-style', () => {
    const svg = arrowsSvg(
      [
        { src: '6', dst: '5', flags: 'P.', len: 1 },
        { src: '5', dst: '6', flags: '.', len: 0 },
      ],
      ['5', '6'],
      [40, 190],
      230,
    );
    const arrows = [...svg.matchAll(/<g class="arrow ([^"]*)"[^>]*>[^]*?<line x1="(\d+)"[^]*?<text[^>]*>([^<]*)<\/text><\/g>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(arrows).toEqual([
      ['k-data', '190', '[P.] len 1'],
      ['k-ack', '40', '[.]'],
    ]);
    expect(arrowsSvg([], ['5', '6'], [40, 190], 230)).toBe('');
  });

  it('against a failed ~>: segments not expected are extra, expected ones that did not come are drawn as missing', () => {
    const got = [{ src: '5', dst: '6', flags: 'F.', len: 0 }];
    const svg = arrowsSvg(got, ['5', '6'], [40, 190], 230, parseWire('6 > 5 F., 5 > 6 F.'));
    expect([...svg.matchAll(/<g class="arrow ([^"]*)"/g)].map((m) => m[1])).toEqual(['k-fin', 'k-fin missing']);
    const svg2 = arrowsSvg(got, ['5', '6'], [40, 190], 230, parseWire('none'));
    expect([...svg2.matchAll(/<g class="arrow ([^"]*)"/g)].map((m) => m[1])).toEqual(['k-fin extra']);
  });
});

describe('timelineHtml', () => {
  it('a row per step, the setup apart, a column per name with the wait chips', () => {
    const g = group([sample()]);
    const html = timelineHtml(g, g.variants[0]);
    expect([...html.matchAll(/<th class="nm" data-name="([^"]*)">/g)].map((m) => m[1])).toEqual(['5', '6', '3']);
    expect(html).toMatch(/<tbody class="setup">[^]*<b>setup<\/b> shared by every scenario of a\.epl/);
    const r = rows(html);
    expect(r.map((x) => x.cls)).toEqual(['step', 'step', 'step', 'step', 'step', 'step wait', 'step']);
    expect(r[5].cells).toEqual([['OUT'], ['IN', 'OUT', 'RDHUP'], []]);
    expect(html.match(/<g class="arrow/g)).toHaveLength(4);
    // The name a step binds shows its real descriptor.
    expect(html).toContain('<th class="nm" data-name="5">5<small>fd 20</small></th>');
  });

  it('a failed wait: extra and missing flags, expected vs got beside the statement', () => {
    const g = group([sampleFailing()]);
    const html = timelineHtml(g, g.variants[0]);
    const r = rows(html);
    expect(r[5]).toEqual({ cls: 'step fail wait', cells: [['OUT', 'IN?'], ['IN', 'OUT', 'RDHUP'], []] });
    expect(r[4].cls).toBe('step fail');
    expect(html).toContain('<div class="xp"><b>=&gt; expected</b><code><span class="nw">5: IN|OUT</span>, <span class="nw">6: IN|OUT|RDHUP</span></code>');
    expect(html).toContain(
      '<b>~&gt; expected</b><code><span class="nw">5 &gt; 6 F.</span>, <span class="nw">6 &gt; 5 .</span></code><b class="got">got</b><code><span class="nw">5 &gt; 6 F.</span></code>',
    );
  });

  it('an error ends the table; a record without a wire says why', () => {
    const r = { ...sample(), pass: false, error: 'the worker died', wire: { captured: false, reason: 'no CAP_NET_RAW' }, steps: sample().steps.slice(0, 5) };
    const g = group([r]);
    const html = timelineHtml(g, g.variants[0]);
    expect(html).toContain('<b>did not complete:</b> the worker died');
    expect(html).toContain('<th class="wire none" title="wire not captured: no CAP_NET_RAW">');
    expect(html).not.toContain('class="arrow');
  });
});

describe('matrixHtml', () => {
  it('marks the rows where variants differ and the cells unlike the first', () => {
    const tcp = sample();
    const unix = {
      ...sample({ family: 'unix' }),
      steps: sample().steps.map(({ wire: _w, ...s }) => (s.op === 'wait' ? { ...s, got: '5: OUT, 6: IN|OUT|RDHUP|HUP' } : s)),
    };
    const html = matrixHtml(group([tcp, unix]));
    expect(html).toContain('<summary>tcp · unix side by side: <b>');
    const differs = [...html.matchAll(/<tr class="differs[^"]*"><td class="st">(\d+)/g)].map((m) => Number(m[1]));
    // The handshake and the FIN are on tcp's wire only; the wait differs in its flags.
    expect(differs).toEqual([1, 7, 8]);
    expect(html.match(/<td class="diff/g)).toHaveLength(3);
  });

  it('folds the table when every step agrees', () => {
    const html = matrixHtml(group([sample(), sample({ family: 'tcp6' })]));
    expect(html).toMatch(/^<details class="mx"><summary>tcp · tcp6 side by side: all 7 steps agree<\/summary>/);
  });
});

describe('groupBodyHtml', () => {
  it('a tab per run; the first run that did not plainly pass is the one shown', () => {
    const tabs = (html: string) => [...html.matchAll(/<button [^>]*class="tab (\w+)( on)?"[^>]*>([^<]*)</g)].map((m) => `${m[3]}:${m[1]}${m[2] ? ':on' : ''}`);
    expect(tabs(groupBodyHtml(group([sample(), { ...sampleFailing(), family: 'unix' }])))).toEqual(['tcp:pass', 'unix:fail:on']);
    expect(tabs(groupBodyHtml(group([sample(), sample({ family: 'unix' })])))).toEqual(['tcp:pass:on', 'unix:pass']);
    const html = groupBodyHtml(group([sample(), sample({ family: 'tcp6', flaky: { attempts: 2, firstFailure: 'x' } })]));
    expect(tabs(html)).toEqual(['tcp:pass', 'tcp6:flaky:on']);
    expect([...html.matchAll(/<div class="panel( on)?" data-v="(\d)"/g)].map((m) => `${m[2]}${m[1] ?? ''}`)).toEqual(['0', '1 on']);
    // One run: no tabs, no side-by-side table.
    const one = groupBodyHtml(group([sample()]));
    expect(tabs(one)).toEqual([]);
    expect(one).not.toContain('class="mx"');
  });
});

describe('SHIPPED', () => {
  // The page runs these functions from their source text: each must use nothing but its
  // arguments, the other shipped functions and JavaScript's globals.
  const source = SHIPPED.map((f) => f.toString()).join('\n');
  const cases: [string, GroupData][] = [
    ['passing', group([sample()])],
    [
      'failing with source',
      group([sampleFailing()], {
        'a.epl': 'tcp 5 6\nepoll 3\nadd 3 5 IN|OUT|RDHUP\nadd 3 6 IN|OUT|RDHUP\nscenario "x" {\n  shutdown 5 WR # FIN\n  wait\n  write 5 "a#"\n}\n',
      }),
    ],
    ['families and kernels', group([sample(), sampleFailing(), sample({ family: 'unix', kernel: '4.2.0' })])],
    [
      'error, flaky, no wire',
      group([
        sample({ error: 'boom', pass: false }),
        sample({ family: 'tcp6', flaky: { attempts: 2, firstFailure: 'x' } }),
        sample({ family: 'unix', wire: { captured: false } }),
      ]),
    ],
  ];

  it.each(cases)('render in a bare context as they do in Node: %s', (_name, g) => {
    const out: unknown = vm.runInNewContext(`${source}\ngroupBodyHtml(JSON.parse(data))`, { data: JSON.stringify(g) });
    expect(out).toBe(groupBodyHtml(g));
  });

  it('the source is script text a page can carry', () => {
    expect(source).not.toMatch(/<\/script/i);
    expect(source).not.toContain('<!--');
    expect(() => new vm.Script(source)).not.toThrow();
  });
});
