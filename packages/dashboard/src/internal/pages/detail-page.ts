import type { JournalEntry } from "@hookgate/core";
import { JOURNAL_HISTORY_LIMIT } from "@hookgate/core/kit";
import { prettyText, rawText, SHOWN_BODY_BYTES } from "../body-views.js";
import { formatMs, formatTime, statusBadge } from "../format.js";
import { html, type SafeHtml } from "../html.js";
import { headersForDisplay, urlForDisplay } from "../redact-for-display.js";
import { layout } from "./layout.js";

function body(entry: JournalEntry): SafeHtml {
  const raw = rawText(entry.rawBody);
  const pretty = raw.binary ? undefined : prettyText(raw.text, entry.headers["content-type"]);
  const note = raw.truncated
    ? html`<p class="muted">Showing the first ${raw.binary ? "4096" : String(SHOWN_BODY_BYTES)} of ${entry.size} bytes.</p>`
    : "";
  return html`<h2>Body <span class="muted">(${entry.size} bytes${raw.binary ? ", binary: hex" : ""})</span></h2>${note}
${pretty === undefined ? "" : html`<details open id="body-pretty"><summary>Pretty</summary><pre>${pretty}</pre></details>`}
<details${pretty === undefined ? html` open` : ""} id="body-raw"><summary>Raw</summary><pre>${raw.text}</pre></details>`;
}

function lifecycle(entry: JournalEntry): SafeHtml {
  const error = entry.lastError;
  return html`<h2>Lifecycle</h2><table><thead><tr><th>When</th><th>Step</th><th>Detail</th></tr></thead><tbody>
<tr><td>${formatTime(entry.receivedAt)}</td><td>${statusBadge("received")}</td><td>verified and journaled (${entry.size} bytes)</td></tr>
<tr><td>${formatTime(entry.updatedAt)}</td><td>${statusBadge(entry.status)}</td><td>after ${entry.attempts} attempt${entry.attempts === 1 ? "" : "s"}${entry.durationMs === undefined ? "" : `, the last took ${formatMs(entry.durationMs)}`}</td></tr>
</tbody></table>${error ? html`<div class="notice bad" id="last-error"><strong>Last error</strong> <code>${error.code}</code><pre>${error.message}</pre></div>` : ""}`;
}

/**
 * Its attempts as the journal kept them (the last 20, oldest first): when each started, how it
 * ended, how long it took and its error. Every value is escaped (`html`); the journal has already
 * cut and redacted the messages.
 */
function attempts(entry: JournalEntry): SafeHtml {
  // A journal written against the contract before `history` existed returns none.
  const history = entry.history ?? [];
  if (history.length === 0) {
    return html`<h2>Attempts</h2><p class="muted" id="no-attempts">${entry.attempts === 0 ? "No handler has run yet." : "The journal kept no attempt history for this delivery."}</p>`;
  }
  const runs = history.filter(
    (attempt) => attempt.outcome === "handled" || attempt.outcome === "failed",
  ).length;
  const dropped = entry.attempts - runs;
  return html`<h2>Attempts <span class="muted">(${entry.attempts})</span></h2>
${dropped > 0 ? html`<p class="muted" id="attempts-dropped">${dropped} earlier attempt${dropped === 1 ? " is" : "s are"} not shown: a journal keeps the last ${JOURNAL_HISTORY_LIMIT}.</p>` : ""}
<table id="attempts"><thead><tr><th>Started</th><th>Outcome</th><th class="num">Took</th><th>Error</th></tr></thead><tbody>${history.map(
    (attempt) =>
      html`<tr><td>${formatTime(attempt.startedAt)}</td><td>${statusBadge(attempt.outcome)}</td><td class="num">${formatMs(attempt.durationMs)}</td><td>${attempt.error ? html`<code>${attempt.error.code}</code> <span class="message">${attempt.error.message}</span>` : ""}</td></tr>`,
  )}</tbody></table>`;
}

/** One delivery: what it is, where it is in its life, its headers and body; replay when possible. */
export function detailPage(base: string, entry: JournalEntry, csrf: string | undefined): SafeHtml {
  const url = urlForDisplay(entry.url);
  const replay =
    csrf === undefined
      ? ""
      : html`<form method="post" action="${base}/replay"><input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="mode" value="dry-run"><input type="hidden" name="key" value="${entry.key}">
<button type="submit" class="primary" id="replay">Replay… (dry run first)</button></form>`;
  return layout(
    base,
    `${entry.type} ${entry.id}`,
    html`<p><a href="${base}/">← Deliveries</a></p><h1><span class="mono">${entry.type}</span> ${statusBadge(entry.status)}</h1>
<dl><dt>Id</dt><dd class="mono">${entry.id}</dd><dt>Key</dt><dd class="mono">${entry.key}</dd>
${entry.tenant === undefined ? "" : html`<dt>Tenant</dt><dd>${entry.tenant}</dd>`}
<dt>Scheme</dt><dd>${entry.scheme}</dd><dt>Received</dt><dd>${formatTime(entry.receivedAt)}</dd>
<dt>Signed at</dt><dd>${formatTime(entry.timestamp)}</dd><dt>Attempts</dt><dd>${entry.attempts}</dd>
<dt>Duration</dt><dd>${formatMs(entry.durationMs)}</dd><dt>Verified by</dt><dd>secret #${entry.matchedSecret.index}${entry.matchedSecret.id === undefined ? "" : ` (${entry.matchedSecret.id})`}</dd>
${url === undefined ? "" : html`<dt>URL</dt><dd class="mono">${url}</dd>`}</dl>
${replay}${lifecycle(entry)}${attempts(entry)}
<h2>Headers</h2><table class="mono"><tbody>${headersForDisplay(entry.headers).map(
      ([name, value]) => html`<tr><td>${name}</td><td>${value}</td></tr>`,
    )}</tbody></table>${body(entry)}`,
  );
}
