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
// (api.slack.com "Formatting text for app surfaces"). Bounded repetitions keep these linear.
const SLACK_LINK = /<((?:https?|mailto|rdp|ms-rd|ftp|tel):[^|<>\s]{1,2048})(?:\|([^<>]{0,512}))?>/gi;
const SLACK_MENTION = /<[@#!][^<>\s]{0,256}>/g;
const TEAMS_AT = /<at>[^<]{0,256}<\/at>/gi;
const HTML_TAG =
  /<\/?(?:p|div|br|span|b|i|u|strong|em|code|pre|ul|ol|li|blockquote)(?:\s[^<>]{0,256})?\/?>/gi;
// Zero-width, bidi controls and the BOM: invisible, but they split tokens (fuzz: RTL, zero-width).
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/g;
const ODD_SPACE = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;

export function normalizeMessage(text: string): string {
  return text
    .slice(0, MAX_SCANNED_CHARS)
    .replace(INVISIBLE, '')
    .replace(ODD_SPACE, ' ')
    .replace(SLACK_LINK, (_, url: string, label: string | undefined) => {
      const target = label?.trim() || url;
      return ` ${target.replace(/^mailto:/i, '')} `;
    })
    .replace(SLACK_MENTION, ' ')
    .replace(TEAMS_AT, ' ')
    .replace(HTML_TAG, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[`*]/g, ' ');
}
