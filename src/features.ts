// TypeScript layer for features (placeholder until it lands).
export {}
