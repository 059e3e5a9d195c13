// Where knowledge entities come from: one reader per kind, over the other layers' query
// functions: series, stable fixes, races with the fixes proposed for them, and scenarios.
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { listFixesForKnowledge, listSeriesForKnowledge } from '../db/knowledge-entities.ts';
import { KNOWLEDGE_PER_KIND, type KnowledgeEntity } from './knowledge.ts';
import { raceEntities } from './knowledge-races.ts';
import type { ScenarioStore } from './scenario-store.ts';
import { scenarioEntity } from './scenario-json.ts';

/** Reads one kind of entity from the database (series, stable fixes, scenarios...). */
export type KnowledgeSource = (db: Db) => KnowledgeEntity[] | Promise<KnowledgeEntity[]>;


/**
 * The default sources as the builder reads them: the database from its own connection to
 * the file (on the request thread, reading a large archive's series alone held the event
 * loop for half a second), and the scenarios' entities as given. Those come from the
 * server's scenario store, whose worker has parsed and compiled the files already: parsing
 * sim/scenarios again here cost 1.1-1.5 s of CPU per build, their entities 1 ms.
 */
export interface SourcesInBuilder {
  dbPath: string;
  scenarios: KnowledgeEntity[];
}

/** What a knowledge cache is given to build from the database: the file, and the store its scenarios come from. */
export interface DatabaseSources {
  dbPath: string;
  scenarios: ScenarioStore;
}

export function seriesEntities(db: Db, limit = KNOWLEDGE_PER_KIND): KnowledgeEntity[] {
  return listSeriesForKnowledge(db, limit).map((s) => ({
    id: `series:${s.messageId}`,
    kind: 'series',
    title: s.title,
    paths: s.files,
    diffTexts: s.diffTexts,
    body: [`v${s.version} (${s.versions} version${s.versions === 1 ? '' : 's'})`, s.sender ?? '', ...s.subjects, s.coverText].join('\n'),
    url: `/api/series/${encodeURIComponent(s.messageId)}`,
  }));
}

export function fixEntities(db: Db, limit = KNOWLEDGE_PER_KIND): KnowledgeEntity[] {
  return listFixesForKnowledge(db, limit).map((f) => {
    // A fix is addressed by its upstream commit when known, else by its patch mail.
    const key = f.upstreamCommit ?? f.patchMessageId ?? f.key.replace(/^msg:/, '');
    return {
      id: `stable-fix:${f.key}`,
      kind: 'stable-fix',
      title: f.title,
      paths: f.files,
      diffTexts: f.diffText ? [f.diffText] : [],
      body: [f.upstreamCommit ?? '', f.author ?? '', ...f.events].join('\n'),
      url: `/api/fix-status/${encodeURIComponent(key)}`,
    };
  });
}

const DATABASE_SOURCES: readonly KnowledgeSource[] = [seriesEntities, fixEntities, (db) => raceEntities(db, KNOWLEDGE_PER_KIND)];

/** The entities of the scenarios that load. Scenarios live in files, not the database; the store reloads those that changed. */
export async function scenarioEntities(scenarios: ScenarioStore): Promise<KnowledgeEntity[]> {
  return (await scenarios.list()).flatMap((e) => (e.scenario ? [scenarioEntity(e.scenario)] : []));
}

export function defaultKnowledgeSources(deps: { scenarios: ScenarioStore }): KnowledgeSource[] {
  return [...DATABASE_SOURCES, () => scenarioEntities(deps.scenarios)];
}

/** Every default source's entities, the database's read through a connection of its own (the knowledge worker's). */
export async function readDefaultSources(where: SourcesInBuilder): Promise<KnowledgeEntity[]> {
  const db = openDb(where.dbPath, { readonly: true });
  try {
    const out: KnowledgeEntity[] = [];
    for (const s of DATABASE_SOURCES) for (const e of await s(db)) out.push(e);
    for (const e of where.scenarios) out.push(e);
    return out;
  } finally {
    closeDb(db);
  }
}
