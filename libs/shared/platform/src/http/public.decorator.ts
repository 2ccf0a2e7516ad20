import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/** Reflector key of {@link Public}: the route may be called without an operator token. */
export const IS_PUBLIC_ROUTE = 'cec:public-route';

/** OpenAPI marker the document post-processor reads (and removes) to leave public operations unsecured. */
export const PUBLIC_OPERATION_EXTENSION = 'x-cec-public';

/**
 * Marks a handler or a whole controller as callable without a token. Everything else needs one
 * (deny by default): the guard reads this metadata on the route that matched, never the URL text.
 */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(IS_PUBLIC_ROUTE, true), ApiExtension(PUBLIC_OPERATION_EXTENSION, true));
}

/** Reflector key of {@link AllowNulInBody}. */
export const ALLOWS_NUL_IN_BODY = 'cec:allows-nul-in-body';

/**
 * The route judges NUL characters in its body strings itself (metering's batches dead-letter the
 * one bad event and keep the good ones, R6.3), so the generic bounds do not refuse the whole body.
 * Nesting depth is still bounded.
 */
export function AllowNulInBody(): MethodDecorator & ClassDecorator {
  return SetMetadata(ALLOWS_NUL_IN_BODY, true);
}
