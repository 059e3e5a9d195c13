// Headers on every response, errors and 404s included. The API serves data, and the
// optional page serves only our own static files, so the policy can be strict: nothing
// framed, nothing sniffed, no script from anywhere but here.
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};
