// One zod schema per kind: raw CSV cells (keyed by our column names) → the canonical API document.
// Documents are built with a fixed key order; absent fields are undefined, which JSON.stringify leaves
// out. So JSON.stringify of two equal documents is byte-identical: the basis of change detection
// (src/plan/canonical.ts).
import { z } from 'zod';
import type { BonusCheck, Coupon, Member, StampCard } from '../api/events.ts';
import type { ItemKind } from './kinds.ts';
import { normalisePhoneNumber } from './phone.ts';
import { Invalid, parseBoolean, parseDateTime, parseDecimal, parseInteger, parseMinorUnits, type DateFormat } from './values.ts';

export interface RowContext {
  defaultCountry: string;
  timeZone: string;
  dateFormat: DateFormat;
  currency: string;
}

export interface MemberRow {
  contactId: string;
  doc: Member;
}
export interface ItemRow<D = Coupon | StampCard | BonusCheck> {
  contactId: string;
  itemId: string;
  doc: D;
}

type RawRow = Record<string, string | undefined>;


function expected(ctx: z.RefinementCtx, column: string, problem: Invalid | string, input: unknown): typeof z.NEVER {
  const message = typeof problem === 'string' ? problem : `expected ${problem.expected}`;
  ctx.addIssue({ code: 'custom', path: [column], message, input });
  return z.NEVER;
}

/** Reads one cell: undefined when empty, the parsed value, or an issue on that column. */
function reader(row: RawRow, ctx: z.RefinementCtx) {
  let failed = false;
  function cell<T>(column: string, parse: (text: string) => T | Invalid): T | undefined {
    const text = row[column]?.trim();
    if (!text) return undefined;
    const value = parse(text);
    if (value instanceof Invalid) {
      failed = true;
      expected(ctx, column, value, text);
      return undefined;
    }
    return value;
  }
  function required<T>(column: string, parse: (text: string) => T | Invalid): T | undefined {
    if (!row[column]?.trim()) {
      failed = true;
      expected(ctx, column, 'required value is empty', row[column]);
      return undefined;
    }
    return cell(column, parse);
  }
  return { cell, required, failed: () => failed };
}

const text = (value: string) => value;

/**
 * Exports repeat the same few thousand dates millions of times and time-zone arithmetic (Intl) is slow:
 * each schema remembers what it parsed (bounded).
 */
function dateParser(context: RowContext): (value: string) => string | Invalid {
  const parsed = new Map<string, string | Invalid>();
  return (value) => {
    let result = parsed.get(value);
    if (result === undefined) {
      if (parsed.size >= 50_000) parsed.clear();
      result = parseDateTime(value, context.timeZone, context.dateFormat);
      parsed.set(value, result);
    }
    return result;
  };
}
const identifier = (value: string) => (value.length <= 200 ? value : new Invalid('an id of at most 200 characters'));
// The cells come from csv-parse, always strings: checking that again per row would only cost time.
const rawRow = z.custom<RawRow>();

function memberSchema(context: RowContext) {
  const date = dateParser(context);
  return rawRow.transform((row, ctx): MemberRow => {
    const { cell, required, failed } = reader(row, ctx);
    const contactId = required('contact_id', identifier);
    const phoneNumber = required('phone_number', (value) => normalisePhoneNumber(value, context.defaultCountry));
    const joinedOn = cell('joined_on', date);
    const balance = cell('bonus_points', (value) => parseInteger(value));
    const tier = cell('tier', text);
    const acceptsEmail = cell('accepts_email', parseBoolean);
    const acceptsSms = cell('accepts_sms', parseBoolean);
    const acceptsPostal = cell('accepts_postal', parseBoolean);
    if (failed()) return z.NEVER;
    const anyPreference = acceptsEmail !== undefined || acceptsSms !== undefined || acceptsPostal !== undefined;
    const doc: Member = {
      contactId: contactId!,
      phoneNumber: phoneNumber!,
      joinedOn,
      bonusPoints: balance === undefined ? undefined : { balance },
      tier,
      communicationPreferences: anyPreference ? { acceptsEmail, acceptsSms, acceptsPostal } : undefined,
    };
    return { contactId: contactId!, doc };
  });
}

const PERCENTAGE_WORDS = new Set(['percentage', 'percent', 'pct', '%', 'prosent', 'procent']);
const AMOUNT_WORDS = new Set(['amount', 'fixed', 'kr', 'beløp', 'belopp', 'beløb']);

