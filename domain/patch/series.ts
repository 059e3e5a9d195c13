// Groups patch mail into series and series into version chains, as patchwork and b4 do:
// threading first (patches answer their cover letter), then for broken threading the
// same sender + version + total within a time window. Versions of one series are found
// by b4's change-id, else by sender + title, else by a re-roll threaded under the old
// version or sharing a patch-id with it. A partial re-roll (v5.1 of one patch, sent in
// reply to that patch of v5) amends the version it answers. Pure.

export interface SeriesMember {
  messageId: string;
  isCover: boolean;
  /** "3", "5.1"; null for an unlabelled (v1) mail. */
  version: string | null;
  versionMajor: number;
  index: number | null;
  total: number | null;
  title: string;
  titleKey: string;
  senderEmail: string;
  date: number | null;
  inReplyTo: string | null;
  /** Oldest first. */
  refs: string[];
  changeId: string | null;
  patchId: string | null;
  /** Stable branch or AUTOSEL lane: backports to different branches are not versions of each other. */
  lane: string;
}

export interface SeriesPatch {
  index: number;
  messageId: string;
  /** The same patch in the previous version of the series. */
  previousMessageId: string | null;
  match: 'patch-id' | 'subject' | null;
}

export interface SeriesVersion {
  /** Position in the returned array. */
  key: number;
  family: number;
  version: string;
  versionMajor: number;
  title: string;
  senderEmail: string;
  coverMessageId: string | null;
  total: number | null;
  date: number | null;
  changeId: string | null;
  superseded: boolean;
  /** For a partial re-roll: the key of the version it amends. */
  amends: number | null;
  /** The full patch list of this version (a partial re-roll includes the unchanged patches it inherits). */
  patches: SeriesPatch[];
}

export interface GroupOptions {
  /** Broken-threading fallback window. */
  windowMs?: number;
  /**
   * When grouping one part of the members (db/series.ts groups per sender): whether `ref`
   * is a member outside this part that sorts before `m`. Grouped all together, such a
   * member would already have its series when `m` looks up its ancestors, and the lookup
   * stops at the first ancestor with one; so must it here.
   */
  earlierElsewhere?: (ref: string, m: SeriesMember) => boolean;
}

interface Building {
  key: number;
  version: string;
  versionMajor: number;
  total: number | null;
  senderEmail: string;
  lane: string;
  cover: SeriesMember | null;
  own: Map<number, SeriesMember>;
  first: SeriesMember;
  amends: number | null;
  date: number | null;
}

const DEFAULT_WINDOW = 12 * 3600 * 1000;

function versionParts(v: string): [number, number] {
  const [a = '1', b = '0'] = v.split('.');
  return [Number(a), Number(b)];
}

