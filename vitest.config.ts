import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { writeFixtureIndex } from "./packages/testing/scripts/fixture-index.mjs";

// The test kit's list of fixture files is generated, not committed: write it before any test reads it.
writeFixtureIndex();

// Tests run against each package's TypeScript source, so `pnpm test` needs no build step.
const packagesDir = fileURLToPath(new URL("./packages/", import.meta.url));
// Subpath entries first (`@hookgate/core/kit`), then each package's main entry.
const subpaths = [{ find: /^@hookgate\/core\/kit$/, replacement: `${packagesDir}core/src/kit.ts` }];
const alias = readdirSync(packagesDir)
  .filter((name) => existsSync(`${packagesDir}${name}/src/index.ts`))
  .map((name) => ({
    find: new RegExp(`^@hookgate/${name}$`),
    replacement: `${packagesDir}${name}/src/index.ts`,
  }));

// Package tests that need more than the process they run in: a Redis, PostgreSQL, RabbitMQ or NATS server, a
// database file, a child process, a bundler or a real HTTP server. They run with `integration`;
// every other package test is a `unit` test and must stay fast and self-contained.
const servicePackages = ["amqp", "bullmq", "nats", "pg-boss", "postgres", "redis", "sqlite"];
const packageIntegrationTests = [
  ...servicePackages.map((name) => `packages/${name}/src/**/*.test.ts`),
  "packages/cli/src/binary.test.ts", // bundles the CLI with tsup and runs it as a child process
  "packages/otel/src/otel-bullmq.test.ts", // real HTTP, Redis and a worker child process
  "packages/cli/src/demo.test.ts", // a real HTTP server and a burst of 1,000 requests
  "packages/cli/src/replay-body-signed.test.ts", // a SQLite journal and a real HTTP server
  "packages/cli/src/send.test.ts", // real HTTP servers
  "packages/cli/src/ui.test.ts", // a real HTTP server (the dashboard)
  "packages/testing/src/runner-free.test.ts", // bundles the kit and runs it under node:test
];

export default defineConfig({
  resolve: { alias: [...subpaths, ...alias] },
  test: {
    benchmark: { include: ["bench/**/*.bench.ts"] },
    // CI also writes machine-readable results, from which .ci/run prints a plain summary line:
    // one file for all projects.
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".ci/results.json" }]] : ["default"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // `pnpm test` runs every project; `pnpm test:unit` (seconds, no services), `pnpm test:integration`
    // and `pnpm test:scale` run one (`vitest run --project <name>`).
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts"],
          exclude: packageIntegrationTests,
          typecheck: {
            enabled: true,
            include: ["packages/*/src/**/*.test-d.ts", "test/**/*.test-d.ts"],
            // Only the type tests and what they import; `pnpm typecheck` checks the whole repository.
            tsconfig: "tsconfig.type-tests.json",
          },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts", ...packageIntegrationTests],
          exclude: ["test/scale/**", "**/node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "scale",
          include: ["test/scale/**/*.test.ts"],
          exclude: ["**/node_modules/**"],
          // After unit and integration, never beside them: the broker runs stop and restart the
          // shared RabbitMQ and NATS servers that integration tests use.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
