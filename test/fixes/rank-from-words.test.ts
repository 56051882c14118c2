import { describe, expect, test } from 'vitest';
import { loadBuiltinKnowledgeBase } from '../../src/fixes/builtin-kb.js';
import { createCodeBook } from '../../src/fixes/code-book.js';
import { rank } from '../../src/fixes/rank.js';
import { understand } from '../../src/intents/understand.js';

// Ranking from the whole message (issue 17, item 2): the mechanisms that read the user's words
// beyond codes, each checked on a message written for this test (no corpus line).
const kb = loadBuiltinKnowledgeBase();
const codeBook = createCodeBook(kb);
const ids = (text: string) => rank(understand(text, { codeBook }), [], {}, kb).map((fix) => fix.id);

describe('platform fixes are offered only where the message shows the platform (onlyWith)', () => {
  test('an xrdp fix needs an xrdp host; a FreeRDP option needs a FreeRDP client', () => {
    expect(ids('rdp to the server shows a black screen after login')).not.toContain(
      'xrdp-xwrapper-allowed-users',
    );
    expect(ids('rdp to our ubuntu xrdp server shows a black screen after login').slice(0, 3)).toContain(
      'xrdp-xwrapper-allowed-users',
    );
    expect(ids('mstsc to the win7 box fails with a tls error')).not.toContain(
      'client-openssl-allow-legacy-tls',
    );
    expect(ids('xfreerdp to the win7 box fails with ERRCONNECT_TLS_CONNECT_FAILED').slice(0, 3)).toContain(
      'client-openssl-allow-legacy-tls',
    );
  });
});

describe('cues rule causes out (dampen)', () => {
  test('on an xrdp host the Windows display-driver fixes drop below the xrdp ones', () => {
    const list = ids('black screen after login to xrdp on debian');
    const xrdp = list.findIndex((id) => id.startsWith('xrdp-'));
    const wddm = list.indexOf('disable-wddm-remote-display');
    expect(xrdp).toBeGreaterThanOrEqual(0);
    expect(wddm === -1 || wddm > xrdp).toBe(true);
  });
});

describe('a session that does not survive a disconnect', () => {
  test('"all my programs are closed" after a disconnect points at the disconnected-session limit', () => {
    const read = understand('whenever my rdp session drops and i reconnect, my programs are closed', {
      codeBook,
    });
    expect(read.symptoms).toContain('session_not_kept');
    expect(
      rank(read, [], {}, kb)
        .slice(0, 3)
        .map((fix) => fix.id),
    ).toContain('session-time-limits');
  });
});

describe('a cue with a symptom (cueCombinations)', () => {
  test('a new cloud VM that rejects its password: reset it from the console; on-premises, not offered', () => {
    expect(ids('new azure vm, rdp says the credentials did not work').slice(0, 3)).toContain(
      'reset-vm-admin-password',
    );
    expect(ids('rdp to the file server says the credentials did not work')).not.toContain(
      'reset-vm-admin-password',
    );
  });

  test('"xrdp" with "slow" is the TCP send buffer; "slow" alone is not', () => {
    expect(ids('xrdp is really slow over the lan').slice(0, 3)).toContain('xrdp-increase-tcp-send-buffer');
    expect(ids('rdp is really slow over the lan')).not.toContain('xrdp-increase-tcp-send-buffer');
  });
});

describe('FreeRDP connect errors', () => {
  test('read by name and by the value FreeRDP prints, explained by the knowledge base', () => {
    const named = understand('remmina: ERRCONNECT_LOGON_FAILURE', { codeBook });
    expect(named.codes).toEqual([{ value: '0x20014', role: 'unknown', name: 'ERRCONNECT_LOGON_FAILURE' }]);
    const valued = understand('xfreerdp: transport_read_layer [0x0002000D]', { codeBook });
    expect(valued.codes.map((code) => code.value)).toEqual(['0x2000d']);
    const fixes = rank(named, [], {}, kb);
    expect(
      fixes
        .slice(0, 3)
        .flatMap((fix) => fix.reasons)
        .join(' '),
    ).toContain('ERRCONNECT_LOGON_FAILURE');
  });
});

describe('quotes do not hide a phrase', () => {
  test("'Your credentials did not work' in quotes is still the credentials symptom", () => {
    expect(understand("i get 'Your credentials did not work'. help?", { codeBook }).symptoms).toContain(
      'credentials_rejected',
    );
  });
});

describe('the message against each fix’s own text (textMatch)', () => {
  test('a wording no rule knows finds its fix by the fix’s description, and says which words', () => {
    const text = 'vrde does not work on my virtualbox vm after installing the extension pack';
    const top = rank(understand(text, { codeBook }), [], {}, kb)[0];
    expect(top?.id).toBe('virtualbox-vrde-module');
    expect(top?.reasons.join(' ')).toMatch(/Your words match this fix's description \(.*"vrde"/);
  });

  test('words read as a code name or as something already tried are not text again', () => {
    const read = understand('remmina: ERRCONNECT_LOGON_FAILURE. already cleared the saved credentials', {
      codeBook,
    });
    expect(read.terms).toContain('remmina');
    expect(read.terms).not.toContain('errconnect');
    expect(read.terms).not.toContain('cleared');
  });
});

describe('shorthand and deployment wording', () => {
  test('"the creds get rejected" is rejected credentials; a VM from a template with its adminPassword is a cloud VM', () => {
    const read = understand(
      'deployed the lab vm from our arm json with a new adminPassword, rdp rejects my password',
      {
        codeBook,
      },
    );
    expect(read.symptoms).toContain('credentials_rejected');
    expect(
      rank(read, [], {}, kb)
        .slice(0, 3)
        .map((fix) => fix.id),
    ).toContain('reset-vm-admin-password');
    expect(
      understand('rdp to srv-app-07: the creds get rejected since monday', { codeBook }).symptoms,
    ).toContain('credentials_rejected');
  });
});

describe('a client named with its version (cue client_version)', () => {
  test('the version is read as a cue and puts the client update in the top 3', () => {
    const read = understand(
      'remmina 1.3.4 on debian: the rdp clipboard to the windows host stopped syncing',
      {
        codeBook,
      },
    );
    expect(read.mentions).toContainEqual({ kind: 'cue', id: 'client_version', words: 'remmina 1 3' });
    expect(
      rank(read, [], {}, kb)
        .slice(0, 3)
        .map((fix) => fix.id),
    ).toContain('update-rdp-client');
    expect(
      understand('rdp to srv-app-07 on port 3389 fails since 2 10', { codeBook }).mentions ?? [],
    ).not.toContainEqual(expect.objectContaining({ id: 'client_version' }));
  });
});