export function groupSeries(input: readonly SeriesMember[], opts: GroupOptions = {}): SeriesVersion[] {
  const windowMs = opts.windowMs ?? DEFAULT_WINDOW;
  const seen = new Set<string>();
  const members = input.filter((m) => (seen.has(m.messageId) ? false : (seen.add(m.messageId), true)));
  // Covers first within the same instant, then by index, so patches find their cover.
  members.sort((a, b) => (a.date ?? Infinity) - (b.date ?? Infinity) || (a.index ?? 1) - (b.index ?? 1));

  const series: Building[] = [];
  const seriesOf = new Map<string, Building>();
  const byId = new Map(members.map((m) => [m.messageId, m]));
  // Series by sender, version, total and lane, so the broken-threading fallback does not
  // scan every series for every patch.
  const open = new Map<string, Building[]>();
  const runKey = (sender: string, version: string, total: number | null, lane: string) => `${sender}\0${version}\0${total}\0${lane}`;
  // Partial re-rolls by the version they amend: finding a sibling re-roll scanned every series.
  const amendedBy = new Map<number, Building[]>();

  const create = (m: SeriesMember, amends: number | null): Building => {
    const s: Building = {
      key: series.length,
      version: m.version ?? '1',
      versionMajor: m.versionMajor,
      total: m.total,
      senderEmail: m.senderEmail,
      lane: m.lane,
      cover: m.isCover ? m : null,
      own: new Map(),
      first: m,
      amends,
      date: m.date,
    };
    series.push(s);
    if (amends !== null) {
      const rerolls = amendedBy.get(amends) ?? [];
      rerolls.push(s);
      amendedBy.set(amends, rerolls);
    }
    const k = runKey(s.senderEmail, s.version, s.total, s.lane);
    const list = open.get(k) ?? [];
    list.push(s);
    open.set(k, list);
    return s;
  };
  const add = (s: Building, m: SeriesMember): void => {
    if (!m.isCover) s.own.set(m.index ?? 1, m);
    seriesOf.set(m.messageId, s);
  };
  const sameRun = (s: Building, m: SeriesMember): boolean =>
    s.version === (m.version ?? '1') && s.total === m.total && s.senderEmail === m.senderEmail && s.lane === m.lane && !s.own.has(m.index ?? 1);

  for (const m of members) {
    if (m.isCover) {
      add(create(m, null), m);
      continue;
    }
    if (m.index === null || m.total === null) {
      // A single patch may still be a partial re-roll of one patch of a series.
      const parent = m.inReplyTo ? byId.get(m.inReplyTo) : undefined;
      const ps = m.inReplyTo ? seriesOf.get(m.inReplyTo) : undefined;
      if (parent && ps && !parent.isCover && parent.index !== null && ps.total !== null && ps.total > 1 && (m.version ?? '1') !== ps.version && m.senderEmail === ps.senderEmail) {
        const r = create({ ...m, total: ps.total, index: parent.index }, ps.key);
        add(r, { ...m, index: parent.index });
        continue;
      }
      add(create(m, null), m);
      continue;
    }
    let target: Building | null = null;
    const ancestry = [...(m.inReplyTo ? [m.inReplyTo] : []), ...[...m.refs].reverse()];
    for (const ref of ancestry) {
      const s = seriesOf.get(ref);
      if (!s) {
        if (opts.earlierElsewhere?.(ref, m)) break;
        continue;
      }
      const parent = byId.get(ref);
      // Unlabelled patches answering a labelled cover belong to it (git send-email without -v).
      const underCover = m.version === null && parent?.isCover === true && s.total === m.total && s.senderEmail === m.senderEmail && !s.own.has(m.index);
      if (sameRun(s, m) || underCover) {
        target = s;
        break;
      }
      // v5.1 of patch 3/7 sent in reply to v5 3/7: a partial re-roll of v5.
      if (parent && !parent.isCover && parent.index === m.index && s.total === m.total && (m.version ?? '1') !== s.version && m.senderEmail === s.senderEmail) {
        const sibling = amendedBy.get(s.key)?.find((o) => o.version === (m.version ?? '1') && sameRun(o, m));
        target = sibling ?? create(m, s.key);
        break;
      }
      if (s.amends !== null && sameRun(s, m)) {
        target = s;
        break;
      }
      // An answer to another series (v2 threaded under v1's cover) starts its own.
      break;
    }
    if (!target && m.date !== null) {
      const candidates = open.get(runKey(m.senderEmail, m.version ?? '1', m.total, m.lane)) ?? [];
      // Series are created in date order (members are sorted, undated last), so once one
      // is out of the window every older one is too: without the break, a prolific
      // sender's unthreaded patches each scanned all of their earlier series.
      for (let i = candidates.length - 1; i >= 0; i--) {
        const s = candidates[i];
        if (!s || s.date === null) continue;
        if (m.date - s.date > windowMs) break;
        if (sameRun(s, m) && s.amends === null) {
          target = s;
          break;
        }
      }
    }
    add(target ?? create(m, null), m);
  }

  return finishVersions(series, byId);
}

