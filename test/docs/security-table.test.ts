import { readFileSync } from "node:fs";
import { schemeNames } from "@hookgate/core";
import { expect, it } from "vitest";
import {
  SCHEMES_END,
  SCHEMES_START,
  securityTable,
  withSecurityTable,
} from "../../packages/core/src/internal/docs/security-table.js";

const security = readFileSync(new URL("../../SECURITY.md", import.meta.url), "utf8");

it("SECURITY.md's scheme table is the one generated from the schemes' facts", async () => {
  const current = withSecurityTable(security, await securityTable());
  expect(security === current, "SECURITY.md's scheme table is out of date: run `pnpm docs:tables`").toBe(
    true,
  );
});

it("the scheme table has one row per built-in scheme", async () => {
  const table = await securityTable();
  for (const name of schemeNames) expect(table).toContain(`| \`${name}\``);
  expect(table.split("\n")).toHaveLength(schemeNames.length + 2);
});

it("the table says what token and Mailgun signatures leave out", async () => {
  const rows = new Map(
    (await securityTable()).split("\n").map((row) => [/^\| `([^`]+)`/.exec(row)?.[1], row] as const),
  );
  for (const name of ["telegram", "gitlab"]) {
    expect(rows.get(name)).toContain("shared token");
    expect(rows.get(name)).toContain("the body is bound to its id on first sight");
  }
  expect(rows.get("mailgun")).toContain("not the event: the id is bound to the first body seen");
  expect(rows.get("sendgrid")).toContain("ECDSA P-256");
  expect(rows.get("aws-sns")).toContain("RSA (certificate)");
  expect(rows.get("github")).toContain(
    "a replay under a fresh id header, or re-signed with a rotated secret, is a duplicate",
  );
});

it("withSecurityTable refuses a document without the markers", () => {
  expect(() => withSecurityTable("# Security\n", "table")).toThrow(SCHEMES_START);
  expect(withSecurityTable(`a\n${SCHEMES_START}\nold\n${SCHEMES_END}\nb`, "new")).toBe(
    `a\n${SCHEMES_START}\nnew\n${SCHEMES_END}\nb`,
  );
});
