import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['**/dist/**', '**/node_modules/**', '**/migrations/**', 'data/**', 'bench/results/**', '.nx/**']
  }),
  {
    rules: {
      // A TypeBox schema and its Static type share one name (STYLE.md §11); tsc catches real redeclarations.
      '@typescript-eslint/no-redeclare': 'off'
    }
  }
]
