import { describe, expect, it } from "vitest";
import { encodeJournalCursor } from "./cursor.js";
import { type SqlJournalEntryRow, sqlJournalEntryOf, sqlJournalWhere } from "./sql-rows.js";

const row: SqlJournalEntryRow = {
  id: "evt_1",
  key: "stripe:t:evt_1",
  tenant: null,
  scheme: "stripe",
  type: "invoice.paid",
  status: "failed",
  received_at: 1_000,
  updated_at: 2_000,
  attempts: 1,
  error_code: "handler_failed",
  error_message: null,
  duration_ms: null,
  matched_secret: "0",
  size: 2,
  timestamp: null,
  url: null,
  headers: '{"content-type":"application/json"}',
  raw_body: null,
  params: null,
  seal: null,
  history: null,
};

describe("the SQL journal rows (SQLite, D1)", () => {
  it("maps NULL columns to absent fields and keeps an error whose message is NULL", () => {
    const entry = sqlJournalEntryOf(row, new Uint8Array([123, 125]));
    expect(entry).toMatchObject({
      tenant: undefined,
      durationMs: undefined,
      url: undefined,
      timestamp: undefined,
      params: undefined,
      seal: undefined,
      history: [],
      lastError: { code: "handler_failed", message: "" },
      receivedAt: new Date(1_000),
      matchedSecret: 0,
      headers: { "content-type": "application/json" },
    });
    expect(sqlJournalEntryOf({ ...row, error_code: null }, new Uint8Array()).lastError).toBeUndefined();
  });

  it("binds filter values as parameters in the order their ? appear, never in the SQL", () => {
    const cursor = encodeJournalCursor({ receivedAt: 5_000, key: "k' OR 1=1 --" });
    const { sql, params } = sqlJournalWhere({
      status: ["failed", "dead"],
      type: "x' OR '1'='1",
      since: new Date(1_000),
      cursor,
    });
    expect(sql).toBe(
      "WHERE status IN (?, ?) AND type = ? AND received_at >= ? AND (received_at < ? OR (received_at = ? AND key < ?))",
    );
    expect(params).toEqual(["failed", "dead", "x' OR '1'='1", 1_000, 5_000, 5_000, "k' OR 1=1 --"]);
    expect(sqlJournalWhere({ status: [] }).sql).toBe("WHERE status IN (NULL)"); // matches nothing
    expect(sqlJournalWhere({})).toEqual({ sql: "", params: [] });
  });
});
