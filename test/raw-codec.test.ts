import { brotliCompressSync, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRaw, encodeRaw } from '../db/messages.ts';

const MAIL = Buffer.from(
  'From: A <a@example.org>\nSubject: [PATCH] mm: fix\nMessage-ID: <codec@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\n' +
    'body line\n'.repeat(200),
);

describe('raw message codecs', () => {
  it('stores new messages brotli-compressed and gives back the exact bytes', () => {
    const r = encodeRaw(new Uint8Array(MAIL));
    expect(r.codec).toBe('brotli');
    expect(r.data.byteLength).toBeLessThan(MAIL.length / 4);
    expect(decodeRaw(r.data, r.codec).equals(MAIL)).toBe(true);
  });

  it('still reads rows that earlier versions stored deflated or uncompressed', () => {
    expect(decodeRaw(deflateRawSync(MAIL), 'deflate-raw').equals(MAIL)).toBe(true);
    expect(decodeRaw(brotliCompressSync(MAIL), 'brotli').equals(MAIL)).toBe(true);
    expect(decodeRaw(MAIL, 'none').equals(MAIL)).toBe(true);
  });
});
