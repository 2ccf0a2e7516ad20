import type { OpenAPIObject } from '@nestjs/swagger';
import { applyOperatorSecurity } from './openapi-security';
import { PUBLIC_OPERATION_EXTENSION } from './public.decorator';

describe('applyOperatorSecurity (#8.7)', () => {
  it('#8.7 every operation requires the opaque bearer token except those marked public', () => {
    const document = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      security: [{ bearer: [] }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      paths: {
        '/v1/test/clock': { get: { responses: {} }, put: { responses: {} }, delete: { responses: {} } },
        '/v1/bills': { get: { responses: {}, security: [{ bearer: [] }] } },
        '/health': { get: { responses: {}, [PUBLIC_OPERATION_EXTENSION]: true } },
      },
    } as unknown as OpenAPIObject;
    const result = applyOperatorSecurity(document);
    expect(result.security).toBeUndefined();
    expect(result.components?.securitySchemes?.['bearer']).toEqual({ type: 'http', scheme: 'bearer', description: expect.stringContaining('opaque') });
    for (const method of ['get', 'put', 'delete'] as const) {
      expect(result.paths['/v1/test/clock'][method]?.security).toEqual([{ bearer: [] }]);
    }
    expect(result.paths['/v1/bills'].get?.security).toEqual([{ bearer: [] }]);
    expect(result.paths['/health'].get?.security).toBeUndefined();
    expect(result.paths['/health'].get).not.toHaveProperty(PUBLIC_OPERATION_EXTENSION);
  });
});
