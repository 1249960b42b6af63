/** Bundles the CLI (dist/main.cjs and one bundle per command module) into outDir. */
export function buildCli(outDir: string): Promise<void>;
