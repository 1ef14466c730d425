import { compile } from '@epl/compiler';
import { predict } from '../src';

/** The `because` of the reported entries of the last wait of a scenario. */
function because(text: string, family: 'tcp' | 'unix' = 'tcp'): string[] {
  const [p] = compile(text, 'x.epl');
  const steps = predict(p, family).steps;
  const wait = steps[steps.length - 1];
  return wait.why.filter((r) => r.rule === 'epoll.reported').map((r) => String(r.objects.because));
}

describe('why each reported flag holds', () => {
  test('pipes: bytes in the pipe, free page slots, no writer (in ready-list order: w was ready first)', () => {
    expect(because('pipe r w\nepoll e\nadd e r IN\nadd e w OUT\nwrite w "ab"\nwait e')).toEqual(['OUT: 15 of 16 page slots free', 'IN: 2 byte(s) in the pipe']);
    expect(because('pipe r w\nepoll e\nadd e r IN\nclose w\nwait e')).toEqual(['HUP: no write end is open']);
  });

  test('eventfd: the counter', () => {
    expect(because('eventfd c 3\nepoll e\nadd e c IN|OUT\nwait e')).toEqual(['IN: the counter is 3; OUT: the counter is below 2^64-2']);
  });

  test('sockets: bytes to read, end of file and why, the send side', () => {
    const tcp = because('tcp 5 6\nepoll e\nadd e 6 IN|OUT|RDHUP\nwrite 5 "abc"\nshutdown 5 WR\nwait e');
    expect(tcp).toEqual(['IN: 3 byte(s) to read; RDHUP: the peer sent FIN; OUT: the send buffer has room']);
    const unix = because('unix a b\nepoll e\nadd e a OUT\nwait e', 'unix');
    expect(unix[0]).toMatch(/^OUT: its skbs waiting at the peer use 0 of the 53248 bytes/);
  });

  test('a listener: connections to accept', () => {
    expect(because('listen l\nconnect c l\nepoll e\nadd e l IN\nwait e')).toEqual(['IN: 1 connection(s) wait to be accepted']);
  });
});
