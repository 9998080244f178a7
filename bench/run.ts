/**
/**
 * `pnpm bench [verify|http|stream|types|journal] [flags]`: runs the benchmarks and prints their markdown tables.
 * Flags: verify `--rounds N`; http `--duration S --http-rounds N --connections N --bytes N --framework NAME`;
 * stream `--stream-rounds N --pace-ms N --chunked`; types `--rounds N --timeout S`; journal `--rounds N --deliveries N`.
 */
import { cpus, loadavg } from "node:os";
import { runHttp } from "./http/run.js";
import { runJournal } from "./journal/run.js";
import { runStream } from "./stream/run.js";
import { runTypes } from "./types/run.js";
import { runVerify } from "./verify/run.js";

const suites: Record<string, (argv: readonly string[]) => Promise<string>> = {
  verify: runVerify,
  http: runHttp,
  stream: runStream,
  types: runTypes,
  journal: runJournal,
};

const argv = process.argv.slice(2);
const wanted = argv.filter((a) => a in suites);
const names = wanted.length ? wanted : Object.keys(suites);
const flags = argv.filter((a) => !(a in suites));

const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
console.log(
  `Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load average ${load}, ${new Date().toISOString()}\n`,
);
for (const name of names) {
  const table = await suites[name]!(flags);
  console.log(`## ${name}\n\n${table}\n`);
}
