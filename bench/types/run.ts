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
  const results = new Map<string, Diagnostics>();
  for (const c of typeCases) {
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
  const get = (name: string | undefined) => results.get(name ?? "")!;
  const net = (c: TypeCase | undefined, against: "baseline" | "imports") =>
    c ? get(c.name).instantiations - get(c[against]).instantiations : Number.NaN;
  const rows: string[][] = [];
  for (const c of typeCases) {
    if (c.isBaseline) continue;
    const d = get(c.name);
    const ref = typeCases.find((r) => r.name === c.reference);
    const timedOut = d.timedOut || get(c.baseline).timedOut;
    const cell = (value: string) => (timedOut ? "—" : value);
    rows.push([
      c.label,
      cell(num(net(c, "baseline"))),
      cell(ref ? `${(net(c, "baseline") / net(ref, "baseline")).toFixed(2)}×` : ""),
      cell(num(net(c, "imports"))),
      cell(ref ? `${(net(c, "imports") / net(ref, "imports")).toFixed(2)}×` : ""),
      cell(`${num(Math.max(0, d.checkSeconds - get(c.baseline).checkSeconds), 2)} s`),
      cell(`${num(d.checkSeconds, 2)} s`),
      timedOut ? `timed out (> ${timeoutMs / 1000} s)` : d.errors ? "type errors (see log)" : "ok",
    ]);
  }
  const header = [
    "handler file",
    "instantiations: handlers",
    "vs Octokit",
    "handlers + map type",
    "vs Octokit",
    "check time: handlers",
    "check time: whole file",
    "result",
  ];
  return `${markdownTable(header, rows)}

"handlers": net of the same file without its handlers (imports, map type, \`createReceiver<Map>()\` or \`new Webhooks()\`).
"handlers + map type": net of the bare imports (for hookgate that subtracts core's own source, which this
harness checks from \`.ts\`: ${num(get("core-only").instantiations)} instantiations). Instantiation counts are
deterministic; check times are medians of ${rounds} runs and noisy on a shared machine.`;
}
