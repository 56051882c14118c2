import { describe, expect, test } from 'vitest';
import { loadBuiltinKnowledgeBase } from '../../src/fixes/builtin-kb.js';
import { createCodeBook } from '../../src/fixes/code-book.js';
import { lookupCode } from '../../src/fixes/lookup-code.js';
import { searchKnowledgeBase } from '../../src/fixes/search-kb.js';
import { understand } from '../../src/intents/understand.js';

const kb = loadBuiltinKnowledgeBase();

describe('lookupCode', () => {
  test('0x904 shows the four fixes of the 0x904 guide with their commands', () => {
    const result = lookupCode(kb, '0x904');
    expect(result.entries.map((e) => e.name)).toEqual(['disconnectReasonAtClientWinsockFDCLOSE']);
    const byId = new Map(result.fixes.map((fix) => [fix.id, fix]));
    const code = (id: string) =>
      byId
        .get(id)
        ?.steps.flatMap((s) => (s.snippet ? [s.snippet.code] : []))
        .join('\n') ?? '';
    expect(code('force-tcp-disable-udp')).toContain('fClientDisableUDP /t REG_DWORD /d 1');
    expect(code('rdgateway-client-logging')).toMatch(
      /RDGClientTrace -Type DWord -Value 15[\s\S]*RDGClientTraceFile/,
    );
    expect(byId.get('rdgateway-ssl-inspection-bypass')?.steps[0]?.text).toMatch(/TCP 443 .*UDP 3391/);
    expect(code('clear-saved-credentials')).toMatch(
      /cmdkey \/list[\s\S]*cmdkey \/delete:"TERMSRV\/<server>"/,
    );
  });

  test('0x7 explains the extended reason first, then the errorInfo twin', () => {
    const result = lookupCode(kb, '0x7');
    expect(result.entries.map((e) => `${e.kind} ${e.name}`)).toEqual([
      'extended exDiscReasonServerDeniedConnection',
      'error_info ERRINFO_SERVER_DENIED_CONNECTION',
    ]);
    expect(result.entries[0]?.meaning).toMatch(/server denied the connection/i);
    expect(result.fixes[0]?.id).toBe('read-server-logs');
  });

  test.for(['2308', '0X00000904', '0x904', ' 0x0904 ', '904'])(
    '"%s" finds the same entry as 0x904',
    (input) => {
      const result = lookupCode(kb, input);
      expect(result.value).toBe('0x904');
      expect(result.entries[0]?.name).toBe('disconnectReasonAtClientWinsockFDCLOSE');
    },
  );

  test('names are found case-insensitively', () => {
    expect(lookupCode(kb, 'exdiscreasonserverdeniedconnection').value).toBe('0x7');
    expect(lookupCode(kb, 'E_PROXY_NAP_ACCESSDENIED').entries[0]?.kind).toBe('gateway');
    expect(lookupCode(kb, 'ConnectionFailedNoHealthyRdshAvailable').fixes[0]?.id).toBe(
      'avd-host-pool-health',
    );
  });

  test('0x516 is unknown, read as decimal 516 = 0x204', () => {
    const result = lookupCode(kb, '0x516');
    expect(result.value).toBe('0x204');
    expect(result.notes.join(' ')).toMatch(/0x516 is not in the knowledge base.*decimal 516 it is 0x204/);
  });

  test('an unknown code in a known range says so and still gives first steps', () => {
    const result = lookupCode(kb, '0x3000066');
    expect(result.entries).toEqual([]);
    expect(result.notes.join(' ')).toContain('RD Gateway / remote-resource family');
    expect(result.fixes.length).toBeGreaterThan(0);
  });

  test('input that is not a code is answered, not thrown', () => {
    const result = lookupCode(kb, 'rm -rf /');
    expect(result.value).toBeNull();
    expect(result.notes[0]).toMatch(/neither a code/);
    expect(result.fixes.length).toBeGreaterThan(0);
  });
});

describe('searchKnowledgeBase', () => {
  test('a sentence from the dialog finds the code and the fix', () => {
    const result = searchKnowledgeBase(kb, 'time or date difference');
    // The dialog's own code and the NTSTATUS the domain controller returns for the same skew.
    expect(result.codes.slice(0, 2).map((hit) => hit.entry.value)).toEqual(
      expect.arrayContaining(['0x1d07', '0xc0000133']),
    );
    expect(result.fixes.map((hit) => hit.fix.id)).toContain('resync-time');
  });

  test('with what understand() read, a dialog sentence finds the fixes the bot would rank first', () => {
    const sentence =
      'the remote session was disconnected because there are no Remote Desktop License Servers available';
    const read = searchKnowledgeBase(
      kb,
      sentence,
      10,
      understand(sentence, { codeBook: createCodeBook(kb) }),
    );
    expect(read.fixes[0]?.fix.id).toBe('rd-licensing-diagnose');
    expect(read.fixes.slice(0, 3).map((hit) => hit.fix.id)).toContain('license-server-reachability');
  });

  test('names and command words find fixes', () => {
    expect(searchKnowledgeBase(kb, 'cmdkey').fixes[0]?.fix.id).toBe('clear-saved-credentials');
    expect(searchKnowledgeBase(kb, 'licensing').fixes[0]?.fix.id).toBe('rd-licensing-diagnose');
    expect(searchKnowledgeBase(kb, '  ')).toEqual({ codes: [], fixes: [] });
  });
});
