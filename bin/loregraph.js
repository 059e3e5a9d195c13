#!/usr/bin/env node
// The sources are TypeScript, and `npx loregraph` works right after `npm ci` with no build
// step: the CLI runs from an esbuild bundle of cli/main.ts and everything under it (in
// chunks, so a command loads only its own code and packages), which ingest/worker-start.ts
// keeps in node_modules/.cache/loregraph as it does the workers' and builds again when a
// file it was built from has changed: an edit takes effect on the next start. Through
// tsx, every module went through tsx's loader thread on each start: before `serve`
// listened on 7,806 real messages the process had spent 1.5 s of CPU, from the bundle
// 0.9 s (medians of 5). A process runs either the bundle or tsx's modules, never both, so
// each class (LoregraphError, which cli/main.ts tests with instanceof) has one copy.
// Whatever stops the bundle leaves the run to tsx.
import { readFileSync, statSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Ingest yields to a server on the same machine (cli/commands/ingest.ts): lowered here,
// before the bundle is read or built, so that start-up burst yields too.
if (process.argv[2] === 'ingest') {
  try {
    if (getPriority() < 10) setPriority(10);
  } catch {
    // not permitted: the command lowers what it can
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = new URL('../cli/main.ts', import.meta.url);

/**
 * The cached bundle when every file it was built from is as it was, else null: the check
 * of ingest/worker-start.ts's manifest, here in JavaScript so that a current bundle starts
 * without loading tsx at all.
 */
function currentBundle() {
  try {
    const cache = join(ROOT, 'node_modules', '.cache', 'loregraph');
    const m = JSON.parse(readFileSync(join(cache, 'cli-main-ts.json'), 'utf8'));
    for (const [path, size, mtimeMs] of m.inputs) {
      const st = statSync(join(ROOT, path));
      if (st.size !== size || st.mtimeMs !== mtimeMs) return null;
    }
    return join(cache, m.bundle);
  } catch {
    return null;
  }
}

/** cli/main.ts's main: from the bundle (built now if it is not current), else through tsx. */
async function loadMain() {
  let bundle = currentBundle();
  if (bundle === null) {
    try {
      // tsx only for the builder, scoped to this import: the bundle then loads without its hooks
      const { tsImport } = await import('tsx/esm/api');
      const { splitModuleBundle } = await tsImport('../ingest/worker-start.ts', import.meta.url);
      bundle = await splitModuleBundle(ENTRY);
    } catch {
      bundle = null;
    }
  }
  if (bundle !== null) {
    try {
      return (await import(pathToFileURL(bundle).href)).main;
    } catch {
      // a bundle that does not load: tsx runs the same sources
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return (await import(ENTRY.href)).main;
}

const main = await loadMain();
process.exitCode = await main(process.argv.slice(2));
