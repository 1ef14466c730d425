import { compile } from '@epl/compiler';
import { predict, Reason, reasonIds } from '../src';

describe('reasons', () => {
  test('every rule has a sentence and the sentences read without holes', () => {
    const ids = reasonIds();
    expect(ids.length).toBeGreaterThan(100);
    for (const id of ids) expect(id).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
  });

  test('a reason is data: rule, named objects, and its sentence, in JSON', () => {
    const [p] = compile('pipe r w\nclose w\nwrite w "a"', 'x.epl');
    const why = predict(p).steps[2].why;
    expect(why[0]).toBeInstanceOf(Reason);
    expect(JSON.parse(JSON.stringify(why))).toEqual([
      {
        rule: 'fd.not-owned',
        name: 'w',
        number: 1,
        text: "w is closed in this process's table: no descriptor has its number now, so the call is EBADF without reaching the kernel",
      },
    ]);
  });

  test('no sentence of a long run leaves a placeholder unfilled', () => {
    const [p] = compile(
      'tcp 5 6\nepoll 3\nadd 3 5 IN|OUT|ET\nadd 3 6 IN|ONESHOT\nwrite 6 "a"\nwait 3 max 1\nwait 3\nshutdown 5 RDWR\nclose 6\nwait 3\npipe r w\nfill w\nclose r\nwrite w "a"\neventfd e\nfill e',
      'x.epl',
    );
    for (const s of predict(p).steps) for (const r of s.why) expect(r.text).not.toMatch(/undefined|NaN|\[object/);
  });

  test('a lean run records no reasons', () => {
    const [p] = compile('pipe r w\nclose w\nwrite w "a"', 'x.epl');
    expect(predict(p, 'tcp', { explain: false }).steps.every((s) => s.why.length === 0)).toBe(true);
  });
});
