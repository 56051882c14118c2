import { describe, expect, test } from 'vitest';
import { createCodeBook } from '../../src/fixes/code-book.js';

const book = createCodeBook();

describe('createCodeBook', () => {
  test.for([
    { value: '0x904', roles: ['disconnect'], name: 'disconnectReasonAtClientWinsockFDCLOSE' },
    { value: '0x7', roles: ['extended', 'error_info'], name: 'exDiscReasonServerDeniedConnection' },
    {
      value: '0x104',
      roles: ['disconnect', 'extended', 'error_info'],
      name: 'disconnectReasonDNSLookupFailed',
    },
    { value: '0x3000008', roles: ['gateway'], name: undefined },
    { value: '0x800759db', roles: ['gateway'], name: 'E_PROXY_NAP_ACCESSDENIED' },
    { value: '0x112f', roles: ['error_info'], name: 'ERRINFO_GRAPHICS_SUBSYSTEM_FAILED' },
  ])('lookup($value) gives roles $roles', ({ value, roles, name }) => {
    const entries = book.lookup(value);
    expect(entries.map((entry) => entry.role)).toEqual(roles);
    expect(entries[0]?.name).toBe(name);
    expect(entries.every((entry) => entry.value === value)).toBe(true);
  });

  test('accepts un-normalised hex and knows nothing of values outside the tables', () => {
    expect(book.lookup('0X00000904')[0]?.value).toBe('0x904');
    expect(book.lookup('0x516')).toEqual([]);
  });

  test('negotiation failure codes do not shadow 0x1–0x6', () => {
    expect(book.lookup('0x5').map((entry) => entry.role)).toEqual(['extended', 'error_info']);
  });

  test.for([
    ['exDiscReasonServerDeniedConnection', '0x7', 'extended'],
    ['ERRINFO_SERVER_DENIED_CONNECTION', '0x7', 'error_info'],
    ['errinfo_server_denied_connection', '0x7', 'error_info'],
    ['SSL_ERR_LOGON_FAILURE', '0x807', 'disconnect'],
    ['E_PROXY_RAP_ACCESSDENIED', '0x800759da', 'gateway'],
  ])('byName(%s) → %s %s', ([name, value, role]) => {
    expect(book.byName(name ?? '')).toMatchObject({ value, role });
  });

  test('unknown names give undefined', () => {
    expect(book.byName('exDiscReasonNoSuchThing')).toBeUndefined();
    expect(book.byName('HYBRID_REQUIRED_BY_SERVER')).toBeUndefined();
  });
});
