import { kernelDisagreements, model } from './helpers';

const ONE = '"\\x01\\0\\0\\0\\0\\0\\0\\0"';

describe('eventfd', () => {
  test('writes add; a read takes the whole counter and resets it', () => {
    const m = model(`eventfd e 2\nwrite e ${ONE}\nread e 8\nread e 8`);
    expect(m.result(2)).toBe(JSON.stringify('\x03\0\0\0\0\0\0\0'));
    expect(m.result(3)).toBe('EAGAIN');
  });

  test('fewer or more than 8 bytes is EINVAL', () => {
    const m = model('eventfd e\nwrite e "\\x01"\nwrite e 100\nread e 4');
    expect([m.result(1), m.result(2), m.result(3)]).toEqual(['EINVAL', 'EINVAL', 'EINVAL']);
  });

  test('the counter stops below 2^64-1: a write past it is EAGAIN, 0xffffffffffffffff is EINVAL, OUT is gone', () => {
    const m = model(
      'eventfd e\nepoll p\nadd p e IN|OUT\nwrite e "\\xfe\\xff\\xff\\xff\\xff\\xff\\xff\\xff"\nwait p\nwrite e ' +
        ONE +
        '\nwrite e "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff"',
    );
    expect(m.ready(4)).toBe('e: IN');
    expect([m.result(5), m.result(6)]).toEqual(['EAGAIN', 'EINVAL']);
  });

  test('the initial value is an unsigned int', () => {
    expect(model('eventfd e -2\nread e 8').result(1)).toBe(JSON.stringify('\xfe\xff\xff\xff\0\0\0\0'));
  });

  test('fill is EINVAL; drain takes the counter once', () => {
    const m = model(`eventfd e 5\nfill e\ndrain e\ndrain e`);
    expect([m.result(1), m.result(2), m.result(3)]).toEqual(['EINVAL', JSON.stringify('\x05\0\0\0\0\0\0\0'), '""']);
  });

  test('a successful write of 0 still wakes: an edge-triggered reader with a counter above 0 is reported again', () => {
    const m = model(`eventfd e 1\nepoll p\nadd p e IN|ET\nwait p\nwait p\nwrite e "\\0\\0\\0\\0\\0\\0\\0\\0"\nwait p`);
    expect([m.ready(3), m.ready(4), m.ready(6)]).toEqual(['e: IN', 'none', 'e: IN']);
  });
});

test('every scenario above gives the same answers on the kernel', async () => {
  expect(await kernelDisagreements()).toEqual([]);
});
