// Exact decimal strings: compared and subtracted with BigInt, never with binary floats.

function parts(s) {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(s ?? '0').trim());
  if (!m) return { neg: false, int: '0', frac: '' };
  return { neg: m[1] === '-', int: m[2] || '0', frac: m[3] || '' };
}

function scaled(s, scale) {
  const p = parts(s);
  const v = BigInt(p.int + p.frac.padEnd(scale, '0'));
  return p.neg ? -v : v;
}

function unscale(v, scale) {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = scale ? digits.slice(-scale).replace(/0+$/, '') : '';
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

const scaleOf = (...xs) => Math.max(0, ...xs.map((x) => parts(x).frac.length));

export const subtract = (a, b) => {
  const s = scaleOf(a, b);
  return unscale(scaled(a, s) - scaled(b, s), s);
};

export const compare = (a, b) => {
  const s = scaleOf(a, b);
  const d = scaled(a, s) - scaled(b, s);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

export const isZero = (a) => compare(a, '0') === 0;

/** a / b as a percentage with one decimal, for display; null when b is zero. */
export function percentChange(now, before) {
  if (isZero(before)) return null;
  const s = scaleOf(now, before);
  const diff = scaled(now, s) - scaled(before, s);
  const base = scaled(before, s);
  const tenths = (diff * 1000n) / (base < 0n ? -base : base);
  return Number(tenths) / 10;
}

const formatters = new Map();
/** An amount for display with its currency (the string stays the source of truth). */
export function money(amount, currency = 'USD') {
  const code = currency || 'USD';
  let f = formatters.get(code);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency: code, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    } catch {
      f = { format: (x) => `${x} ${code}` };
    }
    formatters.set(code, f);
  }
  return f.format(String(amount ?? '0'));
}

/** A share of max for bar lengths (display only). */
export const ratio = (amount, max) => (Number(max) > 0 ? Math.max(0, Number(amount)) / Number(max) : 0);
