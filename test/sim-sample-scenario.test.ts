// Scenario 005 models the embedded sample archive's filemap race, so a fresh `npm start`
// shows the formal patch linked to the verdicts of the fix it proposes. Checked here: the
// expectations, the witnesses, the links from the sample mails through the API, and SPIN.
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { ensureSeeded } from '../ingest/seed.ts';
import { buildApp } from '../server/app.ts';
import { listScenarios, loadScenario, replay, runScenario, SCENARIO_DIR } from '../sim/index.ts';
import { crossCheck, pool, type Agreement } from '../sim/promela-check.ts';
import { spinTools } from '../sim/promela-spin.ts';
import { expectSpinAgreement } from './helpers/spin-agreement.ts';

const ID = '005-filemap-stale-folio-truncate';
const REPORT = 'race-report-1@example.org';
const INLINE_FIX = 'race-fix-4@example.org';
const PATCH = '20240904-filemap-recheck-v1-1-ines@example.org';
const PATCH_SUBJECT = '[PATCH] mm/filemap: recheck folio->mapping after the batch lookup in filemap_get_pages()';

const sc = loadScenario(ID);
const cells = sc.expect.map((x) => ({ name: `${x.variant} x ${x.config} -> ${x.verdict}`, x }));

describe('the sample race scenario', () => {
  it('loads, names the bug report as its source and expects a verdict for every variant x config', () => {
    expect(listScenarios().find((s) => s.id === ID)?.error ?? null).toBeNull();
    expect(sc.source).toEqual([`<${REPORT}>`]);
    expect([...sc.variants.keys()].sort()).toEqual(['original', 'recheck_last_folio', 'recheck_whole_batch']);
    expect([...sc.configs.keys()].sort()).toEqual(['one_folio', 'two_folio_batch']);
    const all = [...sc.variants.keys()].flatMap((v) => [...sc.configs.keys()].map((c) => `${v}/${c}`));
    expect(sc.expect.map((x) => `${x.variant}/${x.config}`).sort()).toEqual(all.sort());
    expect(sc.variants.get('recheck_last_folio')?.fix).toContain(`<${INLINE_FIX}>`);
    expect(sc.variants.get('recheck_whole_batch')?.fix).toContain(PATCH_SUBJECT);
    expect(sc.variants.get('recheck_whole_batch')?.fix).toContain(`<${PATCH}>`);
  });

  it.each(cells.map((c) => [c.name, c.x] as const))('%s', (_name, x) => {
    const r = runScenario(sc, { variant: x.variant, config: x.config });
    expect(r.verdict).toBe(x.verdict);
    if (x.property) expect(r.property).toBe(x.property);
    // Small enough to explore in a few ms on any machine: a bound, not a timing.
    expect(r.states).toBeLessThan(500);
    if (r.verdict === 'holds') {
      expect(r.witness).toEqual([]);
      // A fix that never ran its retry would hold for the wrong reason.
      if (x.variant !== 'original') expect(r.unreached.filter((u) => /drop_batch|retry|copy/.test(u))).toEqual([]);
      return;
    }
    const again = replay(sc, r.witness, { variant: x.variant, config: x.config });
    expect(again.verdict).toBe(r.verdict);
    expect(again.property).toBe(r.property);
  });

  it('shows the window Mira describes: truncate clears the mapping after the reload, before the batch is handed back', () => {
    const r = runScenario(sc, { variant: 'original', config: 'two_folio_batch' });
    const steps = r.witness.map((w) => `${w.thread}:${w.step}`);
    const reload = steps.indexOf('reader:reload_A');
    const cleared = steps.indexOf('truncate:clear_mapping[A]');
    expect(reload).toBeGreaterThanOrEqual(0);
    expect(cleared).toBeGreaterThan(reload);
    expect(steps.at(-1)).toBe('reader:return_batch');
    expect(r.witness.find((w) => w.step === 'clear_mapping[A]')).toMatchObject({ file: 'mm/filemap.c', function: 'filemap_remove_folio' });
  });

  it("leaves Hugo's hole open in the inline fix: the earlier folio of the batch goes unchecked", () => {
    const r = runScenario(sc, { variant: 'recheck_last_folio', config: 'two_folio_batch' });
    const steps = r.witness.map((w) => `${w.thread}:${w.step}`);
    // B is still in the mapping when it is rechecked; A was removed and nobody looks.
    expect(steps).toContain('truncate:clear_mapping[A]');
    expect(steps).not.toContain('truncate:clear_mapping[B]');
    expect(steps.at(-1)).toBe('reader:recheck_last');
    // The same interleaving under the formal patch (its recheck step has its own id) ends
    // with the truncated batch caught instead of handed back.
    const same = r.witness.map((w) => (w.step === 'recheck_last' ? { ...w, step: 'batch_truncated' } : w));
    const patched = replay(sc, same, { variant: 'recheck_whole_batch', config: 'two_folio_batch' });
    expect(patched.verdict).toBe('holds');
    expect(patched.witness.at(-1)?.changes).toContain('reader.again: 0 -> 1');
  });
});

