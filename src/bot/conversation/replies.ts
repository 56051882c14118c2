/** Fixed texts of the conversation (help, out of scope, empty). Surfaces render them as they are. */

export const HELP_TEXT = [
  'I triage Remote Desktop (RDP) failures. Tell me the error and the host, for example:',
  '  rdp 0x904 extended 0x7 on srv-fin-02',
  '  "Error code: 0x204 / Extended error code: 0x0" connecting to 10.1.2.3',
  '  black screen then it closes on build-agent-7 via rdg.corp.example',
  'I decode the codes, probe the host from inside the network (DNS, TCP 3389, RDP negotiation,',
  'certificate, gateway) and rank fixes by what I find, with commands you can paste.',
  '"rdp status" lists the open incidents (outages several people reported, or a monitor found).',
].join('\n');

export const EMPTY_TEXT =
  'Your message was empty. Tell me the RDP error code and the host, e.g. "rdp 0x904 on srv-fin-02".';

export const FEEDBACK_TEXT = 'Thanks for the feedback — it helps me rank fixes for the next person.';

export function outOfScopeText(_text: string): string {
  return [
    "That doesn't look like a Remote Desktop problem, so I won't probe anything.",
    'I only handle RDP connection failures (error codes like 0x904, 0x204, "An internal error has occurred").',
    'For VPN, e-mail, printers, passwords or other apps, please contact the helpdesk as usual.',
    'Type "help" to see what I can do.',
  ].join('\n');
}

/** What a report's buttons answer when they cannot simply redraw the report (every surface says the same). */
export const BUTTON_TEXTS = {
  voteRecorded: 'Thanks — your vote is recorded.',
  voteNotStored: 'Your vote could not be stored; please try again later.',
  expired:
    'I no longer have this report in memory (the bot restarted or it is old). Press "Run probes again" for a fresh one.',
  alreadyRunning: 'The probes are already running.',
  rerunning: 'Running the probes again…',
} as const;
