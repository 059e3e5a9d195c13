// The configured public root URL (`serve --base-url`), checked once at start: the Atom
// feed builds absolute links from it, so it must be an absolute http(s) URL with nothing
// a link could not be appended to.
import type { AddressInfo } from 'node:net';
import { LoregraphError } from '../domain/errors.ts';

/** 'https://lore.example/kg' -> 'https://lore.example/kg/'; USAGE for anything else. */
export function normalizeBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new LoregraphError('USAGE', `--base-url must be an absolute http(s) URL, got '${raw}'`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new LoregraphError('USAGE', `--base-url must be http or https, got '${u.protocol}'`);
  if (u.username || u.password || u.search || u.hash) throw new LoregraphError('USAGE', `--base-url takes no credentials, query or fragment, got '${raw}'`);
  return u.pathname.endsWith('/') ? u.href : `${u.href}/`;
}

/** Where a server listens, as a root URL: the default base when none is configured. */
export function listeningUrl(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') return 'http://localhost/';
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}/`;
}
