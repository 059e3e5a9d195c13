// The real git, for tests that compare our answers with its own: whether it is here, and
// `git patch-id --stable` over a text (one "<patch-id> <commit>" line per patch).
import { execFileSync } from 'node:child_process';

export const HAS_GIT = ((): boolean => {
  try {
    execFileSync('git', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

export function gitPatchIdLines(text: string): string[] {
  return execFileSync('git', ['patch-id', '--stable'], { input: Buffer.from(text, 'utf8'), maxBuffer: 1 << 28 })
    .toString()
    .split('\n')
    .filter((l) => l.length > 0);
}
