import { describe, expect, test } from 'vitest';
import { classifyChannelFailure } from '../../src/probes/tunnel.js';

// ssh2's forwardOut errors from OpenSSH 9.2 (lab-notes §5, gotcha 12): reason is 2 for all of them.
describe('forwardOut failure text → connect failure kind', () => {
  test.for([
    { text: '(SSH) Channel open failure: Connection refused', kind: 'refused', jumpCode: undefined },
    { text: '(SSH) Channel open failure: No route to host', kind: 'unreachable', jumpCode: undefined },
    { text: '(SSH) Channel open failure: Connection timed out', kind: 'timeout', jumpCode: undefined },
    { text: '(SSH) Channel open failure: Name or service not known', kind: 'dns', jumpCode: undefined },
    {
      text: '(SSH) Channel open failure: Temporary failure in name resolution',
      kind: 'dns',
      jumpCode: undefined,
    },
    { text: '(SSH) Channel open failure: open failed', kind: 'jump', jumpCode: 'JUMP_CHANNEL_REFUSED' },
    {
      text: '(SSH) Channel open failure: administratively prohibited: open failed',
      kind: 'jump',
      jumpCode: 'JUMP_CHANNEL_REFUSED',
    },
    { text: 'No response from server', kind: 'jump', jumpCode: 'JUMP_UNREACHABLE' },
    { text: 'Not connected', kind: 'jump', jumpCode: 'JUMP_UNREACHABLE' },
  ])('$text', ({ text, kind, jumpCode }) => {
    const failure = classifyChannelFailure(Object.assign(new Error(text), { reason: 2 }), '10.77.0.10:3389');
    expect(failure.kind).toBe(kind);
    expect(failure.jumpCode).toBe(jumpCode);
    expect(failure.message).toContain('10.77.0.10:3389');
  });
});
