/**
 * Instructions per HTTP request of one bench server, counted by callgrind, so the number does not
 * move with other load on the machine (2 cores shared with tests, helpers, other benchmarks):
 *
 *   npx tsx http/icount.ts <server.mjs> <framework> <mode> [N1=2000] [N2=6000]
 *
 * `server.mjs` is `bench/http/server.ts` bundled with esbuild (as the packages ship). The server runs
 * twice under `valgrind --tool=callgrind` (`node --single-threaded`), answering N1 and then N2 signed
 * 1 KiB deliveries over 10 connections; per request is the difference of the two totals over
 * N2 − N1, so start-up and compilation cancel out.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { payload, signer } from "./deliveries.js";

const [script, framework, mode, n1 = "2000", n2 = "6000"] = process.argv.slice(2);
if (!script || !framework || !mode)
  throw new Error("usage: icount.ts <server.mjs> <framework> <mode> [N1] [N2]");
const dir = mkdtempSync(join(tmpdir(), "icount-"));

async function total(requests: number): Promise<number> {
  const out = join(dir, `callgrind.${requests}`);
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      `--callgrind-out-file=${out}`,
      process.execPath,
      "--single-threaded",
      resolve(script!),
      framework!,
      mode!,
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
  const body = payload(1024);
  const sign = signer(body);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks`,
    connections: 10,
    amount: requests,
    timeout: 120,
    requests: [{ method: "POST", body, setupRequest: (request) => ({ ...request, ...sign() }) }],
  });
  if (result.non2xx || result.errors) throw new Error(`non2xx ${result.non2xx} errors ${result.errors}`);
  const exited = new Promise((done) => child.on("exit", done));
  child.kill("SIGTERM");
  await exited;
  const line = readFileSync(out, "utf8").match(/^(?:summary|totals): (\d+)/m);
  if (!line) throw new Error("callgrind wrote no totals");
  return Number(line[1]);
}

const a = await total(Number(n1));
const b = await total(Number(n2));
rmSync(dir, { recursive: true, force: true });
console.log(
  `${framework} ${mode} (${script}): ${Math.round((b - a) / (Number(n2) - Number(n1)))} instructions/request`,
);
