import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';

/**
 * `GET /metrics` (Prometheus text format) on the app's HTTP port. Not public: it needs the operator
 * token like every other route. Without a token, metrics are served only by the separate listener
 * of METRICS_PORT / METRICS_HOST (see MetricsListener), which the operator keeps private.
 */
@ApiTags('operations')
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'Needs the operator token. Operators who set METRICS_PORT (and METRICS_HOST) also get the same metrics without ' +
      'a token on that separate listener, which they keep private.',
  })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text format 0.0.4' })
  @ApiResponse({ status: 401, description: 'No or an unknown operator token' })
  override index(@Res({ passthrough: true }) response: Response): Promise<string> {
    return super.index(response);
  }
}
