// Member records → CSV rows with the default column names, written the way real exports write values.
// Night 1 mixes the formats of samples/night-1 (phone numbers with and without country code, `true`/
// `1`/`yes`/`ja`, `50.00`/`50`/`"150,00"`); night 2 re-formats unchanged values the way a Nordic Excel
// does (`ja`/`nei`, `50,00`, `12,5`, `1 260`, stray spaces), which the job must not count as changes.
import type { BonusCheckRecord, CouponRecord, MemberRecord, Night, Phone, StampCardRecord } from './export-model.ts';
import { COUPONS, STAMP_CARDS } from './nordic-catalogue.ts';
import type { Random } from './prng.ts';

export const HEADERS = {
  members: ['contact_id', 'first_name', 'last_name', 'email', 'phone_number', 'joined_on', 'bonus_points', 'tier', 'accepts_email', 'accepts_sms', 'accepts_postal'],
  coupons: ['contact_id', 'coupon_id', 'title', 'description', 'code', 'discount_type', 'discount_value', 'currency', 'valid_from', 'valid_to'],
  stampCards: ['contact_id', 'stamp_card_id', 'title', 'stamps_required', 'stamps_collected', 'reward', 'description', 'valid_to'],
  bonusChecks: ['contact_id', 'bonus_check_id', 'amount', 'currency', 'valid_from', 'valid_to', 'code', 'title'],
} as const;

const BOOLEAN_WORDS = [
  ['true', 'false'],
  ['1', '0'],
  ['yes', 'no'],
  ['ja', 'nei'],
] as const;

export function memberRow(contactId: string, member: MemberRecord, night: Night, format: Random): string[] {
  const words = night === 2 && format.chance(0.8) ? BOOLEAN_WORDS[3] : format.pick(BOOLEAN_WORDS);
  const flag = (value: boolean) => {
    const word = value ? words[0] : words[1];
    return night === 2 && format.chance(0.03) ? ` ${word} ` : word;
  };
  return [
    contactId,
    member.firstName,
    member.lastName,
    member.email,
    phoneText(member.phone, format),
    member.joinedOn ?? '',
    integerText(member.bonusPoints, night, format),
    member.tier,
    flag(member.acceptsEmail),
    flag(member.acceptsSms),
    flag(member.acceptsPostal),
  ];
}

export function couponRow(contactId: string, coupon: CouponRecord, night: Night, format: Random): string[] {
  const campaign = COUPONS[coupon.campaign]!;
  const discount = campaign.discount;
  const value = !discount ? '' : discount.type === 'amount' ? amountText(discount.minor, night, format) : decimalText(discount.percent, night);
  return [
    contactId,
    campaign.id,
    campaign.title,
    campaign.description ?? '',
    coupon.code,
    discount?.type ?? '',
    value,
    discount?.type === 'amount' ? 'NOK' : '',
    campaign.validFrom,
    coupon.validTo,
  ];
}

export function stampCardRow(contactId: string, card: StampCardRecord, night: Night, format: Random): string[] {
  const program = STAMP_CARDS[card.program]!;
  const collected = night === 2 && format.chance(0.05) ? ` ${card.collected}` : String(card.collected);
  return [contactId, program.id, program.title, String(program.required), collected, program.reward ?? '', program.description ?? '', program.validTo ?? ''];
}

export function bonusCheckRow(contactId: string, check: BonusCheckRecord, night: Night, format: Random): string[] {
  const kroner = (check.minor / 100).toFixed(check.minor % 100 === 0 ? 0 : 2).replace('.', ',');
  return [contactId, check.id, amountText(check.minor, night, format), 'NOK', '2025-11-01', '2026-02-28', check.code, `Bonussjekk ${kroner} kr`];
}

/** A mobile number in one of the ways people type them; the same number E.164-normalises identically. */
function phoneText({ country, national: n }: Phone, format: Random): string {
  if (country === 'NO') {
    switch (format.below(5)) {
      case 0:
        return `+47 ${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5)}`;
      case 1:
        return n;
      case 2:
        return `0047 ${n}`;
      case 3:
        return `+47${n}`;
      default:
        return `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5)}`;
    }
  }
  const grouped = `${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5, 7)} ${n.slice(7)}`;
  switch (format.below(3)) {
    case 0:
      return `+46 ${grouped}`;
    case 1:
      return `0046 ${grouped}`;
    default:
      return `+46${n}`;
  }
}

function integerText(value: number, night: Night, format: Random): string {
  if (night === 1) return String(value);
  const roll = format.next();
  if (value >= 1000 && roll < 0.1) return `${Math.floor(value / 1000)} ${String(value % 1000).padStart(3, '0')}`;
  if (roll > 0.95) return ` ${value} `;
  return String(value);
}

/** Major units from minor: `50.00`, `50`, `150,00` on night 1; `50,00` or `50` on night 2. */
function amountText(minor: number, night: Night, format: Random): string {
  const whole = minor % 100 === 0;
  const fixed = (minor / 100).toFixed(2);
  const roll = format.next();
  if (night === 2) return whole && roll < 0.3 ? String(minor / 100) : fixed.replace('.', ',');
  if (whole && roll < 0.3) return String(minor / 100);
  return roll < 0.9 ? fixed : fixed.replace('.', ',');
}

function decimalText(value: number, night: Night): string {
  return night === 1 ? String(value) : String(value).replace('.', ',');
}
