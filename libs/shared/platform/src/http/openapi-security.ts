import type { OpenAPIObject } from '@nestjs/swagger';
import { PUBLIC_OPERATION_EXTENSION } from './public.decorator';

/** Name of the OpenAPI security scheme of the operator token. */
export const OPERATOR_SECURITY_SCHEME = 'bearer';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Makes the document say what the guard does: the `bearer` scheme (an opaque operator token, not a
 * JWT) on every operation, except those marked {@link Public} (they list no security). The marker
 * extension is removed. Mutates and returns `document`.
 */
export function applyOperatorSecurity(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    securitySchemes: {
      ...document.components?.securitySchemes,
      [OPERATOR_SECURITY_SCHEME]: {
        type: 'http',
        scheme: 'bearer',
        description: 'An opaque operator token, one of OPERATOR_TOKENS: `Authorization: Bearer <token>`',
      },
    },
  };
  delete document.security;
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as (Record<string, unknown> & { security?: unknown }) | undefined;
      if (!operation) continue;
      if (operation[PUBLIC_OPERATION_EXTENSION] === true) {
        delete operation[PUBLIC_OPERATION_EXTENSION];
        delete operation.security;
      } else {
        operation.security = [{ [OPERATOR_SECURITY_SCHEME]: [] }];
      }
    }
  }
  return document;
}
