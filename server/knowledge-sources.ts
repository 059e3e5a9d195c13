// Where knowledge entities come from: one reader per kind, over the other layers' query
// functions. Races and fixes join this list when they exist.
import type { KnowledgeSource } from './knowledge-cache.ts';
import type { ScenarioStore } from './scenario-store.ts';
import { scenarioEntity } from './scenario-json.ts';

export function defaultKnowledgeSources(deps: { scenarios: ScenarioStore }): KnowledgeSource[] {
  return [
    // Scenarios live in files, not the database; the store reloads those that changed.
    () => deps.scenarios.list().flatMap((e) => (e.scenario ? [scenarioEntity(e.scenario)] : [])),
  ];
}
