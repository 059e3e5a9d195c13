// Runs SPIN on an exported model: `spin -a`, gcc, then the verifier twice -- once looking
// only for assertion violations (-E: invalid end states ignored), once only for invalid end
// states (-A: assertions ignored) -- so both kinds of error are known, whatever SPIN's
// depth-first search happens to meet first. The pan output parser is pure and tested alone.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What one `./pan` run printed, reduced to what a verdict needs. */
export interface PanReport {
  assertionViolated: boolean;
  invalidEndState: boolean;
  errors: number;
  statesStored: number;
  transitions: number;
  /** pan's own elapsed time, seconds (0 when too fast to measure). */
  seconds: number;
  /** The search hit -m (depth) or memory limits: a clean "errors: 0" would not mean safe. */
  truncated: boolean;
  /** The first error line, e.g. `pan:1: invalid end state (at depth 12)`. */
  firstError?: string;
  /** `spin -t -p` of the error trail, when asked for (SpinOptions.trails). */
  trail?: string;
}

export function parsePanOutput(text: string): PanReport {
  const num = (re: RegExp): number => {
    const m = re.exec(text);
    return m ? Number(m[1]) : 0;
  };
  const errLine = /^pan:\d+: .*$/m.exec(text)?.[0];
  const errorsMatch = /errors: (\d+)/.exec(text);
  if (!errorsMatch) throw new Error(`pan output has no 'errors:' line:\n${text.slice(0, 2000)}`);
  return {
    assertionViolated: /pan:\d+: assertion violated/.test(text),
    invalidEndState: /pan:\d+: invalid end state/.test(text),
    errors: Number(errorsMatch[1]),
    statesStored: num(/([0-9.e+]+) states, stored/),
    transitions: num(/([0-9.e+]+) transitions \(= /),
    seconds: num(/pan: elapsed time ([0-9.e+]+) seconds/),
    // "Search not completed" alone only means pan stopped at its first error.
    truncated: /max search depth too small|out of memory|hash table is full/i.test(text),
    ...(errLine !== undefined ? { firstError: errLine } : {}),
  };
}

export type SpinFinding = 'holds' | 'violated' | 'deadlock';

export interface SpinResult {
  /** Everything SPIN found reachable: empty means the model is safe and deadlock-free. */
  found: SpinFinding[];
  /** Verdict in our vocabulary; when both kinds are reachable, `violated` (an assertion). */
  verdict: SpinFinding | 'incomplete';
  safety: PanReport;
  deadlock: PanReport;
  /** Wall time of the two verifier runs (not compilation), ms. */
  verifyMs: number;
  compileMs: number;
  /** false when a cached pan binary of the same model was used. */
  compiled: boolean;
}

export interface SpinTools {
  ok: boolean;
  reason?: string;
}

/** Whether `spin` and `gcc` are on PATH; tests skip with the reason when not. */
export async function spinTools(): Promise<SpinTools> {
  for (const [cmd, args] of [
    ['spin', ['-V']],
    ['gcc', ['--version']],
  ] as const) {
    try {
      await run(cmd, [...args], { timeout: 10_000 });
    } catch {
      return { ok: false, reason: `${cmd} not found on PATH (install spin and gcc; .ci/run does)` };
    }
  }
  return { ok: true };
}

export interface SpinOptions {
  /** pan -m: maximum search depth. */
  maxDepth?: number;
  /** pan -w: log2 of the hash table size. */
  hashBits?: number;
  /** Keep the temp directory (for a human to look at the trail). */
  keep?: boolean;
  /** gcc -O2 (default) for benchmarks; tests pass false: -O0 compiles pan.c ~5x faster. */
  optimize?: boolean;
  /** Replay each error trail with `spin -t -p`, so it can be mapped back to our steps. */
  trails?: boolean;
  /**
   * Reuse a pan binary built earlier from the very same text, SPIN version and flags (kept
   * in $TMPDIR/loregraph-spin-cache): reruns of the cross-check tests then skip gcc.
   * LOREGRAPH_SPIN_NOCACHE=1 turns it off.
   */
  cache?: boolean;
}

let spinVersion: Promise<string> | undefined;

/** Builds pan in `dir` (spin -a, gcc), or copies the cached build of the same model. Returns whether it compiled. */
async function buildPan(dir: string, pml: string, opts: SpinOptions): Promise<boolean> {
  const flags = [opts.optimize === false ? '-O0' : '-O2', '-DSAFETY'];
  const useCache = opts.cache === true && process.env.LOREGRAPH_SPIN_NOCACHE !== '1';
  let cached: string | undefined;
  if (useCache) {
    spinVersion ??= run('spin', ['-V']).then((r) => r.stdout.trim());
    const key = createHash('sha256').update(`${await spinVersion}\0${flags.join(' ')}\0${pml}`).digest('hex').slice(0, 32);
    const hit = join(tmpdir(), 'loregraph-spin-cache', `${key}.pan`);
    cached = hit;
    if (await stat(hit).then((st) => st.isFile(), () => false)) {
      // spin -t needs only model.pml and the trail pan writes, not spin -a's pan.*.
      // A hard link opens nothing for writing, so no sibling fork can hold pan's inode busy.
      await link(hit, join(dir, 'pan')).catch(() => copyFile(hit, join(dir, 'pan')));
      return false;
    }
  }
  await run('spin', ['-a', 'model.pml'], { cwd: dir, timeout: 60_000 });
  await run('gcc', [...flags, '-o', 'pan', 'pan.c'], { cwd: dir, timeout: 120_000 });
  if (cached) {
    // Copy then rename, so a concurrent reader never sees half a binary.
    await mkdir(join(tmpdir(), 'loregraph-spin-cache'), { recursive: true });
    const part = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await copyFile(join(dir, 'pan'), part);
    await rename(part, cached);
  }
  return true;
}

/**
 * `spin -t` warns when the model file looks newer than its trail. Here the trail is always
 * the one pan has just written for this very model.pml, in a directory of its own, so the
 * warning says only how the file system stamped two writes close together (it came up, now
 * and then, on a reused pan's run of a few milliseconds): it is no part of the trail.
 */
export function withoutStaleTrailWarning(trail: string): string {
  return trail.replace(/^spin: warning, "[^"\n]*" is newer than [^\n]*\n/, '');
}

/** Exports nothing itself: give it the Promela text of sim/promela.ts. */
export async function runSpin(pml: string, opts: SpinOptions = {}): Promise<SpinResult & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'loregraph-spin-'));
  try {
    await writeFile(join(dir, 'model.pml'), pml);
    const t0 = performance.now();
    const compiled = await buildPan(dir, pml, opts);
    const compileMs = performance.now() - t0;
    const base = [`-m${opts.maxDepth ?? 1_000_000}`, `-w${opts.hashBits ?? 20}`];
    const t1 = performance.now();
    // Both runs write model.pml.trail: read each one before the next run overwrites it.
    const verify = async (flag: string): Promise<PanReport> => {
      const rep = parsePanOutput(await pan(dir, [...base, flag]));
      if (opts.trails && rep.errors > 0) {
        const { stdout } = await run('spin', ['-t', '-p', 'model.pml'], { cwd: dir, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
        rep.trail = withoutStaleTrailWarning(stdout);
      }
      return rep;
    };
    const safety = await verify('-E');
    const deadlock = await verify('-A');
    const verifyMs = performance.now() - t1;
    const found: SpinFinding[] = [];
    if (safety.assertionViolated) found.push('violated');
    if (deadlock.invalidEndState) found.push('deadlock');
    const truncated = (safety.truncated && !safety.assertionViolated) || (deadlock.truncated && !deadlock.invalidEndState);
    const verdict = found[0] ?? (truncated ? 'incomplete' : 'holds');
    return { found, verdict, safety, deadlock, verifyMs, compileMs, compiled, dir };
  } finally {
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` again when exec failed with ETXTBSY. A binary this process just wrote (the cache
 * copy) can be held open for writing by a child that a concurrent spawn forked but has not
 * yet exec'd; that window is short, so a few short waits close it.
 */
export async function retryTextBusy<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'ETXTBSY' || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 20 * i));
    }
  }
}

/** pan exits non-zero on some findings; its stdout is what we want either way. */
async function pan(dir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await retryTextBusy(() => run('./pan', args, { cwd: dir, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }));
    return stdout;
  } catch (e) {
    const out = (e as { stdout?: unknown }).stdout;
    if (typeof out === 'string' && /errors: \d+/.test(out)) return out;
    throw e;
  }
}
