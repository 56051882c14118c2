/**
 * A signal that aborts after `ms` with a `TimeoutError`, like `AbortSignal.timeout(ms)`, but held
 * alive by its own timer until it fires.
 *
 * Why not `AbortSignal.timeout`: Node holds that signal only weakly, and `AbortSignal.any` holds
 * its sources weakly too. A deadline made inline — `AbortSignal.any([signal,
 * AbortSignal.timeout(ms)])`, the usual idiom — is garbage once the call returns; after the next
 * GC it never fires (reproduced on Node 20.20: a gateway probe against a server that never answers
 * HTTP ran until the caller's 30 s signal instead of its 4 s deadline). The timer is unref'd, so a
 * pending deadline never keeps the process alive, and it lets go of the signal when it fires.
 */
export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    Math.max(0, ms),
  );
  timer.unref();
  return controller.signal;
}
