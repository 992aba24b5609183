// The report's inline stylesheet and hover script. Both are constants: nothing from the data
// is ever written into them (data reaches the script only through the JSON block it parses).

/** Inline CSS: system fonts only, so the file needs nothing from the network. */
export const REPORT_CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #59636e; --line: #d0d7de; --bg: #fff; --good: #e6f4ea; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1540px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.description { color: var(--muted); margin: 0 0 10px; max-width: 80ch; overflow-wrap: anywhere; white-space: pre-wrap; }
dl.facts { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0; }
dl.facts div { display: flex; gap: 6px; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
table.summary { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { border-bottom: 1px solid var(--line); padding: 5px 12px; text-align: right; }
table.summary th[scope=row], table.summary thead th:first-child { text-align: left; font-weight: 500; }
table.summary td.unit { color: var(--muted); text-align: left; }
table.summary td.better { background: var(--good); font-weight: 600; }
table.summary .delta { color: var(--muted); }
.legend-note { color: var(--muted); margin: 0 0 8px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 18px; }
figure { position: relative; margin: 0; padding: 10px 12px; border: 1px solid var(--line); border-radius: 6px; }
figcaption { font-weight: 600; margin-bottom: 4px; overflow-wrap: anywhere; }
svg.chart { display: block; width: 100%; height: auto; font-size: 11px; }
svg.chart text { fill: var(--muted); }
svg.chart .axis-label { fill: var(--fg); font-size: 12px; }
svg.chart line.grid { stroke: #eef1f4; } svg.chart line.domain, svg.chart line.tick { stroke: #8c959f; }
svg.chart path.line { fill: none; stroke-width: 1.6; stroke-linejoin: round; stroke-linecap: round; }
svg.chart line.cursor { stroke: #444; stroke-width: 1; pointer-events: none; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 2px 16px; margin: 6px 0 0; padding: 0; font-size: 12px; }
ul.legend li { display: flex; align-items: center; gap: 6px; overflow-wrap: anywhere; }
ul.legend svg { flex: none; }
.empty { color: var(--muted); font-style: italic; padding: 24px 0; }
.tip { position: absolute; top: 34px; right: 16px; background: rgba(255,255,255,.95); border: 1px solid var(--line); border-radius: 4px; padding: 4px 8px; font-size: 12px; pointer-events: none; font-variant-numeric: tabular-nums; max-width: 60%; }
.tip .sw { display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 2px; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
@media print { .tip { display: none; } .charts { display: block; } figure { break-inside: avoid; margin-bottom: 12px; } }
`.trim()

/**
 * Hover read-out: on mouse move over a chart, a vertical cursor and a box with each line's value
 * at the nearest drawn sample. Text goes in with textContent only, never as HTML.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var holder = document.getElementById('report-data');
  if (!holder) return;
  var data = JSON.parse(holder.textContent || '{"charts":{}}');
  function nearest(ts, t) {
    var lo = 0, hi = ts.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (ts[mid] < t) lo = mid + 1; else hi = mid; }
    if (lo > 0 && Math.abs(ts[lo - 1] - t) <= Math.abs(ts[lo] - t)) lo--;
    return lo;
  }
  function fmt(v) {
    if (typeof v !== 'number' || !isFinite(v)) return '\\u2014';
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : String(Number(v.toPrecision(3)));
  }
  Object.keys(data.charts).forEach(function (id) {
    var c = data.charts[id];
    var svg = document.getElementById(id);
    if (!svg || !svg.closest) return;
    var fig = svg.closest('figure');
    var tip = fig && fig.querySelector('.tip');
    var cursor = svg.querySelector('line.cursor');
    if (!tip || !cursor) return;
    function hide() { cursor.setAttribute('visibility', 'hidden'); tip.hidden = true; }
    svg.addEventListener('mouseleave', hide);
    svg.addEventListener('mousemove', function (ev) {
      var m = svg.getScreenCTM();
      if (!m) return;
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX; pt.y = ev.clientY;
      var p = pt.matrixTransform(m.inverse());
      if (p.x < c.x0 || p.x > c.x1) { hide(); return; }
      var t = c.t0 + (p.x - c.x0) / (c.x1 - c.x0) * (c.t1 - c.t0);
      cursor.setAttribute('x1', String(p.x)); cursor.setAttribute('x2', String(p.x));
      cursor.setAttribute('visibility', 'visible');
      tip.textContent = '';
      var head = document.createElement('div');
      head.textContent = 't = ' + fmt(t) + ' s';
      tip.appendChild(head);
      c.lines.forEach(function (l) {
        var i = nearest(l.t, t);
        var row = document.createElement('div');
        var sw = document.createElement('span');
        sw.className = 'sw'; sw.style.background = l.color;
        row.appendChild(sw);
        row.appendChild(document.createTextNode(l.name + ' (' + l.run + '): ' + fmt(i < 0 ? null : l.v[i])));
        tip.appendChild(row);
      });
      tip.hidden = false;
    });
  });
})();
`.trim()
