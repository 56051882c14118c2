import type { SnippetLang } from './ranked-fix.js';

export interface SnippetValues {
  host: string;
  port: number;
  gateway: string;
}

/**
 * Fills `{host}`, `{port}`, `{gateway}` into a snippet, quoted for the snippet's language so a
 * value can never break out of its string (a host name arrives from chat: treat it as hostile).
 */
export function fillPlaceholders(code: string, lang: SnippetLang | 'prose', values: SnippetValues): string {
  return code.replace(/\{(host|port|gateway)\}/g, (_match, key: keyof SnippetValues) =>
    quoteFor(lang, String(values[key])),
  );
}

function quoteFor(lang: SnippetLang | 'prose', value: string): string {
  const safe = value.replace(/[\r\n\t\0]/g, ' ');
  if (/^[A-Za-z0-9._:-]+$/.test(safe)) return safe;
  switch (lang) {
    case 'powershell':
      return `'${safe.replace(/['‘’‚‛]/g, "''")}'`;
    case 'cmd':
    case 'reg':
      // cmd has no escape inside double quotes: drop the characters that could end or expand it.
      return `"${safe.replace(/["%!^&|<>`]/g, '')}"`;
    default:
      return `\`${safe.replace(/`/g, "'")}\``;
  }
}
