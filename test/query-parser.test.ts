import { describe, expect, it } from 'vitest';
import { parseQuery } from '../domain/query/parser.ts';
import { tokenize } from '../domain/query/lexer.ts';
import { isLoregraphError } from '../domain/errors.ts';
import type { QueryNode } from '../domain/query/ast.ts';
import { knownPrefixes, lookupField } from '../domain/query/fields.ts';

const NOW = Date.UTC(2024, 2, 15, 12, 0, 0); // 2024-03-15T12:00:00Z

function parse(q: string): QueryNode | null {
  return parseQuery(q, { now: NOW });
}

function errorOf(q: string): { code: string; message: string; column: unknown } {
  try {
    parse(q);
  } catch (e) {
    if (isLoregraphError(e)) return { code: e.code, message: e.message, column: e.details?.column };
    throw e;
  }
  throw new Error(`expected '${q}' to fail`);
}

/** A compact rendering of the AST for readable expectations. */
function show(n: QueryNode | null): string {
  if (n === null) return '<all>';
  switch (n.kind) {
    case 'term':
      return `${n.field}:${n.phrase ? `"${n.text}"` : n.text}${n.prefix ? '*' : ''}`;
    case 'date':
      return `d[${n.from === null ? '' : new Date(n.from).toISOString()}..${n.to === null ? '' : new Date(n.to).toISOString()})`;
    case 'exact':
      return `${n.field}=${n.value}`;
    case 'not':
      return `NOT(${show(n.child)})`;
    case 'and':
    case 'or':
      return `${n.kind.toUpperCase()}(${n.children.map(show).join(' ')})`;
  }
}

describe('query parser: terms and prefixes', () => {
  it('treats juxtaposed terms as AND and keeps each prefix on its own term', () => {
    expect(show(parse('s:khugepaged f:jlayton race'))).toBe('AND(s:khugepaged f:jlayton any:race)');
  });

  it('reads every lore prefix', () => {
    const q = 's:a f:b t:c c:d a:e b:f bs:g nq:h q:i dfn:j dfa:k dfb:l dfhh:m l:n tc:o dfctx:p';
    expect(show(parse(q))).toBe('AND(s:a f:b t:c c:d a:e b:f bs:g nq:h q:i dfn:j dfa:k dfb:l dfhh:m l:n tc:o dfctx:p)');
  });

  it('reads a quoted phrase after a prefix and a trailing star as a prefix search', () => {
    expect(show(parse('s:"page cache" filemap_write*'))).toBe('AND(s:"page cache" any:filemap_write*)');
    expect(show(parse('"lost write"*'))).toBe('any:"lost write"*');
  });

  it('rejects an unknown prefix with a 400 naming it; URLs and a bare "mm:" stay words', () => {
    const e = errorOf('s:fix subject:x');
    expect([e.code, e.column]).toEqual(['BAD_QUERY', 7]);
    expect(e.message).toMatch(/^unknown prefix 'subject:' \(known: a: b: .* s: .*\) at column 7$/);
    expect(show(parse('http://lore.kernel.org/x'))).toBe('any:http://lore.kernel.org/x');
    expect(show(parse('mm: fix'))).toBe('AND(any:mm: any:fix)');
  });

  it('names in the unknown-prefix error exactly the prefixes it reads', () => {
    const known = knownPrefixes();
    expect(known.filter((p) => lookupField(p) === undefined)).toEqual([]);
    expect(known).toEqual(expect.arrayContaining(['d', 'dt', 'rt', 'm', 'mid', 'n', 'dfpre', 'dfpost', 'dfblob', 's', 'dfn']));
    expect(new Set(known).size).toBe(known.length);
    expect([lookupField('any'), lookupField('subject'), lookupField('toString')]).toEqual([undefined, undefined, undefined]);
  });

  it('reads every prefix lore documents: m: rt: dt: n: dfpre: dfpost: dfblob:', () => {
    expect(show(parse('m:<a@b>'))).toBe('mid=<a@b>');
    expect(show(parse('rt:20240101..20240102'))).toBe('d[2024-01-01T00:00:00.000Z..2024-01-03T00:00:00.000Z)');
    expect(show(parse('dt:20240101120000..'))).toBe('d[2024-01-01T12:00:00.000Z..)');
    expect(show(parse('n:trace.txt dfpre:ABC1234 dfpost:def5678 dfblob:0123'))).toBe('AND(n=trace.txt dfpre=abc1234 dfpost=def5678 dfblob=0123)');
    expect(errorOf('dfblob:xyz').message).toBe("dfblob: takes 4 to 40 hex digits of a blob id, got 'xyz' at column 8");
  });

  it('finds a pasted Message-ID: with brackets that message, bare that message or what mentions it', () => {
    expect(show(parse(' <20240101.123-1-x@kernel.org> '))).toBe('mid=20240101.123-1-x@kernel.org');
    expect(show(parse('20240101.123-1-x@kernel.org'))).toBe('OR(mid=20240101.123-1-x@kernel.org any:20240101.123-1-x@kernel.org)');
    expect(show(parse('f:someone@example.org'))).toBe('f:someone@example.org');
  });

  it('keeps file paths whole for dfn:', () => {
    expect(show(parse('dfn:mm/khugepaged.c'))).toBe('dfn:mm/khugepaged.c');
  });

  it('reads exact-match prefixes verbatim', () => {
    expect(show(parse('mid:<20240101.abc@kernel.org> patchid:0123abcd status:failed-to-apply branch:6.6'))).toBe(
      'AND(mid=<20240101.abc@kernel.org> patchid=0123abcd status=failed-to-apply branch=6.6)',
    );
  });

  it('applies a prefix written before a group to every term inside it', () => {
    expect(show(parse('s:(fix OR "page cache")'))).toBe('OR(s:fix s:"page cache")');
    expect(show(parse('s:(a f:b)'))).toBe('AND(s:a f:b)');
  });

  it('returns null for an empty or blank query', () => {
    expect(parse('')).toBeNull();
    expect(parse('  \t ')).toBeNull();
  });
});

