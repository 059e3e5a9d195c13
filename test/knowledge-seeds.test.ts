// The five real threads the project started from (../shared/seeds), each saved as one
// message whose line breaks were lost, read into race records field by field.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzePatchMessage } from '../domain/patch/analyze.ts';
import { analyzeKnowledge } from '../domain/knowledge/message.ts';
import { assembleRaces } from '../domain/knowledge/races.ts';
import type { Fix, RaceRecord } from '../domain/knowledge/types.ts';
import { parseMessage } from '../ingest/parse.ts';
import { readArchive } from '../ingest/read/index.ts';
import { SHARED } from './helpers/shared.ts';

const SEEDS = join(SHARED, 'seeds');
const present = existsSync(SEEDS);
if (!present) console.warn(`skipping the seed expectations: ${SEEDS} is absent`);

async function raceOf(prefix: string): Promise<RaceRecord> {
  const file = readdirSync(SEEDS).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no seed ${prefix}`);
  const races: RaceRecord[] = [];
  await readArchive(join(SEEDS, file), async (raw) => {
    const msg = await parseMessage(raw);
    const patch = analyzePatchMessage(msg);
    const { knowledge } = analyzeKnowledge(msg, patch);
    const input = { messageId: msg.messageId, subject: msg.subject, from: msg.from?.name ?? null, fromAddress: msg.from?.address ?? null, date: msg.date, parent: null, patch: null, trailers: [], knowledge };
    races.push(...assembleRaces([{ root: msg.messageId, messages: [input] }]));
  });
  expect(races).toHaveLength(1);
  return races[0]!;
}

const fixBy = (race: RaceRecord, pred: (f: Fix) => boolean): Fix => {
  const f = race.fixes.find(pred);
  if (!f) throw new Error(`no such fix among ${race.fixes.map((x) => `${x.kind} ${x.summary}`).join(' | ')}`);
  return f;
};

describe.skipIf(!present)('the seeds as acceptance data', () => {
  const races = new Map<string, RaceRecord>();
  beforeAll(async () => {
    for (const p of ['000', '001', '002', '003', '004']) races.set(p, await raceOf(p));
  });

  it('000: write-open of a file with read-only THPs vs khugepaged loses dirty data on 6.12', () => {
    const r = races.get('000')!;
    expect(r.title).toBe('write-open file THP cache purge can discard dirty page cache');
    expect(r.outcome).toBe('data-loss');
    expect(r.functions).toEqual(expect.arrayContaining(['do_dentry_open', 'truncate_inode_pages', 'collapse_file', 'filemap_nr_thps']));
    expect(r.locks).toContain('invalidate_lock');
    expect(r.versions).toContain('6.12');
    expect(r.configs).toEqual(['CONFIG_READ_ONLY_THP_FOR_FS']);
    expect(r.status).toBe('open');

    const reporters = fixBy(r, (f) => f.summary === 'thp-open-writeback-before-purge.patch');
    expect(reporters).toMatchObject({ kind: 'attachment', author: 'Gregg Leventhal', lifecycle: 'objected' });
    expect(reporters.stances).toHaveLength(1);
    expect(reporters.stances[0]).toMatchObject({ stance: 'objection', author: 'Pedro Falcato', aimedBy: 'quoted' });
    expect(reporters.stances[0]!.evidence.text).toContain("I don't think your fix works, there's still a race there");

    const wip = fixBy(r, (f) => f.kind === 'attachment' && f.author === 'Pedro Falcato');
    expect(wip.wip).toBe(true);
    expect(wip.summary).toContain('WIP patch that I wrote against 6.12 LTS');

    const idea = fixBy(r, (f) => f.kind === 'prose' && f.author === 'Pedro Falcato');
    expect(idea.summary).toMatch(/^Other idea: perhaps doing filemap_write_and_wait\(\) after the nr_thps increment in collapse_file\(\)/);
    expect(idea.functions).toEqual(['filemap_write_and_wait', 'collapse_file']);
    expect(idea.lifecycle).toBe('proposed');
    expect(r.fixes).toHaveLength(3);
  });

  it('001: khugepaged collapse_file vs SEEK_DATA/SEEK_HOLE, the v6 patch under review with agreement', () => {
    const r = races.get('001')!;
    expect(r.title).toBe('mm/khugepaged: maintain page cache uptodate flag');
    expect(r.functions).toContain('folio_seek_hole_data');
    const patch = fixBy(r, (f) => f.kind === 'patch');
    expect(patch).toMatchObject({ author: 'David Stevens', summary: 'mm/khugepaged: maintain page cache uptodate flag', version: 6, lifecycle: 'under-review' });
    expect(patch.stances.map((s) => [s.stance, s.author])).toEqual([
      ['agreement', 'Peter Xu'],
      ['agreement', 'Peter Xu'],
    ]);
    // the direction Hugh argued: keep the scheme, fix up seek_hole_data
    expect(r.fixes.some((f) => f.kind === 'prose' && f.summary.includes('fix up seek_hole_data'))).toBe(true);
  });

  it('002: khugepaged collapse vs a write through a writable PTE; move the dirty check after try_to_unmap()', () => {
    const r = races.get('002')!;
    expect(r.functions).toEqual(expect.arrayContaining(['collapse_file', 'inode_is_open_for_write', 'folio_test_dirty', 'try_to_unmap']));
    expect(r.locks).toContain('folio lock');
    expect(r.reasons.map((x) => x.kind)).toEqual(expect.arrayContaining(['race', 'window']));
    const move = fixBy(r, (f) => f.kind === 'prose');
    expect(move.summary).toContain('needs to be moved after try_to_unmap()');
    expect(move.functions).toEqual(expect.arrayContaining(['try_to_unmap', 'folio_test_dirty']));
  });

  it("003: ext4 inline data, buffered write vs ext4_page_mkwrite; the VM_FAULT_RETRY idea and Jan Kara's objection", () => {
    const r = races.get('003')!;
    expect(r.title).toBe('ext4: fix race condition between buffer write and page_mkwrite');
    expect(r.functions).toContain('ext4_page_mkwrite');
    expect(r.locks).toEqual(expect.arrayContaining(['mmap_lock']));
    const retry = fixBy(r, (f) => f.kind === 'prose' && f.author === 'Baokun Li');
    expect(retry.summary).toContain('VM_FAULT_RETRY');
    expect(retry.lifecycle).toBe('objected');
    const objection = retry.stances.find((s) => s.stance === 'objection');
    expect(objection).toMatchObject({ author: 'Jan Kara', aimedBy: 'quoted' });
    expect(objection!.evidence.text).toMatch(/VM_FAULT_RETRY is not always an option - in particular the caller has to set FAULT_FLAG_ALLOW_RETRY/);
  });

  it('004: page invalidation races against the fault path, found by a data corruption', () => {
    const r = races.get('004')!;
    expect(r.outcome).toBe('corruption');
    expect(r.locks).toContain('folio lock');
    expect(r.title).toContain('truncate race check');
    expect(r.fixes.length).toBeGreaterThan(0);
  });
});
