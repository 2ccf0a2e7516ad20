import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the global setup's private stack wrote for the scenarios (tools/stack/private-stack.ts). */
export interface StackInfo {
  natsUrl: string;
  databaseUrl: string;
  token: string;
  ports: { catalog: number; subscription: number; metering: number; billing: number };
}

export function stackInfo(): StackInfo {
  // the private stack's state file is named after E2E_STACK_NAME (tools/stack/private-stack.ts)
  return JSON.parse(readFileSync(join(tmpdir(), `cec-billing-${process.env['E2E_STACK_NAME'] ?? 'e2e'}-stack.json`), 'utf8')) as StackInfo;
}
