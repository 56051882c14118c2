import { TriageError } from '../errors.js';

/** One problem in a config file: where (file, key path, line) and what is wrong. */
export interface ConfigIssue {
  file: string;
  /** Dotted key path with indices, e.g. `access.roles[0].hostGroups`; `(root)` for the whole file. */
  path: string;
  /** 1-based line of the offending key or value, when it can be located in the YAML. */
  line?: number;
  /** Set when the value came from an environment variable rather than the file. */
  env?: string;
  message: string;
}

/** The config file is invalid: every issue, each naming the file, the key path and the line. */
export class ConfigError extends TriageError {
  override name = 'ConfigError';
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const shown = issues.slice(0, 5).map(formatConfigIssue);
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    super('CONFIG_INVALID', `invalid configuration: ${shown.join('; ')}${more}`);
    this.issues = issues;
  }
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.env
    ? `${issue.file}: ${issue.path} (from environment variable ${issue.env})`
    : `${issue.file}${issue.line === undefined ? '' : `:${issue.line}`}: ${issue.path}`;
  return `${where}: ${issue.message}`;
}
