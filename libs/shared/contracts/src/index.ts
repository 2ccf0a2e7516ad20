export * from './subjects';
export * from './payloads';
export * from './usage-runs';
export * from './usage-pages';
