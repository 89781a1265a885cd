import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { hasPythonDigit, isPythonDigit } from '../../src/samples/longrecipe/python-isdigit.js';
import { PYTHON_ISDIGIT_COUNT, PYTHON_ISDIGIT_RANGES, PYTHON_ISDIGIT_UNICODE } from '../../src/samples/longrecipe/python-isdigit-table.js';

/** python3's Unicode version and every code point for which its str.isdigit() holds. */
function pythonDigits(): { unicode: string; digits: Set<number> } {
  const py = "import sys, json, unicodedata; print(json.dumps({'unicode': unicodedata.unidata_version, 'digits': [c for c in range(sys.maxunicode + 1) if chr(c).isdigit()]}))";
  const r = spawnSync('python3', ['-c', py], { encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(r.status, 0, `python3 must run (it generated the table): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { unicode: string; digits: number[] };
  return { unicode: out.unicode, digits: new Set(out.digits) };
}

test("isPythonDigit agrees with python3's str.isdigit() on every code point (U+0000 … U+10FFFF)", () => {
  const py = pythonDigits();
  const ours = new Set<number>();
  for (let cp = 0; cp <= 0x10ffff; cp++) if (isPythonDigit(cp)) ours.add(cp);
  assert.equal(ours.size, PYTHON_ISDIGIT_COUNT);
  const missing = [...py.digits].filter((c) => !ours.has(c));
  const extra = [...ours].filter((c) => !py.digits.has(c));
  if (py.unicode === PYTHON_ISDIGIT_UNICODE) {
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `the table differs from python3 (Unicode ${py.unicode}); run python3 scripts/gen-python-isdigit.py`);
  } else {
    // Another Unicode version only adds digits (Unicode's stability policy): the older set must be inside the newer one.
    const newer = py.unicode.localeCompare(PYTHON_ISDIGIT_UNICODE, undefined, { numeric: true }) > 0;
    assert.deepEqual(newer ? extra : missing, [], `python3 has Unicode ${py.unicode}, the table ${PYTHON_ISDIGIT_UNICODE}: digits may only be added`);
  }
});

test('the table is sorted, disjoint, inclusive ranges; the characters of the issue are digits, fractions and numerals are not', () => {
  for (let i = 0; i + 1 < PYTHON_ISDIGIT_RANGES.length; i += 2) {
    assert.ok(PYTHON_ISDIGIT_RANGES[i]! <= PYTHON_ISDIGIT_RANGES[i + 1]!);
    if (i >= 2) assert.ok(PYTHON_ISDIGIT_RANGES[i]! > PYTHON_ISDIGIT_RANGES[i - 1]! + 1, 'ranges are maximal');
  }
  for (const ch of ['0', '9', '²', '₂', '③', '❶', '፩', '५', '٣', '５', '𝟗']) assert.ok(hasPythonDigit(ch), ch);
  for (const ch of ['a', '½', 'Ⅻ', '⑩', '十', '', '/', ':']) assert.ok(!hasPythonDigit(ch), ch);
  assert.ok(hasPythonDigit('E = mc²'));
  assert.ok(!hasPythonDigit('no digits here.'));
});
