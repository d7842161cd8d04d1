/**
 * The scenario format: one schema for YAML suites and TypeScript suites.
 * Scenarios stay linear (no branching, no loops, no variables beyond the
 * fixed placeholders below); computed input belongs in a .ts suite.
 *
 * Placeholders in send/raw/pipeline/data/bdat text: see placeholders.ts.
 */
import { z } from 'zod';

/** "500ms", "3s", "5m", a number of ms, or `{ timer: ... }`: an RFC timer, scaled by --timeout-scale. */
export const DurationSchema = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration like 500ms, 3s or 5m'),
  z.strictObject({ timer: z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/)]) }),
]);
export type Duration = z.infer<typeof DurationSchema>;

/** 250, "250", "2xx", "25x": a reply code or a pattern over its digits. */
export const CodeSchema = z.union([
  z.number().int().min(200).max(559),
  z.string().regex(/^[2-5][0-9x][0-9x]$/, 'a reply code like 250, 25x or 2xx'),
]);
export const CodesSchema = z.union([CodeSchema, z.array(CodeSchema).min(1)]);

const ExpectFields = {
  /** The reply code must match one of these. */
  code: CodesSchema.optional(),
  /** The reply code must match none of these. */
  not: CodesSchema.optional(),
  /** A regular expression (case-insensitive) that some reply line's text must match. */
  text: z.string().optional(),
  /** A regular expression (case-insensitive) that no reply line's text may match. */
  notText: z.string().optional(),
  /** RFC 3463 enhanced code: "5.5.1", a pattern "5.x.x", or "present". */
  enhanced: z.string().regex(/^(present|[245x]\.(\d{1,3}|x)\.(\d{1,3}|x))$/).optional(),
  /** Reply syntax must be clean: same code on every line, lines ≤ 512 octets, CRLF (§4.2, §4.5.3.1.5). */
  wellFormed: z.boolean().optional(),
  /** How long to wait for the reply. */
  timeout: DurationSchema.optional(),
};

const ExpectOverride = z.strictObject({ code: CodesSchema.optional(), not: CodesSchema.optional() });

export const ExpectObjectSchema = z
  .strictObject({
    ...ExpectFields,
    /** The next thing to happen is the server closing the connection (no reply first). */
    closed: z.literal(true).optional(),
    /** Nothing arrives for this long (silence is the passing outcome). */
    noReplyWithin: DurationSchema.optional(),
    /** Expectations that replace `code`/`not` under --profile lenient or strict. */
    profiles: z.strictObject({ strict: ExpectOverride.optional(), lenient: ExpectOverride.optional() }).optional(),
  })
  .refine((e) => [e.code !== undefined || e.not !== undefined || e.text !== undefined || e.notText !== undefined || e.enhanced !== undefined || e.wellFormed !== undefined, e.closed, e.noReplyWithin !== undefined].filter(Boolean).length === 1, {
    message: 'an expect is one of: a reply check (code/not/text/notText/enhanced/wellFormed), closed: true, or noReplyWithin',
  });

/** Shorthands: `expect: 250`, `expect: 2xx`, `expect: [250, 251]`, `expect: closed`. */
export const ExpectSchema = z.union([CodeSchema, z.array(CodeSchema).min(1), z.literal('closed'), ExpectObjectSchema]);

const Text = z.string();

export const DataSchema = z.union([
  Text,
  z.strictObject({
    /** Literal content (LF or CRLF line endings; the serializer sends CRLF and dot-stuffs). */
    text: Text.optional(),
    /** Filler: total octets of generated body lines after `text`. */
    size: z.number().int().nonnegative().optional(),
    /** Filler line length in octets, without CRLF (default 76). */
    lineLength: z.number().int().positive().optional(),
    /**
     * Filler of the target's message size limit plus this many octets (the
     * limit from its EHLO SIZE parameter, else its facts); the scenario is
     * skipped when the limit is unknown. Replaces `size`.
     */
    overLimit: z.number().int().positive().optional(),
  }),
]);

export const DeliveredSchema = z.strictObject({
  /** How many stored messages contain this scenario's token. */
  count: z.number().int().nonnegative().default(1),
  /** The stored body (after the first empty line) must equal this exactly (LF here means CRLF). */
  body: Text.optional(),
  /** Regular expressions the stored message must match. */
  matches: z.array(Text).optional(),
  /** How long to wait for delivery (MTAs deliver asynchronously). */
  timeout: DurationSchema.optional(),
});

const step = <K extends string, T extends z.ZodType>(key: K, schema: T) =>
  z.strictObject({ [key]: schema } as { [P in K]: T });

export const StepSchema = z.union([
  step('send', Text),
  step('raw', Text),
  step('pipeline', z.array(Text).min(1)),
  step('data', DataSchema),
  /**
   * A CHUNKING chunk (RFC 3030): "BDAT <size>[ LAST]" and the chunk in one
   * write, the size counted after placeholders are filled and LF made CRLF.
   * No stuffing, no terminator: the chunk is sent as it is.
   */
  step('bdat', z.strictObject({ chunk: Text, last: z.boolean().default(false) })),
  step('starttls', z.union([z.literal(true), z.strictObject({ command: z.boolean() })])),
  step('wait', DurationSchema),
  step('expect', ExpectSchema),
  step('delivered', DeliveredSchema),
  step('disconnect', z.literal(true)),
]);
export type Step = z.infer<typeof StepSchema>;

export const LevelSchema = z.enum(['MUST', 'SHOULD', 'MAY']);
export type Level = z.infer<typeof LevelSchema>;

export const PreludeSchema = z.enum(['none', 'greeting', 'ehlo', 'helo']);

export const ScenarioSchema = z.strictObject({
  id: z.string().regex(/^[A-Z0-9][A-Z0-9.-]*$/, 'an id in upper case, digits, dots and dashes'),
  title: z.string().min(1),
  /** RFC number; defaults to the suite's. */
  rfc: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String).optional(),
  /** Section of that RFC, e.g. "4.1.1.4". */
  section: z.union([z.string(), z.number()]).transform(String),
  level: LevelSchema,
  /** EHLO keywords the server must advertise, else the scenario is skipped. */
  requires: z.array(z.string()).default([]),
  /** What the target must offer: `mailbox` (read-back of delivered mail), `credentials` (an account for AUTH: {{authPlain}}, {{authUser}}, {{authPassword}}). */
  needs: z.array(z.enum(['mailbox', 'credentials'])).default([]),
  /** What the runner does before the steps: `ehlo` (default) reads the 220 greeting and sends EHLO. */
  prelude: PreludeSchema.default('ehlo'),
  /** Run only under these profiles (default: all). */
  profiles: z.array(z.enum(['strict', 'lenient'])).optional(),
  /** Why this scenario exists, for reports. */
  description: z.string().optional(),
  steps: z.array(StepSchema).min(1),
});
export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export const SuiteSchema = z.strictObject({
  suite: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).optional(),
  title: z.string(),
  rfc: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String).default('5321'),
  scenarios: z.array(ScenarioSchema).min(1),
});
export type SuiteInput = z.input<typeof SuiteSchema>;

/** A loaded suite: every scenario has its RFC filled in and knows its file. */
export interface Suite {
  name: string;
  title: string;
  file: string;
  scenarios: LoadedScenario[];
}

export interface LoadedScenario extends Omit<Scenario, 'rfc'> {
  rfc: string;
  suite: string;
  file: string;
  /** 1-based line of each step in the file (0 for .ts suites). */
  stepLines: number[];
}
