// What the generated loyalty club holds on night 1 and night 2, member by member. Everything about
// member i is a pure function of (seed, i): the generator asks for any member in any order and never
// keeps more than one member in memory. A member holds 0–6 of the chain's 20 coupon campaigns
// (`couponsPerMember` shapes a club with larger sets), 0–2 stamp cards and 0–2 bonus checks.
//
// Night 2 changes a fraction `changeRate` of the night-1 members (exact counts, not expectations):
// - deleted: min(10% of the changed, 4% of all members), so the mass-delete guard (refuses > 5%) lets
//   the night through without --allow-mass-delete;
// - changed: the rest of them, each with one or more of: member fields (points, tier, phone, SMS
//   consent), coupon set (added, removed or extended coupon), stamp-card progress, bonus check added or
//   removed. Every change is a real one: it plans at least one event;
// - new: another `changeRate × 10%` members who were not there on night 1.
import { BONUS_CHECK_AMOUNTS, COUPONS, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, STAMP_CARDS, TIERS } from './nordic-catalogue.ts';
import { createPermutation, createRandom, mixSeed, type Random } from './prng.ts';

export interface ModelParams {
  members: number;
  seed: number;
  /** Fraction of night-1 members that night 2 changes (0..1). */
  changeRate: number;
  /** Coupons a member holds on night 1, drawn uniformly from this range (default 0–6). */
  couponsPerMember?: CouponRange;
}

/** Whole numbers, 0 ≤ min ≤ max ≤ the catalogue's campaigns (a member holds each campaign at most once). */
export interface CouponRange {
  min: number;
  max: number;
}

const DEFAULT_COUPONS_PER_MEMBER: CouponRange = { min: 0, max: 6 };
export const COUPON_CAMPAIGNS = COUPONS.length;

/** `MIN-MAX`, as `--coupons` takes it (flags.ts reads it back). */
export function couponRangeText({ min, max }: CouponRange): string {
  return `${min}-${max}`;
}

export type Night = 1 | 2;
export type Fate = 'same' | 'changed' | 'deleted' | 'new';

export interface Phone {
  country: 'NO' | 'SE';
  /** National significant number: 8 digits (NO) or 9 digits without the trunk 0 (SE). */
  national: string;
}

export interface MemberRecord {
  firstName: string;
  lastName: string;
  email: string;
  phone: Phone;
  /** `2023-10-05`, `2025-07-09T15:45:00Z` or absent. */
  joinedOn?: string;
  bonusPoints: number;
  tier: string;
  acceptsEmail: boolean;
  acceptsSms: boolean;
  acceptsPostal: boolean;
}

export interface CouponRecord {
  campaign: number;
  code: string;
  validTo: string;
}

export interface StampCardRecord {
  program: number;
  collected: number;
}

export interface BonusCheckRecord {
  id: string;
  minor: number;
  code: string;
}

export interface ChangeSet {
  fields?: 'points' | 'tier' | 'phone' | 'sms';
  coupons?: 'add' | 'remove' | 'extend';
  stampCards?: true;
  bonusChecks?: 'add' | 'remove';
}

/** Share of the changed members that are deleted, and the hard cap on deletions (of all members). */
const DELETE_SHARE = 0.1;
const DELETE_CAP = 0.04;
/** New members on night 2, as a share of the changed count. */
const NEW_SHARE = 0.1;

