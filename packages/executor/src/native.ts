// Loading the addon: once per thread (each worker isolate gets its own instance of the addon's
// per-environment state), lazily, so importing this package never fails by itself.
import * as path from 'path';

/** The addon's exports, as addon.cc defines them. */
export interface NativeAddon {
  runBatch(code: Int32Array, strings: Uint8Array, meta: Int32Array, session: unknown, out: Uint8Array | null, progress: Int32Array | null): number | Uint8Array;
  isolate(): { files: boolean; netns: boolean; reason?: string };
  openLane(): unknown;
  laneRun(lane: unknown, code: Int32Array, strings: Uint8Array, meta: Int32Array): Promise<LaneReply>;
  closeLane(lane: unknown): void;
  info(): {
    ops: { code: number; name: string; operands: string[] }[];
    opWords: number;
    limits: Record<string, number>;
    layout: Record<string, number>;
    captureFrames: number;
    batchMetaWords: number;
  };
  openSession(): unknown;
  closeSession(session: unknown): void;
}

/** What laneRun resolves to. */
export interface LaneReply {
  /** Every Program's results back to back (readBatch). */
  raw: Uint8Array;
  files: boolean;
  netns: boolean;
  reason?: string;
  /** Set when the lane could not run the batch at all (then `raw` is empty). */
  error?: string;
}

/** Where the build puts the addon. */
export const ADDON_PATH = path.join(__dirname, '..', 'build', 'Release', 'epl_executor.node');

let loaded: NativeAddon | undefined;

/** Loads an addon file; a missing or broken one throws an Error that says how to build it. */
export function loadAddon(file: string): NativeAddon {
  try {
    return require(file) as NativeAddon;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(
      `@epl/executor: the native addon could not be loaded from ${file} (${why}); ` +
        'run `npm install` at the repository root: it builds the addon with node-gyp',
    );
  }
}

/** The addon of this thread. */
export function native(): NativeAddon {
  if (!loaded) loaded = loadAddon(ADDON_PATH);
  return loaded;
}
