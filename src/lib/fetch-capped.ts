import { readAtMost } from "./body.ts";

/**
 * GETs a remote file of at most `maxBytes`, or says why not. It goes through the global fetch,
 * which Tern wraps once per process (lib/outbound-fetch.ts): overall deadline, address guard on
 * every hop and our User-Agent. Never throws: callers keep their link when this fails.
 */
export async function fetchCapped(
  url: string,
  maxBytes: number,
  accept = "*/*",
): Promise<{ bytes: Uint8Array } | { error: string }> {
  try {
    const res = await fetch(url, { headers: { accept }, redirect: "follow" });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      return { error: `HTTP ${res.status}` };
    }
    if (Number(res.headers.get("content-length") ?? "0") > maxBytes) {
      await res.body?.cancel().catch(() => {});
      return { error: `larger than ${maxBytes} bytes` };
    }
    const bytes = await readAtMost(res.body, maxBytes);
    return bytes ? { bytes } : { error: `larger than ${maxBytes} bytes` };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
