import { SessionError } from './errors.js'

/**
 * Validation of session data against the app's schema: any library that implements Standard Schema
 * v1 (https://standardschema.dev: zod 4, valibot, ArkType…). The interface is structural, so the
 * package needs no dependency for it: an object with a `~standard` property that validates.
 */

/** One problem Standard Schema reports: a message and where in the data it is. */
export interface SchemaIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

/** What a Standard Schema's `validate` returns: the output, or the issues. */
export type SchemaResult<Output> =
  { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<SchemaIssue> }

/** A Standard Schema v1 (zod 4, valibot, ArkType…) whose output is the session's data. */
export interface SessionSchema<Output = unknown> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => SchemaResult<Output> | Promise<SchemaResult<Output>>
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined
  }
}

/** The data type a schema produces. */
export type SchemaOutput<S> = S extends SessionSchema<infer Output> ? (Output extends object ? Output : never) : never

/** `path: message` for each issue, for error messages. */
export function describeIssues(issues: ReadonlyArray<SchemaIssue>): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const path = (issue.path ?? [])
      .map((segment) => String(typeof segment === 'object' && segment !== null ? segment.key : segment))
      .join('.')
    return path === '' ? issue.message : `${path}: ${issue.message}`
  })
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''
  return shown.join('; ') + more
}

/** Validates `value`: the schema's output, or the issues; a schema that throws is one issue. */
export async function validate<T>(
  schema: SessionSchema<T>,
  value: unknown,
): Promise<{ ok: true; value: T } | { ok: false; issues: ReadonlyArray<SchemaIssue> }> {
  let result: SchemaResult<T>
  try {
    const returned = schema['~standard'].validate(value)
    result =
      typeof (returned as { then?: unknown }).then === 'function' ? await returned : (returned as SchemaResult<T>)
  } catch (cause) {
    return {
      ok: false,
      issues: [{ message: `the schema threw: ${cause instanceof Error ? cause.message : String(cause)}` }],
    }
  }
  if (result.issues !== undefined) return { ok: false, issues: result.issues }
  return { ok: true, value: result.value }
}

/** The error of data that does not match the schema, with the issues as `cause`. */
export function invalidData(
  cookieName: string,
  issues: ReadonlyArray<SchemaIssue>,
  when: 'read' | 'commit',
): SessionError {
  const message =
    when === 'read'
      ? `session cookie ${cookieName} holds data the schema refuses (${describeIssues(issues)}): a new session was started`
      : `session data does not match the schema, nothing was written (${describeIssues(issues)})`
  return new SessionError('ERR_SESSION_INVALID', message, { cause: issues })
}
