import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));

/**
 * The Node flags the CLI is shipped with, read from its shebang (`#!/usr/bin/env -S node --flag …`): the
 * one place they are written. npm scripts, the Dockerfile, jobs/ and the benchmark are held to it.
 */
export function launchFlagsOf(script: string = CLI_ENTRY): string[] {
  const firstLine = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!.*?\bnode\b(.*)$/.exec(firstLine);
  return match ? match[1]!.trim().split(/\s+/).filter((word) => word.startsWith('--')) : [];
}
