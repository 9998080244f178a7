import { checkOption } from "../internal/check-option.js";
import type {
  DeliveryJournal,
  JournalEntry,
  JournalOptions,
  JournalStatus,
  JournalSummary,
  RejectedRequest,
} from "../journal.js";
import { afterCursor, decodeJournalCursor, journalPageOf } from "./cursor.js";
import { appendJournalAttempt, journalAttemptOf } from "./history.js";
import { journalPageSize, resolveJournalOptions } from "./options.js";
import { countJournalMinute, emptyJournalStats, journalPercentile, minuteOf } from "./stats.js";

/** Options for {@link memoryJournal}. */
export interface MemoryJournalOptions extends JournalOptions {
  /** Most deliveries kept; past it the oldest received go first. @default 10000 */
  max?: number;
}

/** An in-memory journal with its size exposed for tests. */
export interface MemoryJournal extends DeliveryJournal {
  /** Deliveries currently kept. */
  readonly size: number;
}

function summaryOf(entry: JournalEntry): JournalSummary {
  const {
    rawBody: _body,
    headers: _headers,
    url: _url,
    timestamp: _timestamp,
    params: _params,
    seal: _seal,
    history: _history,
    ...summary
  } = entry;
  return { ...summary, matchedSecret: { ...summary.matchedSecret } };
}

function copyOf(entry: JournalEntry): JournalEntry {
  return {
    ...entry,
    rawBody: entry.rawBody.slice(),
    headers: { ...entry.headers },
    params: entry.params && { ...entry.params },
    history: entry.history.map((attempt) => ({
      ...attempt,
      startedAt: new Date(attempt.startedAt),
      error: attempt.error && { ...attempt.error },
    })),
  };
}

/**
 * A bounded in-memory journal: for tests and `hookgate listen`. Lost on restart; for a durable
 * journal use `sqliteJournal` (`@hookgate/sqlite`) or `postgresJournal` (`@hookgate/postgres`).
 *
 * @example
 * const journal = memoryJournal({ max: 1000 });
 * createReceiver({ scheme, journal });
 * await journal.list({ status: "failed" });
 */
