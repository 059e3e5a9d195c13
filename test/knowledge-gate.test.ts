import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gated, Probe, requiredLiterals } from '../domain/knowledge/gate.ts';
import * as lexicon from '../domain/knowledge/lexicon.ts';
import { splitSentences } from '../domain/knowledge/message.ts';

/** Every regex of the lexicon, named, with the analyzer's own few beside them. */
function lexiconRegexes(): [string, RegExp][] {
  const out: [string, RegExp][] = [];
  for (const [name, v] of Object.entries(lexicon)) {
    if (v instanceof RegExp) out.push([name, v]);
    else if (Array.isArray(v))
      for (const entry of v as unknown[]) {
        if (!Array.isArray(entry)) continue;
        const re = (entry as unknown[]).find((x): x is RegExp => x instanceof RegExp);
        if (re) out.push([`${name}:${String(entry[0])}`, re]);
      }
  }
  out.push(['functions', /\b([a-z_][a-z0-9_]{2,})\(\)/g], ['configs', /\bCONFIG_[A-Z0-9_]{3,}\b/g], ['pull', /^The following changes since commit [0-9a-f]{7,}/m]);
  return out;
}

describe('the literals a regex needs', () => {
  it.each([
    // a literal is looked for by a piece of it (five characters, no spaces) that it shares with others
    [/\bdead-?locks?\b/i, ['-lock', 'adloc']],
    [/\bwindow (?:between|where)|hole between/, ['betwe', 'indow']],
    [/\b(?:races?|racy)\b(?![- ]free)/i, ['race', 'racy']],
    [/CONFIG_[A-Z0-9_]{3,}/, ['CONFI']],
    [/(?:ab|cd){1,2}x/i, ['abx', 'cdx']],
    [/a{2}b?/, ['aa']],
    // a literal holding another adds nothing
    [/lock|spin_lock|mutex/, ['lock', 'mutex']],
  ] as [RegExp, string[]][])('%s needs one of %j', (re, literals) => {
    expect(requiredLiterals(re)?.sort()).toEqual([...literals].sort());
  });

  it.each([/\w+/, /a|\d/, /(?:foo)?/, /x*/, /[^a]c?/, /\bé\b/i, /\u{1F600}/u])('%s promises none', (re) => {
    expect(requiredLiterals(re)).toBeNull();
  });

  it('looks for lower-cased literals in a lower-cased text when the regex ignores case', () => {
    const g = gated(/\bKCSAN\b/i);
    expect(new Probe('a KcSaN report').mayMatch(g)).toBe(true);
    expect(new Probe('a lockdep report').mayMatch(g)).toBe(false);
    expect(new Probe('NAK').mayMatch(gated(/\bNAK\b/))).toBe(true);
    expect(new Probe('nak').mayMatch(gated(/\bNAK\b/))).toBe(false);
  });
});

describe('a gate never turns away a text its regex matches', () => {
  const regexes = lexiconRegexes();
  // texts made of the regexes' own words and the characters between them, in any case,
  // so that matches happen often and by routes a literal list could have missed
  const words = [...new Set(regexes.flatMap(([, re]) => re.source.split(/[^A-Za-z0-9_]+/)).filter((w) => w.length > 0))];
  const piece = fc.oneof(
    fc.constantFrom(...words),
    fc.constantFrom(' ', ' ', '-', '_', '(', ')', '()', ':', '.', '\n', '?', '！', "'", '/', '&', '->', 'é', 'İ', 'K'),
    fc.string({ maxLength: 3 }),
  );
  const text = fc
    .tuple(fc.array(piece, { maxLength: 40 }), fc.array(fc.boolean(), { maxLength: 40 }))
    .map(([ps, upper]) => ps.map((p, i) => (upper[i] ? p.toUpperCase() : p)).join(''));

  it.each(regexes)('%s', (_name, re) => {
    const g = gated(re);
    const plain = new RegExp(re.source, re.flags.replace('g', ''));
    fc.assert(
      fc.property(text, (s) => !plain.test(s) || new Probe(s).mayMatch(g)),
      { numRuns: 300 },
    );
  });

  it('holds for the texts that do match, which the generator does make', () => {
    let matched = 0;
    fc.assert(
      fc.property(text, (s) => {
        for (const [, re] of regexes) {
          if (!new RegExp(re.source, re.flags.replace('g', '')).test(s)) continue;
          matched++;
          if (!new Probe(s).mayMatch(gated(re))) return false;
        }
        return true;
      }),
      { numRuns: 500 },
    );
    expect(matched).toBeGreaterThan(100);
  });
});

describe('sentences split by hand', () => {
  // the split it replaces, kept here as its specification
  const byRegex = (text: string): string[] =>
    text
      .split(/(?<=[.!?])\s+(?=[A-Z(`"'*-])|(?<=[?!？！])\s+/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const prose = fc
    .array(fc.oneof(fc.constantFrom('.', '!', '?', '？', '！', ' ', '  ', '\n', '\t', '\u00a0', '\u3000', 'A', 'a', '(', '`', '"', "'", '*', '-', 'x.', 'Z'), fc.string({ maxLength: 4 })), { maxLength: 60 })
    .map((ps) => ps.join(''));

  it('cuts where the regex split cuts', () => {
    fc.assert(
      fc.property(prose, (t) => {
        expect(splitSentences(t)).toEqual(byRegex(t));
      }),
      { numRuns: 2000 },
    );
  });
});
