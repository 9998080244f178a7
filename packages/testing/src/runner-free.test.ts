import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";
import { afterAll, describe, expect, it } from "vitest";

// @hookgate/testing must work under vitest, Jest and node:test alike: it may import nothing but
// @hookgate/core and its own files, and must use no runner global.
const srcDir = fileURLToPath(new URL(".", import.meta.url));
const coreSrc = fileURLToPath(new URL("../../core/src/index.ts", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !/\.test(-d)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

const work = mkdtempSync(join(tmpdir(), "hookgate-testing-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("@hookgate/testing imports no test runner", () => {
  it("imports only @hookgate/core and its own modules, and uses no runner globals", () => {
    const files = sourceFiles(srcDir);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
      for (const specifier of specifiers) {
        expect({
          file,
          specifier,
          ok: specifier === "@hookgate/core" || specifier.startsWith("./") || specifier.startsWith("../"),
        }).toMatchObject({ ok: true });
      }
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      expect({
        file,
        globals: code.match(/\b(?:describe|expect|vi|jest|beforeEach|afterEach)\s*[.(]/g),
      }).toEqual({ file, globals: null });
    }
  });

  it.each(["esm", "cjs"] as const)("runs under node:test with node:assert (%s build)", async (format) => {
    const entry = join(work, `entry-${format}.ts`);
    writeFileSync(
      entry,
      `export { createReceiver, schemes } from "@hookgate/core";\nexport { fixtures, signedFixture, testHandler } from "@hookgate/testing";\n`,
    );
    const outDir = join(work, format);
    await build({
      config: false,
      silent: true,
      entry: { bundle: entry },
      format: [format],
      outDir,
      outExtension: () => ({ js: format === "esm" ? ".mjs" : ".cjs" }),
      platform: "node",
      target: "node20",
      dts: false,
      noExternal: [/.*/],
      esbuildOptions(options) {
        options.alias = { "@hookgate/core": coreSrc, "@hookgate/testing": join(srcDir, "index.ts") };
      },
    });
    const load =
      format === "esm"
        ? `import { createReceiver, schemes, fixtures, signedFixture, testHandler } from "./${format}/bundle.mjs";`
        : `const { createReceiver, schemes, fixtures, signedFixture, testHandler } = require("./${format}/bundle.cjs");`;
    const testFile = join(work, `handler.test.${format === "esm" ? "mjs" : "cjs"}`);
    writeFileSync(
      testFile,
      `${format === "esm" ? 'import { test } from "node:test";\nimport assert from "node:assert/strict";' : 'const { test } = require("node:test");\nconst assert = require("node:assert/strict");'}
${load}

test("a push handler, tested with node:test", async () => {
  const scheme = schemes.github({ secret: "s3cret" });
  const receiver = createReceiver({ scheme });
  const refs = [];
  receiver.on("push", (event) => { refs.push(event.payload.ref); });
  const result = await testHandler(receiver, await signedFixture(scheme, fixtures.github.push()));
  assert.equal(result.outcome, "handled");
  assert.deepEqual(refs, ["refs/heads/main"]);
  const tampered = await testHandler(receiver, await signedFixture(scheme, fixtures.github.push(), { tamper: "body" }));
  assert.equal(tampered.code, "signature_mismatch");
});
`,
    );
    const run = spawnSync(process.execPath, ["--test", testFile], { cwd: work, encoding: "utf8" });
    expect(run.stdout).toMatch(/# pass 1/);
    expect(run.stdout).toMatch(/# fail 0/);
    expect(run.status).toBe(0);
    expect(readFileSync(join(outDir, `bundle.${format === "esm" ? "mjs" : "cjs"}`), "utf8")).not.toMatch(
      /["'](?:vitest|@jest\/globals|node:test)["']/,
    );
  });
});
