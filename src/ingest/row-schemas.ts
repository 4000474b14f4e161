// One zod schema per kind: raw CSV cells (keyed by our column names) → the canonical API document.
// Documents are built with a fixed key order; absent fields are undefined, which JSON.stringify leaves
// out. So JSON.stringify of two equal documents is byte-identical: the basis of change detection
// (src/base/canonical.ts).
import { z } from 'zod';
import type { BonusCheck, Coupon, Member, StampCard } from '../api/events.ts';
import { CURRENCY_CODE, type ItemKind } from '../base/kinds.ts';
import { normalisePhoneNumber } from './phone.ts';
import { Invalid, parseBoolean, parseDateTime, parseDecimal, parseInteger, parseMinorUnits, type BareDate, type DateFormat } from './values.ts';

export interface RowContext {
  defaultCountry: string;
  timeZone: string;
  dateFormat: DateFormat;
  /** What a bare `valid_to` date means (`valid_from` and `joined_on` are always the start of the day). */
  validToDate: BareDate;
  currency: string;
}

/**
 * Limits on what a row may say (README "Values"). A value beyond them is a mistake in the export (a
 * phone number in the points column, a pasted document in a title): a reject with its line, rather than a
 * request the API refuses every night.
 */
export const LIMITS = {
  /** Characters per text field. */
  text: { tier: 50, title: 100, code: 100, reward: 200, description: 1000 },
  bonusPoints: { min: 0, max: 9_999_999 },
  stampsRequired: { min: 1, max: 1000 },
  /** Amounts in minor units (øre): bonus checks and coupon discounts up to 100 000 (NOK). */
  bonusCheckAmount: { min: 0, max: 10_000_000 },
  discountAmount: { min: 1, max: 10_000_000 },
} as const;

export interface MemberRow {
  contactId: string;
  doc: Member;
}
export interface ItemRow<D = Coupon | StampCard | BonusCheck> {
  contactId: string;
  itemId: string;
  doc: D;
}

/**
 * One record's cells by our column names. One per file, its `fields` replaced row by row: an object per
 * row with a property per column cost more than reading the cells (millions of rows, ten columns).
 */
export class RowCells {
  fields: readonly string[] = [];
  private readonly indexes: ReadonlyMap<string, number>;
  constructor(indexes: ReadonlyMap<string, number>) {
    this.indexes = indexes;
  }
  /** The cell of a column, undefined when the file has no such column. */
  get(column: string): string | undefined {
    const index = this.indexes.get(column);
    return index === undefined ? undefined : this.fields[index];
  }
}

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
  private readonly row: RowCells;
  private readonly ctx: z.RefinementCtx;
  constructor(row: RowCells, ctx: z.RefinementCtx) {
    this.row = row;
    this.ctx = ctx;
  }
  cell<T>(column: string, parse: (text: string) => T | Invalid): T | undefined {
    const text = this.row.get(column)?.trim();
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
    const text = this.row.get(column);
    if (!text?.trim()) {
      this.failed = true;
      expected(this.ctx, column, 'required value is empty', text);
      return undefined;
    }
    return this.cell(column, parse);
  }
}

/** A text of at most `max` characters (code points, counted only when the UTF-16 length is over). */
function textOf(max: number): (value: string) => string | Invalid {
  const tooLong = new Invalid(`a text of at most ${max} characters`);
  return (value) => (value.length <= max || [...value].length <= max ? value : tooLong);
}
const tier = textOf(LIMITS.text.tier);
const title = textOf(LIMITS.text.title);
const code = textOf(LIMITS.text.code);
const reward = textOf(LIMITS.text.reward);
const description = textOf(LIMITS.text.description);

/**
 * Exports repeat the same few thousand dates millions of times and time-zone arithmetic (Intl) is slow:
 * each schema remembers what it parsed, up to a bound. Once full it keeps what it has (the dates seen
 * first, the frequent ones) rather than starting over: date-times are mostly distinct (one per second),
 * and clearing for them sent every date back through Intl. A UTC date-time (`…Z`) needs no zone and is
 * not remembered at all.
 */
function dateParser(context: RowContext, bareDate: BareDate = 'start-of-day'): (value: string) => string | Invalid {
  const parsed = new Map<string, string | Invalid>();
  return (value) => {
    if (value.endsWith('Z')) return parseDateTime(value, context.timeZone, context.dateFormat, bareDate);
    let result = parsed.get(value);
    if (result === undefined) {
      result = parseDateTime(value, context.timeZone, context.dateFormat, bareDate);
      if (parsed.size < 50_000) parsed.set(value, result);
    }
    return result;
  };
}
const bonusPoints = (value: string) => parseInteger(value, LIMITS.bonusPoints);
const stampsRequired = (value: string) => parseInteger(value, LIMITS.stampsRequired);
const AT_LEAST_ZERO = { min: 0 };
const countingNumber = (value: string) => parseInteger(value, AT_LEAST_ZERO);
/** An amount in major units, within `range` (in minor units). */
function amountWithin({ min, max }: { min: number; max: number }): (value: string) => number | Invalid {
  const outside = new Invalid(`an amount ${min > 0 ? 'above 0 and ' : ''}at most ${max / 100} in major units, like 50, 50.00 or 50,00`);
  return (value) => {
    const minor = parseMinorUnits(value);
    return minor instanceof Invalid || (minor >= min && minor <= max) ? minor : outside;
  };
}
const bonusCheckAmount = amountWithin(LIMITS.bonusCheckAmount);
const discountAmount = amountWithin(LIMITS.discountAmount);
const identifier = (value: string) => (value.length <= 200 ? value : new Invalid('an id of at most 200 characters'));
// The cells come from csv-parse, always strings: checking that again per row would only cost time.
const rowCells = z.custom<RowCells>();

