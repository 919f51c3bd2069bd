/**
 * Call time for `stream`: milliseconds since the socket opened. `sleep` waits for real; `skip` moves call time
 * on without waiting (the --fast mode, while there is audio to send or play), yielding once so socket messages
 * are still read. Tests pass their own clock.
 */
export type Clock = {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  skip: (ms: number) => Promise<void>;
};

export function createClock(): Clock {
  const origin = performance.now();
  let skipped = 0;
  return {
    now: () => performance.now() - origin + skipped,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    skip: (ms) => {
      skipped += ms;
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}
