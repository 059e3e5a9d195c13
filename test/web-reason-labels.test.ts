// Every reason the analyzer can give a race is shown on the race page in a reviewer's words
// (web/lib/evidence-text.js), not as the analyzer's name for it: a kind added to the word
// lists without a label would show as "race-sides".
import { describe, expect, it } from 'vitest';
import { CHECKER_REPORTS, RACE_WORDS, TRAPS } from '../domain/knowledge/lexicon.ts';

// the page's module, loaded as the browser loads it (plain JS, no types of its own)
const page = '../web/lib/evidence-text.js';
const { reasonLabel } = (await import(page)) as { reasonLabel: (kind: string) => { label: string; title: string } };

describe('reason labels on the race page', () => {
  it('has a reviewer\'s label for every kind of the word lists, race words, checker reports and traps', () => {
    const kinds = [...RACE_WORDS.map(([k]) => k), ...CHECKER_REPORTS.map(([k]) => k), ...TRAPS.map(([k]) => `trap:${k}`)];
    expect(kinds.filter((k) => reasonLabel(k).label === k)).toEqual([]);
    expect(reasonLabel('race-sides').label).toBe('names both sides');
  });
});
