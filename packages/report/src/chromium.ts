// How the tests and the bench open a report in headless Chromium: Debian's `chromium` package,
// driven by playwright-core (which never downloads a browser of its own), with a fresh profile.

/** Where Debian's `chromium` package installs the browser (`apt-get install -y chromium`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet headless run: nothing reaches the network on the browser's own account. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
