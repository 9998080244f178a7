import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Every Markdown file users read: the README, the packages' and examples' READMEs, and docs/. */
function markdownFiles(): string[] {
  const files: string[] = [];
  const add = (path: string) => existsSync(path) && files.push(path);
  add(join(root, "README.md"));
  for (const dir of ["packages", "examples"]) {
    for (const name of readdirSync(join(root, dir))) add(join(root, dir, name, "README.md"));
  }
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".md")) files.push(path);
    }
  };
  walk(join(root, "docs"));
  return files;
}

/** A fenced ```ts block, where it starts, and its code. */
interface Snippet {
  file: string;
  line: number;
  code: string;
}

function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    out.push({ file: relative(root, file), line: start, code: body.join("\n") });
  }
  return out;
}

const snippets = markdownFiles().flatMap(snippetsOf);

// Snippets are fragments: they use the reader's own names (`app`, `markPaid`) and files
// (`./webhooks.js`). Everything else — hookgate's names, options, types — must check.
const FRAGMENT_CODES = new Set([
  2304, // Cannot find name 'x'
  2552, // Cannot find name 'x'. Did you mean …?
  2580, // Cannot find name 'require'
  2451, // Cannot redeclare block-scoped variable (two snippets share a name)
  2593, // Cannot find name 'it' / 'describe' (the reader's test runner)
  18004, // No value exists in scope for the shorthand property 'x' ({ secret } from the reader's scope)
  7006, // Parameter implicitly has an 'any' type (a callback of the reader's own `app`)
]);

function typeErrors(): Map<Snippet, string[]> {
  const config = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  // Under test/, where the examples' and tests' dependencies (express, bullmq, zod, …) resolve.
  const virtual = new Map<string, Snippet>();
  snippets.forEach((snippet, n) => {
    virtual.set(join(root, "test", "docs", `.snippet-${n}.ts`), snippet);
  });
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path);
  host.readFile = (path) => {
    const snippet = virtual.get(path);
    return snippet ? `${snippet.code}\nexport {};\n` : readFile.call(host, path);
  };
  host.getSourceFile = (path, language, onError, create) => {
    const snippet = virtual.get(path);
    if (snippet) return ts.createSourceFile(path, `${snippet.code}\nexport {};\n`, language, true);
    return getSourceFile.call(host, path, language, onError, create);
  };
  // NestJS snippets use Nest's decorators, which a Nest app compiles with experimentalDecorators.
  const program = ts.createProgram(
    [...virtual.keys()],
    { ...options, experimentalDecorators: true, noEmit: true },
    host,
  );
  const errors = new Map<Snippet, string[]>();
  for (const [path, snippet] of virtual) {
    const source = program.getSourceFile(path)!;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    const messages = diagnostics
      .filter((d) => !FRAGMENT_CODES.has(d.code))
      // A reader's own module (`./webhooks.js`) is not in the repository.
      .filter(
        (d) =>
          !(d.code === 2307 && /'(\.\.?|@)\//.test(ts.flattenDiagnosticMessageText(d.messageText, "\n"))),
      )
      .map((d) => {
        const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${snippet.file}:${snippet.line + line + 1}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
      });
    if (messages.length > 0) errors.set(snippet, messages);
  }
  return errors;
}

describe("TypeScript snippets in the Markdown docs", () => {
  it("finds them (README.md, packages/*/README.md, examples/*/README.md, docs/**/*.md)", () => {
    expect(snippets.length).toBeGreaterThan(10);
  });

  it("type-check against the packages' sources with the repository's tsconfig", () => {
    const errors = [...typeErrors().values()].flat();
    expect(errors).toEqual([]);
  }, 120_000);
});
