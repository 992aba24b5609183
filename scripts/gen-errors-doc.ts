// Writes docs/errors.md (see errors_doc.ts).
import { writeFileSync } from 'node:fs'
import { renderErrorsDoc } from './errors_doc.ts'

writeFileSync('docs/errors.md', renderErrorsDoc())
console.log('wrote docs/errors.md')
