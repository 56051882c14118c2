import type { Finding } from './finding.js';
import type { Incident } from './incident.js';
import type { Report } from './report.js';
import type { Understanding } from './understanding.js';

/** What the bot shows for one message; each surface renders it in its own format (src/bot/render). */
export type Reply =
  | { kind: 'text'; text: string; understanding?: Understanding }
  | { kind: 'progress'; understanding: Understanding; findings: Finding[]; targets: string[]; note?: string }
  | {
      kind: 'report';
      report: Report;
      note?: string;
      /**
       * The text the report was made from when attachments added to what was typed (settings of an
       * attached .rdp file, a screenshot's text): "Run probes again" sends this, not the bare message.
       */
      requestText?: string;
    }
  /** An incident's helpdesk post (issue 19): what is broken, since when, how many reports, its buttons. */
  | { kind: 'incident'; incident: Incident };
