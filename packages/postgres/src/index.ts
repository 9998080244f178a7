// The store lives here now; `postgresJournal` (the delivery journal, DESIGN "Delivery journal")
// joins it beside it: its own file pair (postgres-journal.ts + postgres-journal-sql.ts) on the
// shared table-name validation, `PostgresQueryable` and `migrateOnce` in internal/sql.ts.
export type { PostgresQueryable } from "./internal/sql.js";
export type { PostgresStore, PostgresStoreOptions } from "./postgres-store.js";
export { postgresStore } from "./postgres-store.js";
export { DEFAULT_STORE_TABLE, postgresStoreSql } from "./postgres-store-sql.js";
