import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileQuery, ftsString } from '../domain/query/compile.ts';
import { parseQuery } from '../domain/query/parser.ts';
import { isLoregraphError } from '../domain/errors.ts';
import type { Predicate } from '../domain/query/plan.ts';
import { REPO_ROOT } from './helpers/shared.ts';

const NOW = Date.UTC(2024, 2, 15);

function plan(q: string) {
  return compileQuery(parseQuery(q, { now: NOW }));
}

/** Every FTS5 expression a plan carries, top-level or inside predicates. */
function expressions(q: string): string[] {
  const p = plan(q);
  const out = p.match === null ? [] : [p.match];
  const walk = (x: Predicate): void => {
    if (x.kind === 'fts') out.push(x.match);
    else if (x.kind === 'and' || x.kind === 'or') x.children.forEach(walk);
    else if (x.kind === 'not') walk(x.child);
  };
  p.filters.forEach(walk);
  return out;
}

describe('query compiler', () => {
  it('quotes every term and restricts prefixed ones to their columns', () => {
    expect(plan('s:race f:"Ann Lee" dfn:mm/filemap.c').match).toBe(
      '({subject} : "race" AND {from_addr} : "Ann Lee" AND {dfn} : "mm\uE000filemap\uE000c")',
    );
    // A path under dfn: is one joined term of the dfn column (domain/search/path-terms.ts); one word stays as typed.
    expect(plan('dfn:fs/ext4* dfn:Makefile').match).toBe('({dfn} : "fs\uE000ext4"* AND {dfn} : "Makefile")');
    expect(plan('writeb*').match).toBe('"writeb"*');
  });

  it('marks a plan whose text terms all search the subject', () => {
    for (const q of ['s:readah*', 's:race -s:fix', '(s:race OR s:truncate) d:2024', '(s:a OR s:b) -s:c']) expect(plan(q).subjectOnly).toBe(true);
    for (const q of ['readah*', 's:race fix', 's:race OR f:ann', 's:race -truncate', 'bs:race', 'd:2024', '-s:race']) expect(plan(q).subjectOnly).toBeUndefined();
  });

  it('doubles quotes and drops NUL inside a term', () => {
    expect(ftsString('a"b')).toBe('"a""b"');
    expect(ftsString('a\0b')).toBe('"a b"');
  });

  it('turns exclusions into FTS5 binary NOT when there is something to subtract from', () => {
    expect(plan('race -truncate -s:fix').match).toBe('("race" NOT ("truncate" OR {subject} : "fix"))');
    expect(plan('race -truncate').filters).toEqual([]);
  });

  it('keeps a pure exclusion as a predicate, since FTS5 has no unary NOT', () => {
    expect(plan('-race')).toEqual({ match: null, filters: [{ kind: 'not', child: { kind: 'fts', match: '"race"' } }] });
  });

  it('puts dates, ids and stable filters beside the MATCH, and OR across kinds into one predicate', () => {
    expect(plan('race d:2024-01-01.. mid:<a@b>')).toEqual({
      match: '"race"',
      filters: [
        { kind: 'date', from: Date.UTC(2024, 0, 1), to: null },
        { kind: 'mid', value: '<a@b>' },
      ],
    });
    expect(plan('race OR status:queued')).toEqual({
      match: null,
      filters: [{ kind: 'or', children: [{ kind: 'fts', match: '"race"' }, { kind: 'status', value: 'queued' }] }],
    });
  });

  it('uses the lore meaning of the composite prefixes', () => {
    expect(plan('a:ann').match).toBe('{from_addr to_addr cc_addr} : "ann"');
    expect(plan('bs:x').match).toBe('{subject body_nq dfn dfhh dfa dfb dfctx body_q} : "x"');
    expect(plan('nq:x').match).toBe('{body_nq dfn dfhh dfa dfb dfctx} : "x"');
  });

  it('compiles any string to FTS5 that SQLite accepts, or fails with a located error (property)', () => {
    const sql = new Database(':memory:');
    const migration = readFileSync(join(REPO_ROOT, 'db', 'migrations', '003_search.sql'), 'utf8');
    sql.exec(migration);
    sql.prepare(`INSERT INTO search_fts (rowid, subject, body_nq) VALUES (1, 'race in writeback', 'a "quoted" NEAR(x) body')`).run();
    const probe = sql.prepare('SELECT count(*) FROM search_fts WHERE search_fts MATCH ?').pluck();
    const anyText = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(fc.constantFrom('(', ')', '"', '*', '-', '+', ':', '^', ' ', 'AND', 'OR', 'NOT', 'NEAR', 's:', 'dfn:', 'x', '{', '}', '\0', 'é'), { maxLength: 20 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(anyText, (q) => {
        let exprs: string[];
        try {
          exprs = expressions(q);
        } catch (e) {
          if (!isLoregraphError(e)) throw e;
          expect(['BAD_QUERY', 'LIMIT']).toContain(e.code);
          expect(typeof e.details?.column).toBe('number');
          return;
        }
        for (const x of exprs) expect(() => probe.get(x)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
    sql.close();
  });
});
