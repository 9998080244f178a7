import { type JournalMinute, type JournalStats, type JournalStatus, journalStatuses } from "@hookgate/core";
import { html, type SafeHtml } from "./html.js";

/** The per-minute chart spans the page; the bar charts sit in a third of it, at about 1:1 scale. */
const WIDTH = 800;
const HEIGHT = 140;
const BAR_WIDTH = 320;
const BARS = 60;

/**
 * Deliveries per bucket of minutes (at most 60 bars over the window), stacked by status, as an
 * inline SVG: no chart library, nothing fetched.
 */
export function deliveriesChart(perMinute: readonly JournalMinute[], from: Date, to: Date): SafeHtml {
  const minutes = Math.max(1, Math.ceil((to.getTime() - from.getTime()) / 60_000));
  const per = Math.ceil(minutes / BARS);
  const bars = Math.ceil(minutes / per);
  const start = Math.floor(from.getTime() / 60_000) * 60_000;
  const buckets = Array.from({ length: bars }, () => ({}) as Partial<Record<JournalStatus, number>>);
  for (const { minute, byStatus } of perMinute) {
    const index = Math.floor((minute.getTime() - start) / 60_000 / per);
    const bucket = buckets[Math.min(Math.max(index, 0), bars - 1)]!;
    for (const status of journalStatuses) bucket[status] = (bucket[status] ?? 0) + byStatus[status];
  }
  const totals = buckets.map((b) => journalStatuses.reduce((n, s) => n + (b[s] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = WIDTH / bars;
  const rects: SafeHtml[] = [];
  buckets.forEach((bucket, i) => {
    let y = HEIGHT - 14;
    for (const status of journalStatuses) {
      const n = bucket[status] ?? 0;
      if (n === 0) continue;
      const h = (n / max) * (HEIGHT - 28);
      y -= h;
      const label = `${n} ${status}, ${new Date(start + i * per * 60_000).toISOString().slice(11, 16)} UTC`;
      rects.push(
        html`<rect class="f-${status}" x="${(i * slot + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, slot - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${label}</title></rect>`,
      );
    }
  });
  const span = per === 1 ? "minute" : `${per} minutes`;
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="Deliveries per ${span} by status">
<line class="axis" x1="0" y1="${HEIGHT - 14}" x2="${WIDTH}" y2="${HEIGHT - 14}"/>${rects}
<text x="0" y="${HEIGHT - 2}">${from.toISOString().slice(11, 16)}</text><text x="${WIDTH}" y="${HEIGHT - 2}" text-anchor="end">${to.toISOString().slice(11, 16)} UTC</text>
<text x="0" y="10">max ${max} per ${span}</text></svg>
<div class="legend">${journalStatuses.map((s) => html`<span><i class="l-${s}"></i>${s}</span>`)}</div>`;
}

/** Horizontal bars, one per label, scaled to the largest value. */
export function barChart(
  rows: ReadonlyArray<[label: string, value: number, css: string, text: string]>,
): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">None.</p>`;
  const max = Math.max(1, ...rows.map(([, value]) => value));
  const height = rows.length * 22;
  return html`<svg viewBox="0 0 ${BAR_WIDTH} ${height}" width="100%" role="img">${rows.map(
    ([label, value, css, text], i) =>
      html`<text x="0" y="${i * 22 + 15}">${label}</text><rect class="${css}" x="120" y="${i * 22 + 4}" width="${((value / max) * (BAR_WIDTH - 170)).toFixed(1)}" height="14"><title>${label}: ${text}</title></rect><text x="${BAR_WIDTH}" y="${i * 22 + 15}" text-anchor="end">${text}</text>`,
  )}</svg>`;
}

/** Handling time of handled deliveries: p50 and p99. */
export function latencyChart(
  handlingMs: JournalStats["handlingMs"],
  format: (ms: number) => string,
): SafeHtml {
  const rows: Array<[string, number, string, string]> = [];
  if (handlingMs.p50 !== undefined) rows.push(["p50", handlingMs.p50, "f-p50", format(handlingMs.p50)]);
  if (handlingMs.p99 !== undefined) rows.push(["p99", handlingMs.p99, "f-p99", format(handlingMs.p99)]);
  return barChart(rows);
}
