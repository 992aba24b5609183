// A writer for the durability test: appends deterministic ticks to an experience store until
// it is killed, and reports on standard output every time a batch has been committed.
// argv: <store> <batchSize> <flushIntervalMs>
import { writeSync } from 'node:fs'
import { ExperienceWriter } from '../../src/guardian/experience/index.js'
import { experienceRow } from './experience_rows.js'

const [path, batch, interval] = process.argv.slice(2)
const writer = ExperienceWriter.open(path!, { batchSize: Number(batch), flushIntervalMs: Number(interval) })
const run = writer.beginRun('api', 'durability child')
writeSync(1, `ready ${run}\n`)
let reported = 0
let tick = 0
const report = () => {
  if (writer.written !== reported) {
    reported = writer.written
    writeSync(1, `committed ${reported}\n`)
  }
}
// The interval flush runs on a timer, so the loop yields to the event loop now and then.
setInterval(report, 5).unref()
const step = () => {
  for (let i = 0; i < 7; i++) {
    writer.append(run, experienceRow(tick++))
    report()
  }
  setTimeout(step, 1)
}
step()
