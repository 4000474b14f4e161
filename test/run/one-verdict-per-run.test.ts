// A run's status, error and exit code are decided in one place (src/run/run-verdict.ts), from what its
// stages returned and how it ended. Each case is a situation a real run meets; the precedence between
// them (a refusal over a stop signal, the first error over later ones, a lost lock over everything) is
// what the report, the exit code and the drop folder's archive/failed choice all follow.
import { describe, expect, it } from 'vitest';
import { GuardError, StateError } from '../../src/errors.ts';
import { verdictOf, type RunEnd } from '../../src/run/run-verdict.ts';
import { noStageFacts, type DeliveryFacts, type StageFacts } from '../../src/run/stage-facts.ts';

const delivery = (membersFailed: number): DeliveryFacts => ({ membersFailed, failures: [], failedByChange: { new: 0, changed: 0, deleted: 0 } });
const end = (stages: RunEnd['stages'], more: Partial<RunEnd> = {}): RunEnd => ({ stages, aborted: false, failOnRejects: false, ...more });
const refusal = new GuardError('GUARD_MASS_DELETE', 'the export would delete 3 of 20 known members', ['members.csv: 3 members gone']);
const lockLost = new StateError('LOCK_LOST', 'this run lost its lock on the state file');
const diskFull = new StateError('STATE_DISK_FULL', 'state file /data/s.sqlite could not commit delivered members: disk full');

function withRejectedRows(facts: StageFacts): StageFacts {
  return { ...facts, plan: { sample: {}, orphanRows: 2 } };
}

describe('the verdict of a run', () => {
  it('follows how far the stages came when nothing went wrong', () => {
    expect(verdictOf(noStageFacts(), end('skipped'))).toMatchObject({ status: 'skipped', exitCode: 0, ownsTheRun: true });
    expect(verdictOf(noStageFacts(), end('dry-run'))).toMatchObject({ status: 'dry-run', exitCode: 0 });
    expect(verdictOf(noStageFacts(), end('delivered'))).toEqual({ status: 'succeeded', exitCode: 0, ownsTheRun: true, warnings: [] });
  });

  it('is partial when a member failed, in the drain of an earlier plan or in tonight\'s', () => {
    expect(verdictOf({ ...noStageFacts(), drained: delivery(1), delivered: delivery(0) }, end('delivered'))).toMatchObject({ status: 'partial', exitCode: 3 });
    expect(verdictOf({ ...noStageFacts(), delivered: delivery(2) }, end('delivered'))).toMatchObject({ status: 'partial', exitCode: 3 });
  });

  it('is refused with the guard\'s code and details, also when a stop signal came', () => {
    const verdict = verdictOf(noStageFacts(), end({ stoppedBy: refusal }, { aborted: true }));
    expect(verdict).toEqual({ status: 'refused', exitCode: 4, error: { code: 'GUARD_MASS_DELETE', message: refusal.message }, ownsTheRun: true, warnings: refusal.details });
  });

  it('is failed with RUN_INTERRUPTED after a stop signal, unless an earlier error says more', () => {
    expect(verdictOf(noStageFacts(), end('delivered', { aborted: true }))).toMatchObject({ status: 'failed', exitCode: 1, error: { code: 'RUN_INTERRUPTED' } });
    expect(verdictOf(noStageFacts(), end('interrupted', { aborted: true }))).toMatchObject({ status: 'failed', error: { code: 'RUN_INTERRUPTED' } });
    expect(verdictOf(noStageFacts(), end({ stoppedBy: diskFull }, { aborted: true }))).toMatchObject({ status: 'failed', error: { code: 'STATE_DISK_FULL' } });
  });

  it('is failed when the last commit fails, even after a refusal; the stages\' own error comes first', () => {
    expect(verdictOf(noStageFacts(), end('delivered', { commitFailed: diskFull }))).toMatchObject({ status: 'failed', exitCode: 1, error: { code: 'STATE_DISK_FULL' } });
    expect(verdictOf(noStageFacts(), end({ stoppedBy: refusal }, { commitFailed: diskFull }))).toMatchObject({ status: 'failed', error: { code: 'GUARD_MASS_DELETE' } });
  });

  it('of a run that lost its lock: exit 75, and the run owns nothing any more', () => {
    expect(verdictOf(noStageFacts(), end({ stoppedBy: lockLost }))).toMatchObject({ status: 'failed', exitCode: 75, error: { code: 'LOCK_LOST' }, ownsTheRun: false });
    expect(verdictOf(noStageFacts(), end('delivered', { commitFailed: lockLost }))).toMatchObject({ exitCode: 75, ownsTheRun: false });
  });

  it('calls an unexpected error INTERNAL, with its message', () => {
    expect(verdictOf(noStageFacts(), end({ stoppedBy: new TypeError('x is undefined') }))).toMatchObject({ status: 'failed', exitCode: 1, error: { code: 'INTERNAL', message: 'x is undefined' } });
  });

  it('exits 5 with --fail-on-rejects for a run or dry run that rejected rows, never for one that failed or was partial', () => {
    const facts = withRejectedRows(noStageFacts());
    expect(verdictOf(facts, end('delivered', { failOnRejects: true }))).toMatchObject({ status: 'succeeded', exitCode: 5 });
    expect(verdictOf(facts, end('dry-run', { failOnRejects: true }))).toMatchObject({ status: 'dry-run', exitCode: 5 });
    expect(verdictOf(facts, end('delivered'))).toMatchObject({ exitCode: 0 });
    expect(verdictOf({ ...facts, delivered: delivery(1) }, end('delivered', { failOnRejects: true }))).toMatchObject({ status: 'partial', exitCode: 3 });
    expect(verdictOf(facts, end({ stoppedBy: diskFull }, { failOnRejects: true }))).toMatchObject({ exitCode: 1 });
  });
});
