/**
 * Kahn's sort into levels: every item in level k depends only on items in levels < k, so a
 * level is what can run in parallel. Order inside a level follows `items`, so the result is
 * deterministic. A cycle comes back as data (the path, first item repeated at the end).
 */
export function sortIntoLevels<T extends string>(items: readonly T[], dependsOn: (item: T) => readonly T[]): { levels: T[][] } | { cycle: T[] } {
  const level = new Map<T, number>();
  const remaining = new Set(items);
  const levels: T[][] = [];
  while (remaining.size > 0) {
    const ready = items.filter((i) => remaining.has(i) && dependsOn(i).every((d) => level.has(d) || !items.includes(d)));
    if (ready.length === 0) return { cycle: findCycle([...remaining], dependsOn) };
    for (const i of ready) {
      level.set(i, levels.length);
      remaining.delete(i);
    }
    levels.push(ready);
  }
  return { levels };
}

function findCycle<T>(stuck: T[], dependsOn: (item: T) => readonly T[]): T[] {
  // Every stuck item has a stuck dependency, so walking them must revisit one.
  const inStuck = new Set(stuck);
  const path: T[] = [];
  let cur = stuck[0]!;
  while (!path.includes(cur)) {
    path.push(cur);
    cur = dependsOn(cur).find((d) => inStuck.has(d))!;
  }
  return [...path.slice(path.indexOf(cur)), cur];
}
