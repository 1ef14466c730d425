import { resolveFamilies, resolveWorkers } from '../src/options';

describe('resolveWorkers', () => {
  it("defaults to jest's maxWorkers, never fewer than one", () => {
    expect(resolveWorkers(undefined, 3)).toBe(3);
    expect(resolveWorkers({}, 0)).toBe(1);
  });

  it('takes the workers option over maxWorkers', () => {
    expect(resolveWorkers({ workers: 4 }, 2)).toBe(4);
  });

  it.each([
    [{ worker: 2 }, /unknown runner option 'worker'/],
    [{ families: ['tcp'] }, /goes in the project's testEnvironmentOptions/],
    [{ workers: 0 }, /'workers' must be a positive integer/],
    [{ workers: 1.5 }, /'workers' must be a positive integer/],
    [{ workers: '2' }, /'workers' must be a positive integer/],
  ])('rejects %j', (raw, message) => {
    expect(() => resolveWorkers(raw, 2)).toThrow(message);
  });
});

describe('resolveFamilies', () => {
  it('is no matrix unless eplFamilies is given', () => {
    expect(resolveFamilies(undefined)).toBeUndefined();
    expect(resolveFamilies({ customExportConditions: ['node'] })).toBeUndefined();
  });

  it('keeps the order given', () => {
    expect(resolveFamilies({ eplFamilies: ['unix', 'tcp'] })).toEqual(['unix', 'tcp']);
  });

  it.each([
    [{ eplFamilies: [] }, /non-empty list/],
    [{ eplFamilies: 'tcp' }, /non-empty list/],
    [{ eplFamilies: ['tcp', 'udp'] }, /unknown family "udp"/],
    [{ eplFamilies: ['tcp', 'tcp'] }, /lists a family twice/],
  ])('rejects %j', (raw, message) => {
    expect(() => resolveFamilies(raw)).toThrow(message);
  });
});