export function memoryJournal(options: MemoryJournalOptions = {}): MemoryJournal {
  const settings = resolveJournalOptions(options, "memoryJournal");
  const max = checkOption.whole("memoryJournal option max", options.max, 10_000);
  // By key (a row's identity); insertion order is receipt order: a re-recorded key moves to the end.
  const entries = new Map<string, JournalEntry>();
  const rejectedCounts = new Map<string, { minute: number; code: string; count: number }>();
  const kept: RejectedRequest[] = [];

  function prune(): void {
    if (!settings.pruneDue()) return;
    const horizon = settings.now().getTime() - settings.retainMs;
    for (const [key, entry] of entries) if (entry.receivedAt.getTime() < horizon) entries.delete(key);
    for (const [key, bucket] of rejectedCounts)
      if (bucket.minute < horizon - 60_000) rejectedCounts.delete(key);
    while (kept.length > 0 && kept[kept.length - 1]!.at.getTime() < horizon) kept.pop();
  }

  return {
    redactHeaders: settings.redactHeaders,
    keepRejected: settings.keepRejected,
    get size() {
      return entries.size;
    },
    async record(record) {
      prune();
      const previous = entries.get(record.key);
      entries.delete(record.key);
      entries.set(record.key, {
        id: record.id,
        key: record.key,
        tenant: record.tenant,
        scheme: record.scheme,
        type: record.type,
        status: "received",
        receivedAt: new Date(record.receivedAt),
        updatedAt: new Date(record.receivedAt),
        attempts: previous?.attempts ?? 0,
        lastError: previous?.lastError,
        durationMs: undefined,
        matchedSecret: { ...record.matchedSecret },
        size: record.rawBody.byteLength,
        rawBody: record.rawBody.slice(),
        headers: { ...record.headers },
        url: record.url,
        timestamp: record.timestamp ? new Date(record.timestamp) : undefined,
        params: record.params && { ...record.params },
        seal: record.seal,
        history: previous?.history ?? [],
      });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    async update(key, change) {
      const entry = entries.get(key);
      if (!entry) return false;
      if (change.status === "queued" && entry.status !== "received") return false;
      entry.status = change.status;
      entry.updatedAt = new Date(change.at);
      if (change.attempt) entry.attempts++;
      if (change.error) entry.lastError = { code: change.error.code, message: change.error.message };
      else if (change.clearError) entry.lastError = undefined;
      if (change.durationMs !== undefined) entry.durationMs = change.durationMs;
      const attempt = journalAttemptOf(change);
      if (attempt) entry.history = appendJournalAttempt(entry.history, attempt);
      return true;
    },
    async reject(rejection) {
      prune();
      const minute = minuteOf(rejection.at);
      const key = `${minute}|${rejection.code}`;
      const bucket = rejectedCounts.get(key);
      if (bucket) bucket.count++;
      else rejectedCounts.set(key, { minute, code: rejection.code, count: 1 });
      if (rejection.request && settings.keepRejected > 0) {
        const { request } = rejection;
        kept.unshift({
          ...request,
          at: new Date(request.at),
          rawBody: request.rawBody.slice(),
          headers: { ...request.headers },
        });
        if (kept.length > settings.keepRejected) kept.length = settings.keepRejected;
      }
    },
    async get(key) {
      const entry = entries.get(key);
      return entry ? copyOf(entry) : undefined;
    },
    async list(filter = {}) {
      const limit = journalPageSize(filter.limit);
      const cursor = filter.cursor === undefined ? undefined : decodeJournalCursor(filter.cursor);
      const statuses =
        filter.status === undefined
          ? undefined
          : new Set<JournalStatus>(typeof filter.status === "string" ? [filter.status] : filter.status);
      const matches: JournalEntry[] = [];
      for (const entry of entries.values()) {
        const at = entry.receivedAt.getTime();
        if (statuses && !statuses.has(entry.status)) continue;
        if (filter.type !== undefined && entry.type !== filter.type) continue;
        if (filter.id !== undefined && entry.id !== filter.id) continue;
        if (filter.tenant !== undefined && entry.tenant !== filter.tenant) continue;
        if (filter.scheme !== undefined && entry.scheme !== filter.scheme) continue;
        if (filter.since && at < filter.since.getTime()) continue;
        if (filter.until && at >= filter.until.getTime()) continue;
        if (!afterCursor({ receivedAt: at, key: entry.key }, cursor)) continue;
        matches.push(entry);
      }
      matches.sort(
        (a, b) =>
          b.receivedAt.getTime() - a.receivedAt.getTime() || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0),
      );
      return journalPageOf(matches, limit, summaryOf);
    },
    async stats(options = {}) {
      const since = options.since?.getTime() ?? Number.NEGATIVE_INFINITY;
      const stats = emptyJournalStats();
      const durations: number[] = [];
      for (const entry of entries.values()) {
        if (entry.receivedAt.getTime() < since) continue;
        stats.total++;
        stats.byStatus[entry.status]++;
        stats.byType[entry.type] = (stats.byType[entry.type] ?? 0) + 1;
        countJournalMinute(stats, minuteOf(entry.receivedAt), entry.status, 1);
        if (entry.status === "handled" && entry.durationMs !== undefined) durations.push(entry.durationMs);
      }
      durations.sort((a, b) => a - b);
      stats.handlingMs = { p50: journalPercentile(durations, 0.5), p99: journalPercentile(durations, 0.99) };
      for (const bucket of rejectedCounts.values()) {
        if (bucket.minute + 60_000 <= since) continue;
        stats.rejected[bucket.code] = (stats.rejected[bucket.code] ?? 0) + bucket.count;
      }
      return stats;
    },
    async rejections(options = {}) {
      const since = options.since?.getTime() ?? Number.NEGATIVE_INFINITY;
      return kept
        .filter((request) => request.at.getTime() >= since)
        .slice(0, options.limit ?? kept.length)
        .map((request) => ({
          ...request,
          rawBody: request.rawBody.slice(),
          headers: { ...request.headers },
        }));
    },
  };
}
