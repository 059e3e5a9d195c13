import { describe, expect, it } from 'vitest';
import { gated, Probe } from '../domain/knowledge/gate.ts';
import { APPLIED } from '../domain/knowledge/lexicon.ts';
import { blockText, parseReply } from '../domain/knowledge/reply.ts';

describe('a reply structure', () => {
  it('carries its lines without quote markers, which its blocks are read from', () => {
    const r = parseReply('On Mon, Jan Kara wrote:\n> > the deeper quote\n> I think this races.\nPerhaps take the lock.');
    expect(r.unquoted).toEqual(['On Mon, Jan Kara wrote:', 'the deeper quote', 'I think this races.', 'Perhaps take the lock.']);
    expect(r.lines[1]).toBe('> > the deeper quote');
    expect(blockText(r, r.blocks.find((b) => b.kind === 'quote' && b.depth === 1)!)).toBe('I think this races.');
  });
});

describe('a word list asked once a message', () => {
  it('is worth more literals than one asked of every paragraph', () => {
    expect(gated(APPLIED).literals).toBeNull();
    expect(gated(APPLIED, 5).literals).toHaveLength(5);
  });

  it('rules out mail without the words, and only that', () => {
    const g = gated(APPLIED, 5);
    expect(new Probe('Looks good to me.\nThanks!').mayMatch(g)).toBe(false);
    expect(new Probe('Hi,\nApplied to for-next, thanks.').mayMatch(g)).toBe(true);
    expect(APPLIED.test('Applied to for-next, thanks.')).toBe(true);
  });
});
