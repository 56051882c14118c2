import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readTeamsSettings, withOpenIdMetadata } from '../../src/config/teams-env.js';

const APP_ID = '5f1c7a3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b';
const dir = mkdtempSync(join(tmpdir(), 'teams-settings-'));
const keyFile = join(dir, 'bot.pem');
writeFileSync(keyFile, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readTeamsSettings', () => {
  test('nothing set, or TEAMS_ENABLED=false: Teams is not served', () => {
    expect(readTeamsSettings({})).toBeNull();
    expect(readTeamsSettings({ TEAMS_ENABLED: 'false', TEAMS_PORT: '4000' })).toBeNull();
  });

  test('TEAMS_ENABLED=true without an app id: Emulator mode, no auth, loopback listener', () => {
    expect(readTeamsSettings({ TEAMS_ENABLED: 'true' })).toEqual({
      appId: '',
      botFrameworkAuth: {},
      port: 3978,
      host: '127.0.0.1',
    });
  });

  test('an app id with a secret: authenticated, all interfaces, the port from TEAMS_PORT', () => {
    expect(
      readTeamsSettings({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 's3cret', TEAMS_PORT: '8443' }),
    ).toEqual({
      appId: APP_ID,
      botFrameworkAuth: {
        MicrosoftAppId: APP_ID,
        MicrosoftAppType: 'MultiTenant',
        MicrosoftAppPassword: 's3cret',
      },
      port: 8443,
      host: '0.0.0.0',
      // The helpdesk channel is posted to through the public cloud until the bot hears from it.
      serviceUrl: 'https://smba.trafficmanager.net/teams/',
    });
  });

  test('the helpdesk channel’s Bot Connector and tenant can be named (a sovereign cloud, the Emulator)', () => {
    expect(
      readTeamsSettings({ TEAMS_ENABLED: 'true', TEAMS_SERVICE_URL: 'http://127.0.0.1:3979/' }),
    ).toMatchObject({ appId: '', serviceUrl: 'http://127.0.0.1:3979/' });
    expect(readTeamsSettings({ TEAMS_ENABLED: 'true' })).not.toHaveProperty('serviceUrl');
    const single = {
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 's3cret',
      MICROSOFT_APP_TYPE: 'SingleTenant',
      MICROSOFT_APP_TENANT_ID: 'contoso.onmicrosoft.com',
    };
    expect(readTeamsSettings(single)?.tenantId).toBe('contoso.onmicrosoft.com');
    expect(readTeamsSettings({ ...single, TEAMS_TENANT_ID: 'fabrikam-id' })?.tenantId).toBe('fabrikam-id');
    expect(() => readTeamsSettings({ TEAMS_ENABLED: 'true', TEAMS_SERVICE_URL: 'ftp://x/' })).toThrow(
      /TEAMS_SERVICE_URL/,
    );
  });

  test('a single-tenant app with a certificate reads the key file', () => {
    const settings = readTeamsSettings({
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_TYPE: 'SingleTenant',
      MICROSOFT_APP_TENANT_ID: 'contoso.onmicrosoft.com',
      MICROSOFT_APP_CERTIFICATE_THUMBPRINT: 'A'.repeat(40),
      MICROSOFT_APP_CERTIFICATE_KEY_FILE: keyFile,
      TEAMS_HOST: '10.0.0.5',
    });
    expect(settings?.botFrameworkAuth).toMatchObject({
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: 'contoso.onmicrosoft.com',
      CertificateThumbprint: 'A'.repeat(40),
      CertificatePrivateKey: expect.stringContaining('BEGIN PRIVATE KEY'),
    });
    expect(settings?.host).toBe('10.0.0.5');
  });

  test.for([
    {
      desc: 'app id not a GUID',
      env: { MICROSOFT_APP_ID: 'my-bot', MICROSOFT_APP_PASSWORD: 'x' },
      message: /MICROSOFT_APP_ID must be a GUID/,
    },
    {
      desc: 'app id without credentials',
      env: { MICROSOFT_APP_ID: APP_ID },
      message: /MICROSOFT_APP_PASSWORD is required/,
    },
    {
      desc: 'single tenant without tenant',
      env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TYPE: 'SingleTenant' },
      message: /MICROSOFT_APP_TENANT_ID is required for SingleTenant/,
    },
    {
      desc: 'MSI with a password',
      env: {
        MICROSOFT_APP_ID: APP_ID,
        MICROSOFT_APP_PASSWORD: 'x',
        MICROSOFT_APP_TYPE: 'UserAssignedMSI',
        MICROSOFT_APP_TENANT_ID: 't',
      },
      message: /MICROSOFT_APP_PASSWORD must not be set/,
    },
    {
      desc: 'unknown app type',
      env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TYPE: 'Multi' },
      message: /MICROSOFT_APP_TYPE/,
    },
    {
      desc: 'half a certificate',
      env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_CERTIFICATE_THUMBPRINT: 'A'.repeat(40) },
      message: /needs both/,
    },
    {
      desc: 'unreadable key file',
      env: {
        MICROSOFT_APP_ID: APP_ID,
        MICROSOFT_APP_CERTIFICATE_THUMBPRINT: 'A'.repeat(40),
        MICROSOFT_APP_CERTIFICATE_KEY_FILE: join(dir, 'missing.pem'),
      },
      message: /cannot read MICROSOFT_APP_CERTIFICATE_KEY_FILE/,
    },
    { desc: 'port out of range', env: { TEAMS_ENABLED: 'true', TEAMS_PORT: '70000' }, message: /TEAMS_PORT/ },
    { desc: 'TEAMS_ENABLED not a boolean', env: { TEAMS_ENABLED: 'yes' }, message: /TEAMS_ENABLED/ },
  ])('$desc → CONFIG_INVALID naming the variable', ({ env, message }) => {
    expect(() => readTeamsSettings(env)).toThrow(message);
    try {
      readTeamsSettings(env);
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      // The secret never appears in the message.
      expect(String((error as Error).message)).not.toContain('s3cret');
    }
  });
});

