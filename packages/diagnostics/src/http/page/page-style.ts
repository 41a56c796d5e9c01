// States are words with a symbol; colour only repeats what the words say.
export const PAGE_CSS = `:root { color-scheme: light dark; --ok: #1a7f37; --bad: #b42318; --warn: #9a6700; --focus: #0b57d0; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.muted { opacity: .75; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; min-width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #8884; vertical-align: top; white-space: nowrap; }
thead th { font-weight: 600; border-bottom: 2px solid #8888; }
td.number { font-variant-numeric: tabular-nums; }
.state-ok { color: var(--ok); }
.state-bad { color: var(--bad); }
.state-busy, .status-warn { color: var(--warn); }
.status-fail { color: var(--bad); font-weight: 600; }
.status-pass { color: var(--ok); }
.error { min-width: 14rem; max-width: 32rem; white-space: normal; overflow-wrap: anywhere; }
button { font: inherit; padding: .3rem .7rem; border: 1px solid currentColor; border-radius: .3rem; background: transparent; color: inherit; cursor: pointer; }
button[aria-busy="true"] { cursor: progress; opacity: .7; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`
