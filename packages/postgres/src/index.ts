export type { PostgresQueryable } from "./internal/sql.js";
export type { PostgresJournal, PostgresJournalOptions } from "./postgres-journal.js";
export { postgresJournal } from "./postgres-journal.js";
export { DEFAULT_JOURNAL_TABLE, postgresJournalSql } from "./postgres-journal-sql.js";
export type { PostgresStore, PostgresStoreOptions } from "./postgres-store.js";
export { postgresStore } from "./postgres-store.js";
export { DEFAULT_STORE_TABLE, postgresStoreSql } from "./postgres-store-sql.js";
