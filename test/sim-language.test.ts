import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, Program, Stmt } from '../sim/ast.ts';
import { SimError } from '../sim/errors.ts';
import { parseExpr, showExpr } from '../sim/expr.ts';
import { instantiate } from '../sim/instantiate.ts';
import { parseScenario } from '../sim/parse.ts';

const FIX = 'test/fixtures/sim';

function errorOf(yaml: string, variant?: string, config?: string): string {
  try {
    const sc = parseScenario(yaml, 'x.yaml');
    instantiate(sc, variant ?? 'original', config ?? [...sc.configs.keys()][0]!);
  } catch (e) {
    expect(e).toBeInstanceOf(SimError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

const MINI = (threads: string, extra = ''): string => `id: t
title: t
folios: { A: { present: 1 } }
vars: { x: 0 }
locks: { m: mutex, r: rwsem }
${extra}
threads:
${threads}
configs:
  c: { run: [w] }
`;

function ids(ss: Stmt[]): string[] {
  return ss.flatMap((s) => [
    s.id,
    ...(s.kind === 'if' ? [...ids(s.then), ...ids(s.else)] : s.kind === 'while' ? ids(s.body) : s.kind === 'choice' ? s.branches.flatMap((b) => ids(b.body)) : []),
  ]);
}

describe('scenario parser', () => {
  it('reads the complete example from sim/FORMAT.md', () => {
    const sc = parseScenario(readFileSync(`${FIX}/lost-write.yaml`, 'utf8'), 'lost-write.yaml');
    expect(sc.id).toBe('example_lost_write');
    expect(sc.folios.map((f) => [f.name, f.init.present, f.init.dirty])).toEqual([['A', 1, 0]]);
    expect(sc.vars).toEqual([{ name: 'disk', init: 0 }, { name: 'written', init: 0 }]);
    expect(sc.locks.map((l) => [l.name, l.kind])).toEqual([['inode_lock', 'mutex']]);
    expect([...sc.variants.keys()]).toEqual(['original', 'write_back_first']);
    expect(sc.variants.get('write_back_first')!.fix).toBe('[PATCH] write back before purge');
    expect(sc.expect.map((x) => `${x.variant}/${x.config}=${x.verdict}`)).toEqual(['original/plain=violated', 'write_back_first/plain=holds']);
  });

  it('keeps the fixture identical to the example printed in sim/FORMAT.md, so the docs cannot drift', () => {
    const doc = readFileSync('sim/FORMAT.md', 'utf8');
    const at = doc.indexOf('## A complete small example');
    const start = doc.indexOf('```yaml\n', at) + '```yaml\n'.length;
    expect(doc.slice(start, doc.indexOf('```', start))).toBe(readFileSync(`${FIX}/lost-write.yaml`, 'utf8'));
  });

  it('expands a macro call with its arguments and prefixes the inner step ids', () => {
    const sc = parseScenario(readFileSync(`${FIX}/lost-write.yaml`, 'utf8'), 'lost-write.yaml');
    const p: Program = instantiate(sc, 'original', 'plain');
    const writer = p.threads.find((t) => t.name === 'writer')!;
    expect(ids(writer.body)).toEqual(['w/lk', 'w/copy', 'w/dirty', 'w/nofolio', 'w/ulk']);
    expect(writer.body[0]).toMatchObject({ kind: 'lock', lock: { type: 'folio', name: 'A' }, fn: { file: 'mm/filemap.c', func: 'generic_perform_write' } });
  });

  it('applies a variant edit inside the thread it names', () => {
    const sc = parseScenario(readFileSync(`${FIX}/lost-write.yaml`, 'utf8'), 'lost-write.yaml');
    const p = instantiate(sc, 'write_back_first', 'plain');
    expect(ids(p.threads.find((t) => t.name === 'purger')!.body)).toEqual(['take', 'lk', 'wb', 'wb_io', 'drop', 'ulk', 'give']);
  });

  it('unrolls foreach over every folio, appending the folio to inner ids', () => {
    const yaml = MINI(`  w:
    fn: a.c:f
    steps:
      - { id: each, foreach: all, as: f, body: [ { id: d, do: ["$f.dirty = 1"] } ] }`).replace('folios: { A: { present: 1 } }', 'folios: { A: {}, B: {} }');
    const p = instantiate(parseScenario(yaml, 'x.yaml'), 'original', 'c');
    expect(p.threads[0]!.body.map((s) => s.id)).toEqual(['d[A]', 'd[B]']);
    expect(p.threads[0]!.body[1]).toMatchObject({ kind: 'do', assigns: [{ target: { k: 'field', folio: 'B', field: 'dirty' }, value: { k: 'int', v: 1 } }] });
  });

  it('unrolls foreach over an explicit list, keeping a goto inside the body within its copy', () => {
    const yaml = MINI(`  w:
    fn: a.c:f
    steps:
      - id: each
        foreach: [B, A]
        as: f
        body:
          - { id: top, do: ["$f.data = $f.data + 1"] }
          - { id: again, if: "$f.data < 2", then: [ { id: jump, goto: top } ] }
      - { id: done, do: [] }`).replace('folios: { A: { present: 1 } }', 'folios: { A: {}, B: {} }');
    const p = instantiate(parseScenario(yaml, 'x.yaml'), 'original', 'c');
    expect(ids(p.threads[0]!.body)).toEqual(['top[B]', 'again[B]', 'jump[B]', 'top[A]', 'again[A]', 'jump[A]', 'done']);
    const jumps = p.threads[0]!.body.flatMap((s) => (s.kind === 'if' ? s.then : [])).map((s) => (s.kind === 'goto' ? s.target : ''));
    expect(jumps).toEqual(['top[B]', 'top[A]']);
  });

  it('replaces and removes steps nested inside if/else and choice branches', () => {
    const yaml = MINI(`  w:
    fn: a.c:f
    steps:
      - { id: c, if: "x == 0", then: [ { id: a, do: ["x = 1"] } ], else: [ { id: b, do: ["x = 2"] } ] }
      - { id: io, choice: { ok: [ { id: ok1, do: [] } ], eio: [ { id: e1, do: ["x = 9"] } ] } }`,
    `variants:
  v:
    fix: "<fix@example>"
    edits:
      - { in: w, replace: b, with: [ { id: b2, do: ["x = 3"] } ] }
      - { in: w, remove: e1 }`);
    const p = instantiate(parseScenario(yaml, 'x.yaml'), 'v', 'c');
    expect(ids(p.threads[0]!.body)).toEqual(['c', 'a', 'b2', 'io', 'ok1']);
  });

  it('resolves lock names to mutex, rwsem side or folio bit lock', () => {
    const yaml = MINI(`  w:
    fn: a.c:f
    steps:
      - { id: a, lock: m }
      - { id: b, down_read: r }
      - { id: c, up_read: r }
      - { id: d, trylock: A, into: x }
      - { id: e, unlock: m }`);
    const body = instantiate(parseScenario(yaml, 'x.yaml'), 'original', 'c').threads[0]!.body;
    expect(body.map((s) => (s.kind === 'lock' || s.kind === 'unlock' || s.kind === 'trylock' ? `${s.kind}:${s.lock.type}:${'mode' in s ? s.mode : ''}` : s.kind))).toEqual([
      'lock:mutex:exclusive',
      'lock:rwsem:read',
      'unlock:rwsem:read',
      'trylock:folio:exclusive',
      'unlock:mutex:exclusive',
    ]);
  });
});

describe('scenario errors name the file, line, column and what was expected', () => {
  it('an unknown top-level key', () => {
    expect(errorOf('id: t\ntitle: t\nthread: {}\n')).toBe("x.yaml:3:1: unknown key 'thread' in a scenario; expected one of: id, title, source, description, memory, folios, vars, locks, xarrays, macros, threads, invariants, finals, variants, configs, expect");
  });

  it('a step with two kinds', () => {
    const msg = errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, lock: m, unlock: m }`));
    expect(msg).toBe('x.yaml:11:9: a step has exactly one kind, got lock and unlock');
  });

  it('a step without an id', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { do: ["x = 1"] }`))).toBe("x.yaml:11:9: expected an 'id' for this 'do' step");
  });

  it('an unknown name inside an expression points at the name', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, do: ["x = y + 1"] }`))).toBe("x.yaml:11:28: unknown name 'y' (not a variable, local or folio) in 'x = y + 1'");
  });

  it('a folio without a field, and a field that does not exist', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, await: "A" }`))).toMatch(/^x\.yaml:11:26: folio 'A' needs a field/);
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, await: "A.clean" }`))).toMatch(/^x\.yaml:11:28: expected a folio field \(present, locked, dirty/);
  });

  it('assigning the folio lock bit directly', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, do: ["A.locked = 1"] }`))).toBe("x.yaml:11:24: 'locked' changes only through lock/unlock/trylock, in 'A.locked = 1'");
  });

  it('an rwsem taken with lock:', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, lock: r }`))).toBe("x.yaml:11:24: 'r' is an rwsem: use down_read/up_read or down_write/up_write");
  });

  it('a call of an unknown macro and a missing argument', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, call: nope }`))).toBe('x.yaml:11:9: unknown macro \'nope\' (have: none)');
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, call: mk }`, `macros:
  mk: { params: [f], steps: [ { id: a, do: ["$f.dirty = 1"] } ] }`))).toBe("x.yaml:12:9: call of 'mk' needs argument 'f'");
  });

  it('an edit whose target step does not exist', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, do: [] }`, `variants:
  v:
    fix: "[PATCH] x"
    edits:
      - { in: w, after: nothere, insert: [ { id: z, do: [] } ] }`), 'v')).toBe("x.yaml:10:9: edit: no step 'nothere' in 'w'");
  });

  it('a variant that does not say which fix it models', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps: []`, `variants:
  v: { edits: [] }`))).toBe("x.yaml:7:6: variant 'v' needs 'fix': the message-id or patch subject it models");
  });

  it('an expectation with an unknown verdict', () => {
    expect(errorOf(`${MINI(`  w:
    fn: a.c:f
    steps: []`)}expect:
  - { variant: original, config: c, verdict: safe, why: "x" }
`)).toBe("x.yaml:14:46: expected a verdict (holds, violated, deadlock, incomplete), got 'safe'");
  });

  it('a step with no kernel location to inherit', () => {
    expect(errorOf(MINI(`  w:
    steps:
      - { id: s, do: [] }`))).toBe("x.yaml:10:9: step 's' has no 'fn' (kernel file:function) and none to inherit");
  });

  it('a YAML syntax error', () => {
    expect(errorOf('id: t\ntitle: [unclosed\n')).toMatch(/^x\.yaml:\d+:\d+: YAML syntax: /);
  });

  it('a macro that calls itself', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, call: loop }`, `macros:
  loop: { steps: [ { id: again, call: loop } ] }`))).toBe("x.yaml:7:20: macro 'loop' calls itself (loop -> loop)");
  });

  it('a step id used twice in one thread', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, do: [] }
      - { id: s, do: [] }`))).toBe("x.yaml:12:9: thread 'w': step id 's' is used twice");
  });

  it('a config that runs a thread that does not exist', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps: []`).replace('run: [w]', 'run: [w, zz]'))).toBe("x.yaml:12:17: config 'c' runs unknown thread 'zz' (have: w)");
  });

  it('a goto to a step that does not exist', () => {
    expect(errorOf(MINI(`  w:
    fn: a.c:f
    steps:
      - { id: s, goto: elsewhere }`))).toBe("x.yaml:11:9: thread 'w': goto to unknown step 'elsewhere'");
  });
});

