import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expandPaths } from '../src/paths';

let dir: string;
const write = (name: string, text = '') => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};
const at = (name: string) => path.join(dir, name);

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'epl-paths-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('expandPaths', () => {
  it('finds *.epl below folders, recursively and sorted; files stay as given', () => {
    write('b/z.epl');
    write('b/a/y.epl');
    write('b/notes.txt');
    const x = write('x.txt');
    expect(expandPaths([at('b'), x, at('nope')])).toEqual({
      files: [at('b/a/y.epl'), at('b/z.epl'), x],
      errors: [{ path: at('nope'), message: 'no such file or folder' }],
    });
  });

  it('follows symbolic links to files and folders', () => {
    write('real/a.epl');
    mkdirSync(at('top'));
    symlinkSync(at('real'), at('top/linked'));
    symlinkSync(at('real/a.epl'), at('top/b.epl'));
    expect(expandPaths([at('top')])).toEqual({ files: [at('top/b.epl'), at('top/linked/a.epl')], errors: [] });
  });

  it('says which links lead nowhere or round in a loop, and goes on', () => {
    write('top/ok.epl');
    symlinkSync(at('gone.epl'), at('top/dangling.epl'));
    symlinkSync(at('top'), at('top/up'));
    symlinkSync(at('top/self'), at('top/self'));
    const { files, errors } = expandPaths([at('top')]);
    expect(files).toEqual([at('top/ok.epl')]);
    expect(errors).toEqual([
      { path: at('top/dangling.epl'), message: 'no such file or folder' },
      { path: at('top/self'), message: 'a loop of symbolic links' },
      { path: at('top/up'), message: 'a loop of symbolic links (it leads back to a folder above it)' },
    ]);
    expect(expandPaths([at('top/self')]).errors).toEqual([{ path: at('top/self'), message: 'a loop of symbolic links' }]);
  });

  it('a folder without .epl files is an error, not an empty success', () => {
    write('empty/readme.txt');
    expect(expandPaths([at('empty')])).toEqual({ files: [], errors: [{ path: at('empty'), message: 'no .epl files in this folder' }] });
  });
});
