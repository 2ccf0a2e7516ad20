import { Controller, ExecutionContext, Get, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import { checkBearer, OperatorTokenGuard } from './operator-token.guard';
import { Public } from './public.decorator';

const TOKEN = 'operator-token-0123456789';

@Controller('v1/things')
class ThingsController {
  @Get()
  list(): string[] {
    return [];
  }

  @Public()
  @Get('open')
  open(): string {
    return 'open';
  }
}

@Public()
@Controller('health')
class OpenController {
  @Get()
  check(): string {
    return 'up';
  }
}

function httpContext(handler: () => unknown, controller: object, path: string, authorization?: string): ExecutionContext {
  const request = { path, headers: authorization === undefined ? {} : { authorization } };
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('OperatorTokenGuard: deny by default on the matched route (#8.1)', () => {
  const guard = new OperatorTokenGuard({ operatorTokens: [TOKEN] } as Partial<AppConfig> as AppConfig, new Reflector());
  const list = ThingsController.prototype.list;

  it('#8.1 a protected handler needs the token whatever the path text says', () => {
    for (const path of ['/v1/things', '/V1/things', '/health', '/docs', '/', '//v1/things', '/%76%31/things']) {
      expect(() => guard.canActivate(httpContext(list, ThingsController, path))).toThrow(UnauthorizedException);
      expect(guard.canActivate(httpContext(list, ThingsController, path, `Bearer ${TOKEN}`))).toBe(true);
    }
  });

  it('#8.1 only handlers or controllers marked @Public() pass without a token', () => {
    expect(guard.canActivate(httpContext(ThingsController.prototype.open, ThingsController, '/v1/things/open'))).toBe(true);
    expect(guard.canActivate(httpContext(OpenController.prototype.check, OpenController, '/health'))).toBe(true);
  });

  it('#8.1 wrong and malformed tokens are 401 UNAUTHORIZED', () => {
    for (const header of ['Bearer nope', 'Bearer', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} ${TOKEN}`]) {
      try {
        guard.canActivate(httpContext(list, ThingsController, '/v1/things', header));
        throw new Error(`accepted ${header}`);
      } catch (error) {
        expect(error).toBeInstanceOf(UnauthorizedException);
        expect((error as UnauthorizedException).getResponse()).toMatchObject({ code: 'UNAUTHORIZED' });
      }
    }
  });

  it('request/reply (NATS) contexts are not HTTP and pass', () => {
    const rpc = { getType: () => 'rpc' } as unknown as ExecutionContext;
    expect(guard.canActivate(rpc)).toBe(true);
  });

  it('checkBearer: scheme in any case, exactly one token, constant-time comparison per candidate', () => {
    const tokens = [Buffer.from(TOKEN), Buffer.from('another-operator-token-99')];
    expect(checkBearer(`bearer ${TOKEN}`, tokens)).toBe('ok');
    expect(checkBearer('Bearer another-operator-token-99', tokens)).toBe('ok');
    expect(checkBearer('Bearer another', tokens)).toBe('unknown');
    expect(checkBearer(undefined, tokens)).toBe('missing');
    expect(checkBearer([`Bearer ${TOKEN}`], tokens)).toBe('missing');
  });
});
