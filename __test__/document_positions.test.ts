// The parse* functions of JSON documents: a problem of the text itself (malformed JSON, a
// duplicate key) is a GamesaError with its JSON path and with `line` and `column` where the
// parser found it; a problem of a value has a path and no position.
import test from 'ava'
import { GamesaError, type GamesaErrorCode, parseAllocatorConfig, parseGateConfig, parseMarketDocument, parseScenario } from '@gamesa/core'

const PARSERS: Array<[string, (text: string) => unknown, GamesaErrorCode]> = [
  ['parseAllocatorConfig', parseAllocatorConfig, 'INVALID_CONFIG'],
  ['parseGateConfig', parseGateConfig, 'INVALID_GATE'],
  ['parseMarketDocument', parseMarketDocument, 'INVALID_CONFIG'],
  ['parseScenario', parseScenario, 'INVALID_SCENARIO'],
]

function error(parse: (text: string) => unknown, text: string): GamesaError {
  try {
    parse(text)
  } catch (e) {
    if (e instanceof GamesaError) return e
    throw e
  }
  throw new Error(`accepted: ${text}`)
}

for (const [name, parse, code] of PARSERS) {
  test(`${name}: malformed JSON has its line and column`, (t) => {
    const e = error(parse, '{\n  "description": "x",\n  "oops": [1,,]\n}')
    t.is(e.code, code)
    t.is(e.path, '$')
    t.is(e.line, 3)
    t.is(e.column, 14)
    t.regex(e.message, /at line 3 column 14/)
    const eof = error(parse, '{"description": "x",')
    t.deepEqual([eof.line, eof.column], [1, 20])
  })

  test(`${name}: a duplicate key is refused at its path, with its line and column`, (t) => {
    const e = error(parse, '{"description": "a",\n  "description": "b"}')
    t.is(e.code, code)
    t.is(e.path, '$.description')
    t.is(e.line, 2)
    t.true(typeof e.column === 'number' && e.column > 0)
    t.regex(e.message, /duplicate key `description`/)
  })

  test(`${name}: a problem of a value has a path and no position`, (t) => {
    const e = error(parse, '{"description": 5}')
    t.is(e.path, '$.description')
    t.is(e.line, undefined)
    t.is(e.column, undefined)
  })
}
