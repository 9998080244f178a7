import { pgBossQueue } from "@hookgate/pg-boss";
import { postgresStore } from "@hookgate/postgres";
import pg from "pg";
import PgBoss from "pg-boss";

/**
 * What the receiver and the worker share: one PostgreSQL database holding the idempotency
 * table (which deliveries are taken, running or done) and pg-boss's job tables.
 */
export async function connect() {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("Set DATABASE_URL (see .env)");

  // statement_timeout: a stuck query fails (and the sender is asked to retry) instead of hanging.
  const pool = new pg.Pool({ connectionString, max: 10, statement_timeout: 5000 });
  // Without a listener, a connection the server drops while idle would crash the process.
  pool.on("error", (error) => console.error("postgres (idle connection):", error.message));

  const boss = new PgBoss({ connectionString, max: 5 });
  boss.on("error", (error) => console.error("pg-boss:", error.message));
  await boss.start(); // creates or migrates pg-boss's schema

  const store = postgresStore({ pool }); // table "hookgate_idempotency"
  await store.migrate(); // creates the table if missing; safe from every instance at once
  const queue = pgBossQueue({ boss }); // pg-boss queue "hookgate-deliveries"
  await queue.setup(); // creates the queue and its dead-letter queue if missing

  return {
    store,
    queue,
    boss,
    async close() {
      await boss.stop();
      await pool.end();
    },
  };
}
