import { describe, test } from 'vitest';

/**
 * A prerequisite the tests need (a server binary, root, the lab). A missing one is a failing
 * test that names it, on CI and everywhere else: a test that cannot run never passes, and it is
 * never skipped either — a skipped test checks nothing, and a green run must mean the tests ran.
 */
function cannotRun(missing: string): never {
  throw new Error(`cannot run: ${missing}`);
}

/** `describe(name, body)` when nothing is missing; otherwise one failing test that names what is. */
export function describeIfPresent(name: string, missing: string, body: () => void): void {
  if (missing === '') describe(name, body);
  else
    describe(name, () => {
      test(`needs ${missing}`, () => cannotRun(missing));
    });
}

/** Inside a test: fails it, naming the reason, when something it needs is missing. */
export function failIfMissing(missing: string | undefined): void {
  if (missing) cannotRun(missing);
}
