import { html, type SafeHtml } from "./html.js";

/** A time as `<time>`: UTC in the page, turned into the reader's zone by the script. */
export function formatTime(at: Date | undefined): SafeHtml {
  if (!at) return html`<span class="muted">—</span>`;
  const iso = at.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")} UTC</time>`;
}

/** A duration in ms, short: `840 µs`, `12 ms`, `1.4 s`; a dash when unknown. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "—";
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${Math.round(ms * 10) / 10} ms`;
  return `${Math.round(ms / 100) / 10} s`;
}

/** A status (or replay outcome) as a coloured badge. */
export function statusBadge(status: string): SafeHtml {
  return html`<span class="status s-${status.replace(/[^a-z_]/g, "")}">${status}</span>`;
}
