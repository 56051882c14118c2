// Apart from watch-schema.ts so the watch policy (and `classify`) can read the default without
// loading the config schema and zod.

/**
 * Chosen on the dev split of test/fixtures/corpus by `npm run eval:watch -- --split dev`:
 * thresholds from 0.5 to 0.8 give the same precision there, recall falls above 0.8.
 */
export const DEFAULT_WATCH_MIN_CONFIDENCE = 0.8;
