// Boolean query parameters as people type them (?threads=1, ?gz=true). Ajv only coerces
// 'true'/'false', so flags are validated as this enum and read with isOn.
export const flagSchema = { type: 'string', enum: ['0', '1', 'true', 'false'] } as const;

export type Flag = (typeof flagSchema.enum)[number];

export function isOn(v: Flag | undefined): boolean {
  return v === '1' || v === 'true';
}
