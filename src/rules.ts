// TypeScript layer for rules (placeholder until it lands).
export {}
