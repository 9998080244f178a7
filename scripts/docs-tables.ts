// The tables in the docs that restate code, generated from it: `pnpm docs:tables` rewrites them,
// and test/docs/generated-tables.test.ts fails when one is stale. Each table sits in its page
// between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` (SECURITY.md keeps its own
// markers); this file is the only place that knows which page holds which table.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type FieldFacts, type SchemeFacts, schemeNames, schemes, webhookErrorStatus } from "@hookgate/core";
import {
  docsScheme,
  markdownTable,
  securityTable,
  withSecurityTable,
} from "../packages/core/src/internal/docs/security-table.js";

export { markdownTable };

const root = new URL("../", import.meta.url);

const code = (text: string) => `\`${text}\``;

const kebab = (key: string) => key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);

/** `schemes.<key>` for a scheme name. */
function factoryOf(name: string): string {
  const key = Object.keys(schemes).find((candidate) => kebab(candidate) === name);
  return key === undefined ? "—" : code(`schemes.${key}`);
}

function field(facts: SchemeFacts, value: FieldFacts): string {
  const places: string[] = [];
  if (value.header) places.push(`header ${code(value.header)}`);
  const container = facts.envelope ? "envelope" : "body";
  if (value.payload) places.push(`${container} ${value.payload.map(code).join(" / ")}`);
  if (value.computed) places.push("computed from the body");
  const action = value.action ? ` + \`.\` + body ${code(value.action)}` : "";
  return (places.join(", ") || "none sent") + action;
}

function timestamp(facts: SchemeFacts): string {
  const ts = facts.timestamp;
  if (!ts) return "none";
  const unit = ts.unit === "iso" ? "RFC 3339" : ts.unit;
  if ("header" in ts) return `${code(ts.header)} (${unit})`;
  if ("payload" in ts) return `body ${code(ts.payload)} (${unit})`;
  return `in the signature (${unit})`;
}

function signature(facts: SchemeFacts): string {
  const algorithms = [...new Set(facts.algorithms)].map(code).join(", ");
  const carrier =
    facts.signatureHeaders.length > 0
      ? facts.signatureHeaders.map(code).join(", ")
      : facts.envelope
        ? `the envelope (${code(facts.envelope)} is the event)`
        : "the body";
  return `${algorithms} in ${carrier}`;
}

/** Every built-in scheme: its factory, and where its senders put the signature, id, type and timestamp. */
export async function schemeListTable(): Promise<string> {
  const rows: string[][] = [];
  for (const name of schemeNames) {
    const { facts } = await docsScheme(name);
    rows.push([
      code(name),
      factoryOf(name),
      signature(facts),
      field(facts, facts.id),
      field(facts, facts.type),
      timestamp(facts),
      facts.contentTypes.map(code).join(", "),
    ]);
  }
  return markdownTable(
    ["scheme", "factory", "signature", "id", "type", "signed timestamp", "content types"],
    rows,
  );
}

/** The schemes whose senders sign an event time (`facts.eventTime`): what `ordering` compares by default. */
export async function eventTimeTable(): Promise<string> {
  const rows: string[][] = [];
  for (const name of schemeNames) {
    const time = (await docsScheme(name)).facts.eventTime;
    if (time)
      rows.push([code(name), `body ${code(time.payload)} (${time.unit === "iso" ? "RFC 3339" : time.unit})`]);
  }
  return markdownTable(["scheme", "event time"], rows);
}

/**
 * The error codes, their statuses and what each means — read from `errors.ts` itself: the
 * `WebhookErrorCode` map's doc comments, and `webhookErrorStatus`.
 */
export function errorTable(): string {
  const source = readFileSync(new URL("packages/core/src/errors.ts", root), "utf8");
  const map = /export const WebhookErrorCode = \{([\s\S]*?)\} as const;/.exec(source)?.[1];
  if (!map) throw new Error("packages/core/src/errors.ts has no `WebhookErrorCode = { … } as const` map");
  const rows: string[][] = [];
  for (const match of map.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\w+:\s*"([a-z_]+)"/g)) {
    const meaning = match[1]!
      .split("\n")
      .map((line) => line.replace(/^\s*\*?\s?/, "").trim())
      .filter(Boolean)
      .join(" ");
    const errorCode = match[2]! as keyof typeof webhookErrorStatus;
    rows.push([code(errorCode), String(webhookErrorStatus[errorCode]), meaning]);
  }
  return markdownTable(["code", "status", "meaning"], rows);
}

/** A generated block in a page. */
export interface GeneratedBlock {
  /** The file, relative to the repository root. */
  file: string;
  /** `<!-- generated:NAME -->`; `security` is SECURITY.md's own `schemes:start` block. */
  name: string;
  generate: () => string | Promise<string>;
}

export const generatedBlocks: readonly GeneratedBlock[] = [
  { file: "SECURITY.md", name: "security", generate: securityTable },
  { file: "docs/schemes.md", name: "scheme-list", generate: schemeListTable },
  { file: "docs/schemes.md", name: "security", generate: securityTable },
  { file: "docs/errors.md", name: "errors", generate: errorTable },
  { file: "docs/ordering.md", name: "event-times", generate: eventTimeTable },
];

/** `document` with the block `name` replaced by `content`; throws when the page has no such block. */
export function withBlock(document: string, file: string, name: string, content: string): string {
  if (file === "SECURITY.md") return withSecurityTable(document, content);
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} block`);
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(to)}`;
}

/** Every page with generated blocks, as it is and as it should be. */
export async function regenerate(): Promise<{ file: string; before: string; after: string }[]> {
  const pages = new Map<string, { before: string; after: string }>();
  for (const block of generatedBlocks) {
    const page = pages.get(block.file) ?? {
      before: readFileSync(new URL(block.file, root), "utf8"),
      after: "",
    };
    page.after = withBlock(page.after || page.before, block.file, block.name, await block.generate());
    pages.set(block.file, page);
  }
  return [...pages].map(([file, page]) => ({ file, ...page }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const { file, before, after } of await regenerate()) {
    if (after !== before) writeFileSync(fileURLToPath(new URL(file, root)), after);
    process.stdout.write(`${file}: ${after === before ? "already current" : "rewritten"}\n`);
  }
}
