// The interdiff of two versions of a patch: git's own diff of the two patch texts (what
// `git range-diff` prints for a changed pair), run through the git CLI on two temporary
// files. git's diff is the one kernel developers read every day; writing our own would be
// more code giving a subtly different answer.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoregraphError } from '../domain/errors.ts';

export async function interdiff(older: string, newer: string, labels: [string, string] = ['a', 'b']): Promise<string> {
  if (older === newer) return '';
  const dir = await mkdtemp(join(tmpdir(), 'loregraph-interdiff-'));
  try {
    await writeFile(join(dir, 'a'), older);
    await writeFile(join(dir, 'b'), newer);
    const out = await new Promise<string>((resolve, reject) => {
      execFile('git', ['diff', '--no-index', '--no-color', '--no-ext-diff', '-U3', 'a', 'b'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
        // exit 1 means "they differ", the answer we want
        if (err && err.code !== 1) reject(new LoregraphError('INTERNAL', `git diff failed: ${err.message}`));
        else resolve(stdout);
      });
    });
    const lines = out.split('\n');
    const hunk = lines.findIndex((l) => l.startsWith('@@'));
    return [`--- ${labels[0]}`, `+++ ${labels[1]}`, ...lines.slice(hunk < 0 ? lines.length : hunk)].join('\n').replace(/\n+$/, '\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
