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

/**
 * Reads one row's cells: undefined when empty, the parsed value, or an issue on that column. A class, not
 * closures: one allocation per row instead of four, at millions of rows.
 */
class RowReader {
  failed = false;
  private readonly row: RawRow;
  private readonly ctx: z.RefinementCtx;
  constructor(row: RawRow, ctx: z.RefinementCtx) {
    this.row = row;
    this.ctx = ctx;
  }
  cell<T>(column: string, parse: (text: string) => T | Invalid): T | undefined {
    const text = this.row[column]?.trim();
    if (!text) return undefined;
    const value = parse(text);
    if (value instanceof Invalid) {
      this.failed = true;
      expected(this.ctx, column, value, text);
      return undefined;
    }
    return value;
  }
  required<T>(column: string, parse: (text: string) => T | Invalid): T | undefined {
    if (!this.row[column]?.trim()) {
      this.failed = true;
      expected(this.ctx, column, 'required value is empty', this.row[column]);
      return undefined;
    }
    return this.cell(column, parse);
  }
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
const wholeNumber = (value: string) => parseInteger(value);
const AT_LEAST_ONE = { min: 1 };
const AT_LEAST_ZERO = { min: 0 };
const positiveWholeNumber = (value: string) => parseInteger(value, AT_LEAST_ONE);
const countingNumber = (value: string) => parseInteger(value, AT_LEAST_ZERO);
const identifier = (value: string) => (value.length <= 200 ? value : new Invalid('an id of at most 200 characters'));
// The cells come from csv-parse, always strings: checking that again per row would only cost time.
const rawRow = z.custom<RawRow>();

function memberSchema(context: RowContext) {
  const date = dateParser(context);
  const phone = (value: string) => normalisePhoneNumber(value, context.defaultCountry);
  return rawRow.transform((row, ctx): MemberRow => {
    const cells = new RowReader(row, ctx);
    const contactId = cells.required('contact_id', identifier);
    const phoneNumber = cells.required('phone_number', phone);
    const joinedOn = cells.cell('joined_on', date);
    const balance = cells.cell('bonus_points', wholeNumber);
    const tier = cells.cell('tier', text);
    const acceptsEmail = cells.cell('accepts_email', parseBoolean);
    const acceptsSms = cells.cell('accepts_sms', parseBoolean);
    const acceptsPostal = cells.cell('accepts_postal', parseBoolean);
    if (cells.failed) return z.NEVER;
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

function parseDiscountType(value: string): 'percentage' | 'amount' | Invalid {
  const word = value.toLowerCase();
  if (PERCENTAGE_WORDS.has(word)) return 'percentage';
  if (AMOUNT_WORDS.has(word)) return 'amount';
  return new Invalid('a discount type: percentage or amount');
}

function parsePercentage(value: string): number | Invalid {
  const percent = parseDecimal(value);
  return percent instanceof Invalid || (percent > 0 && percent <= 100) ? percent : new Invalid('a percentage above 0 and at most 100');
}

function couponSchema(context: RowContext) {
  const date = dateParser(context);
  return rawRow.transform((row, ctx): ItemRow<Coupon> => {
    const cells = new RowReader(row, ctx);
    const contactId = cells.required('contact_id', identifier);
    const couponId = cells.required('coupon_id', identifier);
    const title = cells.required('title', text);
    const description = cells.cell('description', text);
    const code = cells.cell('code', text);
    const type = cells.cell('discount_type', parseDiscountType);
    const discountValue = cells.cell('discount_value', type === 'amount' ? parseMinorUnits : parsePercentage);
    const currency = cells.cell('currency', parseCurrency);
    const validFrom = cells.cell('valid_from', date);
    const validTo = cells.cell('valid_to', date);
    if (type && discountValue === undefined && !cells.failed) expected(ctx, 'discount_value', 'required when discount_type is set', row.discount_value);
    if (!type && discountValue !== undefined) expected(ctx, 'discount_type', 'required when discount_value is set', row.discount_type);
    if (cells.failed || (type === undefined) !== (discountValue === undefined)) return z.NEVER;
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
    const cells = new RowReader(row, ctx);
    const contactId = cells.required('contact_id', identifier);
    const stampCardId = cells.required('stamp_card_id', identifier);
    const title = cells.required('title', text);
    const stampsRequired = cells.required('stamps_required', positiveWholeNumber);
    const stampsCollected = cells.required('stamps_collected', countingNumber);
    const reward = cells.cell('reward', text);
    const description = cells.cell('description', text);
    const validTo = cells.cell('valid_to', date);
    if (cells.failed) return z.NEVER;
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
    const cells = new RowReader(row, ctx);
    const contactId = cells.required('contact_id', identifier);
    const bonusCheckId = cells.required('bonus_check_id', identifier);
    const value = cells.required('amount', parseMinorUnits);
    const currency = cells.cell('currency', parseCurrency) ?? context.currency;
    const validFrom = cells.cell('valid_from', date);
    const validTo = cells.cell('valid_to', date);
    const code = cells.cell('code', text);
    const title = cells.cell('title', text);
    if (cells.failed) return z.NEVER;
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

