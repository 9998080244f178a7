import { WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import Database from "better-sqlite3";

/** A better-sqlite3 database: the user's own, or one opened from a path. */
export type SqliteDatabase = Database.Database;

/** Where a store or journal keeps its rows: a file path, or a database the caller opened. */
export interface SqliteTarget {
  /** The database file, created if missing (with WAL and full fsync on commit). */
  path?: string;
  /** A better-sqlite3 database you opened yourself; hookgate never closes it. */
  database?: SqliteDatabase;
  /**
   * How long a write waits for another process's write lock, in ms. better-sqlite3 is
   * synchronous: the wait blocks this process's event loop, so keep it short. @default 1000
   */
  busyTimeoutMs?: number;
  /**
   * How hard a commit is pushed to disk, for a file opened from `path`. `full`: on disk when the
   * call returns, surviving a power cut (an fsync per write). `normal`: survives the process
   * crashing but may lose the last commits on a power cut or OS crash — about 10× cheaper.
   * @default "full"
   */
  synchronous?: "full" | "normal";
}

/** The database to use and whether hookgate opened it (and so closes it). */
export function openDatabase(target: SqliteTarget, what: string): { db: SqliteDatabase; owned: boolean } {
  checkOption.object(what, target, true);
  if (target.database && target.path !== undefined) {
    throw new WebhookError("invalid_option", `hookgate: ${what} takes { path } or { database }, not both`);
  }
  // Checked before a file is opened, so a mistake leaves nothing open behind it.
  const timeout = checkOption.whole(`${what} option busyTimeoutMs`, target.busyTimeoutMs, 1000, 0);
  const synchronous = checkOption.oneOf(
    `${what} option synchronous`,
    target.synchronous,
    ["full", "normal"],
    "full",
  );
  if (target.database) return { db: target.database, owned: false };
  if (!target.path || typeof target.path !== "string") {
    throw new WebhookError(
      "invalid_option",
      `hookgate: ${what} needs { path: "./hookgate.db" } or { database }`,
    );
  }
  const db = new Database(target.path, { timeout });
  // WAL: readers never block the writer; FULL: a commit is on disk when it returns, so what the
  // receiver acknowledged survives a power cut, not just a crash.
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  return { db, owned: true };
}

/** A table name safe to splice into SQL (the rule the D1 tables share: `checkOption.tableName`). */
export function tableName(name: string, what: string): string {
  return checkOption.tableName(`${what} table`, name);
}
