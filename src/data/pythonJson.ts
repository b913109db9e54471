// JSON text byte-compatible with Python's `json.dumps(value, indent=2)`, which is how MergeXO's
// dashboard data is written. Scripts built on MergeXO's output can switch to ours and diff outputs.
// Floats print as Python's repr (`0.0`, `1e-05`), bigints stay exact, non-ASCII is `\uXXXX`-escaped.

/** Fields that MergeXO computes as floats: an integral value still prints with `.0`. */
const FLOAT_FIELDS = new Set([
  'mean_runtime_seconds',
  'stddev_runtime_seconds',
  'failure_rate',
  'elapsed_seconds',
  'age_seconds',
  'duration_seconds',
]);

export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // toExponential() without digits gives the shortest round-trip digits, as Python's repr does.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const fraction = digits.slice(exponent + 1);
    return `${sign}${whole}.${fraction || '0'}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponentDigits = String(Math.abs(exponent)).padStart(2, '0');
  return `${sign}${head}e${exponent < 0 ? '-' : '+'}${exponentDigits}`;
}

export function pythonString(value: string): string {
  let out = '"';
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    const char = value[index];
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

function scalar(value: unknown, key: string | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    const isFloat = (key !== undefined && FLOAT_FIELDS.has(key)) || !Number.isInteger(value);
    return isFloat ? pythonFloatRepr(value) : String(value);
  }
  return pythonString(String(value));
}

function encode(value: unknown, indent: string, key: string | undefined): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => inner + encode(item, inner, key));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const items = entries.map(
      ([name, item]) => `${inner}${pythonString(name)}: ${encode(item, inner, name)}`,
    );
    return `{\n${items.join(',\n')}\n${indent}}`;
  }
  return scalar(value, key);
}

export function toPythonJson(value: unknown): string {
  return encode(value, '', undefined);
}
