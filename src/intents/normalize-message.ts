/**
 * Chat text as users' clients deliver it, turned into plain text the extractors can read: Slack link
 * markup unwrapped (`<http://srv.corp|srv.corp>` → `srv.corp`), mentions and Teams `<at>` tags
 * dropped, HTML entities decoded, invisible direction and zero-width marks removed. Bounded: only the
 * first `MAX_SCANNED_CHARS` characters are read, so a 5 MB paste costs the same as a long one.
 */
// 4,000 characters hold a pasted dialog, an .rdp file (≈ 50 lines) or the head of an event log;
// what matters in longer pastes comes first, and the bound keeps every call under 5 ms.
export const MAX_SCANNED_CHARS = 4_000;

// Slack wraps links as <url> or <url|label> and mentions as <@U…>, <#C…|name>, <!here>
// (api.slack.com "Formatting text for app surfaces"). Bounded repetitions keep these linear: no
// class can cross a `<`, so every attempt ends at the next one and each character is read a bounded
// number of times, however the markup nests.
const SLACK_SCHEME = '(?:https?|mailto|rdp|ms-rd|ftp|tel):';
const SLACK_LINK = new RegExp(`<(${SLACK_SCHEME}[^|<>\\s]{1,2048})(?:\\|([^<>]{0,512}))?>`, 'gi');
// Slack escapes a typed `<` as &lt;, so it never sends a link inside a label: `<url|<url|…` is the
// opener of a link whose label is more markup. The opener goes and the inner link is unwrapped on
// its own — otherwise every opener's URL reads as a host (fuzz: 400 nested `<http://a|` in the
// first 4,000 characters gave 400 URL candidates).
const NESTED_LINK_OPENER = new RegExp(`<${SLACK_SCHEME}[^|<>\\s]{1,2048}\\|(?=<)`, 'gi');
const SLACK_MENTION = /<[@#!][^<>\s]{0,256}>/g;
const TEAMS_AT = /<at>[^<]{0,256}<\/at>/gi;
const HTML_TAG =
  /<\/?(?:p|div|br|span|b|i|u|strong|em|code|pre|ul|ol|li|blockquote)(?:\s[^<>]{0,256})?\/?>/gi;
// Zero-width, bidi controls and the BOM: invisible, but they split tokens (fuzz: RTL, zero-width).
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/g;
const ODD_SPACE = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;

export function normalizeMessage(text: string): string {
  let plain = text.slice(0, MAX_SCANNED_CHARS).replace(INVISIBLE, '').replace(ODD_SPACE, ' ');
  // Most messages hold no markup and no entity: each group of passes runs only when it can match.
  if (plain.includes('<'))
    plain = plain
      .replace(NESTED_LINK_OPENER, ' ')
      .replace(SLACK_LINK, (_, url: string, label: string | undefined) => {
        const target = label?.trim() || url;
        return ` ${target.replace(/^mailto:/i, '')} `;
      })
      .replace(SLACK_MENTION, ' ')
      .replace(TEAMS_AT, ' ')
      .replace(HTML_TAG, ' ');
  if (plain.includes('&'))
    plain = plain
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  return plain.replace(/[`*]/g, ' ');
}
