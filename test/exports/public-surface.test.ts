import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The public surface of every published package, as a snapshot: adding, removing or renaming an
// export (a value or a type) is a visible diff in review. Update with `pnpm vitest run
// test/exports -u` when the change is meant.
const root = fileURLToPath(new URL("../../", import.meta.url));
// Packages with a library entry (the CLI ships a binary only).
const packages = readdirSync(`${root}packages`).filter((name) =>
  ts.sys.fileExists(`${root}packages/${name}/src/index.ts`),
);

function surface(entry: string): string[] {
  const program = ts.createProgram([entry], {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`no source file ${entry}`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) return [];
  return checker
    .getExportsOfModule(module)
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
      return `${isValue ? "value" : "type "} ${symbol.getName()}`;
    })
    .sort();
}

describe("public surface", () => {
  it("@hookgate/core/kit (for adapter, store, journal and queue authors) exports exactly these names", {
    timeout: 60_000,
  }, () => {
    const kit = surface(`${root}packages/core/src/kit.ts`);
    expect(kit).toMatchSnapshot();
    // Nothing is both: the main entry is what applications call, the kit what authors need.
    const main = new Set(surface(`${root}packages/core/src/index.ts`));
    expect(kit.filter((name) => main.has(name))).toEqual([]);
  });

  for (const name of packages) {
    it(`@hookgate/${name} exports exactly these names`, { timeout: 60_000 }, () => {
      expect(surface(`${root}packages/${name}/src/index.ts`)).toMatchSnapshot();
    });
  }
});
