export * from './subjects';
export * from './payloads';
