// Every Loyalty API payload as a zod schema: the one place to correct an assumed field once the
// OpenAPI file is available (see loyalty-api.md beside this file, "Payloads"). The job builds events from
// these types and the sandbox validates requests with the same schemas.
import { z } from 'zod';
import { ACTIONS, type Action } from '../base/actions.ts';
import { CURRENCY_CODE } from '../base/kinds.ts';

export const actionSchema = z.enum(ACTIONS);

const E164 = /^\+[1-9]\d{6,14}$/;
export const phoneNumberSchema = z.string().regex(E164, 'expected an E.164 phone number like +4712345678');
export const dateTimeSchema = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(200);
const text = z.string().min(1);
const currency = z.string().regex(CURRENCY_CODE, 'expected an ISO 4217 currency code like NOK');

export const communicationPreferencesSchema = z.strictObject({
  acceptsEmail: z.boolean().optional(),
  acceptsSms: z.boolean().optional(),
  acceptsPostal: z.boolean().optional(),
});

const identity = { contactId: id, phoneNumber: phoneNumberSchema };

/** Full member state, as sent by `member.registered` and `member.updated`. */
export const memberSchema = z.strictObject({
  ...identity,
  joinedOn: dateTimeSchema.optional(),
  bonusPoints: z.strictObject({ balance: z.number().int() }).optional(),
  tier: text.optional(),
  communicationPreferences: communicationPreferencesSchema.optional(),
});
export type Member = z.infer<typeof memberSchema>;

/** Coupon discounts: `percentage` is a percent (0–100]; `amount` is in minor units (øre), the Vipps convention. */
export const discountSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('percentage'), value: z.number().positive().max(100) }),
  z.strictObject({ type: z.literal('amount'), value: z.number().int().positive(), currency: currency.optional() }),
]);

export const couponSchema = z.strictObject({
  couponId: id,
  title: text,
  description: text.optional(),
  code: text.optional(),
  discount: discountSchema.optional(),
  validFrom: dateTimeSchema.optional(),
  validTo: dateTimeSchema.optional(),
  imageUrl: z.url().optional(),
});
export type Coupon = z.infer<typeof couponSchema>;

export const stampCardSchema = z.strictObject({
  stampCardId: id,
  title: text,
  stampsRequired: z.number().int().min(1),
  stampsCollected: z.number().int().min(0),
  reward: text.optional(),
  description: text.optional(),
  validTo: dateTimeSchema.optional(),
});
export type StampCard = z.infer<typeof stampCardSchema>;

/** Bonus check amounts are in minor units (øre/cents). */
export const bonusCheckSchema = z.strictObject({
  bonusCheckId: id,
  amount: z.strictObject({ currency, value: z.number().int().min(0) }),
  validFrom: dateTimeSchema.optional(),
  validTo: dateTimeSchema.optional(),
  code: text.optional(),
  title: text.optional(),
});
export type BonusCheck = z.infer<typeof bonusCheckSchema>;

const identityPayload = z.strictObject(identity);

export const payloadSchemas = {
  'benefits.member.registered': memberSchema,
  'benefits.member.updated': memberSchema,
  'benefits.member.deleted': identityPayload,
  'benefits.coupon.updated': z.strictObject({ ...identity, coupon: couponSchema }),
  'benefits.coupon.deleted': z.strictObject({ ...identity, couponId: id }),
  'benefits.coupons.synced': z.strictObject({ ...identity, coupons: z.array(couponSchema) }),
  'benefits.stampCard.updated': z.strictObject({ ...identity, stampCard: stampCardSchema }),
  'benefits.stampCard.deleted': z.strictObject({ ...identity, stampCardId: id }),
  'benefits.stampCards.synced': z.strictObject({ ...identity, stampCards: z.array(stampCardSchema) }),
  'benefits.bonusCheck.created': z.strictObject({ ...identity, bonusCheck: bonusCheckSchema }),
  'benefits.bonusCheck.deleted': z.strictObject({ ...identity, bonusCheckId: id }),
} as const satisfies Record<Action, z.ZodType>;

export type PayloadOf<A extends Action> = z.infer<(typeof payloadSchemas)[A]>;

/** The envelope every request carries; `payload` is checked against `payloadSchemas[action]`. */
export const envelopeSchema = z.strictObject({
  eventId: z.string().min(1).max(200),
  timestamp: dateTimeSchema,
  action: actionSchema,
  payload: z.record(z.string(), z.unknown()),
});

export type LoyaltyEvent = { [A in Action]: { eventId: string; timestamp: string; action: A; payload: PayloadOf<A> } }[Action];

/** `200` body of `POST /loyalty/v1/events`. */
export const acceptedSchema = z.object({ status: z.literal('accepted'), eventId: z.string() });

/** RFC 9457 problem details; gateway errors may come in other shapes, so every field is optional. */
export const problemSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  traceId: z.string().optional(),
  extraDetails: z.unknown().optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/** `200` body of `POST /accesstoken/get`; `expires_in`/`expires_on` arrive as strings. */
export const accessTokenSchema = z.object({
  token_type: z.string(),
  expires_in: z.string().regex(/^\d+$/),
  expires_on: z.string().regex(/^\d+$/).optional(),
  access_token: z.string().min(1),
});
export type AccessToken = z.infer<typeof accessTokenSchema>;

/** Validates one event body; returns every invalid field as `path: message`. */
export function validateEvent(body: unknown): { ok: true; event: LoyaltyEvent } | { ok: false; errors: string[] } {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, errors: formatIssues(envelope.error.issues) };
  const payload = payloadSchemas[envelope.data.action].safeParse(envelope.data.payload);
  if (!payload.success) return { ok: false, errors: formatIssues(payload.error.issues, ['payload']) };
  return { ok: true, event: { ...envelope.data, payload: payload.data } as LoyaltyEvent };
}

function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path].map(String).join('.');
    return `${path || '(body)'}: ${issue.message}`;
  });
}
