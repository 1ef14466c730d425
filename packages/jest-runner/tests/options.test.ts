import { resolveOptions } from '../src/options';

describe('resolveOptions', () => {
  it('defaults to no family matrix and jest maxWorkers', () => {
    expect(resolveOptions(undefined, 3)).toEqual({ families: undefined, workers: 3 });
    expect(resolveOptions({}, 1)).toEqual({ families: undefined, workers: 1 });
  });

  it('takes a family matrix and a worker count', () => {
    expect(resolveOptions({ families: ['tcp', 'unix'], workers: 4 }, 2)).toEqual({ families: ['tcp', 'unix'], workers: 4 });
  });

  it('never asks for fewer than one worker', () => {
    expect(resolveOptions({}, 0).workers).toBe(1);
  });

  it.each([
    [{ family: ['tcp'] }, /unknown option 'family'/],
    [{ families: [] }, /non-empty list/],
    [{ families: 'tcp' }, /non-empty list/],
    [{ families: ['tcp', 'udp'] }, /unknown family "udp"/],
    [{ families: ['tcp', 'tcp'] }, /lists a family twice/],
    [{ workers: 0 }, /'workers' must be a positive integer/],
    [{ workers: 1.5 }, /'workers' must be a positive integer/],
  ])('rejects %j', (raw, message) => {
    expect(() => resolveOptions(raw, 2)).toThrow(message);
  });
});
