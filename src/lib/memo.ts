/** The value kept under `key`, made (once) by `make` when there is none yet. */
export function remembered<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  const kept = map.get(key);
  if (kept !== undefined) return kept;
  const made = make();
  map.set(key, made);
  return made;
}