// ------------------------------------------------------------- property tests

const NAMES = ['x', 'y', 'n'];
const resolve = (n: string) => (n === 'A' ? 'folio' : NAMES.includes(n) ? 'global' : undefined) as 'folio' | 'global' | undefined;

const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.nat({ max: 1000 }).map((v): Expr => ({ k: 'int', v })),
    fc.constantFrom(...NAMES).map((name): Expr => ({ k: 'var', name, scope: 'global' })),
    fc.constantFrom('dirty', 'present', 'data').map((field): Expr => ({ k: 'field', folio: 'A', field: field as 'dirty' })),
    tie('e').map((e): Expr => ({ k: 'not', e })),
    tie('e').map((e): Expr => ({ k: 'neg', e })),
    fc
      .tuple(fc.constantFrom('||', '&&', '==', '!=', '<', '<=', '>', '>=', '+', '-'), tie('e'), tie('e'))
      .map(([op, l, r]): Expr => ({ k: 'bin', op: op as '+', l, r })),
  ),
})).e;

describe('expression parser (property tests)', () => {
  it('parses back what showExpr prints, to the same tree', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const pos = { file: 'p', line: 1, col: 1 };
        expect(parseExpr(showExpr(e), pos, resolve)).toEqual(e);
      }),
      { numRuns: 400 },
    );
  });

  it('either parses arbitrary text or throws a positioned SimError, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30, unit: fc.constantFrom(...'xyA.n()!&|=<>+-0123 9dirtyq'.split('')) }), (text) => {
        try {
          parseExpr(text, { file: 'p', line: 3, col: 5 }, resolve);
        } catch (e) {
          expect(e).toBeInstanceOf(SimError);
          expect((e as Error).message).toMatch(/^p:3:\d+: /);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never crashes the scenario parser on arbitrary YAML-ish text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: fc.constantFrom(...'id: title threads configs\n -{}[]"x\'$#:'.split('')) }), (text) => {
        try {
          parseScenario(text, 'f.yaml');
        } catch (e) {
          expect(e).toBeInstanceOf(SimError);
          expect((e as Error).message).toMatch(/^f\.yaml:\d+:\d+: /);
        }
      }),
      { numRuns: 500 },
    );
  });
});
