// SPIN cross-checks the weak memory models' Promela export on the LKMM litmus tests: each
// translatable test under lkmm-lite (32, older spellings aside), and six under tso, must get the same verdict
// from SPIN as from our explorer, and SPIN's counterexamples must replay on our model.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseScenario } from '../sim/index.ts';
import { litmusToScenario, parseLitmus, untranslatable } from '../sim/litmus.ts';
import { describeSpinAgreementOn, FAST } from './helpers/spin-agreement.ts';
import { sharedPath } from './helpers/shared.ts';

const DIR = sharedPath('lkmm-litmus');
// Older spellings of tests kept under their renamed names (SOURCES.md): same processes, same
// Result; the explorer checks their verdicts (sim-litmus.test.ts), SPIN need not compile them twice.
const OLDER_NAMES = new Set([
  'IRIW+mbonceonces+OnceOnce',
  'LB+ctrlonceonce+mbonceonce',
  'MP+wmbonceonce+rmbonceonce',
  'R+mbonceonces',
  'S+wmbonceonce+poacquireonce',
  'SB+mbonceonces',
  'WRC+pooncerelease+rmbonceonce+Once',
  'Z6.0+pooncerelease+poacquirerelease+mbonceonce',
]);
const TSO = new Set(['SB+poonceonces', 'SB+rfionceonce-poonceonces', 'R+poonceonces', 'MP+poonceonces', 'LB+poonceonces', 'IRIW+poonceonces+OnceOnce']);
const models = (existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.litmus')).sort() : []).flatMap((f) => {
  const l = parseLitmus(readFileSync(`${DIR}/${f}`, 'utf8'), f);
  if (untranslatable(l) || OLDER_NAMES.has(l.name)) return [];
  return (['lkmm-lite', 'tso'] as const).filter((m) => m === 'lkmm-lite' || TSO.has(l.name)).map((m) => ({ key: `${l.name} ${m}`, sc: parseScenario(litmusToScenario(l, m), `${l.name}.yaml`), v: 'original', c: 'all' }));
});

await describeSpinAgreementOn({
  title: 'SPIN agrees with the explorer on the litmus tests under the weak memory models',
  what: 'the litmus tests',
  models,
  options: { ...FAST, maxDepth: 50_000 },
  timeout: 400_000,
  ...(models.length === 0 ? { skip: `no litmus tests in ${DIR}` } : {}),
  more: () =>
    it('cross-checks 32 tests under lkmm-lite and 6 under tso', () => {
      expect(models.filter((m) => m.key.endsWith(' lkmm-lite')).length).toBe(32);
      expect(models.filter((m) => m.key.endsWith(' tso')).length).toBe(6);
    }),
});
