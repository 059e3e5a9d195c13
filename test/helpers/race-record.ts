// A race record as the thread pass stores it, for tests that need one whole without
// assembling it from mail: every field empty or neutral unless the test says otherwise.
import type { RaceRecord } from '../../domain/knowledge/types.ts';

export function raceRecord(over: Partial<RaceRecord> = {}): RaceRecord {
  return {
    id: 'r-0000abcd',
    title: 'a small race',
    outcome: 'deadlock',
    outcomeEvidence: null,
    status: 'open',
    statusEvidence: null,
    confidence: 0.5,
    reasons: [],
    functions: [],
    files: [],
    locks: [],
    versions: [],
    configs: [],
    diagram: null,
    threads: [],
    messages: [],
    evidence: [],
    fixes: [],
    firstDate: null,
    lastDate: null,
    ...over,
  };
}
