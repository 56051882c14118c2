/**
 * Settles with `promise`, or rejects with the signal's reason as soon as `signal` aborts — for
 * work that takes no signal of its own (getaddrinfo, a worker-thread OCR job, an ssh2 connect).
 * The listener is removed either way, so nothing outlives the call.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
