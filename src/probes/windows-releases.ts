import { readCompiledData } from '../data/compiled-data.js';
import type { WindowsReleases } from './windows-releases-schema.js';

let releases: Map<string, string> | undefined;

/** "Windows Server 2019" for 10.0.17763, from data/windows-releases.yaml; undefined when not listed. */
export function windowsRelease(version: { major: number; minor: number; build: number }): string | undefined {
  releases ??= new Map(
    readCompiledData<WindowsReleases>(new URL('./data/', import.meta.url)).map((r) => [r.version, r.name]),
  );
  return releases.get(`${version.major}.${version.minor}.${version.build}`);
}
