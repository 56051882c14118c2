import { describe, expect, test } from 'vitest';
import { readSlackButton, SLACK_BUTTON_IDS } from '../../../src/bot/render/slack-buttons.js';

const where = { channel: 'C1', ts: '1.5' };

describe('readSlackButton reads back what renderSlack put in a button', () => {
  test('every button kind becomes the core press, keyed by the message', () => {
    const vote = JSON.stringify({ fix: 'force-tcp', codes: ['0x904'] });
    expect(readSlackButton({ actionId: 'fix_helped', value: vote, ...where })).toEqual({
      verb: 'feedback',
      key: 'slack:C1:1.5',
      fixId: 'force-tcp',
      codes: ['0x904'],
      helped: true,
    });
    expect(readSlackButton({ actionId: 'fix_not_helped', value: vote, ...where })).toMatchObject({
      helped: false,
    });
    expect(readSlackButton({ actionId: 'show_all_fixes', value: 'all', ...where })).toEqual({
      verb: 'showAll',
      key: 'slack:C1:1.5',
    });
    expect(readSlackButton({ actionId: 'rerun_probes', value: 'rdp 0x204 on srv', ...where })).toEqual({
      verb: 'rerun',
      text: 'rdp 0x204 on srv',
      key: 'slack:C1:1.5',
    });
    expect(readSlackButton({ actionId: 'incident_acknowledge', value: 'INC-3', ...where })).toEqual({
      verb: 'incident',
      id: 'INC-3',
      action: 'acknowledge',
      channel: 'C1',
    });
  });

  test('a forged or truncated value, an empty rerun, an unknown action: null', () => {
    expect(readSlackButton({ actionId: 'fix_helped', value: '{"fix":', ...where })).toBeNull();
    expect(
      readSlackButton({ actionId: 'fix_helped', value: '{"fix":"x","codes":"no"}', ...where }),
    ).toBeNull();
    expect(readSlackButton({ actionId: 'rerun_probes', value: '  ', ...where })).toBeNull();
    expect(readSlackButton({ actionId: 'delete_everything', value: '', ...where })).toBeNull();
  });

  test('Bolt listens for every action id the renderer uses', () => {
    expect(SLACK_BUTTON_IDS).toEqual(
      expect.arrayContaining([
        'fix_helped',
        'fix_not_helped',
        'show_all_fixes',
        'rerun_probes',
        'incident_resolve',
      ]),
    );
  });
});
