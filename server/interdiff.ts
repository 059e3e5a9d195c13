// The interdiff of two versions of a patch: git's own diff of the two patch texts (what
// `git range-diff` prints for a changed pair), run through the git CLI on temporary
// files. git's diff is the one kernel developers read every day; writing our own would be
// more code giving a subtly different answer.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoregraphError } from '../domain/errors.ts';

export interface InterdiffPair {
  older: string;
  newer: string;
  /** The names the diff's ---/+++ lines give the two sides. */
  labels: [string, string];
}

/**
 * Every pair's interdiff ('' for a pair whose texts are equal), from one git run over two
 * directories: a series has dozens of changed patches, and a git process each cost most
 * of a range-diff's time.
 */
export async function interdiffs(pairs: readonly InterdiffPair[]): Promise<string[]> {
  const out = pairs.map(() => '');
  const todo = pairs.flatMap((p, i) => (p.older === p.newer ? [] : [i]));
  if (todo.length === 0) return out;
  const dir = await mkdtemp(join(tmpdir(), 'loregraph-interdiff-'));
  try {
    await Promise.all([mkdir(join(dir, 'a')), mkdir(join(dir, 'b'))]);
    await Promise.all(todo.flatMap((i) => [writeFile(join(dir, 'a', String(i)), pairs[i]?.older ?? ''), writeFile(join(dir, 'b', String(i)), pairs[i]?.newer ?? '')]));
    const stdout = await new Promise<string>((resolve, reject) => {
      // the prefixes pinned, so a user's diff.noprefix or diff.mnemonicPrefix cannot move the file names parsed below
      const args = ['diff', '--no-index', '--no-color', '--no-ext-diff', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/', '-U3', 'a', 'b'];
      execFile('git', args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (err, text) => {
        // exit 1 means "they differ", the answer we want
        if (err && err.code !== 1) reject(new LoregraphError('INTERNAL', `git diff failed: ${err.message}`));
        else resolve(text);
      });
    });
    // one section per pair that differs, "diff --git a/a/<i> b/b/<i>"; a line of a patch
    // text inside a hunk starts with ' ', '+' or '-', never with "diff --git"
    for (const section of stdout.split(/^(?=diff --git )/m)) {
      const i = Number(/^diff --git a\/a\/(\d+) /.exec(section)?.[1] ?? NaN);
      const pair = pairs[i];
      if (!pair) continue;
      const lines = section.split('\n');
      const hunk = lines.findIndex((l) => l.startsWith('@@'));
      out[i] = [`--- ${pair.labels[0]}`, `+++ ${pair.labels[1]}`, ...lines.slice(hunk < 0 ? lines.length : hunk)].join('\n').replace(/\n+$/, '\n');
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function interdiff(older: string, newer: string, labels: [string, string] = ['a', 'b']): Promise<string> {
  return (await interdiffs([{ older, newer, labels }]))[0] ?? '';
}
