// Types for the parts of mailparser's own decoders that ingest/parse-fast.ts calls
// directly; the packages ship none.
declare module 'libmime' {
  interface Libmime {
    /** `Key: value` line (folding allowed) -> key lower-cased, value unfolded and trimmed. */
    decodeHeader(headerLine: string): { key: string; value: string };
    /** Decodes the RFC 2047 encoded-words in a string. */
    decodeWords(str: string): string;
    /** Undoes format=flowed soft line breaks (RFC 3676); delSp for delsp=yes. */
    decodeFlowed(str: string, delSp?: boolean): string;
  }
  const libmime: Libmime;
  export default libmime;
}

declare module 'libqp' {
  /** Quoted-printable -> bytes; a Buffer input is read byte for byte. */
  export function decode(str: string | Buffer): Buffer;
}

declare module 'libbase64' {
  /** Base64 -> bytes, several padded segments decoded one by one. */
  export function decode(str: string): Buffer;
}
