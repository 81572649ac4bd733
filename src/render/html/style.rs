//! The page's stylesheet, inline. The reader's own fonts only (nothing is
//! fetched), numbers in tabular figures so columns line up, a width that
//! suits a laptop, and on a phone (below 640 px) tighter spacing and no
//! bars beside the numbers, so nothing makes the page wider than the
//! screen: charts shrink to fit, long names wrap, and the widest tables
//! scroll within themselves.

pub(super) const CSS: &str = r#":root {
  --ink: #1e293b;
  --quiet: #64748b;
  --rule: #e2e8f0;
  --paper: #f8fafc;
  --treated: #2563eb;
  --holdout: #94a3b8;
  --entered: #0d9488;
  --outcome: #7c3aed;
  --good: #15803d;
  --bad: #b91c1c;
}
* { box-sizing: border-box; }
body {
  margin: 0;
  padding: 0 1.5rem 3rem;
  color: var(--ink);
  background: var(--paper);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
header, main, footer { max-width: 72rem; margin: 0 auto; }
header { padding: 1.5rem 0 0.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.35rem; margin: 0 0 0.25rem; }
h3 { font-size: 1.05rem; margin: 1.75rem 0 0.5rem; padding-top: 0.75rem; border-top: 1px solid var(--rule); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
h2 code { font-size: 1em; }
p { margin: 0.4rem 0; }
.lead { font-size: 1.05rem; }
.title { font-size: 1.1rem; margin-top: 0; }
.quiet { color: var(--quiet); }
.good { color: var(--good); }
.bad { color: var(--bad); font-weight: 600; }
dl.facts { display: flex; flex-wrap: wrap; gap: 0.25rem 2rem; margin: 0.75rem 0; }
dl.facts div { display: flex; gap: 0.5rem; }
dl.facts dt { color: var(--quiet); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; padding: 0; margin: 0.5rem 0; }
nav a { color: var(--treated); }
section.card, section.program {
  background: #ffffff;
  border: 1px solid var(--rule);
  border-radius: 10px;
  padding: 1.25rem 1.5rem 1.5rem;
  margin: 1.25rem 0;
}
section.card h2 { margin-bottom: 0.75rem; }
.tiles { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 1rem 0 0.5rem; }
.tile { background: var(--paper); border: 1px solid var(--rule); border-radius: 8px; padding: 0.5rem 0.9rem; min-width: 8.5rem; }
.tile b { display: block; font-size: 1.35rem; font-variant-numeric: tabular-nums; }
.tile span { color: var(--quiet); font-size: 0.85rem; }
.chart { overflow-x: auto; border: 1px solid var(--rule); border-radius: 8px; background: #ffffff; padding: 0.5rem; }
.chart svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 0.25rem 0; }
th, td { padding: 0.3rem 0.75rem; border-bottom: 1px solid var(--rule); vertical-align: middle; }
thead th { font-weight: 600; color: var(--quiet); font-size: 0.85rem; border-bottom: 2px solid var(--rule); }
tbody th { text-align: left; font-weight: normal; }
table.numbers td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.numbers thead th { text-align: right; }
table.numbers thead th:first-child { text-align: left; }
td.bar-cell, th.bar-cell { width: 16rem; text-align: left; }
.track { display: block; width: 15rem; height: 0.8rem; background: var(--rule); border-radius: 3px; overflow: hidden; }
.fill { display: block; height: 100%; border-radius: 3px; }
.fill.entered { background: var(--entered); }
.fill.outcome { background: var(--outcome); }
.fill.treated { background: var(--treated); }
.fill.holdout { background: var(--holdout); }
.lift { margin-top: 0.75rem; }
.note { background: #fffbeb; border: 1px solid #fcd34d; border-radius: 8px; padding: 0.5rem 0.9rem; }
svg.interval { display: block; max-width: 100%; height: auto; font: 12px system-ui, sans-serif; fill: var(--ink); }
svg.timeline { display: block; width: 100%; max-width: 40rem; height: auto; font: 11px system-ui, sans-serif; fill: var(--quiet); }
footer { color: var(--quiet); font-size: 0.85rem; padding-top: 1rem; }
h4 { font-size: 0.95rem; margin: 1.25rem 0 0.4rem; }
.small { font-size: 0.85rem; }
code, dd, p, li, tbody th { overflow-wrap: anywhere; }
thead th { overflow-wrap: normal; hyphens: auto; }
a.term { color: inherit; text-decoration: underline dotted var(--quiet); text-underline-offset: 2px; cursor: help; }
.definition { background: #eff6ff; border: 1px solid #bfdbfe; border-radius: 8px; padding: 0.5rem 0.9rem; }
.wide { max-width: 100%; overflow-x: auto; }
tr.sub th { padding-left: 1.5rem; font-size: 0.92rem; }
table.numbers td.text { text-align: left; white-space: normal; }
details.ways { margin: 0.5rem 0 1rem; }
details.ways summary { cursor: pointer; color: var(--treated); }
ul.legend { list-style: none; padding: 0; margin: 0.25rem 0 0.75rem; display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; font-size: 0.9rem; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 2px; margin-right: 0.35rem; vertical-align: -1px; }
dl.glossary div { margin: 0.4rem 0; }
dl.glossary dt { font-weight: 600; }
dl.glossary dd { margin: 0 0 0 1rem; }
@media (max-width: 640px) {
  body { padding: 0 0.5rem 2rem; font-size: 14px; }
  section.card, section.program { padding: 0.75rem 0.7rem 1rem; border-radius: 8px; }
  th, td { padding: 0.25rem 0.35rem; }
  td.bar-cell, th.bar-cell { display: none; }
  .tile { min-width: 6.5rem; padding: 0.4rem 0.6rem; }
  dl.facts { gap: 0.25rem 1rem; }
}
"#;
