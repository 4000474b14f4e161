// The four kinds of file in an export, their default column names and keys (README "Export files and
// columns"). Which file names are of which kind: src/sources/file-kinds.ts.

export const EXPORT_KINDS = ['members', 'coupons', 'stampCards', 'bonusChecks'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export type ItemKind = Exclude<ExportKind, 'members'>;
export const ITEM_KINDS: readonly ItemKind[] = EXPORT_KINDS.filter((kind): kind is ItemKind => kind !== 'members');

export interface KindDefinition {
  columns: readonly string[];
  required: readonly string[];
  /** The column holding the item's own id (items only). */
  itemIdColumn?: string;
}

export const KINDS: Record<ExportKind, KindDefinition> = {
  members: {
    columns: ['contact_id', 'phone_number', 'joined_on', 'bonus_points', 'tier', 'accepts_email', 'accepts_sms', 'accepts_postal'],
    required: ['contact_id', 'phone_number'],
  },
  coupons: {
    columns: ['contact_id', 'coupon_id', 'title', 'description', 'code', 'discount_type', 'discount_value', 'currency', 'valid_from', 'valid_to'],
    required: ['contact_id', 'coupon_id', 'title'],
    itemIdColumn: 'coupon_id',
  },
  stampCards: {
    columns: ['contact_id', 'stamp_card_id', 'title', 'stamps_required', 'stamps_collected', 'reward', 'description', 'valid_to'],
    required: ['contact_id', 'stamp_card_id', 'title', 'stamps_required', 'stamps_collected'],
    itemIdColumn: 'stamp_card_id',
  },
  bonusChecks: {
    columns: ['contact_id', 'bonus_check_id', 'amount', 'currency', 'valid_from', 'valid_to', 'code', 'title'],
    required: ['contact_id', 'bonus_check_id', 'amount'],
    itemIdColumn: 'bonus_check_id',
  },
};

/** A header as matched against our column names: case, surrounding spaces and Unicode form do not count. */
export function normaliseHeader(header: string): string {
  return header.trim().normalize('NFC').toLowerCase();
}

/** An ISO 4217 currency code as the API takes it (`NOK`). */
export const CURRENCY_CODE = /^[A-Z]{3}$/;
