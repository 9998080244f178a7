import type { JournalFilter, JournalSummary } from "@hookgate/core";
import { positiveInteger } from "../internal/inputs.js";
import { openJournal, parseStatus, parseTime } from "../internal/journal-arg.js";
import { formatMs } from "../internal/stats.js";
import { type CliIO, ExitCode, painter } from "../io.js";

/** Options of `hookgate deliveries`. */
export interface DeliveriesOptions {
  /** `postgres://…`, `sqlite:<path>` or `memory`. */
  journal?: string;
  /** One status or a comma-separated list: received, queued, handled, failed, dead. */
  status?: string;
  /** An exact event type. */
  type?: string;
  /** An exact sender id: every row with it, whatever its tenant. */
  id?: string;
  /** An exact tenant. */
  tenant?: string;
  /** A duration back from now (`1h`) or an ISO time. */
  since?: string;
  until?: string;
  /** Most deliveries shown. @default 50 */
  limit?: number | string;
  /** Print JSON (one array) instead of a table. */
  json?: boolean;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC: sortable and the same on every machine. */
export function formatTime(date: Date): string {
  return date.toISOString().replace("T", " ").slice(0, 19);
}

/**
 * The table `deliveries` prints: time, id, type, status, attempts, duration, and the last error;
 * a tenant column when rows of several tenants are listed, and a key column when an id names several rows (the
 * key is what `replay` then takes).
 */
export function deliveriesTable(
  entries: readonly JournalSummary[],
  paint = painter({ write: () => true }, {}),
): string {
  // Every row has its secrets' identity: the column only tells rows apart when there are several.
  const withTenant = new Set(entries.map((e) => e.tenant)).size > 1;
  const withKey = new Set(entries.map((e) => e.id)).size < entries.length;
  const rows = entries.map((e) => [
    formatTime(e.receivedAt),
    e.id,
    ...(withTenant ? [e.tenant ?? "-"] : []),
    ...(withKey ? [e.key] : []),
    e.type,
    e.status,
    String(e.attempts),
    e.durationMs === undefined ? "-" : formatMs(e.durationMs),
    e.lastError ? `${e.lastError.code}: ${e.lastError.message.split("\n")[0]!.slice(0, 80)}` : "",
  ]);
  const header = [
    "TIME (UTC)",
    "ID",
    ...(withTenant ? ["TENANT"] : []),
    ...(withKey ? ["KEY"] : []),
    "TYPE",
    "STATUS",
    "ATTEMPTS",
    "DURATION",
    "LAST ERROR",
  ];
  const statusColumn = header.indexOf("STATUS");
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], colour = (s: string, _i: number) => s) =>
    cells
      .map((cell, i) => colour(i === cells.length - 1 ? cell : cell.padEnd(widths[i]!), i))
      .join("  ")
      .trimEnd();
  const status = (text: string) =>
    text.startsWith("handled")
      ? paint.green(text)
      : text.startsWith("failed") || text.startsWith("dead")
        ? paint.red(text)
        : paint.yellow(text);
  return [
    paint.dim(line(header)),
    ...rows.map((r) => line(r, (cell, i) => (i === statusColumn ? status(cell) : cell))),
  ].join("\n");
}

/**
 * `hookgate deliveries`: lists journaled deliveries, newest first, as a table (or `--json`).
 * Exits 0, also when nothing matches.
 */
export async function deliveries(options: DeliveriesOptions, io: CliIO): Promise<number> {
  const filter: JournalFilter = {
    status: parseStatus(options.status),
    type: options.type,
    id: options.id,
    tenant: options.tenant,
    since: parseTime("since", options.since),
    until: parseTime("until", options.until),
  };
  const limit = positiveInteger("limit", options.limit, 50);
  const { journal, close } = await openJournal(options.journal, io);
  try {
    const entries: JournalSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await journal.list({ ...filter, cursor, limit: Math.min(limit - entries.length, 1000) });
      entries.push(...page.entries);
      cursor = page.cursor;
    } while (cursor !== undefined && entries.length < limit);
    if (options.json) {
      io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    } else if (entries.length === 0) {
      io.stdout.write("no deliveries match\n");
    } else {
      io.stdout.write(`${deliveriesTable(entries, painter(io.stdout, io.env))}\n`);
      if (cursor !== undefined) io.stdout.write(`… more: raise --limit (${limit}) or narrow --since\n`);
    }
    return ExitCode.Ok;
  } finally {
    await close();
  }
}
