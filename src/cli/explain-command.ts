// `loyalty-sync explain <contactId>`: "why wasn't member X updated?" in one command. What the export
// says (and rejected), what the snapshot holds, what the next run would send and why, and the member's
// event history from the outbox. Reads only: the state file is opened read-only, nothing is sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { optionsHelp, EXPLAIN_COMMAND } from '../config/options.ts';
import type { ExplainConfig } from '../config/schema.ts';
import { UsageError } from '../errors.ts';
import { ingestExport } from '../ingest/ingest-export.ts';
import { type Reject } from '../base/export-shapes.ts';
import type { SetEventBasis } from '../base/item-events.ts';
import { rejectLine } from '../ingest/shown-value.ts';
import { ITEM_KINDS, type ItemKind } from '../base/kinds.ts';
import { maskPhoneNumbersIn } from '../privacy/phone-numbers.ts';
import { createLogger } from '../log.ts';
import { memberDifferences, type MemberDifferences } from '../plan/explain.ts';
import type { PlannedEvent } from '../base/run-shapes.ts';
import { formatUtc } from '../base/time.ts';
import type { MemberState } from '../state/member-state.ts';
import { mergeByContact } from '../plan/merge.ts';
import { planMemberInDoubt } from '../plan/in-doubt.ts';
import { openSource } from '../sources/open-source.ts';
import { outboxStore, type EventHistory } from '../state/outbox.ts';
import { snapshotStore } from '../state/snapshot.ts';
import { eventIdEpoch } from '../state/state-meta.ts';
import { createStagingArea, type Staging } from '../state/staging.ts';
import { openStateStore } from '../state/store.ts';
import { parseFlags } from './args.ts';
import { EXIT } from '../base/exit-codes.ts';
import type { CommandIo } from './io.ts';
import { openExistingStateFile } from './read-state-file.ts';


const EXPLAIN_HELP = `Usage: loyalty-sync explain <contactId> [--state <file>] [--source <export>] [--json]

What the snapshot holds for a member, what the export says about it (and which of its rows were
rejected), which events the next run would send and why, and its event history. Changes nothing.

Options (flag, env var, meaning):
${optionsHelp(EXPLAIN_COMMAND)}`;

interface Explanation {
  contactId: string;
  snapshot?: { rev: number; deleted: boolean; member?: unknown; coupons: unknown; stampCards: unknown; bonusChecks: unknown };
  export?: { source: string; inExport: boolean; rejects: Reject[]; differences: MemberDifferences; nextEvents: { action: string; eventId: string; basis?: SetEventBasis }[] };
  history: EventHistory[];
  pendingPlan?: ReturnType<ReturnType<typeof outboxStore>['history']>['plan'];
}

export async function explainCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positionals } = parseFlags(args, EXPLAIN_COMMAND.options, true);
  if (flags.help) {
    io.stdout.write(`${EXPLAIN_HELP}\n`);
    return EXIT.ok;
  }
  const [contactId] = positionals;
  if (!contactId || positionals.length > 1) throw new UsageError('explain needs exactly one contact id');
  const config = loadConfig(EXPLAIN_COMMAND, flags, io.env);

  const store = openExistingStateFile(config.state, { readOnly: true });
  let explanation: Explanation;
  try {
    const old = snapshotStore(store.db).load(contactId);
    const epoch = eventIdEpoch(store.db);
    const outbox = outboxStore(store.db);
    const { events, plan } = outbox.history(contactId);
    const doubts = outbox.eventsInDoubt(contactId).get(contactId) ?? [];
    explanation = {
      contactId,
      ...(old && { snapshot: snapshotView(old) }),
      ...(config.source && { export: await compareWithExport(contactId, old, doubts, config, epoch) }),
      history: events,
      ...(plan && { pendingPlan: plan }),
    };
  } finally {
    store.close();
  }
  // The snapshot's documents and the outbox hold full phone numbers: what is printed holds masked ones.
  io.stdout.write(maskPhoneNumbersIn(config.json ? `${JSON.stringify(explanation, null, 2)}\n` : renderText(explanation)));
  return EXIT.ok;
}

function snapshotView(state: MemberState): NonNullable<Explanation['snapshot']> {
  const parsed = (text: string | undefined) => (text === undefined ? undefined : JSON.parse(text));
  return {
    rev: state.rev,
    deleted: state.deleted,
    member: parsed(state.member?.text),
    coupons: parsed(state.coupons.text),
    stampCards: parsed(state.stampCards.text),
    bonusChecks: parsed(state.bonusChecks.text),
  };
}

/**
 * Reads the export (only this member's rows are validated and staged) and plans this member as the next
 * run would: the same timestamp, and its events in doubt re-sent or overridden, so the ids are the run's.
 */
