/**
 * Instructions per HTTP request of one bench server, counted by callgrind, so the number does not
 * move with other load on the machine (2 cores shared with tests, helpers, other benchmarks):
 *
 *   npx tsx http/icount.ts <server.mjs> <framework> <mode> [N1=5000] [N2=15000]
 *
 * `server.mjs` is `bench/http/server.ts` bundled with esbuild (as the packages ship). The server runs
 * twice under `valgrind --tool=callgrind` (`node --single-threaded`), answering N1 and then N2 signed
 * 1 KiB deliveries over 10 connections; per request is the difference of the two totals over
 * N2 − N1, so start-up cancels out. Printed apart: the JIT's compiling (V8's compiler, run on the
 * main thread here) and the GC. Compiling is a one-time cost that lands in one run or the other:
 * with 1,000 and 3,000 requests it was 225k of a node:http server's 335k instructions per request,
 * with 5,000 and 15,000 about 1–8k, and one late optimization moves a total by ~20k, so compare
 * the totals without it. A full (mark-compact) collection also falls in one run or the other: read
 * the GC's share as noise unless `node --trace-gc-nvp` pause times agree.
 *
 * `KEEP=1` keeps both runs' callgrind files, and V8's map of its compiled code
 * (`--perf-basic-prof`, `/tmp/perf-<pid>.map`, code never moved), printing where they are: with
 * the map, the addresses `callgrind_annotate` cannot name resolve to JavaScript functions
 * (bench/README.md, round 8). `SIM=1` has callgrind also simulate the caches and the branch
 * predictor, and prints each event per request: misses of the instruction and data caches, and
 * mispredicted branches, which explain time per instruction (bench/README.md, round 9).
 * `PROVIDER=github` (or `stripe`) sends that provider's deliveries, as `cpu.ts` does.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { checkNewDeliveries, payload, providerFromEnv, signer } from "./deliveries.js";

const [script, framework, mode, n1 = "5000", n2 = "15000"] = process.argv.slice(2);
if (!script || !framework || !mode)
  throw new Error("usage: icount.ts <server.mjs> <framework> <mode> [N1] [N2]");
const dir = mkdtempSync(join(tmpdir(), "icount-"));
const keep = process.env.KEEP === "1";
const simulate = process.env.SIM === "1";
// `PROVIDER=github` (or `stripe`) signs as that provider, for the peers made for it (`node:octokit`).
const provider = providerFromEnv();

interface Count {
  total: number;
  compile: number;
  gc: number;
  /** With `SIM=1`: every event callgrind simulated (cache misses, branches), by its name. */
  events: Record<string, number>;
}

/** V8's compilers (TurboFan, Maglev, Sparkplug, the bytecode generator) and its GC, by symbol. */
const COMPILE = /v8::internal::(compiler|maglev|baseline|interpreter)::|v8::internal::Compiler::|Zone::/;
const GC =
  /v8::internal::(Scavenger|MarkCompact|Sweeper|Marking|Evacuat|Heap::|MinorMarkCompact|ConcurrentMarking|RememberedSet|IncrementalMarking)|heap::base::/;

/** The run's total and the instructions spent compiling and collecting, from callgrind's own annotation. */
function count(file: string): Count {
  const text = execFileSync("callgrind_annotate", ["--inclusive=no", "--threshold=100", file], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const result: Count = { total: 0, compile: 0, gc: 0, events: {} };
  const names = /^Events shown:\s+(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
  for (const line of text.split("\n")) {
    if (line.includes("PROGRAM TOTALS")) {
      // Every event's count, in the order callgrind shows them (instructions first), each
      // followed by its percentage in parentheses.
      const numbers =
        line
          .split("PROGRAM TOTALS")[0]!
          .replace(/\([^)]*\)/g, "")
          .match(/[\d,]+/g) ?? [];
      names.forEach((name, i) => {
        result.events[name] = Number((numbers[i] ?? "0").replaceAll(",", ""));
      });
      result.total = result.events.Ir ?? 0;
      continue;
    }
    const match = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (!match) continue;
    const instructions = Number(match[1]!.replaceAll(",", ""));
    const symbol = match[2]!;
    if (COMPILE.test(symbol)) result.compile += instructions;
    else if (GC.test(symbol)) result.gc += instructions;
  }
  if (result.total === 0) throw new Error("callgrind_annotate printed no totals");
  return result;
}

async function total(requests: number): Promise<Count> {
  const out = join(dir, `callgrind.${requests}`);
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      `--callgrind-out-file=${out}`,
      ...(simulate ? ["--cache-sim=yes", "--branch-sim=yes"] : []),
      process.execPath,
      "--single-threaded",
      ...(keep ? ["--perf-basic-prof", "--no-compact-code-space"] : []),
      resolve(script!),
      framework!,
      mode!,
      provider,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const port = await new Promise<number>((done, fail) => {
    let text = "";
    child.stdout!.on("data", (chunk) => {
      text += chunk;
      if (text.includes("\n")) done(JSON.parse(text.split("\n")[0]!).port);
    });
    child.on("exit", (code) => fail(new Error(`server exited with ${code}`)));
  });
  const body = payload(1024, provider);
  const sign = signer(body, provider);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks`,
    connections: 10,
    amount: requests,
    timeout: 120,
    requests: [{ method: "POST", body, setupRequest: (request) => ({ ...request, ...sign() }) }],
  });
  if (result.non2xx || result.errors) throw new Error(`non2xx ${result.non2xx} errors ${result.errors}`);
  checkNewDeliveries("icount.ts:", mode!, result.statusCodeStats?.["200"]?.count);
  const exited = new Promise((done) => child.on("exit", done));
  child.kill("SIGTERM");
  await exited;
  if (keep) console.log(`kept ${out}, compiled code in /tmp/perf-${child.pid}.map`);
  return count(out);
}

const a = await total(Number(n1));
const b = await total(Number(n2));
if (!keep) rmSync(dir, { recursive: true, force: true });
const requests = Number(n2) - Number(n1);
const per = (key: "total" | "compile" | "gc") => Math.round((b[key] - a[key]) / requests);
console.log(
  `${framework} ${mode} (${script}): ${per("total")} instructions/request, ` +
    `${per("total") - per("compile")} without compiling (compiling ${per("compile")}, GC ${per("gc")})`,
);
if (simulate) {
  const events = Object.keys(b.events).map(
    (name) => `${name} ${((b.events[name]! - (a.events[name] ?? 0)) / requests).toFixed(1)}`,
  );
  console.log(`  per request, simulated: ${events.join(", ")}`);
}
