export * from './catalog.ports';
export * from './catalog.use-cases';
