// The report's look, inlined into the page: colours per epoll flag and per kind of segment, the
// timeline grid, the index, and a print layout.

/** Colours of the epoll flags a `wait` reports: background, border, text. */
export const FLAG_COLOURS: Readonly<Record<string, readonly [string, string, string]>> = {
  IN: ['#dafbe1', '#4ac26b', '#116329'],
  PRI: ['#fbefff', '#c297ff', '#6639ba'],
  OUT: ['#ddf4ff', '#54aeff', '#0550ae'],
  ERR: ['#ffebe9', '#ff8182', '#a40e26'],
  HUP: ['#fff1e5', '#fb8f44', '#953800'],
  RDNORM: ['#e6f6f4', '#5fb3a8', '#0b5c52'],
  RDBAND: ['#e6f6f4', '#5fb3a8', '#0b5c52'],
  WRNORM: ['#eef1f4', '#8c959f', '#424a53'],
  WRBAND: ['#eef1f4', '#8c959f', '#424a53'],
  MSG: ['#eef1f4', '#8c959f', '#424a53'],
  RDHUP: ['#ffeff7', '#ff80c8', '#99286e'],
};

/** Colours of the segments by kind (see `segmentKind`): what each arrow of the wire means. */
export const SEGMENT_COLOURS: Readonly<Record<string, readonly [string, string]>> = {
  syn: ['#0969da', 'SYN: S, S.'],
  data: ['#1a7f37', 'data: P. with len'],
  ack: ['#6e7781', 'ACK: .'],
  fin: ['#bc4c00', 'FIN: F., FP.'],
  rst: ['#cf222e', 'RST: R, R.'],
};

function flagRules(): string {
  let css = '';
  for (const [flag, [bg, border, text]] of Object.entries(FLAG_COLOURS)) css += `.c-${flag}{background:${bg};border-color:${border};color:${text}}\n`;
  for (const [kind, [colour]] of Object.entries(SEGMENT_COLOURS)) css += `.k-${kind}{stroke:${colour};fill:${colour};color:${colour}}\n`;
  return css;
}

