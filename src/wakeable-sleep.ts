/**
 * Sleeps up to `ms`, or until woken: `onWake` receives the function that ends
 * the sleep early, for whoever produces what the sleeper waits for.
 */
export function wakeableSleep(ms: number, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    onWake(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
