// The scenario links of GET /api/fixes/:id over a database holding a race with its proposed
// fixes, against the scenarios in sim/scenarios: explicit links carry the variant's
// verdicts, coverage links say they are unchecked, an unknown fix is a 404.
import { describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
import { replaceRaces } from '../db/knowledge.ts';
import type { Fix, RaceRecord } from '../domain/knowledge/types.ts';
import type { ScenarioLink } from '../server/scenario-links.ts';
import { useTestApp } from './helpers/test-app.ts';

const REPORT = 'thp-report@example.org';
const REPLY = 'thp-reply@example.org';

function fix(over: Partial<Fix> & Pick<Fix, 'id' | 'messageId' | 'kind' | 'summary'>): Fix {
  return {
    author: null,
    date: null,
    functions: [],
    files: [],
    wip: false,
    version: null,
    lifecycle: 'proposed',
    lifecycleEvidence: null,
    supersededBy: null,
    stances: [],
    evidence: { messageId: over.messageId, block: null, text: over.summary },
    ...over,
  };
}

const RACE: RaceRecord = {
  id: 'r-thptest1',
  title: 'write-open of a file with read-only THPs vs khugepaged',
  outcome: 'data-loss',
  outcomeEvidence: null,
  status: 'open',
  statusEvidence: null,
  confidence: 0.9,
  reasons: [],
  functions: ['do_dentry_open', 'collapse_file'],
  files: [],
  locks: [],
  versions: [],
  configs: [],
  diagram: null,
  threads: [REPORT],
  messages: [REPORT],
  evidence: [REPORT],
  fixes: [
    fix({ id: `${REPORT}#0`, messageId: REPORT, kind: 'attachment', author: 'A Reporter', summary: 'thp-open-writeback-before-purge.patch' }),
    fix({
      id: `${REPLY}#1`,
      messageId: REPLY,
      kind: 'prose',
      author: 'Pedro Falcato',
      summary: 'filemap_write_and_wait() after the nr_thps increment in collapse_file()',
      functions: ['filemap_write_and_wait', 'collapse_file'],
    }),
    fix({ id: `${REPLY}#2`, messageId: REPLY, kind: 'inline-diff', author: 'Someone Else', summary: 'check i_writecount in do_dentry_open', functions: ['do_dentry_open'] }),
  ],
  firstDate: null,
  lastDate: null,
};

const t = useTestApp(async (path) => {
  const db = openDb(path);
  try {
    db.sql.transaction(() => replaceRaces(db, [], [RACE]))();
  } finally {
    closeDb(db);
  }
});

async function links(id: string): Promise<{ status: number; body: { fix: string; race: string; links: ScenarioLink[] } }> {
  const res = await t.app.inject({ url: `/api/fixes/${encodeURIComponent(id)}` });
  const json = res.json() as { race: { id: string }; fix: { id: string; scenarios: ScenarioLink[] } };
  return { status: res.statusCode, body: { fix: json.fix.id, race: json.race.id, links: json.fix.scenarios } };
}

describe('GET /api/fixes/:id: scenario links', () => {
  it("links the reporters' attachment to the variant that models it, with that variant's verdicts per config", async () => {
    const { status, body } = await links(`${REPORT}#0`);
    expect(status).toBe(200);
    expect(body.fix).toBe(`${REPORT}#0`);
    expect(body.race).toBe('r-thptest1');
    const explicit = body.links.filter((l) => l.kind === 'explicit');
    expect(explicit.map((l) => [l.scenario, l.variant, l.match])).toEqual([['000-thp-write-open-purge', 'writeback_before_purge', 'attachment']]);
    expect(explicit[0]!.verdicts.length).toBeGreaterThan(0);
    expect(explicit[0]!.label).toMatch(/^modelled by 000-thp-write-open-purge variant writeback_before_purge/);
  });

  it('links a prose idea by its author and functions, and labels the other scenarios modelling collapse_file() as unchecked coverage', async () => {
    const { body } = await links(`<${REPLY}>#1`);
    expect(body.links[0]).toMatchObject({ kind: 'explicit', scenario: '000-thp-write-open-purge', variant: 'collapse_write_and_wait', match: 'author+functions' });
    const coverage = body.links.filter((l) => l.kind === 'coverage');
    expect(coverage.length).toBeGreaterThan(0);
    for (const l of coverage) {
      expect(l).toMatchObject({ variant: null, match: null, verdicts: [] });
      expect(l.label).toMatch(/, not checked$/);
    }
  });

  it('offers only coverage for a fix no variant names', async () => {
    const { body } = await links(`${REPLY}#2`);
    expect(body.links.length).toBeGreaterThan(0);
    expect(body.links.every((l) => l.kind === 'coverage' && l.covers.some((c) => c.endsWith(':do_dentry_open')))).toBe(true);
  });

  it('answers 404 for a fix it does not know', async () => {
    const res = await t.app.inject({ url: `/api/fixes/${encodeURIComponent('nope@example.org#0')}` });
    expect(res.statusCode).toBe(404);
    expect((res.json() as { code: string }).code).toBe('NOT_FOUND');
  });
});
