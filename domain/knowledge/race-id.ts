// A race's id: "r-" and the base-36 FNV-1a hash of its first message's Message-ID.
// The whole 52-bit value is kept: ids were once cut to 8 digits (~41 bits), which at lore's
// scale (millions of messages, hundreds of thousands of races) makes two races share an id,
// and the store then keeps one of them. An id cut that way is a prefix of today's id of the
// same race, so old ids (in URLs, notes, reviews) find their race as abbreviations, the way
// git takes a unique prefix of a hash.

/** The shortest id a user may abbreviate a race to: "r-" and 8 digits, the length ids once had. */
export const RACE_ID_MIN_PREFIX = 10;

/** FNV-1a 64-bit, top 52 bits: a stable hash without a crypto dependency in the pure core. */
function fnv52(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h >> 12n;
}

/**
 * A race's id from its first message's Message-ID. Padded to 8 digits as the cut ids were, so
 * a hash with fewer digits keeps the id it always had, and every cut id is a prefix of this one.
 */
export function raceId(firstMessageId: string): string {
  return `r-${fnv52(firstMessageId).toString(36).padStart(8, '0')}`;
}

/** The 8-digit id stores made before ids kept the whole hash; kept to prove and test the prefix rule. */
export function legacyRaceId(firstMessageId: string): string {
  return `r-${fnv52(firstMessageId).toString(36).slice(0, 8).padStart(8, '0')}`;
}

/**
 * What a user's race id can find: an exact id, or a prefix of one long enough that every id
 * ever issued qualifies. Null when the text cannot name a race (too short, or not an id's
 * characters), so a lookup never scans for "r-".
 */
export function raceIdPrefix(text: string): string | null {
  const t = text.trim().toLowerCase();
  return t.length >= RACE_ID_MIN_PREFIX && /^r-[0-9a-z]+$/.test(t) ? t : null;
}
