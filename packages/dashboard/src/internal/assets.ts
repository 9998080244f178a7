/**
 * The dashboard's stylesheet and script, served from the package itself: no CDN, no build step,
 * works offline and under a strict Content-Security-Policy (no inline script or style).
 */
export const DASHBOARD_CSS = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#636c76;--line:#d8dee4;--soft:#f6f8fa;--accent:#0969da;
--handled:#1a7f37;--queued:#8250df;--received:#9a6700;--failed:#cf222e;--dead:#6e7781;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--soft:#161b22;--accent:#4493f8}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg)}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;border-bottom:1px solid var(--line);background:var(--soft)}
header a{color:var(--fg);text-decoration:none;font-weight:600}main{padding:1rem 1.2rem;max-width:1200px}
a{color:var(--accent)}h1{font-size:1.25rem;margin:.2rem 0 .8rem}h2{font-size:1rem;margin:1.2rem 0 .5rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:500;font-size:.85rem}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:var(--soft);border:1px solid var(--line);padding:.7rem;overflow:auto;max-height:32rem;white-space:pre-wrap;word-break:break-all}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:.8rem}
label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted);gap:.15rem}
input,select,button{font:inherit;padding:.25rem .45rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
button{cursor:pointer;background:var(--soft)}button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.status{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.8rem;color:#fff}
.s-handled{background:var(--handled)}.s-queued{background:var(--queued)}.s-received{background:var(--received)}
.s-failed{background:var(--failed)}.s-dead{background:var(--dead)}.s-verified{background:var(--handled)}
.s-stale{background:var(--dead)}.message{white-space:pre-wrap;word-break:break-word}
.s-refused,.s-missing{background:var(--failed)}
.f-handled{fill:var(--handled)}.f-queued{fill:var(--queued)}.f-received{fill:var(--received)}.f-failed{fill:var(--failed)}.f-dead{fill:var(--dead)}
.f-p50{fill:var(--accent)}.f-p99{fill:var(--received)}.f-refused{fill:var(--failed)}svg text{fill:var(--muted);font-size:10px}
.axis{stroke:var(--line)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1rem}
.card{border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem}.card.wide{grid-column:1/-1}.card h2{margin-top:0}
.legend{display:flex;gap:.8rem;font-size:.8rem;color:var(--muted);flex-wrap:wrap}.legend i{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.25rem;vertical-align:-1px}
.l-handled{background:var(--handled)}.l-queued{background:var(--queued)}.l-received{background:var(--received)}.l-failed{background:var(--failed)}.l-dead{background:var(--dead)}
.muted{color:var(--muted)}.error{color:var(--failed)}.pager{display:flex;gap:1rem;margin:.8rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0;word-break:break-all}
.notice{border:1px solid var(--line);border-left:4px solid var(--accent);padding:.6rem .8rem;margin:.8rem 0;background:var(--soft)}
.notice.bad{border-left-color:var(--failed)}.live{font-size:.8rem}
`;

export const DASHBOARD_JS = `
"use strict";
// Times in the reader's own zone; the UTC time stays in the title.
function localTimes(root) {
  root.querySelectorAll("time[datetime]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d)) { el.title = el.textContent; el.textContent = d.toLocaleString(); }
  });
}
localTimes(document);
// Live list: re-fetch the first page's rows every few seconds (the server renders and escapes them).
(function () {
  var rows = document.getElementById("rows");
  var toggle = document.getElementById("live");
  if (!rows || !toggle || rows.getAttribute("data-live") !== "on") return;
  function refresh() {
    if (!toggle.checked || document.hidden) return;
    var url = new URL(location.href);
    url.searchParams.set("fragment", "rows");
    fetch(url, { credentials: "same-origin", headers: { accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) { if (text !== null) { rows.innerHTML = text; localTimes(rows); } })
      .catch(function () {});
  }
  setInterval(refresh, 3000);
})();
`;
