// TypeScript layer for contracts (placeholder until it lands).
export {}
