// Bundles a test entry with the workspace packages' TypeScript sources into one ES module for a
// Web-standard runtime (workerd today; Bun and Deno run the same bundle).
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const packagesDir = fileURLToPath(new URL("../../packages/", import.meta.url));

/** `@hookgate/<name>` → its source, as vitest resolves it. */
function workspaceAliases(): Record<string, string> {
  const alias: Record<string, string> = { "@hookgate/core/kit": `${packagesDir}core/src/kit.ts` };
  for (const name of readdirSync(packagesDir)) {
    const entry = `${packagesDir}${name}/src/index.ts`;
    if (existsSync(entry)) alias[`@hookgate/${name}`] = entry;
  }
  return alias;
}

/**
 * One ES module with everything `entry` imports, for a Worker-like runtime: no `node:` import is
 * resolved or left behind (hookgate reaches node:crypto only through `process.getBuiltinModule`).
 */
export async function bundleForRuntime(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser", "import"],
    alias: workspaceAliases(),
    external: ["cloudflare:workers"],
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}
