// What the HTML report does in the browser: render a scenario when it is opened, the variant
// tabs, the filter, the keyboard, links to a scenario, printing. Shipped as this function's
// source (see html.ts), so it uses only its argument and the DOM: no imports, no module state.
import type { GroupData } from './view';

export function pageMain(renderBody: (group: GroupData) => string): void {
  const doc = document;
  const filter = doc.getElementById('filter') as HTMLInputElement;
  const problemsOnly = doc.getElementById('problems') as HTMLInputElement;
  const shown = doc.getElementById('shown') as HTMLElement;
  const help = doc.getElementById('help') as HTMLElement;
  const sections = Array.from(doc.querySelectorAll<HTMLDetailsElement>('details.scn'));
  const items = new Map<string, HTMLElement>();
  for (const li of Array.from(doc.querySelectorAll<HTMLElement>('#index li.it'))) items.set(li.dataset.id ?? '', li);
  const fileItems = Array.from(doc.querySelectorAll<HTMLElement>('#index li.file'));
  let current: HTMLDetailsElement | undefined;

  // The folded scenarios' records: a line per scenario (`id`, tab, JSON), gzipped, in base64,
  // unpacked once (DecompressionStream) when the page is idle or when a scenario is first
  // opened, whichever comes first; a scenario's line is parsed when it opens.
  let unpacking: Promise<Map<string, string>> | undefined;
  let lines: Map<string, string> | undefined;
  function unpack(): Promise<Map<string, string>> {
    unpacking ??= (async () => {
      const text = doc.getElementById('epl-data')?.textContent?.trim() ?? '';
      const out = new Map<string, string>();
      if (text !== '') {
        const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
        const all = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
        for (const line of all.split('\n')) {
          const tab = line.indexOf('\t');
          out.set(line.slice(0, tab), line.slice(tab + 1));
        }
      }
      return (lines = out);
    })();
    return unpacking;
  }

  /** Writes a folded section's body the first time it is opened (once the records are unpacked). */
  function ensure(sec: HTMLDetailsElement): void {
    if (sec.dataset.rendered === '1') return;
    const body = sec.querySelector('.body');
    if (!body) return;
    const write = (all: Map<string, string>) => {
      const line = all.get(sec.id);
      if (sec.dataset.rendered === '1' || line === undefined) return;
      body.innerHTML = renderBody(JSON.parse(line) as GroupData);
      sec.dataset.rendered = '1';
    };
    if (lines) write(lines);
    else {
      body.textContent = 'unpacking the records…';
      unpack().then(write, (err: unknown) => {
        body.textContent = `this browser could not unpack the records of this report: ${String(err)}`;
      });
    }
  }

  function setCurrent(sec: HTMLDetailsElement, scroll: boolean): void {
    if (current) {
      current.classList.remove('current');
      items.get(current.id)?.classList.remove('current');
    }
    current = sec;
    sec.classList.add('current');
    const item = items.get(sec.id);
    item?.classList.add('current');
    item?.scrollIntoView({ block: 'nearest' });
    sec.querySelector('summary')?.focus({ preventScroll: true });
    if (scroll) sec.scrollIntoView({ block: 'start' });
  }

  function visible(): HTMLDetailsElement[] {
    return sections.filter((s) => !s.hidden);
  }

  function move(by: number): void {
    const list = visible();
    if (list.length === 0) return;
    const at = current ? list.indexOf(current) : -1;
    const next = at < 0 ? (by > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + by));
    setCurrent(list[next], true);
  }

  function selectTab(sec: Element, k: number): void {
    const tabs = Array.from(sec.querySelectorAll<HTMLElement>('.tab'));
    if (k < 0 || k >= tabs.length) return;
    tabs.forEach((t, i) => {
      t.classList.toggle('on', i === k);
      t.setAttribute('aria-selected', i === k ? 'true' : 'false');
    });
    sec.querySelectorAll<HTMLElement>('.panel').forEach((p, i) => p.classList.toggle('on', i === k));
  }

  function apply(): void {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const onlyProblems = problemsOnly.checked;
    let n = 0;
    for (const sec of sections) {
      const hay = sec.dataset.q ?? '';
      const ok = (!onlyProblems || sec.dataset.status !== 'pass') && words.every((w) => hay.includes(w));
      // Only what changes is touched: each write makes the browser look at the element again.
      if (sec.hidden === ok) sec.hidden = !ok;
      const item = items.get(sec.id);
      if (item && item.hidden === ok) item.hidden = !ok;
      if (ok) n++;
    }
    for (const f of fileItems) {
      const empty = f.querySelector('li.it:not([hidden])') === null;
      if (f.hidden !== empty) f.hidden = empty;
    }
    shown.textContent = n === sections.length ? `${n} scenarios` : `${n} of ${sections.length} scenarios`;
  }

  function openFromHash(): void {
    const target = doc.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!(target instanceof HTMLDetailsElement) || !target.classList.contains('scn')) return;
    target.open = true;
    ensure(target);
    setCurrent(target, true);
  }

  doc.addEventListener(
    'toggle',
    (e) => {
      const t = e.target;
      if (t instanceof HTMLDetailsElement && t.classList.contains('scn') && t.open) ensure(t);
    },
    true,
  );

  doc.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target : null;
    const tab = t?.closest('.tab');
    const sec = t?.closest('details.scn');
    if (tab && sec) selectTab(sec, Number((tab as HTMLElement).dataset.v));
    else if (sec instanceof HTMLDetailsElement && t?.closest('summary')?.parentElement === sec) setCurrent(sec, false);
    const link = t?.closest('#index a');
    // Following the link to the section already in the address bar fires no hashchange.
    if (link && link.getAttribute('href') === location.hash) openFromHash();
  });

  doc.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const typing = e.target instanceof HTMLInputElement && e.target.type === 'search';
    if (e.key === 'Escape') {
      if (!help.hidden) help.hidden = true;
      else if (typing) filter.blur();
      return;
    }
    if (typing) {
      if (e.key === 'Enter') {
        e.preventDefault();
        const first = visible()[0];
        if (first) setCurrent(first, true);
      }
      return;
    }
    const sec = current && !current.hidden ? current : undefined;
    switch (e.key) {
      case '/':
        e.preventDefault();
        filter.focus();
        filter.select();
        break;
      case 'j':
        move(1);
        break;
      case 'k':
        move(-1);
        break;
      case 'o':
        if (sec) {
          sec.open = !sec.open;
          if (sec.open) ensure(sec);
        }
        break;
      case 'h':
      case 'l':
        if (sec) {
          const tabs = Array.from(sec.querySelectorAll('.tab'));
          const on = tabs.findIndex((t) => t.classList.contains('on'));
          selectTab(sec, on + (e.key === 'l' ? 1 : -1));
        }
        break;
      case 'f':
        problemsOnly.checked = !problemsOnly.checked;
        apply();
        break;
      case '?':
        help.hidden = !help.hidden;
        break;
    }
  });

  filter.addEventListener('input', apply);
  // Escape empties a search box without an input event.
  filter.addEventListener('search', apply);
  problemsOnly.addEventListener('change', apply);
  window.addEventListener('hashchange', openFromHash);
  // Print what the filter shows, every scenario open (a long report prints long); a folded
  // scenario prints written only once the records are unpacked (a moment after the page loads).
  window.addEventListener('beforeprint', () => {
    for (const sec of visible()) {
      ensure(sec);
      sec.open = true;
    }
  });
  apply();
  if (location.hash) openFromHash();
  // Unpack while the reader reads, so that opening a scenario, or printing, finds them ready.
  window.addEventListener('load', () => setTimeout(() => void unpack(), 50));
}
