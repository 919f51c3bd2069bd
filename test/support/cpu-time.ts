/**
 * CPU time of a piece of synchronous work, for tests that compare costs (a ratio, never an absolute bound).
 * Wall-clock time on a shared machine stretches with whatever else runs; the CPU time this process spends is
 * much steadier. The best of a few runs drops the ones a garbage collection or a cold cache happened to hit.
 */
export function cpuMs(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** The lowest CPU time of `runs` runs of each piece of work, run in turns so both meet the same conditions. */
export function bestCpuMs(runs: number, ...works: ReadonlyArray<() => void>): number[] {
  const best = works.map(() => Number.POSITIVE_INFINITY);
  for (let i = 0; i < runs; i++) {
    works.forEach((work, w) => {
      best[w] = Math.min(best[w] ?? Number.POSITIVE_INFINITY, cpuMs(work));
    });
  }
  return best;
}
