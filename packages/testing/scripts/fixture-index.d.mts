/** The generated module's text for the fixture files in `names` (file names, any order). */
export function fixtureIndexSource(names: readonly string[]): string;
/** Writes src/fixtures/providers.generated.ts when its text changed; returns whether it did. */
export function writeFixtureIndex(): boolean;
