import { describe, expect, test } from 'vitest';
import { decideUnasked } from '../../src/bot/watch/policy.js';
import { createCodeBook } from '../../src/fixes/code-book.js';
import { understand } from '../../src/intents/understand.js';
import type { Understanding } from '../../src/report/understanding.js';

// The unasked-answer policy of watched channels, rule by rule (precision first: a bot that answers
// chatter is muted within a day). Messages here are written for the test, not taken from the corpus.
const top = { topLevel: true, answeredByOthers: false };
const base: Understanding = {
  intent: 'rdp_failure',
  confidence: 0.95,
  codes: [],
  hosts: [],
  gateway: null,
  symptoms: [],
};
const cue = { kind: 'cue' as const, id: 'clipboard', words: 'copy paste' };

describe('decideUnasked', () => {
  test.for([
    ['a reply inside a thread', base, { topLevel: false, answeredByOthers: false }, 'thread-reply'],
    [
      'a thread someone already answered',
      base,
      { topLevel: true, answeredByOthers: true },
      'already-answered',
    ],
    ['not an RDP problem', { ...base, intent: 'out_of_scope' }, top, 'not-rdp-problem'],
    ['a message that names nothing of RDP', { ...base, weakRdpSign: 'none' }, top, 'not-rdp-problem'],
    [
      'a weak sign with a cue, but the classifier unsure',
      { ...base, confidence: 0.75, weakRdpSign: 'remote', mentions: [cue] },
      top,
      'low-confidence',
    ],
    ['RDP named, nothing to triage, not very sure', { ...base, confidence: 0.85 }, top, 'nothing-to-triage'],
    [
      'a question with nothing of a failure in it, however sure the classifier',
      { ...base, confidence: 0.97, terms: ['who', 'owns', 'srv', 'need', 'rdp', 'access'] },
      top,
      'nothing-to-triage',
    ],
  ] as const)('%s: stays quiet', ([, understanding, context, code]) => {
    const decision = decideUnasked(understanding as Understanding, context);
    expect(decision.answer).toBe(false);
    if (!decision.answer) expect(decision.code).toBe(code);
  });

  test('RDP named with a cue needs less of the classifier (0.75 is enough)', () => {
    const decision = decideUnasked({ ...base, confidence: 0.75, mentions: [cue] }, top);
    expect(decision).toEqual({ answer: true, reason: 'a Remote Desktop failure (0.75 sure): "copy paste"' });
  });

  test('a very sure report that names RDP and says something is wrong is answered even when no phrase caught its wording', () => {
    expect(decideUnasked({ ...base, confidence: 0.95, broken: true }, top)).toMatchObject({ answer: true });
  });

  test('a message that names RDP but says nothing is wrong only talks about it, however sure the classifier', () => {
    expect(decideUnasked({ ...base, confidence: 0.99 }, top)).toMatchObject({
      answer: false,
      code: 'nothing-to-triage',
    });
  });

  test('a quality problem is answered and said to be one', () => {
    const decision = decideUnasked(
      { ...base, intent: 'rdp_slow_or_quality', symptoms: ['black_screen'] },
      top,
    );
    expect(decision.answer && decision.reason).toMatch(/^a Remote Desktop quality problem/);
  });
});

