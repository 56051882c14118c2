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
