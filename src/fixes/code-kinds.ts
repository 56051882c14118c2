// The code families of the knowledge base, apart from kb-schema.ts so the run time (which reads
// the compiled knowledge base) does not load the schema library.

export const CODE_KINDS = [
  'disconnect',
  'extended',
  'error_info',
  'gateway',
  'freerdp',
  'ntstatus',
  'avd',
  'negotiation',
] as const;
export type CodeKind = (typeof CODE_KINDS)[number];