describe('through understand()', () => {
  const codeBook = createCodeBook();
  const decide = (text: string) => decideUnasked(understand(text, { codeBook }), top);

  test('an RDP problem with a symptom is answered; an errand with no sign of RDP is not', () => {
    expect(decide('copy paste stopped working in my rdp session to srv-app-07').answer).toBe(true);
    expect(decide('please order a new docking station for Sam and move the old one to storage').answer).toBe(
      false,
    );
  });

  test('a question about RDP with nothing broken in it is left to people; the same question with a failure is answered', () => {
    expect(decide('is there a way to make mremoteng rdp tabs span two monitors?')).toMatchObject({
      answer: false,
      code: 'nothing-to-triage',
    });
    expect(decide('how do i stop my rdp session to srv-app-07 from freezing every hour?').answer).toBe(true);
    expect(
      decide("mstsc says 'the remote computer requires network level authentication', how do i get in?")
        .answer,
    ).toBe(true);
  });

  test('a wish for a feature and a message saying the problem is solved are left to people', () => {
    expect(decide('would be nice if mremoteng had a use all monitors option for rdp')).toMatchObject({
      answer: false,
      reason: 'a wish for a Remote Desktop feature, nothing in it is broken',
    });
    expect(
      decide('finally got it working, the rdp access denied on srv-app-07 was the user group'),
    ).toMatchObject({ answer: false, reason: 'it says the problem is solved' });
  });

  test('asking how to set a behaviour is a question even when the behaviour is a disconnect; asking to stop one is a report', () => {
    expect(decide('where do i set the rds host to disconnect idle sessions after an hour?').answer).toBe(
      false,
    );
    expect(decide('how do i make the rdp session to srv-app-07 stop disconnecting every 10 min').answer).toBe(
      true,
    );
  });

  test('"not working again" is a failure, not a fix; a question that says what does not work is a report', () => {
    expect(decide('rdp to srv-app-07 is not working again since the patch').answer).toBe(true);
    expect(decide('rdp to srv-app-07 doesnt connect by hostname, only by ip, any idea?').answer).toBe(true);
  });

  // Near-miss families (issue 17): each pair is one message the policy must leave alone and one
  // close to it that it must answer.
  test.for([
    [
      'a tool that watches RDP logons is the topic, not RDP',
      'fail2ban is not banning the ips hammering rdp on our gateway box, the jail never triggers',
      'our rdp gateway box is hammered by logon attempts and now rdp to it fails with 0x3000046',
    ],
    [
      'the product said to work is the control of a comparison',
      'rdp works fine but teamviewer keeps dropping the connection to the kiosk pc',
      'vnc viewer works fine but rdp to the kiosk pc shows a black screen',
    ],
    [
      'an announcement of planned work is no report; a failure since the work is',
      'planned maintenance: the rd gateway will be unavailable sunday morning, save your work',
      'since the maintenance window last night rdp to srv-app-07 shows a black screen',
    ],
    [
      'a wished-for behaviour is no failure; a failure followed by a wish is one',
      'would it be possible to add an option to reconnect automatically when the rdp session drops?',
      'my rdp session to srv-app-07 drops every hour, would be nice if it came back by itself',
    ],
    [
      'an application that only runs on the RDS host is the topic; RDP failing there is ours',
      'onedrive stops syncing on our remote desktop session host every morning',
      'copy paste stops working on our remote desktop session host every morning',
    ],
    [
      'an application reached from the terminal server is the topic; RDP to it is ours',
      'the sql login from our terminal server fails with error 18456 since the patch',
      'rdp to our terminal server fails with an internal error since the patch',
    ],
    [
      'an errand asked of the helpdesk is no failure; a failure before the ask is one',
      'can someone add jo to the remote desktop users group on srv-app-07?',
      'jo gets "not authorized for remote login" on srv-app-07, can someone add her to the group?',
    ],
    [
      'a finding shared with the channel, or a short note that it works now, is no report; asking how to fix one is',
      'psa: if rdp shows a black screen after the update, ctrl+alt+end brings the desktop back',
      'rdp to srv-app-07 shows a black screen after the update, how do i fix it?',
    ],
    [
      'a note that the problem is fixed is no report; a fix that did not help is one',
      'the rdp black screen on srv-app-07 works now after rolling back the display driver',
      'rdp to srv-app-07 still shows a black screen, rolling back the display driver did not fix it',
    ],
    [
      'asking whether what one sees is normal is a question; the same sight reported is a problem',
      'rdp to srv-app-07 freezes for a second right after logon and then carries on, is that expected?',
      'rdp to srv-app-07 freezes right after logon and never carries on, what can i do?',
    ],
    [
      "the helpdesk's own incident notice is no report; a user's report of the same is",
      'known issue: rdp to the finance farm drops every few minutes, we will keep you posted',
      'rdp to the finance farm drops every few minutes since lunch, anyone else?',
    ],
    [
      'advice to someone else is no request for help; the same steps tried by the writer are',
      'have you tried rebooting the rdp host? that usually fixes the black screen after logon',
      'i rebooted the rdp host and still get a black screen after logon',
    ],
    [
      'a failure word after "no" or "without" says it is absent; a short note that it is fine now is solved',
      'rdp to srv-app-07 was slow this morning but seems fine now',
      'rdp to srv-app-07 was fine this morning but is slow now',
    ],
  ] as const)('%s', ([, quiet, answered]) => {
    expect(decide(quiet).answer).toBe(false);
    expect(decide(answered).answer).toBe(true);
  });

  test.for([
    [
      'an application said to work is not the topic',
      'onedrive is fine on my laptop but in the rdp session the clipboard does not work',
    ],
    [
      '"would it be possible that …" speculates, it wishes for nothing',
      'would it be possible that the update broke rdp? since tuesday i get an internal error has occurred',
    ],
  ] as const)('%s: answered', ([, text]) => {
    expect(decide(text).answer).toBe(true);
  });

  test('"without errors so far" names no failure', () => {
    expect(
      understand('just moved 40 users to the new terminal server, rdp without errors so far', { codeBook })
        .broken,
    ).toBeUndefined();
  });

  test('talk about RDP that names nothing broken is left to people', () => {
    expect(decide('we switched off rdp on every workstation last week as part of the hardening').answer).toBe(
      false,
    );
    expect(decide('windows update on the rds host stops with 0x800f0922 tonight').answer).toBe(false);
    expect(decide('since KB5034441 went on, rdp to srv-app-07 shows a black screen').answer).toBe(true);
  });

  test.for([
    ['a FreeRDP 3 client name', 'xfreerdp3 to the lab vm now stops with a certificate verification failure'],
    [
      'an RDP-only client switch',
      'since today /multimon only fills one of my three screens, all three were fine',
    ],
    [
      'Hyper-V enhanced session (RDP over VMBus)',
      'hyper-v enhanced session mode hangs on a grey screen for my vm',
    ],
    [
      'KDE Remote Desktop Client',
      'krdc to my windows 11 pc asks for the password and then the session just closes',
    ],
  ] as const)('%s names Remote Desktop: answered', ([, text]) => {
    expect(decide(text).answer).toBe(true);
  });

  test('"via" before a short name that is not named like a gateway is no gateway', () => {
    expect(understand('the scanner only works via usb-hub-3 now', { codeBook }).gateway).toBeNull();
    expect(understand('rdp 0x904 on srv-fin-02 via rdg01', { codeBook }).gateway).toBe('rdg01');
  });
});
