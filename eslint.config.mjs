import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Module boundaries (docs/architecture.md, Layers): domain libs import nothing of Nest, the ORM or NATS; apps
// are leaves; contexts talk only through contracts.
const banFrameworks = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['@nestjs/*', '@mikro-orm/*', 'nats', '@nats-io/*', 'express', 'pg'], message: 'Domain and kernel code stays free of Nest, the ORM and NATS.' },
      ],
    },
  ],
};

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/tmp/**', '**/.nx/**', '**/*.js', '**/*.mjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:kernel', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts'] },
            { sourceTag: 'type:application', onlyDependOnLibsWithTags: ['type:kernel', 'type:domain', 'type:contracts'] },
            { sourceTag: 'type:persistence', onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts', 'type:domain', 'type:application', 'type:platform'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts', 'type:platform'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts', 'type:platform', 'type:domain', 'type:application', 'type:persistence', 'type:testing'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts', 'type:testing'] },
            // the console (issue 12) is a browser client and a proxy: it talks to the apps over REST only
            { sourceTag: 'type:console', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:catalog', onlyDependOnLibsWithTags: ['scope:shared', 'scope:catalog'] },
            { sourceTag: 'scope:subscription', onlyDependOnLibsWithTags: ['scope:shared', 'scope:subscription'] },
            { sourceTag: 'scope:metering', onlyDependOnLibsWithTags: ['scope:shared', 'scope:metering'] },
            { sourceTag: 'scope:billing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:billing'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:console', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
    },
  },
  { files: ['libs/*/domain/**/*.ts', 'libs/shared/kernel/**/*.ts', 'libs/shared/contracts/**/*.ts'], rules: banFrameworks },
  ...tseslint.configs.recommended.map((c) => ({ ...c, files: ['**/*.ts', '**/*.tsx'] })),
  { files: ['**/*.ts', '**/*.tsx'], rules: { '@typescript-eslint/no-explicit-any': 'error', '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }] } },
];
