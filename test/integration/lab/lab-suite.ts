import { inject, test } from 'vitest';
import { describeIfPresent } from '../../helpers/required-on-ci.js';
import type { LabInfo } from './lab-plan.js';

/**
 * A suite that runs against the lab started by global-setup.ts: `body` gets the running lab.
 * Without one, a counted skip naming the reason (and on CI a failure, test/helpers/required-on-ci.ts).
 */
export function describeWithLab(name: string, body: (lab: LabInfo) => void): void {
  const lab = inject('lab');
  if (lab) describeIfPresent(`${name} (${lab.mode})`, '', () => body(lab));
  else
    describeIfPresent(name, inject('labSkipReason') || 'the lab did not start', () =>
      test.todo('needs the lab'),
    );
}
