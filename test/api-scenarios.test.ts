import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import { MAX_QUEUED_RUNS, workerSimRunner } from '../server/sim-runner.ts';
import { toErrorBody } from '../server/http-errors.ts';
import { loadScenario } from '../sim/index.ts';
import { REPO_ROOT } from './helpers/shared.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-api-sim-'));
  copyFileSync(join(REPO_ROOT, 'test/fixtures/sim/lost-update.yaml'), join(dir, 'lost-update.yaml'));
  writeFileSync(join(dir, 'zz-broken.yaml'), 'id: zz-broken\ntitle: broken\nthreads:\n  t:\n    steps:\n      - { id: a, do: ["nosuchvar = 1"] }\n');
  db = openDb(':memory:');
  app = buildApp({ db, scenarioDir: dir, limits: { simMaxStates: 10_000, simMaxMs: 2_000 } });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('scenarios', () => {
  it('lists every scenario file, with the broken one carrying its error', async () => {
    const res = await app.inject({ url: '/api/scenarios' });
    expect(res.statusCode).toBe(200);
    const list = res.json().scenarios as { id: string; file: string; variants: { name: string }[]; configs: { name: string }[]; expectations: number; error: string | null }[];
    expect(list.map((s) => s.id)).toEqual(['lost-update', 'zz-broken']);
    expect(list[0]).toMatchObject({ file: 'lost-update.yaml', expectations: 2, error: null });
    expect(list[0]!.variants.map((v) => v.name)).toEqual(['original', 'locked']);
    expect(list[0]!.configs.map((c) => c.name)).toEqual(['two']);
    expect(list[1]!.error).toMatch(/zz-broken\.yaml/);
    expect(list[1]!.error).not.toContain(dir);
  });

  it("shows one scenario's kernel functions, properties and expectations", async () => {
    const res = await app.inject({ url: '/api/scenarios/lost-update' });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.kernelRefs).toEqual(['lib/counter.c:counter_inc']);
    expect(s.properties).toEqual([{ kind: 'final', name: 'both_counted', expr: 'x == 2', says: 'both increments are visible at the end' }]);
    expect(s.expect.map((e: { variant: string; verdict: string }) => [e.variant, e.verdict])).toEqual([
      ['original', 'violated'],
      ['locked', 'holds'],
    ]);
  });

  it('runs the explorer: the original loses an update with a witness, the fix holds', async () => {
    const orig = await app.inject({ url: '/api/scenarios/lost-update/run' });
    expect(orig.statusCode).toBe(200);
    const r = orig.json();
    expect(r).toMatchObject({ scenario: 'lost-update', variant: 'original', config: 'two', verdict: 'violated', property: 'both_counted' });
    expect(r.witness.length).toBeGreaterThan(0);
    expect(r.states).toBeGreaterThan(0);
    // every outcome with its own witness and story; the first is the verdict above
    expect(r.complete).toBe(true);
    expect(r.outcomes[0]).toMatchObject({ verdict: 'violated', property: 'both_counted' });
    expect(r.outcomes[0].witness).toEqual(r.witness);
    expect(r.outcomes[0].story.shown.length).toBeGreaterThan(0);
    const fixed = (await app.inject({ url: '/api/scenarios/lost-update/run?variant=locked&config=two' })).json();
    expect(fixed).toMatchObject({ variant: 'locked', verdict: 'holds', witness: [], outcomes: [] });
  });

  it('stops at the state bound and says so', async () => {
    const r = (await app.inject({ url: '/api/scenarios/lost-update/run?variant=locked&maxStates=2' })).json();
    expect(r.verdict).toBe('incomplete');
    expect(r.bound).toMatch(/maxStates/);
  });

  it('answers 404 for an unknown scenario, 422 for a broken one, 400 for bad variant, config, bounds and ids', async () => {
    const unknown = await app.inject({ url: '/api/scenarios/nope' });
    expect(unknown.json()).toEqual({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: "no scenario 'nope'" });
    expect((await app.inject({ url: '/api/scenarios/nope/run' })).statusCode).toBe(404);
    const broken = await app.inject({ url: '/api/scenarios/zz-broken' });
    expect(broken.statusCode).toBe(422);
    expect(broken.json().code).toBe('SCENARIO_INVALID');
    const variant = await app.inject({ url: '/api/scenarios/lost-update/run?variant=bogus' });
    expect(variant.json()).toEqual({
      statusCode: 400,
      code: 'USAGE',
      error: 'Bad Request',
      message: "scenario 'lost-update' has no variant 'bogus' (variants: original, locked)",
    });
    const config = await app.inject({ url: '/api/scenarios/lost-update/run?config=three' });
    expect(config.json().message).toBe("scenario 'lost-update' has no config 'three' (configs: two)");
    const states = await app.inject({ url: '/api/scenarios/lost-update/run?maxStates=10001' });
    expect(states.json()).toMatchObject({ statusCode: 400, code: 'LIMIT', message: "querystring parameter 'maxStates' must be <= 10000" });
    const ms = await app.inject({ url: '/api/scenarios/lost-update/run?maxMs=0' });
    expect(ms.json()).toMatchObject({ statusCode: 400, code: 'USAGE', message: "querystring parameter 'maxMs' must be >= 1" });
    const id = await app.inject({ url: '/api/scenarios/..%2Fetc' });
    expect(id.statusCode).toBe(400);
    expect(id.json().message).toBe('params parameter \'id\' must match pattern "^[A-Za-z0-9_.-]+$"');
  });

  it('indexes scenarios in the knowledge index by title and kernel path', async () => {
    const res = (await app.inject({ url: '/api/knowledge?q=counter_inc' })).json();
    expect(res.hits.map((h: { id: string }) => h.id)).toEqual(['scenario:lost-update']);
  });

  it('gives the same answer from the worker thread as on the request thread, for runs queued together', async () => {
    const inline = buildApp({ db, scenarioDir: dir, simRunner: 'inline', limits: { simMaxStates: 10_000, simMaxMs: 2_000 } });
    await inline.ready();
    const urls = ['original', 'locked', 'original'].map((v, i) => `/api/scenarios/lost-update/run?variant=${v}&maxStates=${9_000 + i}`);
    const viaWorker = await Promise.all(urls.map((url) => app.inject({ url })));
    const viaInline = await Promise.all(urls.map((url) => inline.inject({ url })));
    const strip = (b: { ms: number }) => ({ ...b, ms: 0 });
    expect(viaWorker.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(viaWorker.map((r) => strip(r.json()))).toEqual(viaInline.map((r) => strip(r.json())));
    await inline.close();
  });

  it('refuses runs beyond the explorer queue with BUSY, which the API answers as 503', async () => {
    const runner = workerSimRunner();
    const sc = loadScenario('lost-update', dir);
    const runs = Array.from({ length: MAX_QUEUED_RUNS + 3 }, (_, i) =>
      runner.run(sc, { variant: 'original', config: 'two', maxStates: 9_000 + i, maxMs: 2_000 }).then(
        () => 'ran',
        (e: unknown) => e,
      ),
    );
    const outcomes = await Promise.all(runs);
    await runner.close();
    const refused = outcomes.filter((o) => o !== 'ran');
    // One run is taken at once and MAX_QUEUED_RUNS wait: the rest are refused.
    expect(refused).toHaveLength(2);
    expect(toErrorBody(refused[0])).toMatchObject({ statusCode: 503, code: 'BUSY', error: 'Service Unavailable' });
  });

  it('replays a posted witness to the verdict the run found, as copied from the run', async () => {
    const run = (await app.inject({ url: '/api/scenarios/lost-update/run' })).json();
    const res = await app.inject({ method: 'POST', url: '/api/scenarios/lost-update/replay', payload: { witness: run.witness } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ verdict: 'violated', property: 'both_counted', witness: run.witness });
    // The same interleaving under the fix does not even fit: the fix adds lock steps.
    const fixed = await app.inject({ method: 'POST', url: '/api/scenarios/lost-update/replay', payload: { variant: 'locked', witness: run.witness } });
    expect(fixed.statusCode).toBe(400);
    expect(fixed.json().code).toBe('BAD_INPUT');
  });

  it('refuses a tampered witness, bad names, a malformed or oversized body with 4xx bodies', async () => {
    const run = (await app.inject({ url: '/api/scenarios/lost-update/run' })).json();
    const swapped = [...run.witness].reverse();
    const tampered = await app.inject({ method: 'POST', url: '/api/scenarios/lost-update/replay', payload: { witness: swapped } });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json()).toMatchObject({ code: 'BAD_INPUT', error: 'Bad Request' });
    const variant = await app.inject({ method: 'POST', url: '/api/scenarios/lost-update/replay', payload: { variant: 'nope', witness: [] } });
    expect(variant.json().message).toBe("scenario 'lost-update' has no variant 'nope' (variants: original, locked)");
    const missing = await app.inject({ method: 'POST', url: '/api/scenarios/lost-update/replay', payload: {} });
    expect(missing.json()).toMatchObject({ statusCode: 400, code: 'USAGE', message: "body parameter 'witness' is required" });
    const step = await app.inject({ method: 'POST', url: '/api/scenarios/lost-update/replay', payload: { witness: [{ thread: 'a' }] } });
    expect(step.json()).toMatchObject({ statusCode: 400, code: 'USAGE', message: "body parameter 'step' is required" });
    const text = await app.inject({ method: 'POST', url: '/api/scenarios/lost-update/replay', payload: 'witness', headers: { 'content-type': 'text/plain' } });
    expect(text.json()).toMatchObject({ statusCode: 400, code: 'USAGE', message: 'body must be object' });
    const xml = await app.inject({ method: 'POST', url: '/api/scenarios/lost-update/replay', payload: '<w/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().code).toBe('BAD_INPUT');
    const broken = await app.inject({ method: 'POST', url: '/api/scenarios/lost-update/replay', payload: '{"witness": [', headers: { 'content-type': 'application/json' } });
    expect(broken.json()).toMatchObject({ statusCode: 400, code: 'BAD_INPUT' });
    const big = await app.inject({
      method: 'POST',
      url: '/api/scenarios/lost-update/replay',
      payload: { witness: Array.from({ length: 3000 }, () => ({ thread: 'a', step: 'load' })) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('LIMIT');
    expect((await app.inject({ method: 'POST', url: '/api/scenarios/nope/replay', payload: { witness: [] } })).statusCode).toBe(404);
  });
});
