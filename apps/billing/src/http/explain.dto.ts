import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { periodSchema, queryParam } from '@cec/kernel';

/** GET /v1/accounts/:id/upcoming-bill (issue 10): `?period=` once, YYYY-MM, or absent. */
export const UpcomingBillQuerySchema = z.strictObject({
  period: queryParam(
    periodSchema().meta({
      example: '2026-05',
      description: 'a month not yet billed for the account, not after the running month (UTC+8); absent: the running month',
    }),
  ),
});
export class UpcomingBillQueryDto extends createZodDto(UpcomingBillQuerySchema) {}