describe('query parser: boolean structure', () => {
  it('binds AND tighter than OR', () => {
    expect(show(parse('a b OR c'))).toBe('OR(AND(any:a any:b) any:c)');
    expect(show(parse('a AND b OR c AND d'))).toBe('OR(AND(any:a any:b) AND(any:c any:d))');
  });

  it('reads NOT, a leading minus and parentheses', () => {
    expect(show(parse('a NOT b'))).toBe('AND(any:a NOT(any:b))');
    expect(show(parse('a -s:b -(c OR d)'))).toBe('AND(any:a NOT(s:b) NOT(OR(any:c any:d)))');
    expect(show(parse('+a -"b c"'))).toBe('AND(any:a NOT(any:"b c"))');
  });

  it('keeps a hyphen inside a word as part of the word', () => {
    expect(show(parse('read-only x-y'))).toBe('AND(any:read-only any:x-y)');
  });

  it('treats lower-case and/or/not as ordinary words', () => {
    expect(show(parse('this or that'))).toBe('AND(any:this any:or any:that)');
  });

  it('flattens nested groups of the same operator', () => {
    expect(show(parse('a (b (c d))'))).toBe('AND(any:a any:b any:c any:d)');
  });
});

describe('query parser: dates', () => {
  it('reads closed YYYYMMDD ranges with the end day included', () => {
    expect(show(parse('d:20240101..20240301'))).toBe('d[2024-01-01T00:00:00.000Z..2024-03-02T00:00:00.000Z)');
  });

  it('reads open ranges and relative dates', () => {
    expect(show(parse('d:2.weeks.ago..'))).toBe('d[2024-03-01T12:00:00.000Z..)');
    expect(show(parse('d:..2023-06-05'))).toBe('d[..2023-06-06T00:00:00.000Z)');
    expect(show(parse('d:3.months.ago..1.day.ago'))).toBe('d[2023-12-15T12:00:00.000Z..2024-03-14T12:00:00.000Z)');
  });

  it('reads a single day as that whole day', () => {
    expect(show(parse('d:2024-02-29'))).toBe('d[2024-02-29T00:00:00.000Z..2024-03-01T00:00:00.000Z)');
  });

  it('rejects impossible dates and backwards ranges with the column of the bad part', () => {
    expect(errorOf('x d:20240230')).toEqual({ code: 'BAD_QUERY', message: "cannot read date '20240230' at column 5", column: 5 });
    expect(errorOf('d:20240101..soon')).toEqual({ code: 'BAD_QUERY', message: "cannot read date 'soon' at column 13", column: 13 });
    expect(errorOf('d:20240301..20240101').message).toBe("date range '20240301..20240101' ends before it starts at column 3");
    expect(errorOf('d:..').message).toBe('empty date range at column 3');
  });
});

describe('query parser: errors say what and where', () => {
  it('reports an unbalanced quote at the column of the opening quote', () => {
    expect(errorOf('s:page "cache fix')).toEqual({ code: 'BAD_QUERY', message: 'unbalanced quote at column 8', column: 8 });
    expect(errorOf('abcdefghij "x')).toEqual({ code: 'BAD_QUERY', message: 'unbalanced quote at column 12', column: 12 });
  });

  it('reports unbalanced parentheses on either side', () => {
    expect(errorOf('(a b').message).toBe('unbalanced parenthesis at column 1');
    expect(errorOf('a b)').message).toBe('unbalanced parenthesis at column 4');
    expect(errorOf('NEAR(a b, 3').message).toBe('unbalanced parenthesis at column 5');
  });

  it('reports dangling operators and empty values', () => {
    expect(errorOf('a OR').message).toBe('expected a term after OR, found end of query at column 5');
    expect(errorOf('OR a').message).toBe('expected a term before OR at column 1');
    expect(errorOf('a AND )').message).toBe("expected a term after AND, found ')' at column 7");
    expect(errorOf('s: x').message).toBe("missing value after 's:' at column 1");
    expect(errorOf('()').message).toBe('empty parentheses at column 1');
  });

  it('rejects terms with nothing searchable and a bare star', () => {
    expect(errorOf('a ^').message).toBe("nothing searchable in '^' (it needs a letter or digit) at column 3");
    expect(errorOf('*').message).toBe("'*' needs a word before it at column 1");
    expect(errorOf('d:2024* x').message).toBe("'d:' does not take a '*' prefix search at column 3");
  });

  it('counts columns in characters, not bytes', () => {
    expect(errorOf('héllo wörld "x').column).toBe(13);
  });

  it('limits the number of terms and the nesting depth', () => {
    expect(errorOf(Array.from({ length: 65 }, (_, i) => `w${i}`).join(' ')).code).toBe('LIMIT');
    expect(errorOf('('.repeat(20) + 'a' + ')'.repeat(20)).code).toBe('LIMIT');
  });
});

describe('query lexer', () => {
  it('gives every token its 1-based column', () => {
    expect(tokenize('s:"a b" -c (d)').map((t) => [t.type, t.column])).toEqual([
      ['field', 1],
      ['phrase', 3],
      ['sign', 9],
      ['word', 10],
      ['lparen', 12],
      ['word', 13],
      ['rparen', 14],
    ]);
  });
});