function memberSchema(context: RowContext) {
  const date = dateParser(context);
  const phone = (value: string) => normalisePhoneNumber(value, context.defaultCountry);
  return rowCells.transform((row, ctx): MemberRow => {
    const cells = new RowReader(row, ctx);
    const contactId = cells.required('contact_id', identifier);
    const phoneNumber = cells.required('phone_number', phone);
    const joinedOn = cells.cell('joined_on', date);
    const balance = cells.cell('bonus_points', bonusPoints);
    const level = cells.cell('tier', tier);
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
      tier: level,
      communicationPreferences: anyPreference ? { acceptsEmail, acceptsSms, acceptsPostal } : undefined,
    };
    return { contactId: contactId!, doc };
  });
}

const PERCENTAGE_WORDS = new Set(['percentage', 'percent', 'pct', '%', 'prosent', 'procent']);
const AMOUNT_WORDS = new Set(['amount', 'fixed', 'kr', 'beløp', 'belopp', 'beløb']);

function parseCurrency(value: string): string | Invalid {
  const code = value.toUpperCase();
  return CURRENCY_CODE.test(code) ? code : new Invalid('a currency code like NOK');
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
  const endDate = dateParser(context, context.validToDate);
  return rowCells.transform((row, ctx): ItemRow<Coupon> => {
    const cells = new RowReader(row, ctx);
    const contactId = cells.required('contact_id', identifier);
    const couponId = cells.required('coupon_id', identifier);
    const couponTitle = cells.required('title', title);
    const about = cells.cell('description', description);
    const couponCode = cells.cell('code', code);
    const type = cells.cell('discount_type', parseDiscountType);
    const discountValue = cells.cell('discount_value', type === 'amount' ? discountAmount : parsePercentage);
    const currency = cells.cell('currency', parseCurrency);
    const validFrom = cells.cell('valid_from', date);
    const validTo = cells.cell('valid_to', endDate);
    if (type && discountValue === undefined && !cells.failed) expected(ctx, 'discount_value', 'required when discount_type is set', row.get('discount_value'));
    if (!type && discountValue !== undefined) expected(ctx, 'discount_type', 'required when discount_value is set', row.get('discount_type'));
    if (cells.failed || (type === undefined) !== (discountValue === undefined)) return z.NEVER;
    const discount: Coupon['discount'] =
      type === 'amount'
        ? { type, value: discountValue!, currency: currency ?? context.currency }
        : type === 'percentage'
          ? { type, value: discountValue! }
          : undefined;
    const doc: Coupon = { couponId: couponId!, title: couponTitle!, description: about, code: couponCode, discount, validFrom, validTo };
    return { contactId: contactId!, itemId: couponId!, doc };
  });
}

function stampCardSchema(context: RowContext) {
  const endDate = dateParser(context, context.validToDate);
  return rowCells.transform((row, ctx): ItemRow<StampCard> => {
    const cells = new RowReader(row, ctx);
    const contactId = cells.required('contact_id', identifier);
    const stampCardId = cells.required('stamp_card_id', identifier);
    const cardTitle = cells.required('title', title);
    const required = cells.required('stamps_required', stampsRequired);
    const collected = cells.required('stamps_collected', countingNumber);
    const cardReward = cells.cell('reward', reward);
    const about = cells.cell('description', description);
    const validTo = cells.cell('valid_to', endDate);
    if (cells.failed) return z.NEVER;
    if (collected! > required!) return expected(ctx, 'stamps_collected', 'expected at most stamps_required', row.get('stamps_collected'));
    const doc: StampCard = {
      stampCardId: stampCardId!,
      title: cardTitle!,
      stampsRequired: required!,
      stampsCollected: collected!,
      reward: cardReward,
      description: about,
      validTo,
    };
    return { contactId: contactId!, itemId: stampCardId!, doc };
  });
}

function bonusCheckSchema(context: RowContext) {
  const date = dateParser(context);
  const endDate = dateParser(context, context.validToDate);
  return rowCells.transform((row, ctx): ItemRow<BonusCheck> => {
    const cells = new RowReader(row, ctx);
    const contactId = cells.required('contact_id', identifier);
    const bonusCheckId = cells.required('bonus_check_id', identifier);
    const value = cells.required('amount', bonusCheckAmount);
    const currency = cells.cell('currency', parseCurrency) ?? context.currency;
    const validFrom = cells.cell('valid_from', date);
    const validTo = cells.cell('valid_to', endDate);
    const checkCode = cells.cell('code', code);
    const checkTitle = cells.cell('title', title);
    if (cells.failed) return z.NEVER;
    const doc: BonusCheck = { bonusCheckId: bonusCheckId!, amount: { currency, value: value! }, validFrom, validTo, code: checkCode, title: checkTitle };
    return { contactId: contactId!, itemId: bonusCheckId!, doc };
  });
}

export type RowSchemas = { members: z.ZodType<MemberRow, RowCells> } & { [K in ItemKind]: z.ZodType<ItemRow, RowCells> };

export function rowSchemas(context: RowContext): RowSchemas {
  return {
    members: memberSchema(context),
    coupons: couponSchema(context),
    stampCards: stampCardSchema(context),
    bonusChecks: bonusCheckSchema(context),
  };
}

