import { compile } from '@epl/compiler';
import { predict } from '../src';

describe('state view', () => {
  const [p] = compile('tcp 5 6\nepoll 3\nadd 3 5 IN|OUT\ndup 5 -> 7\nadd 3 7 IN\nwrite 6 "ab"\nclose 5\nlisten l\nconnect c l\nshutdown 6 WR', 'x.epl');
  const pred = predict(p);

  test('names, numbers and files: a dup shares the file, its registrations are keyed by (file, fd)', () => {
    const s = pred.steps[6].state;
    expect(s.fds.map((f) => f.name)).toEqual(['6', '3', '7']);
    const seven = s.fds.find((f) => f.name === '7')!;
    const file = s.files.find((f) => f.file === seven.file)!;
    expect(file).toMatchObject({ kind: 'tcp socket (IPv4)', open: 1, queued: 2, state: 'ESTABLISHED', shutdown: 'none' });
    const ep = s.files.find((f) => f.kind === 'epoll')!;
    expect(ep.interest!.map((i) => [i.name, i.file === seven.file, i.events, i.armed, i.ready])).toEqual([
      ['5', true, 'IN|OUT|ERR|HUP', true, true],
      ['7', true, 'IN|ERR|HUP', true, true],
    ]);
  });

  test('TCP state, shutdown bits, a listener queue and orphans', () => {
    const s = pred.steps[9].state;
    const listener = s.files.find((f) => f.kind === 'tcp listener')!;
    expect(listener.acceptQueue).toBe(1);
    const six = s.files.find((f) => f.file === s.fds.find((x) => x.name === '6')!.file)!;
    expect(six).toMatchObject({ state: 'FIN_WAIT1', shutdown: 'WR' });
    expect(pred.steps[2].state.files.find((f) => f.kind === 'epoll')!.readyList).toHaveLength(1);
  });

  test('the state is plain data', () => {
    expect(() => JSON.stringify(pred.steps.map((x) => x.state))).not.toThrow();
  });
});
