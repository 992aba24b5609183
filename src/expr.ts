// TypeScript layer for expr (placeholder until it lands).
export {}