describe('withOpenIdMetadata', () => {
  const settings = readTeamsSettings({
    MICROSOFT_APP_ID: APP_ID,
    MICROSOFT_APP_PASSWORD: 's3cret',
    MICROSOFT_APP_TYPE: 'SingleTenant',
    MICROSOFT_APP_TENANT_ID: 'contoso.onmicrosoft.com',
  });
  if (!settings) throw new Error('settings expected');
  const metadata = 'https://login.example.us/v1/.well-known/openidconfiguration';

  test('the signing keys come from the given document; every other endpoint stays the public cloud’s', () => {
    const { botFrameworkAuth, ...rest } = withOpenIdMetadata(settings, metadata);
    const { appId, port, host, serviceUrl, tenantId } = settings;
    expect(rest).toEqual({ appId, port, host, serviceUrl, tenantId });
    expect(botFrameworkAuth).toMatchObject({
      ...settings.botFrameworkAuth,
      ToBotFromChannelOpenIdMetadataUrl: metadata,
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
      CallerId: 'urn:botframework:azure',
    });
    // botbuilder takes an override only with all the endpoints: none is left to a default.
    const endpoints = Object.entries(botFrameworkAuth).filter(([key]) => /Url|Issuer|Scope/.test(key));
    expect(endpoints.map(([key]) => key).sort()).toEqual([
      'OAuthUrl',
      'ToBotFromChannelOpenIdMetadataUrl',
      'ToBotFromChannelTokenIssuer',
      'ToBotFromEmulatorOpenIdMetadataUrl',
      'ToChannelFromBotLoginUrl',
      'ToChannelFromBotOAuthScope',
    ]);
  });

  test('a multi-tenant bot logs in through the botframework.com tenant; the settings given are not changed', () => {
    const multi = { ...settings, botFrameworkAuth: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x' } };
    expect(withOpenIdMetadata(multi, metadata).botFrameworkAuth.ToChannelFromBotLoginUrl).toBe(
      'https://login.microsoftonline.com/botframework.com',
    );
    expect(multi.botFrameworkAuth).toEqual({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x' });
  });
});
