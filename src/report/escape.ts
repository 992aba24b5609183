// Escaping for text that comes from user files (scenario names, descriptions, series names):
// everything written into the report passes through one of these, so data stays data.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for HTML/SVG element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
}

/**
 * JSON for the inside of a `<script type="application/json">` element. `<`, `>` and `&` become
 * `\u003c`-style escapes so no `</script>` or `<!--` can appear, and U+2028/U+2029 are escaped
 * too; `JSON.parse` of the element's text gives the value back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
