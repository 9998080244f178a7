import { readFileSync } from "node:fs";
import { schemeNames, WebhookErrorCode, webhookErrorStatus } from "@hookgate/core";
import { expect, it } from "vitest";
import {
  errorTable,
  generatedBlocks,
  regenerate,
  schemeListTable,
  withBlock,
} from "../../scripts/docs-tables.js";

it("every generated table in the docs is current: run `pnpm docs:tables` when this fails", async () => {
  const stale = (await regenerate()).filter((page) => page.after !== page.before).map((page) => page.file);
  expect(stale, `stale generated tables in ${stale.join(", ")}: run \`pnpm docs:tables\``).toEqual([]);
});

it("every generated block a page marks is one the generator writes", () => {
  const known = new Set(generatedBlocks.map((block) => `${block.file}#${block.name}`));
  for (const file of new Set(generatedBlocks.map((block) => block.file))) {
    const page = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
    for (const [, name] of page.matchAll(/<!-- generated:([\w-]+) -->/g)) {
      expect(known.has(`${file}#${name}`), `${file} marks a block "${name}" nothing generates`).toBe(true);
    }
  }
});

it("the scheme list has one row per built-in scheme, with its factory", async () => {
  const table = await schemeListTable();
  expect(table.split("\n")).toHaveLength(schemeNames.length + 2);
  expect(table).toContain("| `stripe` ");
  expect(table).toContain("`schemes.standardWebhooks`");
  expect(table).toContain("`x-hub-signature-256`");
  expect(table).not.toContain("| — ");
});

it("the error table has every code of the code map, with its status and meaning", () => {
  const rows = errorTable().split("\n").slice(2);
  expect(rows).toHaveLength(Object.keys(WebhookErrorCode).length);
  for (const code of Object.values(WebhookErrorCode)) {
    const row = rows.find((line) => line.startsWith(`| \`${code}\` `));
    expect(row, code).toMatch(new RegExp(`\\| ${webhookErrorStatus[code]} +\\| \\w`));
  }
  expect(rows.find((row) => row.includes("`in_flight`"))).toContain("409");
});

it("withBlock replaces only its block, and refuses a page without it", () => {
  const page = "a\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nb";
  expect(withBlock(page, "p.md", "x", "new")).toBe("a\n<!-- generated:x -->\nnew\n<!-- /generated:x -->\nb");
  expect(() => withBlock("# nothing\n", "p.md", "x", "new")).toThrow("p.md has no <!-- generated:x -->");
});
