import { commentOf, groupRecords, recordStatus, summarize, worst } from '../src/group';
import { sample, sampleFailing } from './record-fixtures';

const SOURCE = [
  'tcp 5 6 => ok',
  'epoll 3',
  'add 3 5 IN|OUT|RDHUP',
  'add 3 6 IN|OUT|RDHUP   # both ends',
  '',
  'scenario "shutdown WR" {',
  '  shutdown 5 WR => 0 ~> 5 > 6 F.   # the FIN',
  '  wait => 6: IN|OUT|RDHUP, 5: OUT',
  '  write 5 "a # not a comment" => EPIPE',
  '}',
  'scenario "other" {',
  '}',
].join('\n');

describe('groupRecords', () => {
  it('one scenario per file and title, in the order records come, with every run of it', () => {
    const records = [sample(), sample({ title: 'b' }), sample({ family: 'unix' }), sample({ file: 'b.epl' })];
    const groups = groupRecords(records);
    expect(groups.map((g) => [g.file, g.title, g.variants.map((v) => v.label)])).toEqual([
      ['a.epl', 'shutdown WR', ['tcp', 'unix']],
      ['a.epl', 'b', ['tcp']],
      ['b.epl', 'shutdown WR', ['tcp']],
    ]);
  });

  it('ids are stable for a file and title, and distinct', () => {
    const a = groupRecords([sample(), sample({ title: 'b' })]);
    const b = groupRecords([sample({ title: 'b' })]);
    expect(a[1].id).toBe(b[0].id);
    expect(a[0].id).not.toBe(a[1].id);
    expect(a[0].id).toMatch(/^s[0-9a-f]{8}$/);
  });

  it('labels runs by family, and by kernel too when several kernels answered, a kernel’s runs together', () => {
    const groups = groupRecords([sample(), sample({ kernel: '4.2.0' }), sample({ family: 'unix' }), sample({ family: 'unix', kernel: '4.2.0' })]);
    expect(groups[0].variants.map((v) => v.label)).toEqual(['tcp · 6.18.44', 'unix · 6.18.44', 'tcp · 4.2.0', 'unix · 4.2.0']);
    expect(groupRecords([sample(), sample()])[0].variants.map((v) => v.label)).toEqual(['tcp', 'tcp #2']);
  });

  it('the worst status of the runs is the scenario’s', () => {
    const flaky = sample({ family: 'tcp6', flaky: { attempts: 2, firstFailure: 'x' } });
    expect(groupRecords([sample(), flaky])[0].status).toBe('flaky');
    expect(groupRecords([sample(), flaky, sampleFailing()])[0].status).toBe('fail');
    expect(groupRecords([sample({ error: 'boom', pass: false }), sampleFailing()])[0].status).toBe('error');
    expect(worst([])).toBe('pass');
  });

  it('with the source: the comments of the steps’ lines and the scenario’s lines as written', () => {
    const [g] = groupRecords([sample()], new Map([['a.epl', SOURCE]]));
    expect(g.comments).toEqual({ 4: '# both ends', 7: '# the FIN' });
    expect(g.excerpt?.map(([n]) => n)).toEqual([1, 2, 3, 4, null, 6, 7, 8, 9, 10]);
    expect(g.excerpt?.[5]).toEqual([6, 'scenario "shutdown WR" {']);
    // A source object works as a map does; a file it does not have gets neither.
    expect(groupRecords([sample()], { 'a.epl': SOURCE })[0].comments).toEqual(g.comments);
    expect(groupRecords([sample()], { 'b.epl': SOURCE })[0]).not.toHaveProperty('excerpt');
  });
});

describe('commentOf', () => {
  it('takes the # outside string literals', () => {
    expect(commentOf('write 5 "a # b\\" #" # real')).toBe('# real');
    expect(commentOf('write 5 "#"')).toBeUndefined();
  });
});

describe('summarize and recordStatus', () => {
  it('counts runs, scenarios, files, families and kernels', () => {
    const records = [
      sample(),
      sampleFailing(),
      sample({ family: 'unix', error: 'boom', pass: false }),
      sample({ file: 'b.epl', flaky: { attempts: 2, firstFailure: 'x' }, kernel: '4.2' }),
    ];
    expect(records.map(recordStatus)).toEqual(['pass', 'fail', 'error', 'flaky']);
    expect(summarize(records)).toEqual({
      runs: 4,
      passed: 2,
      failed: 1,
      errored: 1,
      flaky: 1,
      scenarios: 2,
      files: 2,
      families: ['tcp', 'unix'],
      kernels: ['6.18.44', '4.2'],
    });
  });
});
