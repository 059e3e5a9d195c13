// SIGKILL at random moments of an ingest (reading, writing batches, building the held-back
// indexes, the end-of-run passes), then a rerun to completion: each must end with the
// content of one clean run (bench/faults/common.ts dbDigest). Prints how many kills landed
// mid-run and how many reruns matched.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HAS_SHARED, sharedPath } from '../../test/helpers/shared.ts';
import { generateArchive } from '../generate-archive.ts';
import { dbDigest, OUT, rng, runCli, spawnCli } from './common.ts';

const KILLS = 8;

export async function killIngest(): Promise<void> {
  const dir = join(OUT, 'kill');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const paths = [generateArchive(1500, join(dir, 'generated.mboxrd'), 5).path];
  const stable = sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd');
  if (HAS_SHARED && existsSync(stable)) paths.push(stable);
  /** A clean run's content; taken again when a rerun differs, since a checkout others edit may change what a clean run stores. */
  const cleanRun = (n: number): { ms: number; digest: ReturnType<typeof dbDigest> } => {
    const db = join(dir, `clean-${n}.db`);
    const r = runCli(['ingest', ...paths, '--db', db]);
    if (r.status !== 0) throw new Error(`clean ingest failed: ${r.stderr}`);
    return { ms: r.ms, digest: dbDigest(db) };
  };
  const clean = cleanRun(0);
  let want = clean.digest;
  let cleanRuns = 1;
  console.log(`kill: clean run of ${want.messages} messages (${paths.length} archives) in ${(clean.ms / 1000).toFixed(1)} s`);
  const r = rng(1207);
  let midRun = 0;
  let matched = 0;
  const mismatches: string[] = [];
  for (let k = 0; k < KILLS; k++) {
    const db = join(dir, `killed-${k}.db`);
    const at = Math.floor(r() * clean.ms);
    const child = spawnCli(['ingest', ...paths, '--db', db]);
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
    const timer = setTimeout(() => child.kill('SIGKILL'), at);
    const end = await exited;
    clearTimeout(timer);
    if (end.signal === 'SIGKILL') midRun++;
    const rerun = runCli(['ingest', ...paths, '--db', db]);
    const got = rerun.status === 0 ? dbDigest(db) : null;
    if (got && got.digest !== want.digest) {
      const again = cleanRun(cleanRuns++);
      if (again.digest.digest !== want.digest) console.log('kill: the clean run itself changed (code edited meanwhile): compared with a fresh one');
      want = again.digest;
    }
    if (got && got.digest === want.digest) matched++;
    else mismatches.push(`kill at ${at} ms: rerun exit ${rerun.status}, ${got?.messages ?? '?'} messages`);
    console.log(`kill: #${k + 1} at ${at} ms (${end.signal === 'SIGKILL' ? 'mid-run' : `after the run ended, exit ${end.code}`}): rerun ${got?.digest === want.digest ? 'matches' : 'DIFFERS'}`);
    rmSync(db, { force: true });
    rmSync(`${db}-wal`, { force: true });
    rmSync(`${db}-shm`, { force: true });
  }
  console.log(`kill: ${KILLS} runs killed at random moments (${midRun} mid-run), ${matched} of ${KILLS} reruns ended with the clean run's content`);
  for (const m of mismatches) console.log(`kill: FAIL ${m}`);
  if (matched !== KILLS) process.exitCode = 1;
}
