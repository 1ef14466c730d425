import { ProgramBuilder, SHUT } from '@epl/program';
import { step } from '@epl/executor/testing';
import { observedResult, observedWire, MAX_RECORDED_READ } from '../src/observed';
import { A, OUT, P, bytes } from './fixtures';

describe('observedResult', () => {
  const p = new ProgramBuilder()
    .op('tcp', ['5', '6'])
    .op('epoll', ['3'])
    .op('wait', ['3', 8, 0])
    .op('read', ['5', 1024])
    .op('write', ['6', 'a'])
    .op('shutdown', ['5', SHUT.WR])
    .op('connect_new', ['c', '5'])
    .build();
  it('creating statements report ok; failures their errno name', () => {
    expect(observedResult(p, 0, step({ fds: [20, 21] }))).toBe('ok');
    expect(observedResult(p, 1, step({ ret: -1, errno: 24 }))).toBe('EMFILE');
  });
  it('connect reports what connect() returned', () => {
    expect(observedResult(p, 6, step({ ret: -1, errno: 115, fds: [30] }))).toBe('EINPROGRESS');
  });
  it('wait reports the ready list or none', () => {
    expect(observedResult(p, 2, step({ ret: 1, ready: [{ slot: 0, events: OUT }] }))).toBe('5: OUT');
    expect(observedResult(p, 2, step({ ret: 0, ready: [] }))).toBe('none');
  });
  it('read reports bytes, or the count when asked or when long', () => {
    expect(observedResult(p, 3, step({ ret: 1, bytes: bytes('a') }))).toBe('"a"');
    expect(observedResult(p, 3, step({ ret: 1, bytes: bytes('a') }), { kind: 'number', value: 2 })).toBe('1');
    const long = new Uint8Array(MAX_RECORDED_READ + 1);
    expect(observedResult(p, 3, step({ ret: long.length, bytes: long }))).toBe(String(long.length));
  });
  it('other calls report their return value', () => {
    expect(observedResult(p, 4, step({ ret: 1 }))).toBe('1');
    expect(observedResult(p, 5, step({ ret: 0 }))).toBe('0');
    expect(observedResult(p, 5, step({ ret: 0 }), { kind: 'ok' })).toBe('ok');
  });
});

describe('observedWire', () => {
  it('writes what a step put on the wire as a ~> that would pass', () => {
    const p = new ProgramBuilder().op('tcp', ['5', '6']).build();
    expect(observedWire(p, step({ wire: [{ src: 1, dst: 0, flags: P | A, len: 1 }] }))).toBe('6 > 5 P. len 1');
    expect(observedWire(p, step())).toBe('none');
  });
});