function parseCurrency(value: string): string | Invalid {
  const code = value.toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? code : new Invalid('a currency code like NOK');
}

function couponSchema(context: RowContext) {
  const date = dateParser(context);
  return rawRow.transform((row, ctx): ItemRow<Coupon> => {
    const { cell, required, failed } = reader(row, ctx);
    const contactId = required('contact_id', identifier);
    const couponId = required('coupon_id', identifier);
    const title = required('title', text);
    const description = cell('description', text);
    const code = cell('code', text);
    const type = cell('discount_type', (value) => {
      const word = value.toLowerCase();
      if (PERCENTAGE_WORDS.has(word)) return 'percentage' as const;
      if (AMOUNT_WORDS.has(word)) return 'amount' as const;
      return new Invalid('a discount type: percentage or amount');
    });
    const discountValue = cell('discount_value', (value) => {
      if (type === 'amount') return parseMinorUnits(value);
      const percent = parseDecimal(value);
      return percent instanceof Invalid || (percent > 0 && percent <= 100) ? percent : new Invalid('a percentage above 0 and at most 100');
    });
    const currency = cell('currency', parseCurrency);
    const validFrom = cell('valid_from', date);
    const validTo = cell('valid_to', date);
    if (type && discountValue === undefined && !failed()) expected(ctx, 'discount_value', 'required when discount_type is set', row.discount_value);
    if (!type && discountValue !== undefined) expected(ctx, 'discount_type', 'required when discount_value is set', row.discount_type);
    if (failed() || (type === undefined) !== (discountValue === undefined)) return z.NEVER;
    const discount: Coupon['discount'] =
      type === 'amount'
        ? { type, value: discountValue!, currency: currency ?? context.currency }
        : type === 'percentage'
          ? { type, value: discountValue! }
          : undefined;
    const doc: Coupon = { couponId: couponId!, title: title!, description, code, discount, validFrom, validTo };
    return { contactId: contactId!, itemId: couponId!, doc };
  });
}

function stampCardSchema(context: RowContext) {
  const date = dateParser(context);
  return rawRow.transform((row, ctx): ItemRow<StampCard> => {
    const { cell, required, failed } = reader(row, ctx);
    const contactId = required('contact_id', identifier);
    const stampCardId = required('stamp_card_id', identifier);
    const title = required('title', text);
    const stampsRequired = required('stamps_required', (value) => parseInteger(value, { min: 1 }));
    const stampsCollected = required('stamps_collected', (value) => parseInteger(value, { min: 0 }));
    const reward = cell('reward', text);
    const description = cell('description', text);
    const validTo = cell('valid_to', date);
    if (failed()) return z.NEVER;
    if (stampsCollected! > stampsRequired!) {
      return expected(ctx, 'stamps_collected', `expected at most stamps_required (${stampsRequired}), got ${stampsCollected}`, row.stamps_collected);
    }
    const doc: StampCard = {
      stampCardId: stampCardId!,
      title: title!,
      stampsRequired: stampsRequired!,
      stampsCollected: stampsCollected!,
      reward,
      description,
      validTo,
    };
    return { contactId: contactId!, itemId: stampCardId!, doc };
  });
}

function bonusCheckSchema(context: RowContext) {
  const date = dateParser(context);
  return rawRow.transform((row, ctx): ItemRow<BonusCheck> => {
    const { cell, required, failed } = reader(row, ctx);
    const contactId = required('contact_id', identifier);
    const bonusCheckId = required('bonus_check_id', identifier);
    const value = required('amount', parseMinorUnits);
    const currency = cell('currency', parseCurrency) ?? context.currency;
    const validFrom = cell('valid_from', date);
    const validTo = cell('valid_to', date);
    const code = cell('code', text);
    const title = cell('title', text);
    if (failed()) return z.NEVER;
    const doc: BonusCheck = { bonusCheckId: bonusCheckId!, amount: { currency, value: value! }, validFrom, validTo, code, title };
    return { contactId: contactId!, itemId: bonusCheckId!, doc };
  });
}

export type RowSchemas = { members: z.ZodType<MemberRow, RawRow> } & { [K in ItemKind]: z.ZodType<ItemRow, RawRow> };

export function rowSchemas(context: RowContext): RowSchemas {
  return {
    members: memberSchema(context),
    coupons: couponSchema(context),
    stampCards: stampCardSchema(context),
    bonusChecks: bonusCheckSchema(context),
  };
}

