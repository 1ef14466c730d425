import { Parser } from 'tap-parser';
import type { Result } from 'tap-parser';
import { renderTap } from '../src/tap';
import type { AnyScenarioRecord } from '../src/records';
import { failingCopy, sample, sampleFailing } from './record-fixtures';

/** What a TAP consumer (node-tap's own parser) makes of the text. */
function parse(text: string): Promise<{ ok: boolean; count: number; pass: number; fail: number; points: Result[] }> {
  return new Promise((resolve) => {
    const points: Result[] = [];
    const p = new Parser((final) => resolve({ ok: final.ok, count: final.count, pass: final.pass, fail: final.fail, points }));
    p.on('assert', (r: Result) => points.push(r));
    p.end(text);
  });
}

describe('renderTap', () => {
  it('a TAP 13 plan and a test point per run', async () => {
    const text = renderTap([sample(), sample({ family: 'unix' })]);
    expect(text).toBe('TAP version 13\n1..2\nok 1 - a.epl: shutdown WR [tcp]\nok 2 - a.epl: shutdown WR [unix]\n');
    expect(await parse(text)).toMatchObject({ ok: true, count: 2, pass: 2, fail: 0 });
  });

  it('a failure is not ok, with the located failures and the steps in its YAML block', async () => {
    const text = renderTap([sampleFailing(), sample()]);
    const r = await parse(text);
    expect(r).toMatchObject({ ok: false, count: 2, pass: 1, fail: 1 });
    const diag = r.points[0].diag as Record<string, unknown>;
    expect(diag).toMatchObject({
      message: '~> expectation failed',
      severity: 'fail',
      at: 'a.epl:7:3',
      kernel: '6.18.44',
      failures: [
        { at: 'a.epl:7:3', statement: 'shutdown 5 WR', expected: '~> 5 > 6 F., 6 > 5 .', got: '~> 5 > 6 F.' },
        { at: 'a.epl:8:3', statement: 'wait', expected: '=> 5: IN|OUT, 6: IN|OUT|RDHUP', got: '=> 5: OUT, 6: IN|OUT|RDHUP' },
      ],
    });
    expect(String(diag.steps).split('\n')[9]).toBe('FAIL 7:3     shutdown 5 WR         => 0');
  });

  it('an error is not ok with its message; a flaky run is ok with the first failure', async () => {
    const errored = { ...sample(), pass: false, error: 'the worker died', steps: sample().steps.slice(0, 2) };
    const flaky = sample({ family: 'tcp6', flaky: { attempts: 2, firstFailure: 'a.epl:7:3: boom\n  expected: ~> none' } });
    const r = await parse(renderTap([errored, flaky]));
    expect(r).toMatchObject({ count: 2, pass: 1, fail: 1 });
    expect(r.points[0].diag).toMatchObject({ message: 'error: the worker died', severity: 'error', at: 'a.epl:2:1' });
    expect(r.points[1].ok).toBe(true);
    expect(r.points[1].diag).toMatchObject({ severity: 'flaky', attempts: 2, firstFailure: 'a.epl:7:3: boom\n  expected: ~> none' });
  });

  it('a description stays one line and its # does not start a directive', async () => {
    const odd: AnyScenarioRecord = sample({ title: 'a # TODO not really\nsecond line \\ \x07' });
    const text = renderTap([odd]);
    expect(text.split('\n')[2]).toBe('ok 1 - a.epl: a \\# TODO not really second line \\\\ \\\\x07 [tcp]');
    const r = await parse(text);
    expect(r.points[0].todo).toBe(false);
    expect(r.points[0].name).toBe('a.epl: a # TODO not really second line \\ \\x07 [tcp]');
  });

  it('on real records of a failing copy of the founding file', async () => {
    const { records } = await failingCopy();
    const r = await parse(renderTap(records));
    expect(r).toMatchObject({ ok: false, count: 15, pass: 12, fail: 3 });
    expect(r.points.filter((p) => !p.ok).map((p) => (p.diag as { at: string }).at)).toEqual(Array(3).fill('scenarios/founding/founding.epl:20:3'));
  });
});
