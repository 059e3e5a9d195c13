// Response schemas double as serializers, and a serializer drops every field its schema
// does not declare. When another module adds a field to a type the API returns, this
// check fails the type-check instead of the field silently vanishing from the API:
//   schemaCovers<typeof fooSchema, Foo>(true);
// errors with `{ missing: 'newField' }` until the schema describes it.

type Missing<S extends { properties: object }, T> = Exclude<keyof T, keyof S['properties']>;

export type Covers<S extends { properties: object }, T> = [Missing<S, T>] extends [never] ? true : { missing: Missing<S, T> };

export function schemaCovers<S extends { properties: object }, T>(ok: Covers<S, T>): void {
  void ok;
}
