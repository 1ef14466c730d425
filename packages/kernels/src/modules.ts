// Kernel modules without modprobe: a Debian kernel package ships no modules.dep, so the load
// order of the 9p chain comes from each module's own `depends=` (its .modinfo section).

/** The module name of a file: `9pnet_virtio.ko`, `virtio-rng.ko.xz` → `9pnet_virtio`, `virtio_rng`. */
export function moduleName(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1).replace(/\.ko(\.(xz|zst|gz))?$/, '');
  return base.replace(/-/g, '_');
}

/** The modules a `.ko` (uncompressed) depends on, from its `depends=` string; [] when none. */
export function moduleDepends(ko: Uint8Array): string[] {
  const bytes = Buffer.from(ko.buffer, ko.byteOffset, ko.byteLength);
  const key = Buffer.from('\0depends=', 'latin1');
  const at = bytes.indexOf(key);
  if (at < 0) return [];
  const start = at + key.length;
  const end = bytes.indexOf(0, start);
  const text = bytes.toString('latin1', start, end < 0 ? bytes.length : end);
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The order to `insmod` `roots` and everything they depend on: every module after its
 * dependencies, roots in the order given. `depends(name)` gives a module's dependencies,
 * `undefined` when no such module file exists; `builtin(name)` says a missing one is built
 * into the kernel (nothing to load). Throws naming the module that is neither.
 */
export function loadOrder(roots: readonly string[], depends: (name: string) => readonly string[] | undefined, builtin: (name: string) => boolean): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: readonly string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`module dependency cycle: ${[...chain, name].join(' → ')}`);
    const deps = depends(name);
    if (deps === undefined) {
      if (builtin(name)) {
        state.set(name, 'done');
        return;
      }
      const via = chain.length ? ` (needed by ${chain[chain.length - 1]})` : '';
      throw new Error(`module ${name}${via} is neither a module file nor built into this kernel`);
    }
    state.set(name, 'visiting');
    for (const d of deps) visit(d, [...chain, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const r of roots) visit(r, []);
  return order;
}

/** The module names in a `modules.builtin` file (`kernel/fs/9p/9p.ko` per line). */
export function builtinModules(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map(moduleName),
  );
}
