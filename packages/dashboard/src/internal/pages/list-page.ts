import type { JournalPage, JournalStats, JournalSummary } from "@hookgate/core";
import { journalStatuses } from "@hookgate/core";
import { barChart, deliveriesChart, latencyChart } from "../charts.js";
import { formatMs, formatTime, statusBadge } from "../format.js";
import { html, type SafeHtml } from "../html.js";
import type { ListQuery } from "../list-query.js";
import { layout } from "./layout.js";

/** What the deliveries page shows. */
export interface ListView {
  base: string;
  query: ListQuery;
  page: JournalPage;
  stats: JournalStats;
  /** The charts' window. */
  from: Date;
  to: Date;
  /** The CSRF token for the replay form; absent without a receiver. */
  csrf: string | undefined;
}

function deliveryLink(base: string, entry: JournalSummary): string {
  return `${base}/delivery?key=${encodeURIComponent(entry.key)}`;
}

/** The table rows alone: what the live list re-fetches. */
export function listRows(base: string, entries: readonly JournalSummary[]): SafeHtml {
  if (entries.length === 0) return html`<tr><td colspan="7" class="muted">No deliveries match.</td></tr>`;
  return html`${entries.map(
    (
      e,
    ) => html`<tr data-key="${e.key}"><td>${formatTime(e.receivedAt)}</td><td>${e.scheme}</td><td class="mono">${e.type}</td>
<td class="mono"><a href="${deliveryLink(base, e)}">${e.id}</a>${e.tenant === undefined ? "" : html` <span class="muted">(${e.tenant})</span>`}</td>
<td>${statusBadge(e.status)}${e.lastError ? html` <span class="error mono" title="${e.lastError.message}">${e.lastError.code}</span>` : ""}</td>
<td class="num">${e.attempts}</td><td class="num">${formatMs(e.durationMs)}</td></tr>`,
  )}`;
}

function filters(query: ListQuery): SafeHtml {
  const since = [
    ["", "any time"],
    ["15m", "last 15 minutes"],
    ["1h", "last hour"],
    ["6h", "last 6 hours"],
    ["24h", "last 24 hours"],
    ["7d", "last 7 days"],
    ["30d", "last 30 days"],
  ];
  return html`<form class="filters" method="get">
<label>Status<select name="status"><option value="">any</option>${journalStatuses.map(
    (s) => html`<option value="${s}"${query.status === s ? html` selected` : ""}>${s}</option>`,
  )}</select></label>
<label>Type<input name="type" value="${query.type ?? ""}" placeholder="invoice.paid"></label>
<label>Scheme<input name="scheme" value="${query.scheme ?? ""}" placeholder="stripe" size="10"></label>
<label>Received<select name="since">${since.map(
    ([value, text]) =>
      html`<option value="${value}"${(query.since ?? "") === value ? html` selected` : ""}>${text}</option>`,
  )}</select></label>
<button type="submit">Filter</button> <a href="?">Clear</a></form>`;
}

function replayFilterForm(view: ListView): SafeHtml {
  const { query, csrf } = view;
  if (csrf === undefined || !query.active) return html``;
  return html`<form method="post" action="${view.base}/replay" class="filters">
<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="mode" value="dry-run">
${(["status", "type", "scheme", "since"] as const).map((name) =>
  query[name] === undefined ? "" : html`<input type="hidden" name="${name}" value="${query[name]}">`,
)}
<button type="submit">Replay these (dry run first)…</button></form>`;
}

function overview(view: ListView): SafeHtml {
  const { stats } = view;
  const refusals = Object.entries(stats.rejected)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]): [string, number, string, string] => [code, n, "f-refused", String(n)]);
  return html`<div class="cards">
<section class="card wide" id="per-minute"><h2>Deliveries by status <span class="muted">(${stats.total} received)</span></h2>${deliveriesChart(stats.perMinute, view.from, view.to)}</section>
<section class="card" id="handling"><h2>Handling time</h2>${latencyChart(stats.handlingMs, formatMs)}</section>
<section class="card" id="refusals"><h2>Refusals by code</h2>${barChart(refusals)}</section></div>`;
}

/** The deliveries page: charts over the window, filters, the live list and its pager. */
export function listPage(view: ListView): SafeHtml {
  const { base, query, page } = view;
  const first = query.cursor === undefined;
  const next = new URLSearchParams(query.params);
  if (page.cursor !== undefined) next.set("cursor", page.cursor);
  const newest = new URLSearchParams(query.params);
  newest.delete("cursor");
  return layout(
    base,
    "Deliveries",
    html`<h1>Deliveries</h1>${overview(view)}<h2>List</h2>${filters(query)}${replayFilterForm(view)}
<p class="live">${first ? html`<label><span><input type="checkbox" id="live" checked> live</span></label>` : html`<a href="?${newest.toString()}">Newest</a>`}</p>
<table><thead><tr><th>Received</th><th>Scheme</th><th>Type</th><th>Id</th><th>Status</th><th class="num">Attempts</th><th class="num">Duration</th></tr></thead>
<tbody id="rows" data-live="${first ? "on" : "off"}">${listRows(base, page.entries)}</tbody></table>
<div class="pager">${page.cursor === undefined ? html`<span class="muted">End of list</span>` : html`<a href="?${next.toString()}" rel="next">Older →</a>`}</div>`,
  );
}
