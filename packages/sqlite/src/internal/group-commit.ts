import type { SqliteDatabase } from "./database.js";

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Writes that share commits: see {@link groupCommit}. */
export interface GroupCommit {
  /** Runs `write` in the next group's transaction; settles once that transaction is committed. */
  write<T>(write: () => T): Promise<T>;
  /** Commits the writes waiting for the next group now (before closing the database). */
  flush(): void;
}

/**
 * Group commit, as databases do it: the writes asked for in one turn of the event loop run in one
 * transaction, so one commit — one fsync with `synchronous = FULL` — makes all of them durable,
 * and each caller's promise settles only after it. Each write runs in its own savepoint: one that
 * throws is rolled back alone and rejects its own caller; a commit that fails rejects them all.
 * better-sqlite3 is synchronous, so while one group's fsync blocks the event loop the next group
 * gathers: at one delivery in flight a write costs what it did, at many the fsync is shared.
 */
export function groupCommit(db: SqliteDatabase): GroupCommit {
  let pending: Pending[] = [];
  // Called inside the group's transaction, better-sqlite3 makes this a savepoint.
  const alone = db.transaction((write: () => unknown) => write());
  const group = db.transaction((batch: readonly Pending[]) =>
    batch.map((each) => {
      try {
        return { ok: true as const, value: alone(each.write) };
      } catch (error) {
        return { ok: false as const, error };
      }
    }),
  );
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    let outcomes: ReturnType<typeof group>;
    try {
      outcomes = group(batch);
    } catch (error) {
      for (const each of batch) each.reject(error);
      return;
    }
    batch.forEach((each, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) each.resolve(outcome.value);
      else each.reject(outcome.error);
    });
  };
  return {
    write: <T>(write: () => T) =>
      new Promise<T>((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      }),
    flush,
  };
}
