import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

function firstMessage(errors: ValidationError[], parent = ''): string | undefined {
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ? Object.values(error.constraints) : [];
    if (constraints.length > 0) {
      // class-validator messages start with the property name; give the full path instead.
      const message = constraints[0];
      return message.startsWith(`${error.property} `) ? `${path}${message.slice(error.property.length)}` : `${path}: ${message}`;
    }
    const nested = firstMessage(error.children ?? [], path);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * The global pipe: DTO shape checks with class-validator, unknown fields refused, and the first
 * problem named in one human sentence (`quantity must be a whole number >= 0`).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: false,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) =>
      new BadRequestException({ code: 'VALIDATION_FAILED', message: firstMessage(errors) ?? 'request body is invalid' }),
  });
}
