import { z } from 'zod';
import { readYamlFile } from '../data/read-yaml-file.js';

/** data/windows-releases.yaml, validated at build time (scripts/compile-data.ts). */
const releasesSchema = z.array(
  z.object({ version: z.string().regex(/^\d{1,2}\.\d{1,2}\.\d{1,5}$/), name: z.string().min(3) }).strict(),
);

export type WindowsReleases = z.output<typeof releasesSchema>;

export function parseWindowsReleases(dir: URL): WindowsReleases {
  return readYamlFile(dir, 'windows-releases.yaml', releasesSchema);
}
