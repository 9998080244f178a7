import { type JournalStats, type JournalStatus, journalStatuses } from "../journal.js";

/** The value at quantile `q` (0–1) of ascending `sorted` values, nearest rank; undefined when empty. */
export function journalPercentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Stats with every status at zero, to fill in. */
export function emptyJournalStats(): JournalStats {
  const byStatus = {} as Record<JournalStatus, number>;
  for (const status of journalStatuses) byStatus[status] = 0;
  return { total: 0, byStatus, byType: {}, handlingMs: {}, rejected: {} };
}

/** The start of the minute `at` falls in, in ms: the bucket refusals are counted in. */
export function minuteOf(at: Date): number {
  return Math.floor(at.getTime() / 60_000) * 60_000;
}
