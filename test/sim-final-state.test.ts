// A run's outcomes carry the state their witness ends in: every thread's position and
// every value, the ones the failure reads marked, agreeing with the failed expression.
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../sim/index.ts';

describe('the state a witness ends in', () => {
  it("lists 005's end state with the invariant's one variable marked, as the witness left it", () => {
    const r = runScenario(loadScenario('005-filemap-stale-folio-truncate'), { variant: 'original', config: 'one_folio' });
    const o = r.outcomes[0]!;
    expect(o.property).toBe('no_stale_folio_returned');
    expect(o.story.failed?.values).toEqual({ stale_batch: 1 });
    expect(o.final.filter((f) => f.failed)).toEqual([{ name: 'stale_batch', value: '1', failed: true }]);
    const at = Object.fromEntries(o.final.map((f) => [f.name, f.value]));
    // where each thread stopped, and who holds the folio lock the truncate took last
    expect(at).toMatchObject({ reader: 'at copy', truncate: 'at unlock[B]', 'B held by': 'truncate', 'A held by': 'nobody', 'reader.inB': '1' });
    // every change the witness made is in the end state: the last value each slot was set to
    const last = new Map<string, string>();
    for (const st of o.witness) for (const c of st.changes) {
      const m = /^([A-Za-z_][\w.]*): \S+ -> (\S+)$/.exec(c);
      if (m) last.set(m[1]!, m[2]!);
    }
    expect(last.size).toBeGreaterThan(0);
    for (const [name, value] of last) expect(at[name]).toBe(value);
  });

  it('marks, in every outcome of 000, the values its failed expression reads, with the same values', () => {
    const r = runScenario(loadScenario('000-thp-write-open-purge'), { config: 'dirty_before_open' });
    const withExpr = r.outcomes.filter((o) => o.story.failed);
    expect(withExpr.length).toBeGreaterThan(0);
    for (const o of withExpr) {
      const marked = o.final.filter((f) => f.failed);
      expect(marked.length).toBeGreaterThan(0);
      for (const [name, v] of Object.entries(o.story.failed!.values)) {
        // a local is named with its thread in the state (`reader.w_O`), bare in the expression
        const f = marked.find((x) => x.name === name || x.name.endsWith(`.${name}`));
        expect(f, `${o.property}: ${name}`).toBeDefined();
        if (!name.includes('[')) expect(f!.value).toBe(String(v));
      }
    }
  });
});