export const CSS = `
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--soft:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;--error:#8250df;--flaky:#9a6700;
--unck:#9a6700;--life:#c9d1d9;--setup:#f6f8fa;--diff:#fff8c5;--accent:#0969da;
--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;color-scheme:light}
*{box-sizing:border-box}
html,body{margin:0;padding:0}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:var(--fg);background:#fff}
code,pre{font-family:var(--mono);font-size:12.5px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
header.top{padding:14px 22px 10px;border-bottom:1px solid var(--line);background:var(--soft)}
header.top h1{font-size:20px;margin:0 0 4px}
.summary{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:baseline;color:var(--muted)}
.summary b{color:var(--fg)}
.count{font-weight:600}
.count.pass{color:var(--pass)}.count.fail{color:var(--fail)}.count.error{color:var(--error)}.count.flaky{color:var(--flaky)}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;margin-top:8px;font-size:12.5px;color:var(--muted);align-items:center}
.legend .grp{display:flex;gap:4px;align-items:center;flex-wrap:wrap}
.legend svg{vertical-align:middle}
.layout{display:grid;grid-template-columns:minmax(240px,320px) minmax(0,1fr)}
nav#index{position:sticky;top:0;align-self:start;height:100vh;overflow:auto;border-right:1px solid var(--line);padding:12px 10px 40px;background:#fff}
#index .tools{display:flex;flex-direction:column;gap:6px;margin-bottom:8px}
#filter{width:100%;padding:6px 8px;border:1px solid var(--line);border-radius:6px;font:inherit}
#filter:focus{outline:2px solid var(--accent);outline-offset:-1px}
#index .opts{display:flex;justify-content:space-between;font-size:12.5px;color:var(--muted)}
#index ul{list-style:none;margin:0;padding:0}
#index li.file{margin:8px 0 2px}
#index .fname{display:flex;justify-content:space-between;gap:6px;font:600 12px var(--mono);color:var(--muted);overflow-wrap:anywhere;padding:2px 4px}
#index .fname .n{font-family:system-ui,sans-serif;font-weight:400;white-space:nowrap}
#index li.it a{display:flex;gap:6px;padding:3px 4px 3px 6px;border-radius:5px;color:var(--fg);font-size:13px;line-height:1.3}
#index li.it a:hover{background:var(--soft);text-decoration:none}
#index li.it.current a{background:#ddf4ff;box-shadow:inset 3px 0 var(--accent)}
#index li.it .t{flex:1;min-width:0}
.keys{font-size:12px;color:var(--muted);margin-top:14px;border-top:1px solid var(--line);padding-top:8px}
kbd{font:11px var(--mono);border:1px solid var(--line);border-bottom-width:2px;border-radius:4px;padding:0 4px;background:var(--soft);color:var(--fg)}
main{padding:10px 22px 60px;min-width:0}
.st-icon{display:inline-block;width:1.1em;text-align:center;font-weight:700}
.st-icon.pass{color:var(--pass)}.st-icon.fail{color:var(--fail)}.st-icon.error{color:var(--error)}.st-icon.flaky{color:var(--flaky)}
details.scn{border:1px solid var(--line);border-radius:8px;margin:10px 0;background:#fff}
@media screen{details.scn{content-visibility:auto;contain-intrinsic-size:auto 60px}details.scn[open]{contain-intrinsic-size:auto 900px}
#index li.file{content-visibility:auto;contain-intrinsic-size:auto 120px}}
details.scn.current{box-shadow:0 0 0 2px var(--accent)}
details.scn>summary{list-style:none;cursor:pointer;padding:8px 12px;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap;border-radius:8px}
details.scn>summary::-webkit-details-marker{display:none}
details.scn>summary::before{content:"▸";color:var(--muted);width:10px}
details.scn[open]>summary::before{content:"▾"}
details.scn[open]>summary{border-bottom:1px solid var(--line);border-radius:8px 8px 0 0;background:var(--soft)}
details.scn>summary:focus-visible{outline:2px solid var(--accent);outline-offset:-2px}
details.scn.fail{border-left:4px solid var(--fail)}details.scn.error{border-left:4px solid var(--error)}details.scn.flaky{border-left:4px solid var(--flaky)}
details.scn>summary{flex-wrap:nowrap}
summary .head{flex:1;min-width:0}
summary .title{font-weight:600;font-size:15px;margin-right:10px}
summary .where{color:var(--muted);font:12px var(--mono);white-space:nowrap}
summary .why{display:block;font:12px var(--mono);color:var(--fail);margin-top:2px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
details.scn.error summary .why{color:var(--error)}
.vars{display:inline-flex;flex-wrap:wrap;justify-content:flex-end;gap:4px;flex:none;max-width:45%}
.var{font-size:11.5px;border-radius:10px;padding:0 7px;border:1px solid;white-space:nowrap}
.var.pass{color:var(--pass);border-color:#8ddb9f;background:#f0fff4}
.var.fail{color:var(--fail);border-color:#ffaba8;background:#fff5f5}
.var.error{color:var(--error);border-color:#d8b9ff;background:#fbf7ff}
.var.flaky{color:var(--flaky);border-color:#e3c16f;background:#fffbe6}
.body{padding:8px 12px 12px}
.tabs{display:flex;flex-wrap:wrap;gap:4px;margin:6px 0 8px;border-bottom:1px solid var(--line)}
.tab{font:inherit;font-size:13px;border:1px solid var(--line);border-bottom:none;background:var(--soft);padding:4px 12px;border-radius:6px 6px 0 0;cursor:pointer;color:var(--fg);margin-bottom:-1px;white-space:nowrap}
.tab.on{background:#fff;font-weight:600}
.tab::before{margin-right:5px;font-weight:700}
.tab.pass::before{content:"✓";color:var(--pass)}.tab.fail::before{content:"✗";color:var(--fail)}.tab.error::before{content:"!";color:var(--error)}.tab.flaky::before{content:"~";color:var(--flaky)}
.js .tabs~.panel{display:none}.js .tabs~.panel.on{display:block}
.js .tabs~.panel .vh{display:none}
.vh{margin:12px 0 4px;font-size:13px}
.scroll{overflow-x:auto}
.banner{margin:6px 0;padding:6px 10px;border-radius:6px;font-size:13px}
.banner.err{background:#fbf7ff;border:1px solid #d8b9ff;color:#5a32a3}
.banner.fail{background:#fff5f5;border:1px solid #ffaba8}
.banner.flaky{background:#fffbe6;border:1px solid #e3c16f}
.banner.flaky summary{cursor:pointer}
.banner.unck{background:#fffbe6;border:1px solid #e3c16f}
.banner pre{white-space:pre-wrap;margin:6px 0 0}
table.tl,table.mx{border-collapse:collapse;font-size:13px;margin:4px 0}
table.tl th.wire{padding-left:0;padding-right:0}
table.tl th,table.mx th{font-size:12px;font-weight:600;color:var(--muted);text-align:left;padding:4px 8px;border-bottom:2px solid var(--line);white-space:nowrap;vertical-align:bottom}
table.tl td,table.mx td{padding:3px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
table.tl td.st{white-space:nowrap;color:var(--muted);font:12px var(--mono);text-align:right;width:1%}
.ic{display:inline-block;width:1.3em;text-align:left;font-family:system-ui,sans-serif;font-weight:700}
tr.step .ic{color:#8c959f}
tr.step td.st[title^="checked"] .ic{color:var(--pass)}
tr.fail .ic,tr.err .ic{color:var(--fail)}
tr.unck .ic{color:var(--unck)}
tr.fail>td{background:#fff5f5}
tr.fail>td.st{box-shadow:inset 4px 0 var(--fail)}
tr.unck>td.st{box-shadow:inset 4px 0 var(--unck)}
tr.err>td{background:#fbf7ff;color:#5a32a3}
td.op code{white-space:pre-wrap}
td.op .note{color:var(--muted);font:italic 12px var(--mono)}
td.res{white-space:nowrap}
td.res.errno code{color:var(--error)}
td.res.bad code{color:var(--fail);font-weight:600}
.xp{display:grid;grid-template-columns:auto 1fr;gap:0 8px;margin:4px 0 2px;padding:4px 8px;border:1px solid #ffaba8;border-radius:6px;background:#fff;font-size:12.5px;width:max-content;max-width:520px}
.xp b{font-weight:600;color:var(--muted);white-space:nowrap}
.xp b.got{color:var(--fail)}
.xp code{white-space:pre-wrap}
ul.why{margin:3px 0 1px;padding:0 0 0 14px;color:var(--muted);font-size:12px;max-width:640px;white-space:normal}
ul.why li{margin:1px 0}
.unck{font-size:12px;color:var(--unck)}
.band td{background:var(--setup);color:var(--muted);font-size:12px;padding:2px 8px;border-bottom:1px solid var(--line)}
.band b{text-transform:uppercase;letter-spacing:.05em;font-size:11px;margin-right:6px;color:#424a53}
.band.own td{background:#fff;border-top:2px solid var(--line)}
tbody.setup tr.step td{background:var(--setup)}
tbody.setup tr.step td.op code{color:#424a53}
th.nm{text-align:center!important;min-width:56px}
th.nm small{display:block;font-weight:400;font:10.5px var(--mono)}
td.nm{position:relative;text-align:center;min-width:56px;white-space:nowrap}
td.nm::before{content:"";position:absolute;left:50%;margin-left:-1px;top:0;bottom:0;border-left:2px solid transparent;z-index:0}
td.nm.live::before{border-left-color:var(--life)}
td.nm.bind::before{border-left-color:var(--life);top:50%}
td.nm.end::before{border-left-color:var(--life);bottom:50%}
td.nm>*{position:relative;z-index:1}
.fd{font:11px var(--mono);background:#fff;border:1px solid var(--line);border-radius:4px;padding:0 4px;color:var(--muted)}
.cl{color:var(--fail);background:#fff;font-weight:700}
.use{color:#8c959f;background:transparent;font-size:10px}
.chip{display:inline-block;font:600 10.5px/1.5 var(--mono);font-style:normal;border:1px solid;border-radius:9px;padding:0 5px;margin:1px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.c-x{background:#eef1f4;border-color:#8c959f;color:#424a53}
.chip.extra{box-shadow:0 0 0 2px var(--fail)}
.chip.missing{background:#fff!important;border-style:dashed;opacity:.75;text-decoration:line-through}
th.wire span{display:block;font-weight:400;font-size:11px}
th.wire svg{display:block}
th.wire svg text{font:600 12px var(--mono);fill:var(--fg);text-anchor:middle}
g.arrow.extra rect.hl{fill:#ffcecb;stroke:none}
g.arrow.extra text{fill:var(--fail)}
g.arrow.missing{opacity:.55}
g.arrow.missing line{stroke-dasharray:4 3}
g.arrow.missing path{fill:#fff;stroke:inherit;stroke-width:1.2}
th.wire.none,td.wire.none{color:var(--muted);font-weight:400;font-size:11.5px;min-width:120px}
td.wire{padding:0!important;background:var(--lifelines);-webkit-print-color-adjust:exact;print-color-adjust:exact}
tbody.setup tr.step td.wire{background:var(--lifelines),var(--setup)}
tr.fail td.wire{background:var(--lifelines),#fff5f5}
svg.segs{display:block}
svg.segs line{stroke-width:1.6}
svg.segs path{stroke:none}
svg.segs text{font:600 11px var(--mono);stroke:none;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3px}
details.mx{margin-top:10px}
details.mx>summary{cursor:pointer;font-size:13px;color:var(--muted);padding:4px 0}
details.mx>summary b{color:#7d4e00}
table.mx td.op code{white-space:nowrap}
.nw{white-space:nowrap}
table.mx th.k{text-align:center;border-bottom:1px solid var(--line);color:var(--fg)}
table.mx td.diff{background:var(--diff)}
table.mx tr.differs td.st{box-shadow:inset 4px 0 #d4a72c}
table.mx tr.setup td{color:var(--muted)}
table.mx td.bad code{color:var(--fail)}
table.mx th.fail{color:var(--fail)}
table.mx .note{color:var(--muted);font-size:11.5px}
details.src{margin:4px 0 8px;font-size:12.5px}
details.src summary{cursor:pointer;color:var(--muted)}
details.src pre{margin:4px 0;padding:6px 10px;background:var(--soft);border-radius:6px;overflow-x:auto}
details.src pre i{font-style:normal;color:#8c959f;user-select:none}
details.src pre .bad{background:#ffebe9;display:inline-block;min-width:100%}
.gap{color:#8c959f}
#help{position:fixed;right:24px;top:24px;z-index:10;background:#fff;border:1px solid var(--line);border-radius:8px;box-shadow:0 8px 24px rgba(140,149,159,.3);padding:12px 16px;font-size:13px}
#help table td{padding:2px 8px}
.empty{color:var(--muted);padding:20px}
@media (max-width:900px){.layout{grid-template-columns:1fr}nav#index{position:static;height:auto;border-right:none;border-bottom:1px solid var(--line)}}
@media print{
  nav#index,#help,.tabs,details.src{display:none!important}
  .layout{display:block}
  main{padding:0}
  header.top{background:none;padding:0 0 6px}
  details.scn{break-inside:auto;border:1px solid #999;margin:8px 0}
  details.scn>summary::before{content:none}
  details.scn:not([open]){display:none}
  .js .tabs~.panel,.panel{display:block!important}
  .js .tabs~.panel .vh,.vh{display:block}
  tr{break-inside:avoid}
  .scroll{overflow:visible}
  body{font-size:11px}
}
${flagRules()}`;
