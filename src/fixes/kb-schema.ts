import { z } from 'zod';
import { FIX_AUDIENCES, FIX_RISKS, SNIPPET_LANGS } from '../report/ranked-fix.js';

/**
 * The shapes of the knowledge-base data files (src/fixes/data and an organisation's extension
 * directory). Parsed once at load; types come from here.
 */

import { CODE_KINDS } from './code-kinds.js';

export { CODE_KINDS, type CodeKind } from './code-kinds.js';

export const AUDIENCES = FIX_AUDIENCES;
export const RISKS = FIX_RISKS;
export const CONFIDENCES = ['MS', 'SPEC', 'CODE', 'MS+CODE', '3P', 'UNCONFIRMED', 'ORG'] as const;

const MAX_CODE = 0xffff_ffff;

/** `0x904`, `0X00000904`, `2308` or a YAML integer → `0x904`. */
export const codeValue = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  const text = String(raw).trim();
  const value = /^0x[0-9a-f]{1,8}$/i.test(text)
    ? Number.parseInt(text.slice(2), 16)
    : /^\d{1,10}$/.test(text)
      ? Number(text)
      : Number.NaN;
  if (!Number.isSafeInteger(value) || value > MAX_CODE) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a code (use 0x… hex or decimal)` });
    return z.NEVER;
  }
  return `0x${value.toString(16)}`;
});

const causeId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a cause id in snake_case');
const fixId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a fix id in kebab-case');
/** A cue id of src/intents/data/cues.yaml (rules.yaml `cues:` keys). */
const cueId = z.string().regex(/^[a-z0-9_]+$/, 'a cue id in snake_case');

export const codeEntrySchema = z
  .object({
    value: codeValue.optional(),
    name: z.string().min(1).optional(),
    aliases: z.array(z.string().min(1)).default([]),
    meaning: z.string().min(1),
    causes: z.array(causeId).min(1),
    /** How much this code says (0x0 "no info" says almost nothing); scales its prior. */
    weight: z.number().min(0).max(2).default(1),
    source: z.string().min(1).optional(),
    confidence: z.enum(CONFIDENCES).optional(),
  })
  .strict()
  .refine((entry) => entry.value !== undefined || entry.name !== undefined, {
    message: 'a code needs a value, a name, or both',
  });

export const codeFileSchema = z
  .object({
    role: z.enum(CODE_KINDS),
    source: z.string().min(1),
    confidence: z.enum(CONFIDENCES),
    codes: z.array(codeEntrySchema),
  })
  .strict();
export type CodeFile = z.infer<typeof codeFileSchema>;

export const causesFileSchema = z.record(causeId, z.string().min(1));

const snippetSchema = z.object({ lang: z.enum(SNIPPET_LANGS), code: z.string().min(1) }).strict();
/**
 * Text with an optional snippet: a step's undo (its snippet may be left out only for a restart or a
 * one-way change) and the verify step, which only checks (step-safety.ts refuses a changing one).
 */
const textWithSnippetSchema = z
  .object({ text: z.string().min(1), snippet: snippetSchema.optional() })
  .strict();
const stepSchema = textWithSnippetSchema.extend({ undo: textWithSnippetSchema.optional() }).strict();

export const fixSchema = z
  .object({
    id: fixId,
    /** The F-number of the reference catalogue this fix comes from, when it does. */
    ref: z.string().optional(),
    title: z.string().min(1),
    audience: z.enum(AUDIENCES),
    risk: z.enum(RISKS),
    /** Cause id → how directly this fix addresses it (1 = the fix for it). */
    causes: z.record(causeId, z.number().min(0).max(2)),
    /** Codes this fix is always listed for, whatever the causes say. */
    codes: z.array(codeValue).default([]),
    /**
     * When this fix helps, in the words users use ("copy and paste does not work", "after the
     * client was updated"): read by the text match beside the steps, shown by `kb lookup`.
     */
    when: z.string().min(1).optional(),
    /** Part of the generic first steps given when nothing points anywhere. */
    generic: z.boolean().default(false),
    /**
     * Cue ids (rules.yaml `cues:`) of which the message must show one for this fix to be offered:
     * an xrdp fix only when the server is a Linux xrdp host, a FreeRDP option only for FreeRDP.
     */
    onlyWith: z.array(cueId).optional(),
    /** Documented by the community only (no vendor document found). */
    community: z.boolean().default(false),
    source: z.array(z.string()).default([]),
    steps: z.array(stepSchema).min(1),
    verify: textWithSnippetSchema,
  })
  .strict();
export type FixData = z.infer<typeof fixSchema>;

export const fixesFileSchema = z.array(fixSchema);

/**
 * A report a fix resolved (cases.yaml): the asker's words as a chat message and the public thread
 * that says what worked. Ranking reads a new message against these as well as against the fixes'
 * own text: reports are how users describe a problem, the fixes how we do. The shipped file is
 * written from the dev split of the evaluation corpus only (scripts/kb-cases.ts); an
 * organisation may add its own resolved tickets.
 */
export const caseSchema = z
  .object({
    fix: fixId,
    /** Other fixes the thread accepts as the same answer. */
    also: z.array(fixId).default([]),
    text: z.string().min(3),
    source: z.url(),
  })
  .strict();
export type CaseData = z.infer<typeof caseSchema>;

export const casesFileSchema = z.array(caseSchema);

const adjustments = z.record(z.string(), z.number());

export const evidenceRuleSchema = z
  .object({
    note: z.string().min(1),
    causes: adjustments.default({}),
    fixes: adjustments.default({}),
  })
  .strict();
export type EvidenceRule = z.infer<typeof evidenceRuleSchema>;

/**
 * A cue may also rule causes out, or nearly: on a Linux xrdp host the Windows display driver is
 * not a suspect. `dampen` multiplies the cause's whole belief (0 rules it out).
 */
export const cueRuleSchema = evidenceRuleSchema
  .extend({ dampen: z.record(causeId, z.number().min(0).max(1)).default({}) })
  .strict();

export const symptomRuleSchema = z
  .object({
    id: z.string().min(1),
    /** Case-insensitive regular expression over the symptom text (underscores read as spaces). */
    match: z.string().min(1),
    note: z.string().min(1),
    causes: adjustments.default({}),
    fixes: adjustments.default({}),
  })
  .strict();
export type SymptomRule = z.infer<typeof symptomRuleSchema>;

export const combinationSchema = z
  .object({
    id: z.string().min(1),
    /** Any one of these finding codes … */
    findings: z.array(z.string().min(1)).min(1),
    /** … together with any one of these symptom rule ids. */
    symptoms: z.array(z.string().min(1)).min(1),
    note: z.string().min(1),
    causes: adjustments.default({}),
    fixes: adjustments.default({}),
  })
  .strict();
export type Combination = z.infer<typeof combinationSchema>;

/**
 * A situation and a symptom together: "xrdp" with "slow" is the xrdp TCP buffer, "xrdp" with
 * "login failed" is sesman's PAM set-up; neither alone says that.
 */
export const cueCombinationSchema = z
  .object({
    id: z.string().min(1),
    /** Any one of these cue ids … */
    cues: z.array(cueId).min(1),
    /** … together with any one of these symptom rule ids, or of these other cue ids. */
    symptoms: z.array(z.string().min(1)).default([]),
    withCues: z.array(cueId).default([]),
    note: z.string().min(1),
    causes: adjustments.default({}),
    fixes: adjustments.default({}),
  })
  .strict()
  .refine((rule) => rule.symptoms.length + rule.withCues.length > 0, {
    message: 'a cue combination needs symptoms or withCues',
  });

/** Codes that mean more together than apart: 0x904 with extended 0x7 is not 0x904 alone. */
export const codePairSchema = z
  .object({
    id: z.string().min(1),
    /** Every one of these code values must be in the message (any role). */
    codes: z.array(codeValue).min(2),
    note: z.string().min(1),
    causes: adjustments.default({}),
    fixes: adjustments.default({}),
  })
  .strict();
export type CodePair = z.infer<typeof codePairSchema>;

/** A read-only check the reply lists for any Remote Desktop failure: where to run it and what it shows. */
export const diagnosticSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    /** Where to run it: on the user's computer or on the server. */
    where: z.enum(['client', 'server']),
    /** `gateway`: only when the message involves an RD Gateway. */
    when: z.enum(['always', 'gateway']).default('always'),
    text: z.string().min(1),
    snippet: snippetSchema,
  })
  .strict();

export const familySchema = z
  .object({
    id: z.string().min(1),
    meaning: z.string().min(1),
    min: codeValue.optional(),
    max: codeValue.optional(),
    /** Matches when (value & mask) === equals. */
    mask: codeValue.optional(),
    equals: codeValue.optional(),
    roles: z.array(z.enum([...CODE_KINDS, 'unknown'])).optional(),
    causes: z.array(causeId).min(1),
  })
  .strict();
export type Family = z.infer<typeof familySchema>;

export const rulesFileSchema = z
  .object({
    weights: z
      .object({
        codePrior: z.record(z.enum(CODE_KINDS), z.number()),
        causeDecay: z.number().min(0).max(1),
        breadth: z.number().min(0).max(1),
        directCode: z.number(),
        assumedCodeFactor: z.number().min(0).max(1),
        familyFactor: z.number().min(0).max(1),
        genericScore: z.number().min(0),
        minScore: z.number().min(0),
        riskFactor: z.record(z.enum(FIX_RISKS), z.number().min(0).max(1)),
        maxFixes: z.number().int().min(1),
        maxReasons: z.number().int().min(1),
        /** Share of its score a fix keeps when the user says they already tried it. */
        triedFactor: z.number().min(0).max(1),
        /** Code pairs and cues say what the message suggests, a failing probe what is: they keep this share then. */
        priorsWhenProbesFail: z.number().min(0).max(1),
      })
      .strict(),
    feedback: z
      .object({
        priorHelped: z.number().min(0),
        priorNotHelped: z.number().min(0),
        floor: z.number().min(0),
        ceiling: z.number().min(1),
      })
      .strict(),
    evidence: z.record(z.string(), evidenceRuleSchema),
    healthy: evidenceRuleSchema
      .extend({
        /** Warnings that say the problem is found (another machine answers): with one, not healthy. */
        notWith: z.array(z.string().min(1)).default([]),
      })
      .strict(),
    /** Finding codes deliberately without a rule (the probe could not run, or the jump failed). */
    neutral: z.array(z.string().min(1)).default([]),
    symptoms: z.array(symptomRuleSchema),
    combinations: z.array(combinationSchema).default([]),
    /** Cue id (src/intents/data/cues.yaml) → priors: "through the gateway", "after the update", the client. */
    cues: z.record(cueId, cueRuleSchema).default({}),
    codePairs: z.array(codePairSchema).default([]),
    cueCombinations: z.array(cueCombinationSchema).default([]),
    /**
     * The message's words against each fix's own text (title, when, steps, verify, its causes):
     * Okapi BM25, for wordings no rule knows. `weight` × similarity (the BM25 score over the
     * largest score the message's words could reach, 0..1) is added to the best `maxFixes` fixes at
     * or above `minSimilarity`; `stopWords` carry no meaning here (every report says "rdp");
     * `synonyms` read a user's word as the catalogue's ("creds" → "credentials") on both sides.
     */
    textMatch: z
      .object({
        weight: z.number().min(0),
        minSimilarity: z.number().min(0).max(1),
        maxFixes: z.number().int().min(0),
        /** BM25 term-frequency saturation (1.2 is the usual value). */
        k1: z.number().min(0).default(1.2),
        /** BM25 length normalisation, 0 (none) to 1 (full; 0.75 is the usual value). */
        b: z.number().min(0).max(1).default(0.75),
        /** Rare words added to every message's largest possible score, so a few common words are no sure match. */
        ceilingWords: z.number().min(0).default(0),
        stopWords: z.array(z.string().min(1)),
        /** A word as users write it → the word(s) the catalogue uses for it. */
        synonyms: z.record(z.string().min(1), z.string().min(1)).default({}),
      })
      .strict()
      .default({
        weight: 0,
        minSimilarity: 1,
        maxFixes: 0,
        k1: 1.2,
        b: 0.75,
        ceilingWords: 0,
        stopWords: [],
        synonyms: {},
      }),
    /**
     * The message's words against the resolved reports of cases.yaml (BM25 as for `textMatch`,
     * its stop words and synonyms): each of the best `maxFixes` fixes gets `weight` × the
     * similarity of its closest report, at or above `minSimilarity`.
     */
    caseMatch: z
      .object({
        weight: z.number().min(0),
        minSimilarity: z.number().min(0).max(1),
        maxFixes: z.number().int().min(0),
      })
      .strict()
      .default({ weight: 0, minSimilarity: 1, maxFixes: 0 }),
    diagnostics: z.array(diagnosticSchema).default([]),
    families: z.array(familySchema),
  })
  .strict();
export type Rules = z.infer<typeof rulesFileSchema>;

/** An organisation's overrides: change a shipped code's meaning/causes or a fix's title, risk, causes. */
export const overridesFileSchema = z
  .object({
    codes: z
      .array(
        z
          .object({
            value: codeValue,
            role: z.enum(CODE_KINDS),
            meaning: z.string().min(1).optional(),
            causes: z.array(causeId).min(1).optional(),
          })
          .strict(),
      )
      .default([]),
    fixes: z
      .array(
        z
          .object({
            id: fixId,
            title: z.string().min(1).optional(),
            risk: z.enum(RISKS).optional(),
            causes: z.record(causeId, z.number().min(0).max(2)).optional(),
            disabled: z.boolean().optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type Overrides = z.infer<typeof overridesFileSchema>;
