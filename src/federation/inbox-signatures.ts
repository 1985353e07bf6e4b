/**
 * What an HTTP signature on an inbox POST must cover before Fedify is asked to verify it.
 *
 * Fedify 2.3.6 verifies whatever components a signature lists: an RFC 9421 signature over
 * `("@method" "@target-uri")`, or over nothing at all, verifies, and then anyone who saw it can
 * attach any body; a draft-cavage signature need not cover `host`. So a signature counts here
 * only if it binds the method, this server's inbox URL and the body's digest (Fedify checks a
 * covered `Content-Digest` / the `Digest` header against the body), and if the host it was made
 * for is this server, so a POST signed for another server cannot be replayed here.
 *
 * What real peers send passes: GoToSocial signs `(request-target) host date digest`, Hollo
 * `(request-target) content-type date digest host`, snac `(request-target) host digest date`
 * (all draft-cavage); Fedify's own RFC 9421 signatures cover `@method @target-uri @authority
 * host date content-digest`.
 */

/** The components each RFC 9421 signature label lists, by label; null if the header is malformed. */
export function rfc9421Components(signatureInput: string): Map<string, string[]> | null {
  const labels = new Map<string, string[]>();
  for (const member of splitTopLevel(signatureInput)) {
    const m = /^\s*([a-z*][a-z0-9_\-.*]*)\s*=\s*\(([^)]*)\)/.exec(member);
    if (!m) return null;
    // Components are quoted strings, each optionally followed by `;param=...`.
    const components = [...m[2].matchAll(/(?:^|\s)"([^"\\]*)"/g)].map((c) => c[1].toLowerCase());
    labels.set(m[1], components);
  }
  return labels.size ? labels : null;
}

/** Splits a structured-field dictionary on commas outside quoted strings and inner lists. */
function splitTopLevel(header: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const ch = header[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(header.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(header.slice(start));
  return parts.filter((p) => p.trim() !== "");
}

/** The `headers` parameter of a draft-cavage Signature header, lower-cased. */
function cavageHeaders(signature: string): string[] | null {
  const m = /(?:^|,)\s*headers\s*=\s*"([^"]*)"/i.exec(signature);
  return m ? m[1].toLowerCase().trim().split(/\s+/) : null;
}

/**
 * Why the signature headers of an inbox POST are not acceptable, or null. `hosts` are the hosts
 * the request was addressed to (its URL's and its Host header's), `ownHost` this server's
 * (PUBLIC_URL's): Fedify derives `@authority` / `@target-uri` from the URL and `host` from the
 * header.
 * A request with no signature header is left to Fedify (it may carry an object proof).
 */
export function signatureProblem(
  headers: Headers,
  hosts: string[],
  ownHost: string,
): string | null {
  const input = headers.get("signature-input");
  const signature = headers.get("signature");
  if (input === null && signature === null) return null;
  const other = hosts.find((h) => h.toLowerCase() !== ownHost.toLowerCase());
  if (other !== undefined) return `Request was signed for ${other}, not for this server`;
  if (input !== null) {
    const labels = rfc9421Components(input);
    if (!labels) return "Signature-Input header is malformed";
    // Fedify accepts the request if any one label verifies: every label must be sufficient.
    for (const [label, c] of labels) {
      const target = c.includes("@target-uri") || (c.includes("@authority") && c.includes("@path"));
      if (!c.includes("@method") || !target || !c.includes("content-digest"))
        return `Signature ${label} must cover @method, @target-uri and content-digest`;
    }
    if (!headers.has("content-digest")) return "Content-Digest header is missing";
    return null;
  }
  const signed = cavageHeaders(signature ?? "");
  const missing = ["(request-target)", "host", "date", "digest"].filter(
    (h) => !signed?.includes(h),
  );
  if (missing.length) return `Signature must cover ${missing.join(", ")}`;
  if (!headers.has("digest")) return "Digest header is missing";
  return null;
}
