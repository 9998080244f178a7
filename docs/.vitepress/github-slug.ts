/**
 * A heading's anchor as GitHub makes it (github-slugger): lower case, punctuation dropped, spaces
 * turned into hyphens. The docs site uses it too, so a link such as `receiving.md#answers` works
 * both on GitHub and in the built site, and test/docs/links.test.ts checks links with it.
 */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}
