/**
 * `pnpm bench [verify|http|types] [flags]`: runs the benchmarks and prints their markdown tables.
 * Flags: verify `--rounds N`; http `--duration S --connections N`; types `--rounds N --timeout S`.
 */
import { cpus } from "node:os";
import { runTypes } from "./types/run.js";
import { runVerify } from "./verify/run.js";

const suites: Record<string, (argv: readonly string[]) => Promise<string>> = {
  verify: runVerify,
  types: runTypes,
};

const argv = process.argv.slice(2);
const wanted = argv.filter((a) => a in suites);
const names = wanted.length ? wanted : Object.keys(suites);
const flags = argv.filter((a) => !(a in suites));

console.log(
  `Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${new Date().toISOString()}\n`,
);
for (const name of names) {
  const table = await suites[name]!(flags);
  console.log(`## ${name}\n\n${table}\n`);
}
