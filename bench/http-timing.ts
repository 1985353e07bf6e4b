/** Keep-alive HTTP timing for the page benches: one GET, and many with req/s, p50 and p99. */

/** Uncompressed (as the ceiling answers): the figure is rendering, not gzip. */
export async function get(
  url: string,
  headers: Record<string, string>,
): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(url, { headers: { ...headers, "accept-encoding": "identity" } });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** `count` requests from `concurrency` keep-alive clients: req/s, p50 and p99 (ms). */
export async function timed(
  url: string,
  headers: Record<string, string>,
  count: number,
  concurrency: number,
) {
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const t = performance.now();
        await get(url, headers);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))];
  return { rate: count / seconds, p50: at(0.5), p99: at(0.99) };
}
