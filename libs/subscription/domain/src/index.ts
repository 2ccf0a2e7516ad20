export * from './subscription.rules';
export * from './account';
export * from './subscription';
export * from './commands.parser';
