// The real mail corpus lives beside the checkout in ../shared; tests that read it
// skip with a clear message where it is absent (a bare clone, a laptop).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = resolve(REPO_ROOT, '..', 'shared');
export const HAS_SHARED = existsSync(join(SHARED, 'corpus'));
export const SHARED_SKIP_REASON = `../shared/corpus not found at ${SHARED}: real-corpus tests skipped`;

if (!HAS_SHARED) console.warn(SHARED_SKIP_REASON);

export function sharedPath(...parts: string[]): string {
  return join(SHARED, ...parts);
}
