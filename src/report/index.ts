// The report module's public surface, re-exported by src/index.ts.
export { renderBacktestReport } from './html.js'
export type { BacktestReport, BacktestRun, BacktestScenarioInfo, BacktestSeries, BacktestSummary, BacktestWorkload } from './types.js'
