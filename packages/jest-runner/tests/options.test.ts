import { MAX_RETRIES } from '@epl/runner';
import { resolveFamilies, resolveHtml, resolveRetries, resolveWorkers } from '../src/options';

describe('resolveWorkers', () => {
  it("defaults to jest's maxWorkers, never fewer than one", () => {
    expect(resolveWorkers(undefined, 3)).toBe(3);
    expect(resolveWorkers({}, 0)).toBe(1);
  });

  it('takes the workers option over maxWorkers', () => {
    expect(resolveWorkers({ workers: 4 }, 2)).toBe(4);
  });

  it.each([
    [{ worker: 2 }, /unknown runner option 'worker' \(known: workers, retries, html\)/],
    [{ families: ['tcp'] }, /goes in the project's testEnvironmentOptions/],
    [{ workers: 0 }, /'workers' must be a positive integer/],
    [{ workers: 1.5 }, /'workers' must be a positive integer/],
    [{ workers: '2' }, /'workers' must be a positive integer/],
  ])('rejects %j', (raw, message) => {
    expect(() => resolveWorkers(raw, 2)).toThrow(message);
  });
});

describe('resolveRetries', () => {
  it('defaults to 0: one attempt', () => {
    expect(resolveRetries(undefined)).toBe(0);
    expect(resolveRetries({ workers: 2 })).toBe(0);
  });

  it('takes a whole number from 0 to MAX_RETRIES, beside workers', () => {
    expect(resolveRetries({ retries: 0 })).toBe(0);
    expect(resolveRetries({ retries: 2, workers: 4 })).toBe(2);
    expect(resolveRetries({ retries: MAX_RETRIES })).toBe(MAX_RETRIES);
    expect(resolveWorkers({ retries: 2, workers: 4 }, 1)).toBe(4);
  });

  it.each([
    [{ retries: -1 }, /'retries' must be a whole number from 0 to 100, got -1/],
    [{ retries: 1.5 }, /'retries' must be a whole number/],
    [{ retries: '2' }, /'retries' must be a whole number.*got "2"/],
    [{ retries: null }, /'retries' must be a whole number/],
    [{ retries: MAX_RETRIES + 1 }, /'retries' must be a whole number/],
    [{ retry: 2 }, /unknown runner option 'retry'/],
  ])('rejects %j', (raw, message) => {
    expect(() => resolveRetries(raw)).toThrow(message);
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

describe('resolveHtml', () => {
  it('no page unless asked; a path relative to rootDir, or absolute', () => {
    expect(resolveHtml(undefined, '/project')).toBeUndefined();
    expect(resolveHtml({ workers: 2 }, '/project')).toBeUndefined();
    expect(resolveHtml({ html: 'out/epl-report.html' }, '/project')).toBe('/project/out/epl-report.html');
    expect(resolveHtml({ html: '/tmp/r.html' }, '/project')).toBe('/tmp/r.html');
  });

  it.each([[{ html: '' }], [{ html: 1 }], [{ html: ['a.html'] }]])('rejects %j', (raw) => {
    expect(() => resolveHtml(raw, '/project')).toThrow(/'html' must be the path of a file/);
  });
});
