// For tests that boot a guest kernel: why one cannot boot here (qemu, busybox-static or the
// kernel missing), and `itInGuest`, which then skips visibly with that reason in its title.
import { defaultCacheDir, readFetched, findKernel } from '../src/catalogue';
import { findQemu, readStaticBusybox } from '../src/tool';

/** The kernel the guest tests boot: in the configured bookworm sources, what CI fetches. */
export const GUEST = '6.1';

/** Why `kernel` cannot boot here, with the command that fixes it; undefined when it can. */
export function guestUnavailable(kernel = GUEST): string | undefined {
  try {
    findQemu();
    readStaticBusybox();
  } catch (e) {
    return (e as Error).message;
  }
  if (!readFetched(defaultCacheDir(), findKernel(kernel)))
    return `kernel ${kernel} is not fetched into ${defaultCacheDir()}: run \`epl kernels fetch ${kernel}\``;
  return undefined;
}

const reason = guestUnavailable();
if (reason) console.warn(`guest tests skipped: ${reason}`);

/** `it`, or a visible skip naming what is missing. */
export function itInGuest(name: string, fn: () => Promise<void>, timeoutMs: number): void {
  if (reason) it.skip(`${name} (cannot run here: ${reason})`, fn, timeoutMs);
  else it(name, fn, timeoutMs);
}
