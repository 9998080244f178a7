export type { SqliteDatabase, SqliteTarget } from "./internal/database.js";
export type { SqliteJournal, SqliteJournalOptions } from "./sqlite-journal.js";
export { sqliteJournal, sqliteJournalSql } from "./sqlite-journal.js";
export type { SqliteStore, SqliteStoreOptions } from "./sqlite-store.js";
export { sqliteStore } from "./sqlite-store.js";
