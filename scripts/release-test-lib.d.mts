// Types of release-test-lib.mjs (the pure parts of the release test), for the tests in
// apps/packaging.

export type { CodeBlock } from '../test-support/markdown.mjs';
export { codeBlocks } from '../test-support/markdown.mjs';
export function shellCommands(code: string): string[];

export const INSTALL_FLAG: 'release-test';
export function installBlock(
  markdown: string,
  where?: string,
): { install: string; packages: string[]; commands: string[] };

export interface PublishablePackage {
  dir: string;
  name: string;
  version: string;
  /** A per-platform addon package (`packages/native/npm/<platform>/`). */
  platform: boolean;
  manifest: Record<string, unknown>;
}
export function publishablePackages(root: string): PublishablePackage[];

export function manifestProblems(
  manifest: Record<string, unknown>,
  released: Map<string, string>,
): string[];

export interface ReadmeRule {
  match: string;
  skip?: string;
  preamble?: string;
}

export interface ReadmeExample {
  id: string;
  kind: 'module' | 'shell' | 'not-run' | 'skip';
  lang: string;
  code: string;
  reason?: string;
}
export function readmeExamples(
  markdown: string,
  readme: string,
  rules?: ReadmeRule[],
): ReadmeExample[];

export function addonPlatform(file: string, binaryName: string): string | null;
