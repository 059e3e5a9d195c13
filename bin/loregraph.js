#!/usr/bin/env node
// The sources are TypeScript run through tsx, so `npx loregraph` works right after
// `npm ci` with no build step.
import { getPriority, setPriority } from 'node:os';
import { register } from 'tsx/esm/api';

// Ingest yields to a server on the same machine (cli/commands/ingest.ts): lowered here,
// before tsx starts its loader thread and compiles, so that start-up burst yields too.
if (process.argv[2] === 'ingest') {
  try {
    if (getPriority() < 10) setPriority(10);
  } catch {
    // not permitted: the command lowers what it can
  }
}
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
