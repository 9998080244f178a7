// Runs the runtime suite in a JavaScript runtime started as a child process (Bun, Deno): bundles
// it with the entry for that runtime, starts the runtime on the bundle, reads the JSON report it
// prints, and talks to the server it keeps open.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { schemes } from "@hookgate/core";
import { fixtures, signedFixture } from "@hookgate/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeNeeding } from "../support/services.js";
import { bundleForRuntime } from "./bundle.js";
import type { ChildReport } from "./child-entry.js";

const require = createRequire(new URL("../package.json", import.meta.url));

/** The binary an npm package ships (`bun`, `deno`) and the package's version, or undefined. */
export function packagedBinary(pkg: string, file: string): { path: string; version: string } | undefined {
  try {
    const manifest = require.resolve(`${pkg}/package.json`);
    return { path: join(dirname(manifest), file), version: require(manifest).version };
  } catch {
    return undefined;
  }
}

/** Whether `binary --version` runs and prints `version`. */
export function runtimeStarts(binary: string | undefined, version: string | undefined): boolean {
  if (!binary || !version) return false;
  const result = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 30_000 });
  if (result.status === 0 && result.stdout.includes(version)) return true;
  console.warn(`${binary} --version:`, result.error ?? result.stderr ?? result.stdout);
  return false;
}

/** Starts the runtime on the bundle; resolves with its report once its server listens. */
function startChild(command: string[], cwd: string): Promise<{ child: ChildProcess; report: ChildReport }> {
  const [binary, ...args] = command as [string, ...string[]];
  // No update check, no colours: the child's stdout is the report.
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  const child = spawn(binary, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk) => void (stderr += chunk));
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, report: JSON.parse(line) as ChildReport });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${binary} exited with ${code}: ${stderr}${stdout}`)));
  });
}

export interface ChildRuntime {
  /** "Bun", "Deno". */
  name: string;
  binary: { path: string; version: string } | undefined;
  /** The command line for the bundle, the crypto mode ("node" or "web") and the Stripe secret. */
  command: (bundle: string, mode: string, secret: string) => string[];
  /** The bundle's entry, which serves with the runtime's own server. */
  entry: string;
}

/** The runtime suite and a real HTTP exchange with the runtime's server, on node:crypto and forced Web Crypto. */
export function describeChildRuntime(runtime: ChildRuntime): void {
  const starts = runtimeStarts(runtime.binary?.path, runtime.binary?.version);
  const describeRuntime = describeNeeding(`${runtime.name} (its npm package)`, starts);
  const variants = [
    { mode: "node", crypto: "node:crypto" },
    { mode: "web", crypto: "web-crypto" },
  ] as const;
  for (const variant of variants) {
    describeRuntime(`runtime suite in ${runtime.name}, ${variant.crypto}`, () => {
      const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
      let dir: string | undefined;
      let child: ChildProcess | undefined;
      let report: ChildReport;
      beforeAll(async () => {
        // Outside the repository, so neither runtime picks up its package.json or config.
        dir = mkdtempSync(join(tmpdir(), "hookgate-runtime-"));
        const bundle = join(dir, "suite.mjs");
        writeFileSync(bundle, await bundleForRuntime(runtime.entry));
        ({ child, report } = await startChild(runtime.command(bundle, variant.mode, secret), dir));
      }, 120_000);
      afterAll(() => {
        child?.kill();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      it(`is ${runtime.name} ${runtime.binary?.version}, and hookgate uses ${variant.crypto}`, () => {
        expect(report.version).toBe(runtime.binary?.version);
        // The runtime offers node:crypto through process.getBuiltinModule either way.
        expect(report.results[0]).toEqual({ name: "crypto path", ok: true, detail: "node:crypto" });
        expect(report.crypto).toBe(variant.crypto);
      });

      it("passes every case: each scheme signed and verified, dedupe, fetch, Hono, handshake, batch", () => {
        expect(report.results.filter((result) => !result.ok)).toEqual([]);
        expect(report.results.filter((result) => result.name.startsWith("scheme ")).length).toBeGreaterThan(
          40,
        );
        expect(report.results.map((result) => result.name)).toContain("hono: webhookHandler");
      });

      it(`serves receiver.fetch over real HTTP from ${runtime.name}'s own server`, async () => {
        const base = `http://127.0.0.1:${report.port}`;
        const stripe = schemes.stripe({ secret });
        const event = fixtures.stripe.invoicePaid();
        const signed = await signedFixture(stripe, event, { url: `${base}/hook` });
        const post = (headers: Record<string, string>) =>
          fetch(`${base}/hook`, { method: "POST", headers, body: signed.body });
        const first = await post(signed.headers);
        expect(first.status).toBe(200);
        const copy = await post(signed.headers);
        expect(copy.status).toBe(200);
        expect(await copy.json()).toMatchObject({ status: "duplicate" });
        const forged = await signedFixture(stripe.withSigningKey("whsec_wrong"), event, {
          url: `${base}/hook`,
        });
        const refused = await post(forged.headers);
        expect(refused.status).toBe(401);
        expect(await refused.json()).toMatchObject({ error: { code: "signature_mismatch" } });
        expect(await (await fetch(`${base}/seen`)).json()).toEqual([event.id]);
      });
    });
  }
}