describe('the sample archive links the scenario through the API', () => {
  let dir: string;
  let db: Db;
  let app: FastifyInstance;
  const enc = encodeURIComponent;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lg-sim-sample-'));
    await ensureSeeded(join(dir, 'db.sqlite'), { worker: false });
    db = openDb(join(dir, 'db.sqlite'), { readonly: true });
    app = buildApp({ db, scenarioDir: SCENARIO_DIR, simRunner: 'inline', knowledgeBuilder: 'inline' });
    await app.ready();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    if (db) closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });

  interface Fix {
    scenario: string;
    variant: string;
    match: string;
    via: string;
    expect: { config: string; verdict: string; property: string; why: string }[];
  }

  it("lists the formal patch's variant, with its verdicts, on the patch's page", async () => {
    const res = await app.inject({ url: `/api/messages/${enc(PATCH)}/scenarios` });
    expect(res.statusCode).toBe(200);
    const fixes = (res.json().fixes as Fix[]).filter((f) => f.scenario === ID);
    const own = fixes.find((f) => f.variant === 'recheck_whole_batch');
    expect(own).toMatchObject({ match: 'message-id', via: PATCH });
    expect(own?.expect.map((e) => `${e.config}:${e.verdict}`).sort()).toEqual(['one_folio:holds', 'two_folio_batch:holds']);
    expect(own?.expect.every((e) => e.why.includes('"'))).toBe(true);
  });

  it('lists the inline fix on its own mail, and the report as the source the scenario discusses', async () => {
    const inline = (await app.inject({ url: `/api/messages/${enc(INLINE_FIX)}/scenarios` })).json();
    const own = (inline.fixes as Fix[]).find((f) => f.scenario === ID && f.variant === 'recheck_last_folio');
    expect(own).toMatchObject({ match: 'message-id', via: INLINE_FIX });
    expect(own?.expect.find((e) => e.config === 'two_folio_batch')).toMatchObject({ verdict: 'violated', property: 'no_stale_folio_returned' });
    const report = (await app.inject({ url: `/api/messages/${enc(REPORT)}/scenarios` })).json();
    expect(report.discussedIn).toContainEqual(expect.objectContaining({ scenario: ID, match: 'message-id', via: REPORT }));
  });

  it("links each variant's fix and the source to the sample messages", async () => {
    const res = await app.inject({ url: `/api/scenarios/${ID}/links` });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      scenario: string;
      variants: { variant: string; messages: { messageId: string; subject: string; match: string }[] }[];
      sources: { source: string; messages: { messageId: string; match: string }[] }[];
    };
    expect(body.scenario).toBe(ID);
    const byVariant = new Map(body.variants.map((v) => [v.variant, v.messages]));
    expect(byVariant.get('recheck_last_folio')?.map((m) => `${m.match} ${m.messageId}`)).toEqual([`message-id ${INLINE_FIX}`]);
    const patch = byVariant.get('recheck_whole_batch') ?? [];
    expect(patch[0]).toMatchObject({ messageId: PATCH, match: 'message-id', subject: PATCH_SUBJECT });
    // Named by subject too: the stable copies of the patch carry the same subject.
    expect(patch.slice(1).every((m) => m.match === 'subject')).toBe(true);
    expect(body.sources).toEqual([{ source: `<${REPORT}>`, messages: [expect.objectContaining({ messageId: REPORT, match: 'message-id' })] }]);
  });
});

// Neither SPIN seed suite (000-002, 003-004) picks up 005: its agreement is checked here.
const FAST = { optimize: false, maxDepth: 20_000, hashBits: 16, trails: true, cache: true } as const;
const tools = await spinTools();
if (!tools.ok) console.warn(`SPIN cross-check of ${ID} skipped: ${tools.reason}`);
const models = [...sc.variants.keys()].flatMap((v) => [...sc.configs.keys()].map((c) => ({ v, c, key: `${v} x ${c}` })));

describe.skipIf(!tools.ok)('SPIN agrees with the explorer on the sample race', () => {
  const results = new Map<string, Agreement>();
  beforeAll(async () => {
    const rows = await pool(models, 2, (m) => crossCheck(sc, m.v, m.c, FAST));
    for (const r of rows) results.set(r.key, r);
  }, 120_000);

  it.each(models.map((m) => [m.key]))('%s', (key) => {
    const r = [...results.values()].find((a) => a.key.endsWith(key));
    expect(r).toBeDefined();
    if (r) expectSpinAgreement(r);
  });
});
