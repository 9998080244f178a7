// Rewrites the generated tables in the docs from the schemes' `facts`: `pnpm docs:tables`.
import { readFileSync, writeFileSync } from "node:fs";
import { securityTable, withSecurityTable } from "../packages/core/src/internal/docs/security-table.js";

const path = new URL("../SECURITY.md", import.meta.url);
const before = readFileSync(path, "utf8");
const after = withSecurityTable(before, await securityTable());
if (after !== before) writeFileSync(path, after);
process.stdout.write(`SECURITY.md: scheme table ${after === before ? "already current" : "rewritten"}\n`);
