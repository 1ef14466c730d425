// Which files a list of paths means, for every command (run, check, record, the jest runner):
// files as given; folders by every `*.epl` below them, sorted, following symbolic links. What
// cannot be read is an error of its own, never a silent skip.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Expanded {
  /** The `.epl` files, in order. */
  readonly files: string[];
  /** Paths that give no file: missing, a dangling or looping link, a folder without `.epl` files. */
  readonly errors: { readonly path: string; readonly message: string }[];
}

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'ELOOP') return 'a loop of symbolic links';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a folder';
  return e instanceof Error ? e.message : String(e);
}

/** Expands `paths` (synchronous on purpose: a handful of calls, at the start of every run). */
export function expandPaths(paths: readonly string[]): Expanded {
  const files: string[] = [];
  const errors: { path: string; message: string }[] = [];
  // Folders on the current walk, by device and inode: a link back up is a loop, not a new folder.
  const walk = (dir: string, above: ReadonlySet<string>): number => {
    let found = 0;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push({ path: dir, message: why(e) });
      return 0;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      let st: fs.Stats;
      try {
        st = e.isSymbolicLink() ? fs.statSync(p) : e.isDirectory() ? fs.statSync(p) : (e as unknown as fs.Stats);
      } catch (err) {
        // A link that leads nowhere: an error when it is named like a scenario file or could be a folder.
        if (e.name.endsWith('.epl') || (err as NodeJS.ErrnoException).code === 'ELOOP') errors.push({ path: p, message: why(err) });
        continue;
      }
      if (st.isDirectory()) {
        const key = `${st.dev}:${st.ino}`;
        if (above.has(key)) {
          errors.push({ path: p, message: 'a loop of symbolic links (it leads back to a folder above it)' });
          continue;
        }
        found += walk(p, new Set([...above, key]));
      } else if (st.isFile() && e.name.endsWith('.epl')) {
        files.push(p);
        found++;
      }
    }
    return found;
  };
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      errors.push({ path: p, message: why(e) });
      continue;
    }
    if (st.isDirectory()) {
      if (walk(p, new Set([`${st.dev}:${st.ino}`])) === 0 && !errors.some((x) => x.path.startsWith(p)))
        errors.push({ path: p, message: 'no .epl files in this folder' });
    } else files.push(p);
  }
  return { files, errors };
}
