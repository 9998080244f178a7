import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests run against each package's TypeScript source, so `pnpm test` needs no build step.
const packagesDir = fileURLToPath(new URL("./packages/", import.meta.url));
const alias = readdirSync(packagesDir)
  .filter((name) => existsSync(`${packagesDir}${name}/src/index.ts`))
  .map((name) => ({
    find: new RegExp(`^@hookgate/${name}$`),
    replacement: `${packagesDir}${name}/src/index.ts`,
  }));

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["packages/*/src/**/*.test-d.ts", "test/**/*.test-d.ts"] },
    benchmark: { include: ["bench/**/*.bench.ts"] },
    // CI also writes machine-readable results, from which .ci/run prints a plain summary line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".ci/results.json" }]] : ["default"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
