import { preloadedContexts } from "@fedify/vocab-runtime";

/** Fedify's bundled context documents, by identity: its loaders hand out these very objects. */
const bundled = new Set<unknown>(Object.values(preloadedContexts));

type Loader = (url: string, options?: unknown) => Promise<{ document: unknown; tag?: string }>;

/**
 * Marks the JSON-LD contexts Fedify ships with (ActivityStreams, security, …) as static for
 * jsonld. jsonld keeps a context it resolved, and the active contexts it processed from it, in a
 * process-wide cache only when the loader tags the document "static"; Fedify's loader returns its
 * bundled copies untagged, so every expansion (two to four per parsed activity) fetched and
 * processed the ActivityStreams context again: about 0.2 ms of each parse. A bundled copy never
 * changes while the process runs, so keeping it is exact; any other context (fetched from its
 * server) is passed on untagged, as before.
 */
export function withStaticContexts<L extends Loader>(loader: L): L {
  const tagged = async (url: string, options?: unknown) => {
    const remote = await loader(url, options);
    return bundled.has(remote.document) ? { ...remote, tag: "static" } : remote;
  };
  return tagged as L;
}
