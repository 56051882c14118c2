import { expect, test } from 'vitest';
import { parseRdpFile } from '../../src/intents/rdp-file.js';

test('reads the settings of a pasted .rdp file, numbers as numbers, never the saved password', () => {
  const file = [
    'screen mode id:i:2',
    'full address:s:srv-fin-02.corp.example',
    'server port:i:3390',
    'gatewayhostname:s:rdg.corp.example',
    'gatewayusagemethod:i:1',
    'authentication level:i:2',
    'username:s:CORP\\jdoe',
    'password 51:b:01000000D08C9DDF0115D1118C7A00C04FC297EB',
  ].join('\r\n');
  expect(parseRdpFile(file)).toEqual({
    'screen mode id': 2,
    'full address': 'srv-fin-02.corp.example',
    'server port': 3390,
    gatewayhostname: 'rdg.corp.example',
    gatewayusagemethod: 1,
    'authentication level': 2,
    username: 'CORP\\jdoe',
  });
});

test('chat text with colons is not an .rdp file', () => {
  expect(parseRdpFile('note:s:this is not a file\nerror:i:5')).toBeNull();
  expect(parseRdpFile('Error code: 0x904')).toBeNull();
});
