import { describe, expect, test } from 'vitest';
import { EMPTY_CODE_BOOK } from '../../src/intents/code-book.js';
import { parseCodes } from '../../src/intents/codes.js';
import { normalizeMessage } from '../../src/intents/normalize-message.js';
import { createFixtureCodeBook } from './fixture-code-book.js';

const codeBook = createFixtureCodeBook();
const read = (text: string) =>
  parseCodes(normalizeMessage(text), codeBook).map((c) => `${c.value}:${c.role}`);

describe('codes in the notations people use', () => {
  test.for([
    ['rdp 0x904 on srv-fin-02', ['0x904:disconnect']],
    ['0X00000904 when connecting', ['0x904:disconnect']],
    ['rdp 904 on srv-fin-02', ['0x904:disconnect']],
    ['mremoteng says error 2308', ['0x904:disconnect']],
    ['code 904 again', ['0x904:disconnect']],
    ['err 0x3000066 from the gateway', ['0x3000066:gateway']],
    ['Error code: 0x904\nExtended error code: 0x7', ['0x904:disconnect', '0x7:extended']],
    ['rdp 0x904 extended 0x7', ['0x904:disconnect', '0x7:extended']],
    ['0x904 / 0x7 since monday', ['0x904:disconnect', '0x7:extended']],
    ['rdp 904 extended 7', ['0x904:disconnect', '0x7:extended']],
    ['错误代码： 0x708\n扩展错误代码： 0x0', ['0x708:disconnect', '0x0:extended']],
    ['Fehlercode: 0x204\nErweiterter Fehlercode: 0x0', ['0x204:disconnect', '0x0:extended']],
    ['エラー コード: 0x108\n拡張エラー コード: 0x0', ['0x108:disconnect', '0x0:extended']],
    ['Код ошибки: 0x204', ['0x204:disconnect']],
    ["RDP disconnected!\n516 Remote Desktop can't connect", ['0x204:disconnect']],
    ['RDP ClientActiveX has been disconnected (Reason= 2308)', ['0x904:disconnect']],
    ['ERRINFO_SERVER_DENIED_CONNECTION (0x00000007): The server denied the connection.', ['0x7:error_info']],
    ['the log says exDiscReasonServerDeniedConnection', ['0x7:extended']],
    ['freerdp: E_PROXY_RAP_ACCESSDENIED', ['0x800759da:gateway']],
    ['mremoteng error 50331675 via the gateway', ['0x300001b:gateway']],
    ['Error code: 0x3000008', ['0x3000008:gateway']],
    ['protocol error (code: 0x112f)', ['0x112f:error_info']],
    ['typo 0x9o4 on srv-fin-02', ['0x904:disconnect']],
    ['ox904 again', ['0x904:disconnect']],
    ['RDP disconnected! 519', ['0x207:unknown']],
    ['windows update 0x80070005', ['0x80070005:unknown']],
  ] as const)('%s', ([text, expected]) => {
    expect(read(text)).toEqual(expected);
  });
});

describe('numbers that are not codes', () => {
  test.for([
    'rdp to 10.0.0.5:3389 refused',
    'port 3389 is closed on srv-fin-02',
    'ticket INC0012345, see #4521',
    'it broke on 2024-03-01 at 09:18:47',
    'on win 11 24h2 and windows 10 22h2',
    'build 10.0.22000.978, server 2019',
    'event 1026 in the client log, event id 4625 on the server',
    'disconnects every 30 minutes, 50 users affected',
    'error 4360 sometimes',
    'vpn error 809',
    '0xfoo is not hex, 0x123456789 is too long',
    'the box and the fox',
    // Values given to a command-line option or written to the registry are settings.
    'xfreerdp /kbd:0x0000041D /v:srv-fin-02 ignores the layout',
    'reg add HKLM\\SYSTEM\\x /v fDenyTSConnections /t REG_DWORD /d 0x0 /f',
    'Set-ItemProperty -Path HKLM:\\x -Name UserAuthentication -Value 0x1',
  ])('%s', (text) => {
    expect(read(text)).toEqual([]);
  });
});

test('without a code book, labels still give roles and typos are not guessed', () => {
  const codes = parseCodes(
    'Error code: 0x904\nExtended error code: 0x7\n0x9o4 and error 2308',
    EMPTY_CODE_BOOK,
  );
  expect(codes.map((c) => `${c.value}:${c.role}`)).toEqual(['0x904:disconnect', '0x7:extended']);
});

test('codes carry their names from the code book', () => {
  expect(parseCodes('rdp 0x904 extended 0x7', codeBook)).toEqual([
    { value: '0x904', role: 'disconnect', name: 'disconnectReasonAtClientWinsockFDCLOSE' },
    { value: '0x7', role: 'extended', name: 'exDiscReasonServerDeniedConnection' },
  ]);
});
