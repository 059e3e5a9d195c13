// The line cursor the diff and patch-id parsers read with (domain/patch/line-cursor.ts)
// gives the lines split('\n') gives, or git's whole lines, one after another.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCursor } from '../domain/patch/line-cursor.ts';

function all(c: LineCursor): string[] {
  const out: string[] = [];
  for (let i = 0; c.at(i) !== undefined; i++) out.push(c.at(i) as string);
  return out;
}

const text = fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', ' ') });

describe('the line cursor', () => {
  it("gives the lines of split('\\n'), CR at a line's end dropped when asked", () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(all(new LineCursor(t, { keepNewline: false }))).toEqual(t.split('\n'));
        expect(all(new LineCursor(t, { keepNewline: false, stripCr: true }))).toEqual(t.split('\n').map((l) => l.replace(/\r$/, '')));
      }),
    );
  });

  it('gives whole lines, each with its newline, and no empty last one', () => {
    fc.assert(
      fc.property(text, (t) => {
        const lines = all(new LineCursor(t, { keepNewline: true }));
        expect(lines.join('')).toBe(t);
        expect(lines.every((l, i) => l.length > 0 && (i === lines.length - 1 || l.endsWith('\n')) && !l.slice(0, -1).includes('\n'))).toBe(true);
      }),
    );
  });

  it('answers for a few lines behind the furthest read, not for one long gone', () => {
    const c = new LineCursor('0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10', { keepNewline: false });
    expect(c.at(10)).toBe('10');
    expect(c.at(3)).toBe('3');
    expect(c.at(11)).toBeUndefined();
    expect(() => c.at(2)).toThrow(/behind the cursor/);
  });
});
