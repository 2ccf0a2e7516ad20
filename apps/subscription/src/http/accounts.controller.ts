import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { parseCreateAccountCommand } from '@cec/subscription-domain';
import {
  CreateAccountUseCase,
  GetAccountUseCase,
  ListAccountSubscriptionsUseCase,
  SearchAccountsUseCase,
} from '@cec/subscription-application';
import {
  AccountSearchQueryDto,
  AccountView,
  CreateAccountDto,
  ErrorView,
  IdParamsDto,
  SubscriptionView,
} from './subscription.dto';
import { accountView, subscriptionView } from './subscription.views';

@ApiTags('accounts')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorView, description: 'UNAUTHORIZED: missing or unknown bearer token' })
@Controller('v1/accounts')
export class AccountsController {
  constructor(
    private readonly createAccount: CreateAccountUseCase,
    private readonly getAccount: GetAccountUseCase,
    private readonly listSubscriptions: ListAccountSubscriptionsUseCase,
    private readonly searchAccounts: SearchAccountsUseCase,
  ) {}

  @Get()
  @ApiOkResponse({
    type: [AccountView],
    description:
      'Issue 12: accounts whose id or name starts with `search` (case-insensitive), in id order (byte order), ' +
      'at most `limit`; ' +
      'a full page may have a next one: ask again with `after` = its last id',
  })
  @ApiBadRequestResponse({ type: ErrorView, description: 'VALIDATION_FAILED naming search, limit or after' })
  async search(@Query() query: AccountSearchQueryDto): Promise<AccountView[]> {
    return (await this.searchAccounts.execute(query)).map(accountView);
  }

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: AccountView, description: 'Created; published as subscription.account.created' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'VALIDATION_FAILED naming the field' })
  @ApiConflictResponse({ type: ErrorView, description: 'ACCOUNT_EXISTS: an account with that id exists' })
  async create(@Body() body: CreateAccountDto): Promise<AccountView> {
    return accountView(await this.createAccount.execute(parseCreateAccountCommand(body)));
  }

  @Get(':id')
  @ApiOkResponse({ type: AccountView })
  @ApiNotFoundResponse({ type: ErrorView, description: 'ACCOUNT_NOT_FOUND' })
  async get(@Param() params: IdParamsDto): Promise<AccountView> {
    return accountView(await this.getAccount.execute(params.id));
  }

  @Get(':id/subscriptions')
  @ApiOkResponse({ type: [SubscriptionView], description: 'The account\'s subscriptions, oldest enabling first (without their histories)' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'ACCOUNT_NOT_FOUND' })
  async subscriptions(@Param() params: IdParamsDto): Promise<SubscriptionView[]> {
    return (await this.listSubscriptions.execute(params.id)).map(subscriptionView);
  }
}
