/**
 * `bench/types`: type-checks generated handler files with `tsc --extendedDiagnostics` and reports
 * instantiations (deterministic) and check time (median of rounds), each net of its baseline file
 * (the same imports, no handlers) so hookgate's own source, which is checked from `.ts`, is not
 * counted against it. Files go to node_modules/.cache so the repo's typecheck never sees them.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { flag, markdownTable, median, num } from "../lib/table.js";
import { type TypeCase, typeCases } from "./cases.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const workDir = join(here, "..", "node_modules", ".cache", "hookgate-bench-types");
const tsc = createRequire(import.meta.url).resolve("typescript/lib/tsc.js");

interface Diagnostics {
  instantiations: number;
  checkSeconds: number;
  memoryMB: number;
  errors: string;
  timedOut: boolean;
}

function writeCase(c: TypeCase): string {
  const dir = join(workDir, c.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "handlers.ts"), c.source);
  const config = {
    extends: join(root, "tsconfig.base.json"),
    compilerOptions: {
      noEmit: true,
      paths: { "@hookgate/core": [join(root, "packages/core/src/index.ts")] },
    },
    files: ["handlers.ts"],
  };
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}

function runTsc(dir: string, timeoutMs: number): Promise<Diagnostics> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, "-p", dir, "--extendedDiagnostics"], { cwd: dir });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", () => {
      clearTimeout(timer);
      const read = (label: string) =>
        Number(out.match(new RegExp(`^${label}:\\s+([\\d.]+)`, "m"))?.[1] ?? Number.NaN);
      resolve({
        instantiations: read("Instantiations"),
        checkSeconds: read("Check time"),
        memoryMB: read("Memory used") / 1024,
        errors: out
          .split("\n")
          .filter((l) => l.includes("error TS"))
          .join("\n"),
        timedOut,
      });
    });
  });
}

/** Runs every case and returns the markdown table. */
export async function runTypes(argv: readonly string[]): Promise<string> {
  const rounds = Number(flag(argv, "rounds") ?? 3);
  const timeoutMs = Number(flag(argv, "timeout") ?? 120) * 1000;
  const only = flag(argv, "case");
  const results = new Map<string, Diagnostics>();
  for (const c of typeCases) {
    if (only && !c.name.includes(only) && !c.name.endsWith("empty")) continue;
    const dir = writeCase(c);
    const runs: Diagnostics[] = [];
    for (let i = 0; i < rounds; i++) {
      const d = await runTsc(dir, timeoutMs);
      runs.push(d);
      if (d.timedOut || d.checkSeconds > 10) break;
    }
    const first = runs[0]!;
    results.set(c.name, { ...first, checkSeconds: median(runs.map((r) => r.checkSeconds)) });
    process.stderr.write(
      `types: ${c.name}: ${first.timedOut ? "timed out" : `${first.instantiations} instantiations`}\n`,
    );
    if (first.errors) process.stderr.write(`types: ${c.name} has type errors:\n${first.errors}\n`);
  }
  const rows: string[][] = [];
  for (const c of typeCases) {
    const d = results.get(c.name);
    if (!d || c.name.endsWith("empty")) continue;
    const base = results.get(c.name.startsWith("octokit") ? "octokit-empty" : "hookgate-empty")!;
    const net = d.instantiations - base.instantiations;
    const check = d.checkSeconds - base.checkSeconds;
    const ref = c.reference ? results.get(c.reference) : undefined;
    const refNet = ref ? ref.instantiations - results.get("octokit-empty")!.instantiations : undefined;
    rows.push([
      c.label,
      d.timedOut ? `> ${timeoutMs / 1000} s (timed out)` : num(net),
      d.timedOut ? "—" : `${num(Math.max(0, check), 2)} s`,
      d.timedOut ? "—" : `${num(d.memoryMB)} MB`,
      refNet && !d.timedOut ? `${(net / refNet).toFixed(2)}×` : "",
      d.errors ? "type errors (see log)" : d.timedOut ? "timed out" : "ok",
    ]);
  }
  const header = [
    "handler file",
    "instantiations (net)",
    "check time (net)",
    "memory",
    "vs Octokit",
    "result",
  ];
  const baseline = ["octokit-empty", "hookgate-empty"]
    .map((n) => {
      const d = results.get(n)!;
      return `${n}: ${num(d.instantiations)} instantiations, ${num(d.checkSeconds, 2)} s check`;
    })
    .join("; ");
  return `${markdownTable(header, rows)}\n\nBaselines subtracted (same imports, no handlers): ${baseline}.`;
}