const SALT = { fate: 1, member: 2, coupons: 3, stampCards: 4, bonusChecks: 5, change: 6, format: 7 } as const;
const CODE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export class ExportModel {
  readonly params: ModelParams;
  /** Members of night 1 are indexes [0, members); new ones of night 2 are [members, totalIds). */
  readonly totalIds: number;
  readonly newCount: number;
  readonly deleteCount: number;
  /** Deleted + changed. */
  readonly changeCount: number;
  readonly #fateRank: (index: number) => number;
  readonly #idWidth: number;
  readonly #coupons: CouponRange;

  constructor(params: ModelParams) {
    if (!Number.isInteger(params.members) || params.members < 1) throw new RangeError(`members: expected a whole number ≥ 1, got ${params.members}`);
    if (!(params.changeRate >= 0 && params.changeRate <= 1)) throw new RangeError(`changeRate: expected 0..1, got ${params.changeRate}`);
    const { min, max } = params.couponsPerMember ?? DEFAULT_COUPONS_PER_MEMBER;
    if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 0 && min <= max && max <= COUPON_CAMPAIGNS)) {
      throw new RangeError(`couponsPerMember: expected whole numbers 0 ≤ min ≤ max ≤ ${COUPON_CAMPAIGNS}, got ${min}–${max}`);
    }
    this.#coupons = { min, max };
    this.params = params;
    const { members, changeRate, seed } = params;
    this.changeCount = Math.round(members * changeRate);
    this.deleteCount = Math.min(Math.floor(this.changeCount * DELETE_SHARE), Math.floor(members * DELETE_CAP));
    this.newCount = Math.round(this.changeCount * NEW_SHARE);
    this.totalIds = members + this.newCount;
    this.#fateRank = createPermutation(members, mixSeed(seed, SALT.fate));
    this.#idWidth = Math.max(7, String(this.totalIds).length);
  }

  contactId(index: number): string {
    return `M-${String(index + 1).padStart(this.#idWidth, '0')}`;
  }

  fate(index: number): Fate {
    if (index >= this.params.members) return 'new';
    const rank = this.#fateRank(index);
    if (rank < this.deleteCount) return 'deleted';
    return rank < this.changeCount ? 'changed' : 'same';
  }

  exists(index: number, night: Night): boolean {
    if (night === 1) return index < this.params.members;
    return index < this.totalIds && this.fate(index) !== 'deleted';
  }

  /** What night 2 changes for a member whose fate is `changed` (empty otherwise). */
  changes(index: number): ChangeSet {
    if (this.fate(index) !== 'changed') return {};
    const random = this.#random(index, SALT.change);
    const set: ChangeSet = {};
    if (random.chance(0.4)) set.fields = random.pick(['points', 'tier', 'phone', 'sms'] as const);
    if (random.chance(0.35)) set.coupons = random.pick(['add', 'remove', 'extend'] as const);
    if (random.chance(0.35)) set.stampCards = true;
    if (random.chance(0.25)) set.bonusChecks = random.chance(0.5) ? 'add' : 'remove';
    if (Object.keys(set).length === 0) set.fields = random.pick(['points', 'tier', 'phone', 'sms'] as const);
    return set;
  }

  member(index: number, night: Night): MemberRecord {
    const random = this.#random(index, SALT.member);
    const firstName = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    const record: MemberRecord = {
      firstName,
      lastName,
      email: `${emailPart(firstName)}.${emailPart(lastName)}${random.chance(0.5) ? random.below(100) : ''}@${random.pick(EMAIL_DOMAINS)}`,
      phone: randomPhone(random),
      bonusPoints: Math.floor(random.next() ** 2 * 6000),
      tier: random.pick(TIERS),
      acceptsEmail: random.chance(0.6),
      acceptsSms: random.chance(0.5),
      acceptsPostal: random.chance(0.1),
    };
    const joined = random.next();
    const year = 2015 + random.below(11);
    const month = 1 + random.below(12);
    const day = 1 + random.below(28);
    if (joined < 0.8) record.joinedOn = `${year}-${pad2(month)}-${pad2(day)}`;
    else if (joined < 0.95) record.joinedOn = `${year}-${pad2(month)}-${pad2(day)}T${pad2(random.below(24))}:${pad2(random.below(4) * 15)}:00Z`;
    if (night === 1) return record;

    const change = this.changes(index).fields;
    const draw = this.#random(index, SALT.change + 100);
    // Ignored columns may change without it being a change (a new e-mail address is not sent).
    if (draw.chance(0.01)) record.email = record.email.replace(/@.*/, '@example.net');
    if (change === 'points') record.bonusPoints += draw.between(5, 500);
    if (change === 'tier') record.tier = TIERS_CYCLE[(TIERS_CYCLE.indexOf(record.tier as (typeof TIERS_CYCLE)[number]) + 1) % TIERS_CYCLE.length]!;
    if (change === 'sms') record.acceptsSms = !record.acceptsSms;
    if (change === 'phone') {
      const next = randomPhone(draw);
      record.phone = next.national === record.phone.national ? { ...next, national: bumpLastDigit(next.national) } : next;
    }
    return record;
  }

  /** The member's coupons in campaign (= coupon_id) order. */
  coupons(index: number, night: Night): CouponRecord[] {
    const random = this.#random(index, SALT.coupons);
    const held = random.distinct(random.between(this.#coupons.min, this.#coupons.max), COUPONS.length);
    const coupons = held.map((campaign) => couponOf(campaign, random));
    const change = night === 2 ? this.changes(index).coupons : undefined;
    if (!change) return coupons;
    const draw = this.#random(index, SALT.change + SALT.coupons);
    const free = COUPONS.map((_, campaign) => campaign).filter((campaign) => !held.includes(campaign));
    // A member holding every campaign cannot get another one: theirs is extended instead.
    if ((change === 'add' && free.length > 0) || coupons.length === 0) {
      coupons.push(couponOf(draw.pick(free), draw));
      return coupons.sort((a, b) => a.campaign - b.campaign);
    }
    const victim = draw.below(coupons.length);
    if (change === 'remove') return coupons.filter((_, position) => position !== victim);
    coupons[victim] = { ...coupons[victim]!, validTo: '2027-01-31' };
    return coupons;
  }

  /** The member's stamp cards in program (= stamp_card_id) order. */
  stampCards(index: number, night: Night): StampCardRecord[] {
    const random = this.#random(index, SALT.stampCards);
    const roll = random.next();
    const held = random.distinct(roll < 0.25 ? 0 : roll < 0.75 ? 1 : 2, STAMP_CARDS.length);
    const cards = held.map((program) => ({ program, collected: random.between(0, STAMP_CARDS[program]!.required) }));
    if (night === 1 || !this.changes(index).stampCards) return cards;
    const draw = this.#random(index, SALT.change + SALT.stampCards);
    if (cards.length === 0) return [{ program: draw.below(STAMP_CARDS.length), collected: 1 }];
    const card = cards[draw.below(cards.length)]!;
    const required = STAMP_CARDS[card.program]!.required;
    // A full card is redeemed and starts over; any other card progresses by one or two stamps.
    card.collected = card.collected >= required ? 0 : Math.min(required, card.collected + draw.between(1, 2));
    return cards;
  }

  /** The member's bonus checks in id order. */
  bonusChecks(index: number, night: Night): BonusCheckRecord[] {
    const random = this.#random(index, SALT.bonusChecks);
    const roll = random.next();
    const count = roll < 0.2 ? 1 : roll < 0.25 ? 2 : 0;
    const checks = Array.from({ length: count }, (_, n) => this.#bonusCheck(index, n + 1, random));
    const change = night === 2 ? this.changes(index).bonusChecks : undefined;
    if (!change) return checks;
    const draw = this.#random(index, SALT.change + SALT.bonusChecks);
    if (change === 'remove' && checks.length > 0) {
      const victim = draw.below(checks.length);
      return checks.filter((_, position) => position !== victim);
    }
    return [...checks, this.#bonusCheck(index, 9, draw)];
  }

  /** Per-member, per-night randomness for how values are written (not what they are). */
  formatRandom(index: number, night: Night): Random {
    return this.#random(index, SALT.format * 10 + night);
  }

  #bonusCheck(index: number, n: number, random: Random): BonusCheckRecord {
    return { id: `BC-${String(index + 1).padStart(this.#idWidth, '0')}-${n}`, minor: random.pick(BONUS_CHECK_AMOUNTS), code: `BS-${randomCode(random, 6)}` };
  }

  #random(index: number, salt: number): Random {
    return createRandom(mixSeed(this.params.seed, index, salt));
  }
}

const TIERS_CYCLE = ['bronze', 'silver', 'gold'] as const;
const NO_PREFIXES = ['40', '41', '46', '47', '48', '90', '91', '92', '93', '94', '95', '96', '97', '98', '99'];
const SE_PREFIXES = ['70', '72', '73', '76', '79'];

/** Norwegian and Swedish mobile number ranges that libphonenumber's full metadata calls valid. */
function randomPhone(random: Random): Phone {
  if (random.chance(0.85)) return { country: 'NO', national: random.pick(NO_PREFIXES) + digits(random, 6) };
  return { country: 'SE', national: random.pick(SE_PREFIXES) + digits(random, 7) };
}

function couponOf(campaign: number, random: Random): CouponRecord {
  const definition = COUPONS[campaign]!;
  return { campaign, code: definition.personalCode ? `${definition.code}-${randomCode(random, 4)}` : definition.code, validTo: definition.validTo };
}

function digits(random: Random, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += random.below(10);
  return text;
}

function randomCode(random: Random, length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_CHARS[random.below(CODE_CHARS.length)];
  return code;
}

function bumpLastDigit(national: string): string {
  return national.slice(0, -1) + ((Number(national.at(-1)) + 1) % 10);
}

function emailPart(name: string): string {
  return name
    .toLowerCase()
    .replaceAll('æ', 'ae')
    .replaceAll('ø', 'o')
    .replaceAll('å', 'a')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z]+/g, '-');
}

const pad2 = (value: number) => String(value).padStart(2, '0');
