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
  return JSON.parse(readFileSync(join(tmpdir(), 'cec-billing-e2e-stack.json'), 'utf8')) as StackInfo;
}
