// Recursive-descent parser for lore's query language:
//
//   query   := or EOF
//   or      := and ('OR' and)*
//   and     := unary (['AND'] unary)*        -- juxtaposition means AND, as on lore
//   unary   := ('NOT' | '-' | '+') unary | primary
//   primary := '(' or ')' | field value | word['*'] | "phrase"['*']
//   value   := word | "phrase" | '(' or ')'   -- a prefix on a group applies to its terms
//
// Every error names what is wrong and the column where it is, so the API can answer
// 400 "unbalanced quote at column 12".
import { LoregraphError } from '../errors.ts';
import type { ExactField, QueryNode, Query, TextField } from './ast.ts';
import { raceTerm } from './race-term.ts';
import { parseDateRange, DateSyntaxError } from './dates.ts';
import { lookupField } from './fields.ts';
import { badQuery, tokenize, type Token } from './lexer.ts';
import { STATUSES } from '../patch/stable-status.ts';

export const MAX_TERMS = 64;
export const MAX_DEPTH = 16;

export interface ParseOptions {
  /** The instant relative dates count back from (ms since the epoch). */
  now?: number;
}

/** Characters FTS5's unicode61 tokenizer (with tokenchars '_') keeps; anything else separates words. */
const SEARCHABLE = /[\p{L}\p{N}\p{Co}_]/u;

export function parseQuery(input: string, opts: ParseOptions = {}): Query {
  const pasted = pastedMessageId(input);
  if (pasted) return pasted;
  const tokens = tokenize(input);
  const now = opts.now ?? Date.now();
  const end = Array.from(input).length + 1;
  let pos = 0;
  let terms = 0;

  const peek = (): Token | undefined => tokens[pos];
  const describe = (t: Token | undefined): string => {
    if (!t) return 'end of query';
    switch (t.type) {
      case 'lparen':
        return "'('";
      case 'rparen':
        return "')'";
      case 'op':
        return `'${t.op}'`;
      case 'sign':
        return `'${t.sign}'`;
      case 'field':
        return `'${t.name}:'`;
      default:
        return `'${t.text}'`;
    }
  };
  const colOf = (t: Token | undefined): number => t?.column ?? end;

  function countTerm(column: number): void {
    if (++terms > MAX_TERMS) {
      throw new LoregraphError('LIMIT', `query has more than ${MAX_TERMS} terms at column ${column}`, { column });
    }
  }

  function parseOr(scope: TextField, depth: number): QueryNode {
    if (depth > MAX_DEPTH) {
      const column = colOf(peek());
      throw new LoregraphError('LIMIT', `query nests deeper than ${MAX_DEPTH} levels at column ${column}`, { column });
    }
    const first = parseAnd(scope, depth);
    const children = [first];
    while (peek()?.type === 'op' && (peek() as { op: string }).op === 'OR') {
      const orTok = tokens[pos++] as Token;
      if (!startsUnary(peek())) throw badQuery(`expected a term after OR, found ${describe(peek())}`, colOf(peek()) ?? orTok.column);
      children.push(parseAnd(scope, depth));
    }
    return children.length === 1 ? first : { kind: 'or', children: flatten('or', children), column: first.column };
  }

  function startsUnary(t: Token | undefined): boolean {
    if (!t) return false;
    if (t.type === 'rparen') return false;
    if (t.type === 'op') return t.op === 'NOT';
    return true;
  }

  function parseAnd(scope: TextField, depth: number): QueryNode {
    const t = peek();
    if (!startsUnary(t)) {
      if (t?.type === 'op') throw badQuery(`expected a term before ${t.op}`, t.column);
      if (t?.type === 'rparen') throw badQuery('unbalanced parenthesis', t.column);
      throw badQuery('expected a term', colOf(t));
    }
    const children = [parseUnary(scope, depth)];
    for (;;) {
      const next = peek();
      if (next?.type === 'op' && next.op === 'AND') {
        pos++;
        if (!startsUnary(peek())) throw badQuery(`expected a term after AND, found ${describe(peek())}`, colOf(peek()));
        children.push(parseUnary(scope, depth));
      } else if (startsUnary(next)) {
        children.push(parseUnary(scope, depth));
      } else {
        break;
      }
    }
    const first = children[0] as QueryNode;
    return children.length === 1 ? first : { kind: 'and', children: flatten('and', children), column: first.column };
  }

  function parseUnary(scope: TextField, depth: number): QueryNode {
    const t = peek();
    if (t?.type === 'op' && t.op === 'NOT') {
      pos++;
      if (!startsUnary(peek())) throw badQuery(`expected a term after NOT, found ${describe(peek())}`, colOf(peek()));
      return { kind: 'not', child: parseUnary(scope, depth + 1), column: t.column };
    }
    if (t?.type === 'sign') {
      pos++;
      const inner = parseUnary(scope, depth + 1);
      return t.sign === '-' ? { kind: 'not', child: inner, column: t.column } : inner;
    }
    return parsePrimary(scope, depth);
  }

  function parseGroup(scope: TextField, depth: number): QueryNode {
    const open = tokens[pos++] as Token;
    if (peek()?.type === 'rparen') throw badQuery('empty parentheses', open.column);
    if (peek() === undefined) throw badQuery('unbalanced parenthesis', open.column);
    const inner = parseOr(scope, depth + 1);
    const close = peek();
    if (close?.type !== 'rparen') {
      if (close === undefined) throw badQuery('unbalanced parenthesis', open.column);
      throw badQuery(`unexpected ${describe(close)}`, close.column);
    }
    pos++;
    return inner;
  }

  function textTerm(field: TextField, t: Extract<Token, { type: 'word' | 'phrase' }>): QueryNode {
    countTerm(t.column);
    if (t.text === '' && t.star) throw badQuery(`'*' needs a word before it`, t.column);
    if (!SEARCHABLE.test(t.text)) {
      const shown = t.type === 'phrase' ? `"${t.text}"` : t.text;
      throw badQuery(`nothing searchable in '${shown}' (it needs a letter or digit)`, t.column);
    }
    return { kind: 'term', field, text: t.text, phrase: t.type === 'phrase', prefix: t.star, column: t.column };
  }

  function parsePrimary(scope: TextField, depth: number): QueryNode {
    const t = peek();
    if (!t) throw badQuery('expected a term', end);
    switch (t.type) {
      case 'lparen':
        return parseGroup(scope, depth);
      case 'rparen':
        throw badQuery('unbalanced parenthesis', t.column);
      case 'op':
        throw badQuery(`expected a term, found ${t.op}`, t.column);
      case 'sign':
        throw badQuery(`unexpected '${t.sign}'`, t.column);
      case 'word':
      case 'phrase':
        pos++;
        return textTerm(scope, t);
      case 'field':
        pos++;
        return parseFieldValue(t, depth);
    }
  }

  function parseFieldValue(f: Extract<Token, { type: 'field' }>, depth: number): QueryNode {
    const kind = lookupField(f.name);
    const v = peek();
    if (!kind) throw badQuery(`unknown prefix '${f.name}:'`, f.column);
    if (v?.type === 'lparen') {
      if (kind.kind !== 'text') throw badQuery(`'${f.name}:' takes a single value, not a group`, v.column);
      return parseGroup(kind.field, depth);
    }
    if (v?.type !== 'word' && v?.type !== 'phrase') throw badQuery(`missing value after '${f.name}:'`, f.column);
    pos++;
    if (kind.kind === 'text') return textTerm(kind.field, v);
    countTerm(v.column);
    if (v.star) throw badQuery(`'${f.name}:' does not take a '*' prefix search`, v.column);
    const value = v.text.trim();
    if (value === '') throw badQuery(`missing value after '${f.name}:'`, f.column);
    if (kind.kind === 'date') {
      try {
        const r = parseDateRange(value, now);
        return { kind: 'date', from: r.from, to: r.to, column: f.column };
      } catch (e) {
        if (e instanceof DateSyntaxError) {
          const offset = v.type === 'phrase' ? 1 : 0;
          throw badQuery(e.message, v.column + offset + e.offset);
        }
        throw e;
      }
    }
    return { kind: 'exact', field: kind.field, value: exactValue(kind.field, value, v.column), column: f.column };
  }

  if (tokens.length === 0) return null;
  const root = parseOr('any', 0);
  const rest = peek();
  if (rest) {
    if (rest.type === 'rparen') throw badQuery('unbalanced parenthesis', rest.column);
    throw badQuery(`unexpected ${describe(rest)}`, rest.column);
  }
  return root;
}

