/**
 * What the generated screenshots show: the Remote Desktop Connection error dialog with the texts
 * users paste most (rdp-facts.md §9) and the codes its details part shows (rdp-facts.md §1:
 * "Error code: 0x204" / "Extended error code: 0x0"). The host appears where a real screenshot
 * shows it: the Computer field of the connection window behind the dialog, the session window's
 * title, or the message itself (0x104 "can't find the computer", CredSSP "Remote computer:").
 */

export type HostPlacement = 'computer-field' | 'session-title' | 'message';

export interface DialogScenario {
  id: string;
  /** Message lines as the dialog wraps them; `{host}` and `{gateway}` are filled in. */
  message: string[];
  /** The details part; absent for dialogs that have none (CredSSP). */
  codes?: { error: string; extended: string };
  host: string;
  placement: HostPlacement;
  gateway?: string;
}

export const SCENARIOS: readonly DialogScenario[] = [
  {
    id: 'cant-connect-904-7',
    message: [
      "This computer can't connect to the remote computer.",
      '',
      'Try connecting again. If the problem continues, contact the',
      'owner of the remote computer or your network administrator.',
    ],
    codes: { error: '0x904', extended: '0x7' },
    host: 'srv-fin-02',
    placement: 'computer-field',
  },
  {
    id: 'reasons-204',
    message: [
      "Remote Desktop can't connect to the remote computer for one of",
      'these reasons:',
      '1) Remote access to the server is not enabled',
      '2) The remote computer is turned off',
      '3) The remote computer is not available on the network',
      'Make sure the remote computer is turned on and connected to the',
      'network, and that remote access is enabled.',
    ],
    codes: { error: '0x204', extended: '0x0' },
    host: 'app01.corp.example',
    placement: 'computer-field',
  },
  {
    id: 'internal-error-4',
    message: ['An internal error has occurred.'],
    codes: { error: '0x4', extended: '0x0' },
    host: 'ts-hr-01',
    placement: 'session-title',
  },
  {
    id: 'dns-104',
    message: [
      'Remote Desktop can\'t find the computer "{host}". This',
      'might mean that "{host}" does not belong to the specified',
      'network. Verify the computer name and domain that you are',
      'trying to connect to.',
    ],
    codes: { error: '0x104', extended: '0x0' },
    host: 'build-agent-7',
    placement: 'message',
  },
  {
    id: 'security-406',
    message: [
      'Because of a security error, the client could not connect to the',
      'remote computer. Verify that you are logged on to the network,',
      'and then try connecting again.',
    ],
    codes: { error: '0x406', extended: '0x0' },
    host: 'rds-03.branch.example.net',
    placement: 'computer-field',
  },
  {
    id: 'licensing-101',
    message: [
      'The remote session was disconnected because there are no',
      'Remote Desktop License Servers available to provide a license.',
      'Please contact the server administrator.',
    ],
    codes: { error: '0x904', extended: '0x101' },
    host: 'rdsh-05',
    placement: 'session-title',
  },
  {
    id: 'console-708',
    message: [
      'Your computer could not connect to another console session on',
      'the remote computer because you already have a console session',
      'in progress.',
    ],
    codes: { error: '0x708', extended: '0x0' },
    host: '10.20.30.40',
    placement: 'computer-field',
  },
  {
    id: 'protocol-112f',
    message: [
      'Because of a protocol error (code: 0x112f), the remote session',
      'will be disconnected. Please try connecting to the remote',
      'computer again.',
    ],
    codes: { error: '0x904', extended: '0x112f' },
    host: 'vdi-ops-11',
    placement: 'session-title',
  },
  {
    id: 'licensing-timeout-908',
    message: [
      'A licensing error occurred while the client was attempting to',
      'connect (Licensing timed out). Please try connecting to the',
      'remote computer again.',
    ],
    codes: { error: '0x908', extended: '0x0' },
    host: 'srv-acct-12.corp.example',
    placement: 'computer-field',
  },
  {
    id: 'credssp',
    message: [
      'An authentication error has occurred.',
      'The function requested is not supported',
      '',
      'Remote computer: {host}',
      'This could be due to CredSSP encryption oracle remediation.',
    ],
    host: 'srv-fin-03',
    placement: 'message',
  },
];

/** What a perfect reading of the image yields: the codes in the dialog and the host it names. */
export function expectedReading(scenario: DialogScenario): { codes: string[]; host: string } {
  const inMessage = scenario.message.join(' ').match(/code: (0x[0-9a-f]+)/)?.[1];
  const codes = new Set<string>();
  if (inMessage) codes.add(inMessage);
  if (scenario.codes) {
    codes.add(scenario.codes.error);
    codes.add(scenario.codes.extended);
  }
  return { codes: [...codes].sort(), host: scenario.host.toLowerCase() };
}
