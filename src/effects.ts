// TypeScript layer for effects (placeholder until it lands).
export {}
