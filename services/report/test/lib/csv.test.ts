import t from 'tap'
import { csvField, csvRecord } from '../../src/index.js'

t.test('RFC 4180 fields', async (t) => {
  t.equal(csvField('plain'), 'plain')
  t.equal(csvField('a,b'), '"a,b"')
  t.equal(csvField('say "hi"'), '"say ""hi"""')
  t.equal(csvField('two\nlines'), '"two\nlines"')
  t.equal(csvField('cr\r'), '"cr\r"')
  t.equal(csvField(null), '')
  t.equal(csvField(undefined), '')
  t.equal(csvField(true), 'true')
  t.equal(csvField(42), '42')
  t.equal(csvField(['E3', 'E5']), '"E3; E5"')
  t.equal(csvField([]), '')
})

t.test('formula injection: text that could start a formula gets a leading quote', async (t) => {
  t.equal(csvField('=1+1'), "'=1+1")
  t.equal(csvField('+1'), "'+1")
  t.equal(csvField('-1'), "'-1")
  t.equal(csvField('@SUM(A1)'), "'@SUM(A1)")
  t.equal(csvField('\tx'), "'\tx")
  t.equal(csvField('=HYPERLINK("x","y")'), '"\'=HYPERLINK(""x"",""y"")"', 'prefixed, then quoted')
  t.equal(csvField(['=evil', 'ok']), '"\'=evil; ok"', 'a list starting with a formula')
  t.equal(csvField(-1), '-1', 'numbers are ours, not text')
  t.equal(csvField('a=b'), 'a=b')
  // Excel in locales whose list separator is ';' (most of Europe) splits an unquoted field there: a cell of its own
  t.equal(csvField("Ann;=cmd|' /C calc'!A0"), '"Ann;=cmd|\' /C calc\'!A0"', 'a semicolon is quoted: no formula cell behind it')
  t.equal(csvField(['E3', '=evil']), '"E3; =evil"', 'nor behind a list separator')
})

t.test('records end in CRLF', async (t) => {
  t.equal(csvRecord(['a', null, 'b,c']), 'a,,"b,c"\r\n')
})
