// explain: the founding SHUT_RD scenario as 6.18 answers it (laid out by hand), set beside the
// model's prediction; then the same run with one answer changed, where the model must disagree.
import { check } from '@epl/check';
import { compile } from '@epl/compiler';
import { viewOf } from '@epl/executor/testing';
import { predict } from '@epl/model';
import type { Program, RunResult } from '@epl/program';
import {
  explainHeading,
  explainRecord,
  explainReportRecord,
  explainScenario,
  explainText,
  modelResultText,
  modelWireText,
  segmentReasons,
  stateLines,
  stepAgrees,
} from '../src/explain';
import { renderHtml } from '../src/html';
import { renderJunit } from '../src/junit';
import { renderTap } from '../src/tap';
import type { Scenario } from '../src/scenario';
import { A, F, OUT, shutRd } from './fixtures';

function scenario(r: RunResult = shutRd().result, program: Program = shutRd().program): Scenario {
  const view = viewOf(r);
  return { file: 'founding.epl', program, family: 'tcp', outcome: check(program, view), view, attempts: 1 };
}

/** The fixture's run with step `i` replaced. */
function changed(i: number, st: Partial<RunResult['steps'][number]>): RunResult {
  const r = shutRd().result;
  return { ...r, steps: r.steps.map((s, k) => (k === i ? { ...s, ...st } : s)) };
}

const WAIT_AFTER_SHUT = 6;
const CLOSE = 10;

describe('explainScenario', () => {
  it('agrees with what the kernel answered on every step of the founding SHUT_RD scenario', () => {
    const e = explainScenario(scenario(), shutRd().source);
    expect(e.steps).toHaveLength(12);
    expect(e.disagreements).toBe(0);
    expect(e.agrees).toBe(true);
    expect(e.steps.map((s) => s.statement)).toContain('shutdown 5 RD');
    expect(e.steps.every((s) => stepAgrees(s.comparison.agree))).toBe(true);
    expect(e.steps[WAIT_AFTER_SHUT].comparison.agree).toEqual({ result: true, ready: true, wire: true });
  });

  it('a wait that reports other flags than the model predicts disagrees on its ready list', () => {
    const e = explainScenario(
      scenario(
        changed(WAIT_AFTER_SHUT, {
          ready: [
            { slot: 0, events: OUT },
            { slot: 1, events: OUT },
          ],
        }),
      ),
    );
    expect(e.disagreements).toBe(1);
    expect(e.agrees).toBe(false);
    expect(e.steps[WAIT_AFTER_SHUT].comparison.agree).toEqual({ result: true, ready: false, wire: true });
  });

  it('a run without results (lost) cannot agree, and says why', () => {
    const s: Scenario = { ...scenario(), view: undefined, outcome: { ...scenario().outcome, status: 'lost', error: 'worker died' } };
    const e = explainScenario(s);
    expect([e.steps.length, e.agrees, e.error]).toEqual([0, false, 'worker died']);
    expect(explainText(e)).toContain('the run stopped: worker died');
  });
});

