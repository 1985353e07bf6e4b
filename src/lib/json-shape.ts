/**
 * A single linear pass over JSON text, before anything parses it, for shapes that are valid JSON
 * but break what comes after: nesting deep enough to overflow the stack of a recursive walker
 * (JSON-LD expansion is one), arrays long enough to cost seconds, and strings PostgreSQL cannot
 * store (NUL, unpaired UTF-16 surrogates: both fail a jsonb or text column).
 */
export interface JsonLimits {
  maxDepth: number;
  maxArrayItems: number;
}

/** What is wrong with the text's shape, or null; malformed JSON is left to JSON.parse. */
export function jsonShapeProblem(text: string, limits: JsonLimits): string | null {
  // Commas seen in each open array (-1 for an object): n commas separate n + 1 items.
  const open: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x22) inString = false;
      else if (ch === 0) return "JSON contains a NUL character";
      else if (ch >= 0xd800 && ch <= 0xdfff) {
        // Decoded text only holds pairs; a lone half comes from a broken decoder, refuse it.
        const next = text.charCodeAt(i + 1);
        if (ch > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff))
          return "JSON contains an unpaired surrogate";
        i++;
      } else if (ch === 0x5c) {
        const esc = text.charCodeAt(i + 1);
        if (esc === 0x75 /* u */) {
          const code = Number.parseInt(text.slice(i + 2, i + 6), 16);
          if (code === 0) return "JSON contains a NUL character";
          if (code >= 0xd800 && code <= 0xdbff) {
            const low =
              text.startsWith("\\u", i + 6) && Number.parseInt(text.slice(i + 8, i + 12), 16);
            if (!(typeof low === "number" && low >= 0xdc00 && low <= 0xdfff))
              return "JSON contains an unpaired surrogate";
            i += 6;
          } else if (code >= 0xdc00 && code <= 0xdfff) return "JSON contains an unpaired surrogate";
          i += 5;
        } else i++;
      }
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x5b /* [ */ || ch === 0x7b /* { */) {
      if (open.length >= limits.maxDepth) return `JSON is nested deeper than ${limits.maxDepth}`;
      open.push(ch === 0x5b ? 0 : -1);
    } else if (ch === 0x5d || ch === 0x7d) open.pop();
    else if (ch === 0x2c /* , */ && open.length && open[open.length - 1] >= 0) {
      if (++open[open.length - 1] >= limits.maxArrayItems)
        return `JSON has an array of more than ${limits.maxArrayItems} items`;
    }
  }
  return null;
}
