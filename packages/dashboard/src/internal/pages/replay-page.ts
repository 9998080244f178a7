import type { ReplayResult } from "@hookgate/core";
import { formatMs, statusBadge } from "../format.js";
import { html, type SafeHtml } from "../html.js";
import { layout } from "./layout.js";

/** One replayed (or, in a dry run, verified) row: its key and what happened. */
export interface ReplayRow {
  key: string;
  result: ReplayResult;
}

function table(base: string, rows: readonly ReplayRow[]): SafeHtml {
  return html`<table id="replay-results"><thead><tr><th>Id</th><th>Type</th><th>Outcome</th><th class="num">Duration</th><th>Error</th></tr></thead><tbody>${rows.map(
    ({ key, result }) =>
      html`<tr><td class="mono"><a href="${base}/delivery?key=${encodeURIComponent(key)}">${result.id}</a></td><td class="mono">${result.type ?? ""}</td>
<td>${statusBadge(result.outcome)}</td><td class="num">${formatMs(result.durationMs)}</td>
<td class="error">${result.error ? html`<code>${result.error.code}</code> ${result.error.message}` : ""}</td></tr>`,
  )}</tbody></table>`;
}

/**
 * A dry run's answer: what would be replayed (re-verified now, nothing run), and a form that
 * replays exactly those rows.
 */
export function dryRunPage(base: string, rows: readonly ReplayRow[], csrf: string, back: string): SafeHtml {
  const ready = rows.filter((row) => row.result.outcome === "verified");
  const confirm =
    ready.length === 0
      ? html`<div class="notice bad">Nothing to replay: no row verified.</div>`
      : html`<form method="post" action="${base}/replay"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="mode" value="confirm">
${ready.map((row) => html`<input type="hidden" name="key" value="${row.key}">`)}
<button type="submit" class="primary" id="confirm-replay">Replay ${ready.length} deliver${ready.length === 1 ? "y" : "ies"}</button> <a href="${back}">Cancel</a></form>`;
  return layout(
    base,
    "Replay: dry run",
    html`<h1>Replay — dry run</h1><p class="muted">Each stored delivery was verified again as of its receipt; nothing ran yet.</p>
${table(base, rows)}<p></p>${confirm}`,
  );
}

/** What a confirmed replay did, row by row. */
export function replayedPage(base: string, rows: readonly ReplayRow[]): SafeHtml {
  const good = rows.filter((r) => r.result.outcome === "handled" || r.result.outcome === "queued").length;
  return layout(
    base,
    "Replayed",
    html`<h1>Replayed ${good} of ${rows.length}</h1>${table(base, rows)}<p><a href="${base}/">Back to deliveries</a></p>`,
  );
}
