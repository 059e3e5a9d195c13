// The text `loregraph race` prints: every fact beside the mail that says it, and nothing
// dangling where no mail does.
import { describe, expect, it } from 'vitest';
import { formatRace } from '../cli/race-format.ts';
import type { RaceRecord } from '../domain/knowledge/types.ts';

const race: RaceRecord = {
  id: 'r-0000abcd12',
  title: 'a small race',
  outcome: 'other',
  outcomeEvidence: null,
  status: 'confirmed',
  statusEvidence: { text: 'Tested-by: Jun Park <jun@example.org>', messageId: 'tested@example.org', block: 2 },
  confidence: 0.5,
  reasons: [],
  functions: ['lumafs_gc'],
  files: [],
  locks: [],
  versions: [],
  configs: [],
  diagram: null,
  threads: ['report@example.org'],
  messages: ['report@example.org', 'tested@example.org'],
  evidence: ['report@example.org'],
  fixes: [],
  firstDate: null,
  lastDate: null,
};

describe('formatRace', () => {
  it('quotes the mail beside a fact that has one, and ends the line at the value when none does', () => {
    const lines = formatRace(race, new Map()).split('\n');
    expect(lines).toContain('  outcome: other');
    expect(lines).toContain('  status: confirmed "Tested-by: Jun Park <jun@example.org>" <tested@example.org>');
    expect(lines.filter((l) => l.endsWith(' '))).toEqual([]);
    expect(lines.at(-1)).toBe('');
  });
});
