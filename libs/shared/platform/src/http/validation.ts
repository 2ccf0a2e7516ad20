import { PipeTransform } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import { z } from 'zod';
import { DomainError, ERROR_CODES, ErrorCode } from '@cec/kernel';

/** `events[3].quantity`: the path of a field as a reader writes it. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

/** A validation code carried by a schema issue (e.g. `UNSUPPORTED_BILLING_MODE`), else VALIDATION_FAILED. */
function codeOf(issue: z.core.$ZodIssue): ErrorCode {
  const code = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' && code in ERROR_CODES && ERROR_CODES[code as ErrorCode] === 'validation' ? (code as ErrorCode) : 'VALIDATION_FAILED';
}

/**
 * One sentence naming the field at fault (R8.1): the first issue of a zod error, its field path in
 * front of the schema's message (`quantity must be a whole number >= 0`); an unknown field is named
 * itself (`colour is not an allowed field`).
 */
export function validationFailure(error: unknown): DomainError {
  const issues = error instanceof z.ZodError ? error.issues : [];
  const issue = issues[0];
  if (!issue) return DomainError.validation('the request is invalid');
  const path = fieldPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const key = fieldPath([...issue.path, issue.keys[0] ?? '?']);
    return DomainError.validation(`${key} is not an allowed field`);
  }
  if (path === '') {
    return DomainError.validation(issue.code === 'invalid_type' ? 'the request body must be a JSON object' : `the request ${issue.message}`);
  }
  return new DomainError(codeOf(issue), `${path} ${issue.message}`);
}

/**
 * The global pipe: every body, query and path parameter typed with a zod DTO (`createZodDto`) is
 * checked against its schema (unknown fields refused: strict objects), and the first problem is
 * answered as `{statusCode: 400, code, message}` naming the field. Parameters not typed with a zod
 * DTO (NATS payloads, `@Res()`) pass through.
 */
export function createValidationPipe(): PipeTransform {
  const ZodPipe = createZodValidationPipe({ createValidationException: validationFailure });
  return new ZodPipe();
}
