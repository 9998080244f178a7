import { resolve } from "node:path";
import { type DeliveryJournal, type JournalStatus, journalStatuses, memoryJournal } from "@hookgate/core";
import { CliError, type CliIO } from "../io.js";

/** A journal opened from `--journal`, and how to let go of it. */
export interface OpenedJournal {
  journal: DeliveryJournal;
  close(): Promise<void>;
}

const JOURNAL_FORMS = "postgres://user@host/db (optionally ?table=name), sqlite:<path> or memory";

/**
 * Opens `--journal`: `postgres://…` / `postgresql://…` (`@hookgate/postgres`, `pg`),
 * `sqlite:<path>` (`@hookgate/sqlite`, `better-sqlite3`) or `memory` (empty; for `listen`).
 */
export async function openJournal(value: string | undefined, io: CliIO): Promise<OpenedJournal> {
  if (!value) throw new CliError(`--journal is required: ${JOURNAL_FORMS}`);
  if (value === "memory") {
    const journal = memoryJournal();
    return { journal, close: async () => {} };
  }
  if (value.startsWith("sqlite:")) {
    const path = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (!path) throw new CliError("--journal sqlite: needs a file, e.g. sqlite:./hookgate.db");
    const { sqliteJournal } = await load(() => import("@hookgate/sqlite"), "@hookgate/sqlite better-sqlite3");
    try {
      const journal = sqliteJournal({ path: resolve(io.cwd, path) });
      return { journal, close: () => journal.close() };
    } catch (error) {
      throw new CliError(`cannot open --journal ${value}: ${(error as Error).message}`);
    }
  }
  if (/^postgres(ql)?:\/\//.test(value)) return openPostgres(value);
  throw new CliError(`--journal "${value}" is not a journal; use ${JOURNAL_FORMS}`);
}

async function openPostgres(value: string): Promise<OpenedJournal> {
  const url = new URL(value);
  const table = url.searchParams.get("table") ?? undefined;
  url.searchParams.delete("table");
  const { postgresJournal } = await load(() => import("@hookgate/postgres"), "@hookgate/postgres pg");
  const pg = await load(() => import("pg"), "pg");
  const Pool = (pg as { default?: { Pool: typeof import("pg").Pool } }).default?.Pool ?? pg.Pool;
  const pool = new Pool({ connectionString: url.toString(), max: 2 });
  const journal = postgresJournal({ pool, ...(table ? { table } : {}) });
  try {
    await journal.migrate();
  } catch (error) {
    await pool.end();
    throw new CliError(
      `cannot open --journal ${value.replace(/:[^:@/]*@/, ":***@")}: ${(error as Error).message}`,
    );
  }
  return { journal, close: () => pool.end() };
}

/**
 * Imports what one kind of journal needs. The CLI installs without database drivers (they are
 * optional peers), so a missing one is a usage error naming the packages to install.
 */
export async function load<T>(
  importer: () => Promise<T>,
  packages: string,
  what = "this --journal",
): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new CliError(
        `hookgate: ${what} needs ${packages.split(" ").join(" and ")}, which the CLI does not install by itself: npm i ${packages} (${(error as Error).message.split("\n")[0]})`,
      );
    }
    throw error;
  }
}

/** `--since` / `--until`: a duration back from now (`90s`, `15m`, `1h`, `7d`), or an ISO 8601 time. */
export function parseTime(flag: string, value: unknown, now = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const relative = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)(?:\s+ago)?$/i.exec(text);
  if (relative) {
    const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[relative[2]!.toLowerCase() as "s" | "m" | "h" | "d"];
    return new Date(now - Number(relative[1]) * unit);
  }
  const date = new Date(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(date.getTime())) return date;
  throw new CliError(
    `--${flag} "${text}" is not a time; use a duration back from now (30m, 1h, 7d) or an ISO date`,
  );
}

/** `--status`: one status or a comma-separated list. */
export function parseStatus(value: unknown): JournalStatus[] | undefined {
  if (value === undefined) return undefined;
  const statuses = String(value)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const status of statuses) {
    if (!journalStatuses.includes(status as JournalStatus)) {
      throw new CliError(`--status "${status}" is not a status; use ${journalStatuses.join(", ")}`);
    }
  }
  return statuses as JournalStatus[];
}