class UnionFind {
  private parent: number[] = [];
  constructor(n: number) {
    for (let i = 0; i < n; i++) this.parent.push(i);
  }
  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r] ?? r;
    let c = x;
    while (this.parent[c] !== r) {
      const next = this.parent[c] ?? r;
      this.parent[c] = r;
      c = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

function titleOf(s: Building, all?: Building[]): SeriesMember {
  const amended = s.amends !== null && !s.cover ? all?.[s.amends] : undefined;
  if (amended) return titleOf(amended, all);
  return s.cover ?? s.own.get(1) ?? [...s.own.values()].sort((a, b) => (a.index ?? 0) - (b.index ?? 0))[0] ?? s.first;
}

function finishVersions(series: Building[], byId: Map<string, SeriesMember>): SeriesVersion[] {
  const uf = new UnionFind(series.length);
  const byKey = new Map<string, number>();
  const link = (k: string, i: number) => {
    const j = byKey.get(k);
    if (j === undefined) byKey.set(k, i);
    else uf.union(i, j);
  };
  const seriesOfMsg = new Map<string, Building>();
  for (const s of series) {
    if (s.cover) seriesOfMsg.set(s.cover.messageId, s);
    for (const m of s.own.values()) if (!seriesOfMsg.has(m.messageId)) seriesOfMsg.set(m.messageId, s);
  }
  for (const s of series) {
    const t = titleOf(s);
    const changeId = s.cover?.changeId ?? t.changeId;
    if (changeId) link(`c\0${changeId}`, s.key);
    link(`t\0${s.senderEmail}\0${s.lane}\0${t.titleKey}`, s.key);
    if (s.amends !== null) uf.union(s.key, s.amends);
    // A new version threaded under the old one (git send-email --in-reply-to).
    const head = s.cover ?? s.first;
    for (const ref of [head.inReplyTo, ...head.refs]) {
      const other = ref ? seriesOfMsg.get(ref) : undefined;
      if (other && other !== s && other.version !== s.version && other.senderEmail === s.senderEmail && other.lane === s.lane) uf.union(s.key, other.key);
    }
    for (const m of s.own.values()) {
      if (s.lane === '' && m.patchId) link(`p\0${s.senderEmail}\0${m.patchId}`, s.key);
      link(`pt\0${s.senderEmail}\0${s.lane}\0${m.index ?? 1}\0${m.titleKey}`, s.key);
    }
  }
  // Patch-id links join series only across versions: identical patch-ids in one version are resends.
  const families = new Map<number, Building[]>();
  for (const s of series) {
    const f = uf.find(s.key);
    const list = families.get(f) ?? [];
    list.push(s);
    families.set(f, list);
  }
  const out: SeriesVersion[] = [];
  const materialized = new Map<number, Map<number, SeriesMember>>();
  const patchesOf = (s: Building): Map<number, SeriesMember> => {
    const hit = materialized.get(s.key);
    if (hit) return hit;
    const base = s.amends !== null && series[s.amends] ? new Map(patchesOf(series[s.amends] as Building)) : new Map<number, SeriesMember>();
    for (const [i, m] of s.own) base.set(i, m);
    materialized.set(s.key, base);
    return base;
  };
  for (const s of series) {
    // A "partial" re-roll that resent every patch is a full new version.
    if (s.amends !== null && s.total !== null && s.own.size >= s.total) s.amends = null;
  }
  for (const s of series) {
    out.push({
      key: s.key,
      family: uf.find(s.key),
      version: s.version,
      versionMajor: s.versionMajor,
      title: titleOf(s, series).title,
      senderEmail: s.senderEmail,
      coverMessageId: s.cover?.messageId ?? null,
      total: s.total,
      date: s.date,
      changeId: s.cover?.changeId ?? titleOf(s).changeId,
      superseded: false,
      amends: s.amends,
      patches: [...patchesOf(s).entries()].sort((a, b) => a[0] - b[0]).map(([index, m]) => ({ index, messageId: m.messageId, previousMessageId: null, match: null })),
    });
  }
  for (const list of families.values()) {
    const ordered = list
      .map((s) => out[s.key] as SeriesVersion)
      .sort((a, b) => {
        const [a1, a2] = versionParts(a.version);
        const [b1, b2] = versionParts(b.version);
        return a1 - b1 || a2 - b2 || (a.date ?? 0) - (b.date ?? 0);
      });
    ordered.forEach((v, i) => {
      v.superseded = i < ordered.length - 1;
      const prev = ordered[i - 1];
      if (!prev) return;
      for (const p of v.patches) {
        const m = byId.get(p.messageId);
        if (!m) continue;
        const sameId = m.patchId ? prev.patches.find((q) => byId.get(q.messageId)?.patchId === m.patchId) : undefined;
        const sameTitle = prev.patches.find((q) => byId.get(q.messageId)?.titleKey === m.titleKey);
        const hit = sameId ?? sameTitle;
        if (hit && hit.messageId !== p.messageId) {
          p.previousMessageId = hit.messageId;
          p.match = sameId ? 'patch-id' : 'subject';
        }
      }
    });
  }
  return out;
}
