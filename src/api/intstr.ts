// intstr.IntOrString: fields such as maxSurge, maxUnavailable and targetPort hold either a number or
// a string ("25%", "http"). These helpers read them as Kubernetes does.

import { GoValue, goQuote } from './validation/field.js';

export type IntOrString = number | string;

/** IntOrString as Go's %#v prints it in validation messages (Type 0 = Int, 1 = String). */
export function goIntOrString(v: unknown): GoValue {
  if (typeof v === 'string') return new GoValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`);
  return new GoValue(`intstr.IntOrString{Type:0, IntVal:${typeof v === 'number' ? v : 0}, StrVal:""}`);
}

const PERCENT = /^[0-9]+%$/;

/** validation.IsValidPercent. */
export function isValidPercent(value: string): string[] {
  return PERCENT.test(value) ? [] : ["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"];
}

/**
 * intstr.GetScaledValueFromIntOrPercent: a number as is, "N%" of total rounded up or down.
 * Throws for strings that are not percentages.
 */
export function scaledValueFromIntOrPercent(v: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) throw new Error('nil value for IntOrString');
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error(`invalid type: string is not a percentage`);
  const percent = Number(v.slice(0, -1));
  if (!Number.isInteger(percent)) throw new Error(`invalid value for IntOrString: invalid value "${v}": strconv.Atoi: parsing "${v.slice(0, -1)}": invalid syntax`);
  const scaled = (percent * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
