// Splits a lore query into tokens, each with the 1-based column it starts at. The lexer
// knows only punctuation (parentheses, double quotes, a leading '-' or '+', a trailing
// '*', and 'prefix:'), never what a prefix means beyond whether it is one of ours: an
// unknown 'foo:bar' stays one ordinary word, as in lore.
import { LoregraphError } from '../errors.ts';
import { knownPrefixes, lookupField } from './fields.ts';

export type Token =
  | { type: 'lparen'; column: number }
  | { type: 'rparen'; column: number }
  | { type: 'op'; op: 'AND' | 'OR' | 'NOT'; column: number }
  /** '-' (exclude) or '+' (require) written directly before a term or group. */
  | { type: 'sign'; sign: '-' | '+'; column: number }
  /** 'prefix:' of a known field; what follows (word, phrase or group) is its value. */
  | { type: 'field'; name: string; column: number }
  | { type: 'word'; text: string; star: boolean; column: number }
  | { type: 'phrase'; text: string; star: boolean; column: number };

// Control characters (NUL above all: FTS5 reads its query as a C string) separate words like spaces.
const SPACE = /[\s\p{Cc}]/u;

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && SPACE.test(ch);
}

function endsWord(ch: string | undefined): boolean {
  return ch === undefined || isSpace(ch) || ch === '(' || ch === ')' || ch === '"';
}

export function badQuery(message: string, column: number): LoregraphError {
  return new LoregraphError('BAD_QUERY', `${message} at column ${column}`, { column });
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  // Iterate by code point so columns count characters, not UTF-16 units.
  const chars = Array.from(input);
  let i = 0;
  const col = (): number => i + 1;
  // A sign or field only binds to what directly follows it.
  let glued = false;

  while (i < chars.length) {
    const ch = chars[i] as string;
    if (isSpace(ch)) {
      i++;
      glued = false;
      continue;
    }
    if (ch === '(') {
      tokens.push({ type: 'lparen', column: col() });
      i++;
      glued = false;
      continue;
    }
    if (ch === ')') {
      tokens.push({ type: 'rparen', column: col() });
      i++;
      glued = false;
      continue;
    }
    if (ch === '"') {
      const start = col();
      const close = chars.indexOf('"', i + 1);
      if (close < 0) throw badQuery('unbalanced quote', start);
      const text = chars.slice(i + 1, close).join('');
      i = close + 1;
      const star = chars[i] === '*';
      if (star) i++;
      tokens.push({ type: 'phrase', text, star, column: start });
      glued = false;
      continue;
    }
    const next = chars[i + 1];
    if ((ch === '-' || ch === '+') && !glued && next !== undefined && !isSpace(next) && next !== ')') {
      tokens.push({ type: 'sign', sign: ch, column: col() });
      i++;
      glued = true;
      continue;
    }
    // A word: everything up to a space, parenthesis or quote.
    const start = i;
    while (i < chars.length && !endsWord(chars[i])) i++;
    let word = chars.slice(start, i).join('');
    const field = /^([a-z]+):/.exec(word);
    if (field && lookupField(field[1] as string)) {
      tokens.push({ type: 'field', name: field[1] as string, column: start + 1 });
      const rest = word.slice(field[0].length);
      if (rest.length > 0) {
        const star = rest.endsWith('*');
        tokens.push({
          type: 'word',
          text: star ? rest.slice(0, -1) : rest,
          star,
          column: start + 1 + Array.from(field[0]).length,
        });
        glued = false;
      } else if (chars[i] === '"' || chars[i] === '(') {
        glued = true;
      } else {
        throw badQuery(`missing value after '${field[0]}'`, start + 1);
      }
      continue;
    }
    // 'zz:foo' names a prefix we do not know: a 400 that says so, never a silent nothing
    // (a URL's 'https://' and a bare 'mm:' before a space stay words).
    if (field && word.length > field[0].length && !word.startsWith(`${field[0]}//`)) {
      throw badQuery(`unknown prefix '${field[0]}' (known: ${knownPrefixes().map((p) => `${p}:`).join(' ')})`, start + 1);
    }
    glued = false;
    if (word === 'AND' || word === 'OR' || word === 'NOT') {
      tokens.push({ type: 'op', op: word, column: start + 1 });
      continue;
    }
    const star = word.endsWith('*');
    if (star) word = word.slice(0, -1);
    tokens.push({ type: 'word', text: word, star, column: start + 1 });
  }
  return tokens;
}
