// How coupon and stamp-card changes are sent (`--item-events`, README "What is sent"): as one full
// replacement per member and kind (`synced`), one event per changed or removed item (`items`), or
// whichever of the two is smaller in bytes (`auto`).

export const ITEM_EVENT_MODES = ['synced', 'items', 'auto'] as const;
export type ItemEventMode = (typeof ITEM_EVENT_MODES)[number];

/**
 * Why a coupon or stamp-card event was planned the way it was, as explain and report.html show it. The
 * order is stored (as the index) in the state file's event history: append, never reorder.
 */
export const SET_EVENT_BASES = ['synced', 'items', 'auto: synced', 'auto: items', 'first sync'] as const;
export type SetEventBasis = (typeof SET_EVENT_BASES)[number];
