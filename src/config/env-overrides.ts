/**
 * Secrets come from the environment, not the file: `RDP_TRIAGE__<key>__<key>=value` sets the key
 * path `<key>.<key>` (exact case, array indices as numbers), e.g.
 * `RDP_TRIAGE__store__path=/var/lib/rdp-triage/audit.db`. Values are strings, except that an
 * override of a number or boolean in the file keeps that type; an override wins over the file.
 */
export const ENV_PREFIX = 'RDP_TRIAGE__';

export interface EnvOverride {
  env: string;
  path: (string | number)[];
}

/** Applies overrides to the parsed YAML (a plain object) in place; returns which were applied. */
export function applyEnvOverrides(target: Record<string, unknown>, env: NodeJS.ProcessEnv): EnvOverride[] {
  const applied: EnvOverride[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = name
      .slice(ENV_PREFIX.length)
      .split('__')
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    if (path.length === 0 || path.some((segment) => segment === '' || isUnsafeKey(segment))) continue;
    setPath(target, path, value);
    applied.push({ env: name, path });
  }
  return applied;
}

function setPath(root: Record<string, unknown>, path: (string | number)[], value: string): void {
  let node: Record<string | number, unknown> = root;
  for (const [index, segment] of path.entries()) {
    if (index === path.length - 1) {
      // An override takes the type of the value it replaces: `…__retentionDays=30` stays a number.
      const current = node[segment];
      node[segment] =
        typeof current === 'number' && /^-?\d+(?:\.\d+)?$/.test(value)
          ? Number(value)
          : typeof current === 'boolean' && /^(?:true|false)$/.test(value)
            ? value === 'true'
            : value;
      return;
    }
    const next = node[segment];
    if (next === null || typeof next !== 'object') {
      const created = (typeof path[index + 1] === 'number' ? [] : {}) as Record<string | number, unknown>;
      node[segment] = created;
      node = created;
    } else {
      node = next as Record<string | number, unknown>;
    }
  }
}

// An environment variable must not reach the prototype chain of the parsed config.
function isUnsafeKey(segment: string | number): boolean {
  return segment === '__proto__' || segment === 'constructor' || segment === 'prototype';
}