async function compareWithExport(contactId: string, old: MemberState | undefined, doubts: readonly PlannedEvent[], config: ExplainConfig, epoch: string | undefined): Promise<NonNullable<Explanation['export']>> {
  const source = openSource(config.source!, config);
  const scratch = mkdtempSync(join(tmpdir(), 'loyalty-sync-explain-'));
  const area = createStagingArea(join(scratch, 'explain'), 'explain');
  try {
    const scratchStore = openStateStore(join(scratch, 'pull.sqlite'));
    const pulled = await source.pull({ db: scratchStore.db, logger: createLogger({ level: 'silent' }), dryRun: true });
    scratchStore.close();
    if (!pulled) return { source: source.description, inExport: false, rejects: [], differences: memberDifferences(old, undefined, false), nextEvents: [] };
    const rejects: Reject[] = [];
    const ingest = await ingestExport(pulled.files, area, {
      config,
      onReject: (reject) => reject.contactId === contactId && rejects.push(reject),
      filter: { contactId },
    });
    const staging = area.reader();
    const [entry] = mergeByContact({
      snapshot: old ? [old] : [],
      members: staging.members(),
      items: Object.fromEntries(ITEM_KINDS.map((kind) => [kind, staging.items(kind)])) as Record<ItemKind, ReturnType<Staging['items']>>,
      rejected: staging.rejectedContacts(),
      trustedKinds: ingest.trustedKinds,
    });
    const rejected = entry?.rejected ?? false;
    const next = entry?.next;
    // Nothing to plan for a member the run leaves untouched, or one that neither the export nor the snapshot knows.
    const plan =
      rejected || (!next && !ingest.membersComplete) || (!next && !old)
        ? undefined
        : planMemberInDoubt(old, doubts, next, { timestamp: formatUtc(pulled.asOf.getTime()), resend: new Set(), itemEvents: config.itemEvents, ...(epoch && { epoch }) });
    return {
      source: `${source.description} (${pulled.id})`,
      inExport: next !== undefined,
      rejects,
      differences: memberDifferences(old, next, rejected),
      nextEvents: (plan?.events ?? []).map((event) => ({ action: event.action, eventId: event.eventId, ...(event.basis && { basis: event.basis }) })),
    };
  } finally {
    area.remove();
    await source.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function renderText(explanation: Explanation): string {
  const unknown = !explanation.snapshot && !explanation.export?.inExport && !explanation.export?.rejects.length && explanation.history.length === 0;
  const lines = [`Member ${explanation.contactId}${unknown ? `: unknown (not in the snapshot${explanation.export ? ', not in the export' : ''}, no events)` : ''}`];
  const { snapshot } = explanation;
  lines.push('', 'Snapshot (what the API has accepted):');
  if (!snapshot) lines.push('  not in the snapshot: never delivered');
  else {
    const count = (set: unknown) => (Array.isArray(set) ? set.length : 0);
    lines.push(
      `  ${snapshot.deleted ? 'deleted' : 'active'} · ${snapshot.rev} event(s) applied · ${count(snapshot.coupons)} coupon(s), ${count(snapshot.stampCards)} stamp card(s), ${count(snapshot.bonusChecks)} bonus check(s)`,
    );
  }
  const exported = explanation.export;
  if (exported) {
    lines.push('', `Export ${exported.source}:`, `  ${exported.differences.summary}`);
    for (const reject of exported.rejects) lines.push(`  rejected: ${rejectLine(reject)}`);
    for (const [label, changes] of [
      ['member fields', exported.differences.member],
      ['coupons', exported.differences.coupons],
      ['stamp cards', exported.differences.stampCards],
      ['bonus checks', exported.differences.bonusChecks],
    ] as const) {
      if (changes.length > 0) lines.push(`  ${label}:`, ...changes.map((change) => `    ${change}`));
    }
    lines.push('', 'The next run would send:');
    if (exported.nextEvents.length === 0) lines.push('  nothing');
    for (const event of exported.nextEvents) lines.push(`  ${event.action}  ${event.eventId}${basisNote(event.basis)}`);
  }
  if (explanation.pendingPlan) {
    const { status, runId, failure } = explanation.pendingPlan;
    lines.push('', `Open plan from run ${runId}: ${status}${failure ? ` at ${failure.action}: ${failure.detail}` : ''}`);
  }
  lines.push('', 'Event history (outbox):');
  if (explanation.history.length === 0) lines.push('  none');
  for (const event of explanation.history) {
    const outcome = event.status === 'accepted' ? `accepted ${event.acceptedAt}` : `${event.status}${event.lastStatus ? ` (HTTP ${event.lastStatus})` : ''}${event.lastError ? `: ${event.lastError}` : ''}`;
    lines.push(`  ${event.plannedAt}  ${event.action.padEnd(28)} ${outcome} · ${event.attempts} attempt(s) · ${event.eventId}${basisNote(event.basis)}`);
  }
  return `${lines.join('\n')}\n`;
}

const BASIS_NOTES: Record<SetEventBasis, string> = {
  synced: '--item-events synced',
  items: '--item-events items',
  'auto: synced': '--item-events auto: the replacement was smaller',
  'auto: items': '--item-events auto: the item events were smaller',
  'first sync': "the member's first sync of the kind: always a replacement",
};

/** Which `--item-events` mode made a coupon or stamp-card event what it is. */
function basisNote(basis: SetEventBasis | undefined): string {
  return basis ? ` (${BASIS_NOTES[basis]})` : '';
}
