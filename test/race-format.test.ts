// The text `loregraph race` prints: every fact beside the mail that says it, and nothing
// dangling where no mail does.
import { describe, expect, it } from 'vitest';
import { formatRace } from '../cli/race-format.ts';
import type { RaceRecord } from '../domain/knowledge/types.ts';
import { raceRecord } from './helpers/race-record.ts';

const race: RaceRecord = raceRecord({
  id: 'r-0000abcd12',
  outcome: 'other',
  status: 'confirmed',
  statusEvidence: { text: 'Tested-by: Jun Park <jun@example.org>', messageId: 'tested@example.org', block: 2 },
  functions: ['lumafs_gc'],
  threads: ['report@example.org'],
  messages: ['report@example.org', 'tested@example.org'],
  evidence: ['report@example.org'],
});

describe('formatRace', () => {
  it('quotes the mail beside a fact that has one, and ends the line at the value when none does', () => {
    const lines = formatRace(race, new Map()).split('\n');
    expect(lines).toContain('  outcome: other');
    expect(lines).toContain('  status: confirmed "Tested-by: Jun Park <jun@example.org>" <tested@example.org>');
    expect(lines.filter((l) => l.endsWith(' '))).toEqual([]);
    expect(lines.at(-1)).toBe('');
  });
});
