// Every relative link in the Markdown a reader follows — README, CONTRIBUTING, SECURITY and the
// docs site — points to a file that exists, and every #anchor to a heading in it.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { githubSlug } from "../../docs/.vitepress/github-slug.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const docs = join(root, "docs");

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".") || entry.name === "node_modules") return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? markdownUnder(path) : entry.name.endsWith(".md") ? [path] : [];
  });
}

const files = [
  ...["README.md", "CONTRIBUTING.md", "SECURITY.md"].map((name) => join(root, name)),
  ...markdownUnder(docs),
];

/** The text outside fenced code blocks and inline code. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The anchors of a page's headings, as GitHub and the docs site make them (duplicates numbered). */
function anchorsOf(path: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const text = readFileSync(path, "utf8").replace(/^(```|~~~)[\s\S]*?^\1/gm, "");
  for (const [, heading] of text.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const plain = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
    const slug = githubSlug(plain);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Where a link goes: a file in the repository, or undefined for another site. */
function targetOf(from: string, link: string): string | undefined {
  if (/^[a-z][a-z+.-]*:/i.test(link) || link.startsWith("//")) return undefined;
  const path = decodeURIComponent(link.replace(/[?#].*$/, ""));
  if (path === "") return from;
  // The docs site resolves `/page` from docs/, and `page` (no extension) as `page.md`.
  let target = path.startsWith("/") ? join(docs, path) : resolve(dirname(from), path);
  const inDocs = !relative(docs, target).startsWith("..");
  if (inDocs && !existsSync(target)) {
    if (existsSync(`${target}.md`)) target = `${target}.md`;
    else if (path.endsWith("/") || existsSync(join(target, "index.md"))) target = join(target, "index.md");
  }
  if (existsSync(target) && statSync(target).isDirectory() && inDocs) target = join(target, "index.md");
  return target;
}

const links = files.flatMap((file) =>
  [...prose(readFileSync(file, "utf8")).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    ([, link]) => ({ file: relative(root, file), from: file, link: link! }),
  ),
);

describe("internal Markdown links", () => {
  it("the pages are found and link to each other", () => {
    expect(files.length).toBeGreaterThan(10);
    expect(links.length).toBeGreaterThan(30);
  });

  it.each(files.map((file) => relative(root, file)))(
    "%s links only to files and headings that exist",
    (file) => {
      const broken: string[] = [];
      for (const { from, link } of links.filter((entry) => entry.file === file)) {
        const target = targetOf(from, link);
        if (target === undefined) continue;
        if (!existsSync(target)) {
          broken.push(`${link}: no file ${relative(root, target)}`);
          continue;
        }
        const anchor = /#(.+)$/.exec(link)?.[1];
        if (anchor && target.endsWith(".md") && !anchorsOf(target).has(decodeURIComponent(anchor))) {
          broken.push(`${link}: no heading #${anchor} in ${relative(root, target)}`);
        }
      }
      expect(broken).toEqual([]);
    },
  );
});
