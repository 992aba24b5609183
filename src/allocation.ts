// TypeScript layer for allocation (placeholder until it lands).
export {}