describe('explainText', () => {
  it('the statement and the kernel answer, each segment with its rule, the other reasons; the count at the end', () => {
    const text = explainText(explainScenario(scenario(), shutRd().source));
    const lines = text.split('\n');
    expect(lines[0]).toBe(`founding.epl: ${shutRd().program.title} [tcp]`);
    expect(explainHeading(explainScenario(scenario()))).toBe(lines[0]);
    expect(lines).toContain('   2  tcp 5 6                       => ok');
    expect(lines).toContain('        ~> 5 > 6 S, 6 > 5 S., 5 > 6 .: 5 connects to 6: SYN, SYN-ACK, ACK; on loopback the handshake completes inside connect()');
    expect(lines).toContain('   8  shutdown 5 RD                 => 0');
    expect(lines).toContain('        · SHUT_RD on TCP is local: 5 marks its receive side shut (IN|RDHUP) and sends nothing');
    expect(lines).toContain('        ~> 5 > 6 F.: 5 sends FIN (the last close of its socket); it is now FIN_WAIT1');
    // The last wait: the registration of the closed socket is gone, and says so.
    expect(lines.some((l) => /· not reported: the registration \(file#0, fd 5\) \(data 5\) left its epoll/.test(l))).toBe(true);
    expect(lines[lines.length - 2]).toBe('  model and kernel agree on all 12 steps');
    expect(text).not.toContain('✗');
  });

  it('marks a disagreeing step with the model answer, and the wire beside the kernel one', () => {
    const ready = explainText(explainScenario(scenario(changed(WAIT_AFTER_SHUT, { ret: 1, ready: [{ slot: 1, events: OUT }] })), shutRd().source));
    expect(ready).toContain('✗  9  wait                          => 6: OUT\n        model: => 5: IN|OUT|RDHUP, 6: OUT\n');
    expect(ready).toContain('  model and kernel disagree on 1 of 12 steps');
    const wire = explainText(explainScenario(scenario(changed(CLOSE, { wire: [] }))));
    expect(wire).toContain('        model: ~> 5 > 6 F. (6 > 5 . may land here or later)  (kernel ~> none)');
  });

  it('a segment the model did not predict says so', () => {
    const extra = changed(CLOSE, {
      wire: [
        { src: 0, dst: 1, flags: F | A, len: 0 },
        { src: 0, dst: 1, flags: F | A, len: 0 },
      ],
    });
    const e = explainScenario(scenario(extra));
    expect(segmentReasons(e, CLOSE).map((g) => [g.segments.length, g.rule])).toEqual([
      [1, 'tcp.fin'],
      [1, undefined],
    ]);
    expect(explainText(e)).toContain('~> 5 > 6 F.: not predicted by the model');
  });

  it('with state, the objects after each step', () => {
    const text = explainText(explainScenario(scenario()), { state: true });
    expect(text).toContain('        state: fds: 5 → file#0, 6 → file#1, 3 → file#2\n');
    expect(text).toContain('               file#2 epoll: open 1\n                 (file#0, 5) IN|OUT|ERR|HUP|RDHUP data 5, on the ready list\n');
  });

  it('paints the marks it is given', () => {
    const text = explainText(explainScenario(scenario(changed(WAIT_AFTER_SHUT, { ready: [] }))), { paint: (c, t) => `<${c}>${t}</${c}>` });
    expect(text).toContain('<red>✗ </red>');
    expect(text).toContain('<red>model: => 5: IN|OUT|RDHUP, 6: OUT</red>');
  });
});

describe('answers of the model in EPL syntax', () => {
  it('a range, alternatives, a delayed ACK, a bulk transfer', () => {
    const [p] = compile('tcp 5 6\nfill 5\nwrite 5 "a"\nclose 6', 'x.epl');
    const m = predict(p, 'tcp');
    expect(modelResultText(p, 1, m.steps[1])).toMatch(/^\d+\.\.\d+$/);
    expect(modelResultText(p, 2, m.steps[2])).toMatch(/ or /);
    expect(modelWireText(p, m.steps[1])).toMatch(/^5 > 6 bulk \d+\.\.\d+ bytes \(6 > 5 . may land here or later\)$/);
    // The receiver of a FIN holds its ACK for the timer.
    const [q] = compile('tcp 5 6\nclose 5', 'y.epl');
    expect(modelWireText(q, predict(q, 'tcp').steps[1])).toBe('5 > 6 F. (6 > 5 . may land here or later)');
  });

  it('state lines name each registration by the name it was made through, the ready list in order', () => {
    const [p] = compile('pipe r w\nepoll e\nadd e r IN\nwrite w "a"\ndup r -> d\nadd e d IN|ET', 'x.epl');
    const lines = stateLines(predict(p, 'tcp').steps[5].state);
    expect(lines[0]).toBe('fds: r → file#0, w → file#1, e → file#2, d → file#0');
    expect(lines).toContain('file#0 pipe read end: open 2, 1 bytes queued, 1 of 16 page slots used');
    expect(lines).toContain('  ready list: (file#0, r), (file#0, d)');
  });
});

describe('explainRecord (epl explain --json)', () => {
  it('a step: line, statement, what the kernel and the model answered, agreement, reasons as sentences', () => {
    const rec = explainRecord(explainScenario(scenario(changed(WAIT_AFTER_SHUT, { ret: 1, ready: [{ slot: 1, events: OUT }] })), shutRd().source));
    expect(Object.keys(rec)).toEqual(['file', 'title', 'family', 'kernel', 'wire', 'agree', 'disagreements', 'steps']);
    expect([rec.agree, rec.disagreements, rec.family]).toEqual([false, 1, 'tcp']);
    const wait = rec.steps[WAIT_AFTER_SHUT];
    expect(wait).toMatchObject({
      line: 9,
      statement: 'wait',
      setup: false,
      kernel: { result: 1, ready: [{ name: '6', events: 'OUT' }], wire: [] },
      model: {
        result: 2,
        ready: [
          { data: '5', events: 'IN|OUT|RDHUP' },
          { data: '6', events: 'OUT' },
        ],
        wire: [],
      },
      agree: { result: false, ready: false, wire: true },
    });
    expect(wait.differences).toEqual(['result: kernel 1, model 2', 'ready: kernel 6: OUT, model 5: IN|OUT|RDHUP, 6: OUT']);
    expect(wait.why[0]).toMatch(/^5: IN\|OUT\|RDHUP \(IN: its receive side is shut/);
    expect(rec.steps[7].kernel).toEqual({ result: 0, bytes: '', wire: [] });
    expect(rec.steps[7].model).toMatchObject({ result: 0, bytes: '' });
    expect(rec.steps[0].model).not.toHaveProperty('state');
    expect(explainRecord(explainScenario(scenario()), { state: true }).steps[0].model).toHaveProperty('state.fds');
    expect(JSON.parse(JSON.stringify(rec))).toEqual(rec);
  });
});

describe('explainReportRecord (HTML, JUnit, TAP of epl explain)', () => {
  const disagreeing = () =>
    explainReportRecord(explainScenario(scenario(changed(WAIT_AFTER_SHUT, { ret: 1, ready: [{ slot: 1, events: OUT }] })), shutRd().source));

  it("the run's record with the model's answers as expectations, pass when they agree, and the reasons", () => {
    const rec = disagreeing();
    expect([rec.oracle, rec.pass, rec.status]).toEqual(['model', false, 'failed']);
    expect(rec.steps[WAIT_AFTER_SHUT]).toMatchObject({ got: '6: OUT', expect: '5: IN|OUT|RDHUP, 6: OUT', pass: false });
    // Where the model agrees, what it expects is what came; the file's own `=>` is not there.
    expect(rec.steps[4]).toMatchObject({ got: '5: OUT, 6: OUT', expect: '5: OUT, 6: OUT', wireExpect: 'none', pass: true });
    expect(rec.steps[CLOSE]).toMatchObject({ wireExpect: '5 > 6 F.', pass: true });
    expect(rec.steps[1].why).toEqual(['3 gets the lowest free number for file#2']);
    expect(explainReportRecord(explainScenario(scenario())).pass).toBe(true);
  });

  it('JUnit and TAP say model and kernel, the HTML shows the reasons and labels the answers', () => {
    const rec = disagreeing();
    const xml = renderJunit([rec]);
    expect(xml).toContain('<failure type="model" message="founding.epl:9:1: =&gt; model 5: IN|OUT|RDHUP, 6: OUT, kernel 6: OUT"');
    expect(xml).toContain('  model:  =&gt; 5: IN|OUT|RDHUP, 6: OUT\n  kernel: =&gt; 6: OUT');
    expect(renderTap([rec])).toContain('message: "=> the model and the kernel disagree"');
    const html = renderHtml([rec]);
    expect(html).toContain('<ul class="why" title="why, as the model says"><li>3 gets the lowest free number for file#2</li></ul>');
    expect(html).toContain('<b>=&gt; model</b><code>');
    expect(html).toContain('<b class="got">kernel</b>');
    expect(html).toContain('the model agrees');
  });

  it('records of epl run are rendered as before: expected and got', () => {
    const html = renderHtml([explainReportRecord(explainScenario(scenario())), { ...disagreeing(), oracle: undefined }]);
    expect(html).toContain('<b>=&gt; expected</b>');
  });
});
