// Where knowledge entities come from: one reader per kind, over the other layers' query
// functions: series, stable fixes, races with the fixes proposed for them, and scenarios.
import type { Db } from '../db/connection.ts';
import { listFixesForKnowledge, listSeriesForKnowledge } from '../db/knowledge-entities.ts';
import type { KnowledgeEntity } from './knowledge.ts';
import type { KnowledgeSource } from './knowledge-cache.ts';
import { raceEntities } from './knowledge-races.ts';
import type { ScenarioStore } from './scenario-store.ts';
import { scenarioEntity } from './scenario-json.ts';

export function seriesEntities(db: Db): KnowledgeEntity[] {
  return listSeriesForKnowledge(db).map((s) => ({
    id: `series:${s.messageId}`,
    kind: 'series',
    title: s.title,
    paths: s.files,
    diffTexts: s.diffTexts,
    body: [`v${s.version} (${s.versions} version${s.versions === 1 ? '' : 's'})`, s.sender ?? '', ...s.subjects, s.coverText].join('\n'),
    url: `/api/series/${encodeURIComponent(s.messageId)}`,
  }));
}

export function fixEntities(db: Db): KnowledgeEntity[] {
  return listFixesForKnowledge(db).map((f) => {
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

export function defaultKnowledgeSources(deps: { scenarios: ScenarioStore }): KnowledgeSource[] {
  return [
    seriesEntities,
    fixEntities,
    raceEntities,
    // Scenarios live in files, not the database; the store reloads those that changed.
    () => deps.scenarios.list().flatMap((e) => (e.scenario ? [scenarioEntity(e.scenario)] : [])),
  ];
}
