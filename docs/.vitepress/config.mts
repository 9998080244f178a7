import { defineConfig } from "vitepress";
import { githubSlug } from "./github-slug.js";

// The docs site: `pnpm docs:build` (offline), `pnpm docs:dev` to preview. Pages are plain Markdown
// that also reads well on GitHub; generated tables are rewritten by `pnpm docs:tables`.
export default defineConfig({
  title: "hookgate",
  description: "Receive webhooks: verify, deduplicate, hand off, replay — for 40+ providers.",
  cleanUrls: true,
  cacheDir: "../node_modules/.cache/vitepress",
  markdown: { anchor: { slugify: githubSlug } },
  // Links to files outside docs/ (SECURITY.md, package READMEs, examples) are for readers on
  // GitHub; test/docs/links.test.ts checks that each of them exists.
  ignoreDeadLinks: [
    /^(\.\/)?(\.\.\/)+(SECURITY|CONTRIBUTING|README|CHANGELOG|packages\/|examples|bench\/|test\/)/,
  ],
  themeConfig: {
    nav: [
      { text: "Guide", link: "/getting-started/" },
      { text: "Schemes", link: "/schemes" },
      { text: "Architecture", link: "/architecture" },
    ],
    sidebar: [
      {
        text: "Getting started",
        items: [
          { text: "Overview", link: "/getting-started/" },
          { text: "Express", link: "/getting-started/express" },
          { text: "Fastify", link: "/getting-started/fastify" },
          { text: "Hono", link: "/getting-started/hono" },
          { text: "Koa", link: "/getting-started/koa" },
          { text: "NestJS", link: "/getting-started/nestjs" },
          { text: "Next.js", link: "/getting-started/next" },
          { text: "AWS Lambda", link: "/getting-started/lambda" },
          { text: "fetch (Workers, Bun, Deno)", link: "/getting-started/fetch" },
        ],
      },
      {
        text: "Guide",
        items: [
          { text: "Receiving and answers", link: "/receiving" },
          { text: "Out-of-order events", link: "/ordering" },
          { text: "Schemes", link: "/schemes" },
          { text: "Verify a request", link: "/verify" },
          { text: "Secrets, rotation, tenants", link: "/secrets" },
          { text: "Testing", link: "/testing" },
          { text: "Stores and scaling", link: "/stores" },
          { text: "Queues and workers", link: "/queues" },
          { text: "Journal, replay, CLI", link: "/journal" },
          { text: "Alerts", link: "/alerts" },
          { text: "Adapters", link: "/adapters" },
          { text: "Errors", link: "/errors" },
          { text: "Runtimes", link: "/runtimes" },
          { text: "Cloudflare Workers", link: "/cloudflare" },
          { text: "Performance", link: "/performance" },
          { text: "Security", link: "/security" },
        ],
      },
      { text: "Reference", items: [{ text: "Architecture", link: "/architecture" }] },
    ],
    outline: [2, 3],
    search: { provider: "local" },
  },
});
