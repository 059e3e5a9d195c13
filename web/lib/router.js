// Hash routes (#/m/<mid>, #/s/<id>/run/<variant>/<config>, #/search?q=...), so every
// view has a link that can be shared. Each path segment is percent-encoded on the way
// in (a Message-ID may hold '/', '?' or '#') and decoded here.

/** { name, args, query } for the current location.hash. */
export function parseHash(hash) {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter((p) => p !== '');
  const decoded = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { name: decoded[0] ?? '', args: decoded.slice(1), query };
}

/** '#/' + segments, each encoded; query is an object or URLSearchParams. */
export function href(segments, query) {
  const path = segments.map((s) => encodeURIComponent(s)).join('/');
  const qs = query ? new URLSearchParams(query).toString() : '';
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

/** A sentence as a URL carries it to find it again in its block (the analyzer clips evidence at 300 characters). */
export function landingWords(text) {
  return String(text).replace(/\s+/g, ' ').replace(/\u2026$/, '').trim().slice(0, 400);
}

export const links = {
  message: (mid) => href(['m', mid]),
  thread: (mid) => href(['t', mid]),
  /**
   * A message inside its thread's conversation, optionally one block of it (0-based) and the
   * words in it to land on (a sentence in a long diff or paragraph would be a screen away).
   */
  threadAt: (threadId, mid, block, words) =>
    href(['t', threadId], block === undefined || block === null ? { m: mid } : words ? { m: mid, b: String(block), w: landingWords(words) } : { m: mid, b: String(block) }),
  race: (id) => href(['race', id]),
  races: (filters) => href(['races'], filters),
  proposed: (fixId) => href(['proposed', fixId]),
  series: (mid) => href(['series', mid]),
  /** A fix's stable timelines, optionally opened at one branch's row. */
  fix: (key, branch) => href(['fix', key], branch ? { branch } : undefined),
  stable: (branch, status) => href(['stable', branch], status ? { status } : undefined),
  scenarios: () => href(['scenarios']),
  scenario: (id) => href(['s', id]),
  run: (id, variant, config) => href(['s', id, 'run', variant, config]),
  search: (params) => href(['search'], params),
};

/** The hash route an API URL from the knowledge index corresponds to, or null. */
export function routeOfApiUrl(url) {
  const m = /^\/api\/(series|fix-status|scenarios|races|fixes)\/([^/?#]+)$/.exec(url);
  if (!m) return null;
  let arg;
  try {
    arg = decodeURIComponent(m[2]);
  } catch {
    return null;
  }
  if (m[1] === 'series') return links.series(arg);
  if (m[1] === 'fix-status') return links.fix(arg);
  if (m[1] === 'races') return links.race(arg);
  if (m[1] === 'fixes') return links.proposed(arg);
  return links.scenario(arg);
}
