import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import { load } from "./internal/journal-arg.js";

interface Manifest {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const DRIVERS = ["better-sqlite3", "pg", "@hookgate/sqlite", "@hookgate/postgres", "@hookgate/dashboard"];

/** A workspace package's manifest, by its npm name. */
function manifest(name: string): Manifest {
  const dir = name.replace("@hookgate/", "");
  return JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../${dir}/package.json`, import.meta.url)), "utf8"),
  );
}

/**
 * What `npm i @hookgate/cli` installs: its dependencies, theirs, and every peer dependency not
 * marked optional (npm 7+ and pnpm install those too).
 */
function installed(pkg: Manifest, seen = new Set<string>()): Set<string> {
  const optional = pkg.peerDependenciesMeta ?? {};
  const peers = Object.keys(pkg.peerDependencies ?? {}).filter((peer) => !optional[peer]?.optional);
  for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...peers]) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    if (dep.startsWith("@hookgate/")) installed(manifest(dep), seen);
  }
  return seen;
}

describe("installing @hookgate/cli", () => {
  it("pulls no database driver nor the dashboard: optional peers, for --journal and hookgate ui only", () => {
    const pulled = installed(packageJson);
    for (const driver of DRIVERS) expect(pulled, driver).not.toContain(driver);
    for (const driver of DRIVERS) {
      expect(packageJson.peerDependencies).toHaveProperty([driver]);
      expect(packageJson.peerDependenciesMeta).toHaveProperty([driver, "optional"], true);
    }
  });

  it("names the packages to install when a --journal needs one that is missing", async () => {
    const missing = () => import(/* @vite-ignore */ ["@hookgate", "no-such-driver"].join("/"));
    await expect(load(missing, "@hookgate/sqlite better-sqlite3")).rejects.toThrow(
      /^hookgate: this --journal needs @hookgate\/sqlite and better-sqlite3, which the CLI does not install by itself: npm i @hookgate\/sqlite better-sqlite3/,
    );
  });
});