/**
 * A query that is a Message-ID pasted alone: '<id@host>' finds that message; a bare
 * 'id@host' finds it or, being an address too, whatever mentions it.
 */
function pastedMessageId(input: string): QueryNode | null {
  const t = input.trim();
  const bracketed = /^<([^<>\s]+@[^<>\s]+)>$/.exec(t);
  if (bracketed?.[1]) return { kind: 'exact', field: 'mid', value: bracketed[1], column: 1 };
  if (!/^[^\s<>()":]+@[^\s<>()":]+$/.test(t) || /^[+-]/.test(t) || t.endsWith('*')) return null;
  const column = input.indexOf(t) + 1;
  return { kind: 'or', children: [{ kind: 'exact', field: 'mid', value: t, column }, { kind: 'term', field: 'any', text: t, phrase: false, prefix: false, column }], column };
}

/** Checks and normalizes the value of an exact-match prefix, so a typo is a 400, not an empty result. */
function exactValue(field: ExactField, value: string, column: number): string {
  switch (field) {
    case 'mid':
      return value;
    case 'n':
      return value;
    case 'dfpre':
    case 'dfpost':
    case 'dfblob':
      if (!/^[0-9a-f]{4,40}$/i.test(value)) throw badQuery(`${field}: takes 4 to 40 hex digits of a blob id, got '${value}'`, column);
      return value.toLowerCase();
    case 'patchid':
      if (!/^[0-9a-f]{4,40}$/i.test(value)) throw badQuery(`patchid: takes 4 to 40 hex digits, got '${value}'`, column);
      return value.toLowerCase();
    case 'status':
      if (!(STATUSES as readonly string[]).includes(value)) {
        throw badQuery(`unknown status '${value}' (known: ${STATUSES.join(', ')})`, column);
      }
      return value;
    case 'branch': {
      // "6.6", "6.6.y" and "linux-6.6.y" all name the 6.6 stable branch.
      const m = /^(?:linux-)?(\d+\.\d+)(?:\.y)?$/i.exec(value);
      if (!m) throw badQuery(`branch: takes a stable branch like 6.6 or 6.6.y, got '${value}'`, column);
      return m[1] as string;
    }
    case 'race': {
      const term = raceTerm(value);
      if (term === '') throw badQuery(`race: takes a function, file or lock, got '${value}'`, column);
      return term;
    }
    case 'is':
      if (value.toLowerCase() !== 'race') throw badQuery(`unknown is:${value} (known: is:race)`, column);
      return 'race';
  }
}

/** a AND (b AND c) is a AND b AND c: flat nodes compile to flatter FTS5 expressions. */
function flatten(kind: 'and' | 'or', children: QueryNode[]): QueryNode[] {
  return children.flatMap((c) => (c.kind === kind ? c.children : [c]));
}
