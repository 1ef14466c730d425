import { builtinModules, loadOrder, moduleDepends, moduleName } from '../src/modules';

describe('moduleName', () => {
  it('drops the folder and .ko(.xz|.zst) and turns dashes into underscores', () => {
    expect(moduleName('kernel/net/9p/9pnet_virtio.ko')).toBe('9pnet_virtio');
    expect(moduleName('virtio-rng.ko.xz')).toBe('virtio_rng');
    expect(moduleName('fs/netfs/netfs.ko.zst')).toBe('netfs');
  });
});

describe('moduleDepends', () => {
  const modinfo = (fields: string[]) => Buffer.concat([Buffer.from('\x7fELF junk'), ...fields.map((f) => Buffer.from(`\0${f}`)), Buffer.from('\0more')]);
  it('reads the comma-separated depends= of the .modinfo strings', () => {
    expect(moduleDepends(modinfo(['license=GPL', 'depends=virtio,9pnet,virtio_ring', 'name=9pnet_virtio']))).toEqual(['virtio', '9pnet', 'virtio_ring']);
  });
  it('gives [] for an empty depends= and for none', () => {
    expect(moduleDepends(modinfo(['depends=', 'name=9pnet']))).toEqual([]);
    expect(moduleDepends(modinfo(['name=x']))).toEqual([]);
  });
  it('does not take a depends= that is not a whole .modinfo string', () => {
    expect(moduleDepends(Buffer.from('\0xdepends=virtio\0'))).toEqual([]);
  });
});

describe('loadOrder', () => {
  // The 6.1 chain of CROSS-KERNEL.md, from each module's depends=.
  const deps: Record<string, string[]> = {
    virtio_ring: [],
    virtio: ['virtio_ring'],
    virtio_pci_modern_dev: [],
    virtio_pci_legacy_dev: [],
    virtio_pci: ['virtio_ring', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio'],
    netfs: [],
    fscache: ['netfs'],
    '9pnet': [],
    '9pnet_virtio': ['virtio', '9pnet', 'virtio_ring'],
    '9p': ['9pnet', 'fscache', 'netfs'],
  };
  const none = () => false;

  it('puts every module after its dependencies, each once', () => {
    const order = loadOrder(['virtio_pci', '9pnet_virtio', '9p'], (n) => deps[n], none);
    expect(new Set(order).size).toBe(order.length);
    expect([...order].sort()).toEqual(Object.keys(deps).sort());
    for (const [m, ds] of Object.entries(deps)) for (const d of ds) expect(order.indexOf(d)).toBeLessThan(order.indexOf(m));
  });

  it('skips modules built into the kernel (6.12: virtio_pci, virtio)', () => {
    const builtin = new Set(['virtio_pci', 'virtio', 'virtio_ring']);
    const order = loadOrder(
      ['virtio_pci', '9pnet_virtio', '9p'],
      (n) => (builtin.has(n) ? undefined : deps[n]),
      (n) => builtin.has(n),
    );
    expect(order).toEqual(['9pnet', '9pnet_virtio', 'netfs', 'fscache', '9p']);
  });

  it('names a module that is neither a file nor built in, and who needed it', () => {
    expect(() => loadOrder(['9p'], (n) => (n === '9p' ? ['netfs'] : undefined), none)).toThrow(
      'module netfs (needed by 9p) is neither a module file nor built into this kernel',
    );
  });

  it('reports a dependency cycle', () => {
    expect(() => loadOrder(['a'], (n) => (n === 'a' ? ['b'] : ['a']), none)).toThrow('module dependency cycle: a → b → a');
  });
});

describe('builtinModules', () => {
  it('reads modules.builtin paths as module names', () => {
    expect(builtinModules('kernel/drivers/virtio/virtio_pci.ko\nkernel/drivers/virtio/virtio-ring.ko\n\n')).toEqual(new Set(['virtio_pci', 'virtio_ring']));
  });
});
