import { type JournalMinute, type JournalStats, type JournalStatus, journalStatuses } from "../journal.js";

/** The value at quantile `q` (0–1) of ascending `sorted` values, nearest rank; undefined when empty. */
export function journalPercentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function zeroByStatus(): Record<JournalStatus, number> {
  const byStatus = {} as Record<JournalStatus, number>;
  for (const status of journalStatuses) byStatus[status] = 0;
  return byStatus;
}

/** Stats with every status at zero, to fill in. */
export function emptyJournalStats(): JournalStats {
  return { total: 0, byStatus: zeroByStatus(), byType: {}, handlingMs: {}, rejected: {}, perMinute: [] };
}

/**
 * Adds `count` deliveries with `status` received in the minute starting at `minute` (ms) to
 * `stats.perMinute`, kept oldest first: every journal fills the series the same way.
 */
export function countJournalMinute(
  stats: JournalStats,
  minute: number,
  status: JournalStatus,
  count: number,
): void {
  const series = stats.perMinute;
  let index = series.length;
  while (index > 0 && series[index - 1]!.minute.getTime() > minute) index--;
  let bucket: JournalMinute | undefined = series[index - 1];
  if (bucket?.minute.getTime() !== minute) {
    bucket = { minute: new Date(minute), byStatus: zeroByStatus() };
    series.splice(index, 0, bucket);
  }
  bucket.byStatus[status] += count;
}

/** The start of the minute `at` falls in, in ms: the bucket refusals are counted in. */
export function minuteOf(at: Date): number {
  return Math.floor(at.getTime() / 60_000) * 60_000;
}
