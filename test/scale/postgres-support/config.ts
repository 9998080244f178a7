// Shared by the PostgreSQL + pg-boss scale and fault tests and the processes they spawn.
import { createReceiver, type Receiver, schemes } from "@hookgate/core";
import { postgresStore } from "@hookgate/postgres";
import pg from "pg";
import PgBoss from "pg-boss";

/** The Stripe signing secret every process shares. */
export const secret = "whsec_hookgate_scale_postgres";
export const scheme = schemes.stripe({ secret });

/** What a spawned process needs to know, passed through its environment. */
export interface ProcessConfig {
  databaseUrl: string;
  /** The test file's own schema: store table, handler-run table, pg-boss. */
  schema: string;
  /** Lease length in the receivers and workers. @default the receiver's (30 s) */
  lockMs?: number;
  /**
   * Every timing at hookgate's and pg-boss's defaults (lease, expiry, expiry check, retry delay):
   * what a user gets without tuning.
   */
  defaults?: boolean;
  /** Marks the processes' connections, so a test can find and kill them. */
  applicationName: string;
}

export function configFromEnv(): ProcessConfig {
  const get = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  return {
    databaseUrl: get("DATABASE_URL"),
    schema: get("SCALE_SCHEMA"),
    ...(process.env.SCALE_LOCK_MS ? { lockMs: Number(process.env.SCALE_LOCK_MS) } : {}),
    defaults: process.env.SCALE_DEFAULTS === "1",
    applicationName: get("SCALE_APP"),
  };
}

export function envOf(config: ProcessConfig): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    SCALE_SCHEMA: config.schema,
    ...(config.lockMs !== undefined ? { SCALE_LOCK_MS: String(config.lockMs) } : {}),
    ...(config.defaults ? { SCALE_DEFAULTS: "1" } : {}),
    SCALE_APP: config.applicationName,
  };
}

/** The pg-boss queue the receivers fill and the workers drain. */
export const queueName = "scale-deliveries";

export function storeTable(config: ProcessConfig): string {
  return `${config.schema}.idempotency`;
}

export function runsTable(config: ProcessConfig): string {
  return `${config.schema}.handler_runs`;
}

export function makePool(config: ProcessConfig, role: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max,
    application_name: `${config.applicationName}:${role}`,
    statement_timeout: 5000,
  });
  // A killed idle connection is reported here; the pool replaces it on the next query.
  pool.on("error", () => {});
  return pool;
}

export function makeBoss(
  config: ProcessConfig,
  role: string,
  options: PgBoss.ConstructorOptions = {},
): PgBoss {
  const boss = new PgBoss({
    connectionString: config.databaseUrl,
    schema: `${config.schema}_boss`,
    application_name: `${config.applicationName}:${role}-boss`,
    max: 3,
    schedule: false,
    supervise: false,
    ...options,
  });
  boss.on("error", () => {});
  return boss;
}

/** The receiver every process builds the same way: Stripe, the shared PostgreSQL store. */
export function makeReceiver(
  config: ProcessConfig,
  pool: pg.Pool,
  queue?: Parameters<typeof createReceiver>[0]["queue"],
): Receiver {
  return createReceiver({
    scheme,
    store: postgresStore({ pool, table: storeTable(config) }),
    ...(queue ? { queue } : {}),
    ...(config.lockMs !== undefined ? { lockMs: config.lockMs } : {}),
  });
}

/** Exits when the test process goes away (its end of our stdin closes), so no process outlives a run. */
export function exitWithParent(): void {
  process.stdin.once("end", () => process.exit(0));
  process.stdin.resume();
}
