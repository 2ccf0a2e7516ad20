/** The console suite's private stack: the slot's E2E ports moved up (NATS +1, apps +10..+14, console +15). */
export interface ConsoleStackOptions {
  name: string;
  natsPort: number;
  basePort: number;
  database: string;
  billingTestClock: true;
  consolePort: number;
}

export function consoleStackOptions(env: NodeJS.ProcessEnv = process.env): ConsoleStackOptions {
  const basePort = Number(env['E2E_BASE_PORT'] ?? 14000) + 10;
  return {
    name: `${env['E2E_STACK_NAME'] ?? 'e2e'}-console`,
    natsPort: Number(env['E2E_NATS_PORT'] ?? 14222) + 1,
    basePort,
    database: `${env['E2E_DATABASE'] ?? 'cec_billing_e2e'}_console`,
    billingTestClock: true,
    consolePort: basePort + 5,
  };
}

export interface ConsoleStackInfo {
  token: string;
  ports: { catalog: number; subscription: number; metering: number; billing: number };
  consolePort: number;
}

export function consoleStackInfo(): ConsoleStackInfo {
  const raw = process.env['CONSOLE_E2E_STACK'];
  if (!raw)
    throw new Error(
      'CONSOLE_E2E_STACK is not set: run through apps/console/jest.e2e.config.js (its global setup starts the stack)',
    );
  return JSON.parse(raw) as ConsoleStackInfo;
}
