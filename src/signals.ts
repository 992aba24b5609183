// TypeScript layer for signals (placeholder until it lands).
export {}
