// Real runs on this machine's kernel, through @epl/runner.
import { RunCache, loadRunner } from '../src/run-cache';
import { find, foundingText } from './helpers';

const URI = 'file:///work/founding.epl';

describe('RunCache', () => {
  it('runs a document and keeps what each step did, for every scenario that ran it', async () => {
    const runs = new RunCache();
    const text = foundingText();
    const summary = await runs.run(URI, '/work/founding.epl', 1, text);
    expect(summary.scenarios).toBe(5);
    expect(summary.error).toBeUndefined();
    expect(summary.kernel).toMatch(/^\d+\.\d+/);
    const shut = find(text, 'shutdown 5 RD', 'shutdown');
    const [seen] = runs.observations(URI, shut.line, shut.character, 'shutdown 5 RD');
    expect(seen.scenario).toMatch(/^1\./);
    expect(seen).toMatchObject({ call: 'shutdown(5, SHUT_RD)', ret: '0', got: '0', pass: true });
    if (summary.wireNotCaptured === undefined) expect(seen.wire).toBe('none');
    else expect(seen.wire).toBeUndefined();
    // A setup step ran once per scenario.
    const epoll = find(text, 'epoll 3', 'epoll');
    expect(runs.observations(URI, epoll.line, epoll.character, 'epoll 3').map((o) => o.got)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    // Another statement text at that place (the document changed since): nothing.
    expect(runs.observations(URI, shut.line, shut.character, 'shutdown 5 WR')).toEqual([]);
    expect(runs.observations('file:///other.epl', shut.line, shut.character, 'shutdown 5 RD')).toEqual([]);
  });

  it('reports failed expectations at their arrow, for the version that ran', async () => {
    const runs = new RunCache();
    const text = 'pipe r w\nwrite w "ab" => 2\nread r 1 => "b"\nclose r => EBADF\n';
    const summary = await runs.run(URI, '/work/pipe.epl', 7, text);
    expect(summary).toMatchObject({ scenarios: 1, passed: 0 });
    expect(runs.failures(URI, 7)).toEqual([
      { line: 2, start: 9, end: 15, message: 'scenario "pipe": expected => "b", got => "a"' },
      { line: 3, start: 8, end: 16, message: 'scenario "pipe": expected => EBADF, got => 0' },
    ]);
    expect(runs.failures(URI, 8)).toEqual([]);
    runs.forget(URI);
    expect(runs.failures(URI, 7)).toEqual([]);
  });

  it('says where a document that does not compile is wrong, under its own name', async () => {
    const runs = new RunCache();
    const summary = await runs.run(URI, '/work/bad.epl', 1, 'tcp 5 6\nclose 8\n');
    expect(summary.scenarios).toBe(0);
    expect(summary.error).toMatch(/^\/work\/bad\.epl:2:7: unknown name '8'/);
    expect(summary.error).not.toContain('epl-ls-');
  });

  it('loads the runner (and the verdicts and reports it works with) installed beside the server', () => {
    const loaded = loadRunner([]);
    expect([loaded.runner, loaded.check, loaded.report]).toEqual([require('@epl/runner'), require('@epl/check'), require('@epl/report')]);
  });
});
