import { kernelDisagreements, model } from './helpers';

// The founding experiment 3 (scenarios/founding/founding.epl), the registration keyed by (file, fd).
const FOUNDING_3 = `tcp 5 6
epoll 3
add 3 5 IN|OUT|ERR|HUP|RDHUP
add 3 6 IN|OUT|ERR|HUP|RDHUP
dup 5 -> 7
add 3 7 IN|OUT|ERR|HUP|RDHUP
write 6 "a"
wait
read 5 1
close 5
wait
del 3 5
wait
close 7
wait`;

describe('epoll', () => {
  test('a registration belongs to (file, fd): a closed fd whose file lives on is still reported and cannot be removed', () => {
    const m = model(FOUNDING_3);
    expect(m.ready(7)).toBe('5: IN|OUT, 6: OUT, 7: IN|OUT');
    expect(m.ready(10)).toBe('5: OUT, 6: OUT, 7: OUT');
    expect(m.result(11)).toBe('EBADF');
    expect(m.rules(11)).toEqual(['fd.not-owned', 'epoll.stale-survives']);
    expect(m.step(11).why[1].text).toContain('still open as 7');
    expect(m.ready(12)).toBe('5: OUT, 6: OUT, 7: OUT');
    // The last close releases the file: both registrations go with it (eventpoll_release_file).
    expect(m.rules(13).filter((r) => r === 'epoll.file-closed')).toHaveLength(2);
    expect(m.ready(14)).toBe('6: IN|OUT|RDHUP');
  });

  test('the same fd twice is EEXIST; a dup of it is another key', () => {
    const m = model('pipe r w\nepoll e\nadd e r IN\nadd e r OUT\ndup r -> r2\nadd e r2 IN');
    expect(m.result(3)).toBe('EEXIST');
    expect(m.result(5)).toBe('0');
  });

  test('mod and del of a registration that is not there are ENOENT', () => {
    const m = model('pipe r w\nepoll e\nmod e r IN\ndel e r');
    expect([m.result(2), m.result(3)]).toEqual(['ENOENT', 'ENOENT']);
  });

  test.each([
    ['not an epoll', 'pipe r w\nadd r w OUT', 'EINVAL'],
    ['itself', 'epoll e\nadd e e IN', 'EINVAL'],
    ['EXCLUSIVE with MOD', 'pipe r w\nepoll e\nadd e r IN\nmod e r IN|EXCLUSIVE', 'EINVAL'],
    ['EXCLUSIVE with RDHUP', 'pipe r w\nepoll e\nadd e r IN|RDHUP|EXCLUSIVE', 'EINVAL'],
    ['EXCLUSIVE on an epoll', 'epoll e\nepoll f\nadd e f IN|EXCLUSIVE', 'EINVAL'],
    ['MOD of an EXCLUSIVE registration', 'pipe r w\nepoll e\nadd e r IN|EXCLUSIVE\nmod e r IN', 'EINVAL'],
    ['a loop of epolls', 'epoll e\nepoll f\nadd e f IN\nadd f e IN', 'ELOOP'],
    ['a stale epoll', 'epoll e\npipe r w\nclose e\nadd e r IN', 'EBADF'],
  ])('epoll_ctl refuses %s', (_what, text, errno) => {
    const m = model(text);
    expect(m.result(m.prediction.steps.length - 1)).toBe(errno);
  });

  test('ERR and HUP are always reported, even for events 0', () => {
    const m = model('pipe r w\nepoll e\nadd e w 0\nwait e\nclose r\nwait e');
    expect(m.ready(3)).toBe('none');
    expect(m.ready(5)).toBe('w: ERR');
  });

  test('level-triggered reports again, edge-triggered once per wake-up, ONESHOT once until MOD', () => {
    const write = 'write x "\\x01\\0\\0\\0\\0\\0\\0\\0"';
    const m = model(
      `eventfd x\nepoll e\nadd e x IN|ET\n${write}\nwait e\nwait e\n${write}\nwait e\nmod e x IN|ONESHOT\nwait e\nwait e\nmod e x IN|ONESHOT\nwait e`,
    );
    expect([m.ready(4), m.ready(5)]).toEqual(['x: IN', 'none']);
    expect(m.rules(5)).toContain('epoll.et-consumed');
    expect(m.ready(7)).toBe('x: IN'); // a new write is a new wake-up
    expect([m.ready(9), m.ready(10), m.ready(12)]).toEqual(['x: IN', 'none', 'x: IN']);
    expect(m.rules(10)).toContain('epoll.oneshot-disarmed');
  });

  test('max takes the head of the ready list; level-triggered entries go back to its tail (round robin)', () => {
    const m = model('pipe a b\npipe c d\npipe f g\nepoll e\nadd e b OUT\nadd e d OUT\nadd e g OUT\nwait e max 1\nwait e max 1\nwait e max 1\nwait e max 1');
    expect([7, 8, 9, 10].map((i) => m.ready(i))).toEqual(['b: OUT', 'd: OUT', 'g: OUT', 'b: OUT']);
    expect(m.rules(7)).toContain('epoll.max-left');
  });

  test('a nested epoll is readable when an item of its ready list is ready', () => {
    const m = model('pipe r w\nepoll inner\nepoll outer\nadd outer inner IN\nwait outer\nadd inner r IN\nwrite w "a"\nwait outer\nread r\nwait outer');
    expect(m.ready(4)).toBe('none');
    expect(m.ready(7)).toBe('inner: IN');
    expect(m.ready(9)).toBe('none');
  });

  test('wait with max 0 or on something not an epoll is EINVAL', () => {
    expect(model('epoll e\nwait e max 0').result(1)).toBe('EINVAL');
    expect(model('pipe r w\nepoll e\nwait r').result(2)).toBe('EINVAL');
  });

  test('a registration of a masked event says so', () => {
    const m = model('pipe r w\nepoll e\nadd e w IN\nwait e');
    expect(m.rules(3)).toEqual(['epoll.masked']);
    expect(m.step(3).why[0].text).toContain('shows only OUT');
  });

  test('a reported entry says why each flag is set', () => {
    const m = model('pipe r w\nepoll e\nadd e r IN\nwrite w "ab"\nclose w\nwait e');
    expect(m.step(5).why[0].text).toBe('r: IN|HUP (IN: 2 byte(s) in the pipe; HUP: no write end is open); level-triggered: back to the tail of the ready list');
  });

  test('the lt-requeue flip (a planted bug) changes what a second wait reports', () => {
    const text = 'pipe r w\nepoll e\nadd e w OUT\nwait e\nwait e';
    expect(model(text).ready(4)).toBe('w: OUT');
    expect(model(text, 'tcp', { flip: ['epoll.lt-requeue'] }).ready(4)).toBe('none');
  });
});

test('every scenario above gives the same answers on the kernel', async () => {
  expect(await kernelDisagreements()).toEqual([]);
});
