import { describe, type TestContext } from 'vitest';

/**
 * A prerequisite the tests need (a server binary, root, the lab). On CI (`CI` set, as `.ci/run`
 * sets it) a missing one fails the run with its reason: a green CI must mean the integration tests
 * ran. Elsewhere the caller turns the returned reason into a real vitest skip that the summary
 * counts — never a test that returns early and passes.
 */
export function requiredOnCi(missing: string): string {
  if (missing !== '' && process.env.CI) throw new Error(`required on CI, but ${missing}`);
  return missing;
}

/**
 * `describe(name, body)` when nothing is missing. Otherwise the same suite under `describe.skip`,
 * its name carrying the reason (every test in it counted as skipped), and on CI a failure.
 */
export function describeIfPresent(name: string, missing: string, body: () => void): void {
  if (requiredOnCi(missing) === '') describe(name, body);
  else describe.skip(`${name}: skipped, ${missing}`, body);
}

/** Inside a test: a counted skip with the reason when something is missing, and on CI a failure. */
export function skipIfMissing(ctx: TestContext, missing: string | undefined): void {
  if (missing) ctx.skip(requiredOnCi(missing));
}
