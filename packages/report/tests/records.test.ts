import type { ScenarioRecord as RunnerRecord } from '../src/json';
import { sourceOf } from '../src/records';
import type { AnyScenarioRecord } from '../src/records';
import { founding } from './record-fixtures';

describe('AnyScenarioRecord', () => {
  it('is what toRecord gives, and what its JSON reads back as', async () => {
    // A type check first: the runner's record must be one of ours.
    const fromRunner = (r: RunnerRecord): AnyScenarioRecord => r;
    const { records } = await founding();
    const parsed = JSON.parse(JSON.stringify(records)) as RunnerRecord[];
    expect(parsed.map(fromRunner)).toEqual(records);
    expect(records[0].names).toEqual(['5', '6', '3']);
    expect(records[0].steps.map((s) => s.setup)).toEqual([true, true, true, true, true, false, false, false, false, false, false, false, false, false, false]);
  });
});

describe('sourceOf', () => {
  it('reads a Map or a plain object of sources by file', () => {
    expect(sourceOf(new Map([['a.epl', 'x']]), 'a.epl')).toBe('x');
    expect(sourceOf({ 'a.epl': 'x' }, 'a.epl')).toBe('x');
    expect(sourceOf({ 'a.epl': 'x' }, 'toString')).toBeUndefined();
    expect(sourceOf(undefined, 'a.epl')).toBeUndefined();
  });
});
