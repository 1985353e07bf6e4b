/** A `\u0000` or lone-surrogate escape in JSON text (JSON.stringify escapes only lone ones). */
const UNSTORABLE = /(?<!\\)((?:\\\\)*)\\u(0000|d[89a-f][0-9a-f]{2})/gi;

/**
 * A JSON value PostgreSQL's jsonb can hold: it refuses NUL characters and unpaired surrogates,
 * which remote documents and activities may carry. NULs are dropped and lone surrogates become
 * U+FFFD; a value without either is returned as it is (one stringify, no copy).
 */
export function storableJson<T>(value: T): T {
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  const clean = storable(text);
  return clean === text ? value : (JSON.parse(clean) as T);
}

/** The same, as the JSON text to bind to a `jsonb` parameter (undefined is written as null). */
export function storableJsonText(value: unknown): string {
  return storable(JSON.stringify(value) ?? "null");
}

const storable = (text: string) =>
  text.replace(UNSTORABLE, (_m, slashes: string, code: string) =>
    code === "0000" ? slashes : `${slashes}\\ufffd`,
  );
