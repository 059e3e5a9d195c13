// How a function, file or lock is written as a `race:` search term, both when a race's
// terms are stored and when a query names one: lower case, no "()" after a function, runs
// of spaces as one '_' ("folio lock" -> folio_lock), so `race:collapse_file`,
// `race:Collapse_File()` and the stored "collapse_file()" meet.
export function raceTerm(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/\(\s*\)$/, '')
    .replace(/\s+/g, '_');
}

/** A file path's terms: the path as written and its base name (race:khugepaged.c finds mm/khugepaged.c). */
export function fileTerms(path: string): string[] {
  const full = raceTerm(path.replace(/^[ab]\//, ''));
  const base = full.slice(full.lastIndexOf('/') + 1);
  return base !== full && base !== '' ? [full, base] : [full];
}
