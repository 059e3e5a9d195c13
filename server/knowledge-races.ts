// Races and the fixes proposed for them as knowledge entities (server/knowledge.ts): a race
// is found by its title, the functions, files and locks it names and its outcome; a fix by
// its summary, its author and the functions it touches. Read through db/knowledge.ts.
import type { Db } from '../db/connection.ts';
import { getRace, listRaces } from '../db/knowledge.ts';
import type { Fix, RaceRecord } from '../domain/knowledge/types.ts';
import type { KnowledgeEntity } from './knowledge.ts';

/** "data-loss" -> "data loss": lunr splits on hyphens anyway, the words read better in a body. */
const words = (s: string): string => s.replace(/-/g, ' ');

export function raceEntity(r: RaceRecord): KnowledgeEntity {
  return {
    id: `race:${r.id}`,
    kind: 'race',
    title: r.title,
    // Locks are code identifiers like functions (i_mmap_rwsem, invalidate_lock): indexed
    // whole and in parts with the paths, so `mmap` or `invalidate` finds them.
    paths: [...r.functions, ...r.files, ...r.locks],
    body: [
      `${words(r.outcome)} race, ${r.status}`,
      r.locks.length ? `locks: ${r.locks.join(' ')}` : '',
      r.versions.length ? `versions: ${r.versions.join(' ')}` : '',
      r.configs.join(' '),
      // what the fixes say is in their own entities: repeating it here only grows the shipped index
      r.outcomeEvidence?.text ?? '',
    ]
      .filter((s) => s !== '')
      .join('\n'),
    url: `/api/races/${encodeURIComponent(r.id)}`,
  };
}

export function raceFixEntity(r: RaceRecord, f: Fix): KnowledgeEntity {
  return {
    id: `fix:${f.id}`,
    kind: 'fix',
    // versions of one patch share their summary: listed together, they read apart by this
    title: `${f.summary} (${f.version !== null ? `v${f.version}, ` : ''}${words(f.lifecycle)})`,
    paths: [...f.functions, ...f.files],
    body: [
      f.author ? `by ${f.author}` : '',
      `${words(f.kind)}${f.wip ? ' WIP' : ''}${f.version !== null ? ` v${f.version}` : ''}, ${words(f.lifecycle)}`,
      `for: ${r.title}`,
      // who reviewed, acked or objected is how people remember a fix
      ...f.stances.map((s) => `${words(s.stance)} ${s.author ?? ''}`.trim()),
    ]
      .filter((s) => s !== '')
      .join('\n'),
    url: `/api/fixes/${encodeURIComponent(f.id)}`,
  };
}

/** The races last active (at most `limit`) and every fix proposed for them, as knowledge entities. */
export function raceEntities(db: Db, limit = Infinity): KnowledgeEntity[] {
  const out: KnowledgeEntity[] = [];
  for (const s of listRaces(db, Number.isFinite(limit) ? { limit } : {}).races) {
    // A race replaced between the listing and this read is simply left for the next build.
    const r = getRace(db, s.id);
    if (!r) continue;
    out.push(raceEntity(r));
    for (const f of r.fixes) out.push(raceFixEntity(r, f));
  }
  return out;
}
