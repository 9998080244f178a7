import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Options } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import config from "../tsup.config.js";

// The real build config, bundled with the workspace packages' sources (so no prior build is
// needed) into node_modules, where the binary's own dependencies (cac, cli-progress) resolve.
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const outDir = `${packageDir}node_modules/.hookgate-binary-test`;
const binary = `${outDir}/cli.js`;
const src = (name: string) => fileURLToPath(new URL(`../../${name}/src/index.ts`, import.meta.url));

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    ...(config as Options),
    config: false,
    silent: true,
    sourcemap: false,
    entry: { cli: `${packageDir}src/cli.ts` },
    outDir,
    noExternal: [/^@hookgate\//],
    // tsup reads externals from the working directory's package.json; under vitest that is the root's.
    external: [...Object.keys(packageJson.dependencies), ...Object.keys(packageJson.peerDependencies)].filter(
      (name) => !name.startsWith("@hookgate/"),
    ),
    esbuildOptions(options) {
      // esbuild aliases match prefixes: the kit subpath is named first, before core's main entry.
      options.alias = {
        "@hookgate/core/kit": `${packageDir}../core/src/kit.ts`,
        ...Object.fromEntries(
          ["core", "testing", "sqlite", "postgres", "dashboard"].map((name) => [
            `@hookgate/${name}`,
            src(name),
          ]),
        ),
      };
    },
  });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [binary, ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, NO_COLOR: "1" },
  });

describe("the hookgate binary", () => {
  it("starts with a node shebang", () => {
    expect(readFileSync(binary, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("--help exits 0 and lists the commands", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/sign[\s\S]*send <url>[\s\S]*demo/);
  });

  it("signs stdin", () => {
    const result = run(
      ["sign", "--scheme", "stripe", "--secret", "whsec_x"],
      '{"id":"evt_1","type":"invoice.paid"}',
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^content-type: application\/json\nstripe-signature: t=\d+,v1=[0-9a-f]{64}\n$/,
    );
  });

  it("exits 2 on a bad flag and 1 on an unreachable URL, with messages on stderr", () => {
    const bad = run(["sign", "--nope"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option `--nope`/);
    const unreachable = run([
      "send",
      "http://127.0.0.1:9/hooks",
      "--secret",
      "whsec_x",
      "--fixture",
      "stripe.invoicePaid",
    ]);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/^hookgate: cannot reach http:\/\/127\.0\.0\.1:9\/hooks: /);
  });

  it("lists deliveries from a SQLite journal file (better-sqlite3 loaded by the binary)", () => {
    const journal = `${outDir}/journal.db`;
    const empty = run(["deliveries", "--journal", `sqlite:${journal}`, "--since", "1h"]);
    expect({ status: empty.status, stderr: empty.stderr }).toEqual({ status: 0, stderr: "" });
    expect(empty.stdout).toBe("no deliveries match\n");
  });

  it("runs the demo and exits 0", () => {
    const result = run(["demo", "--burst", "50"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("✓ all 10 outcomes as expected");
  });
});
