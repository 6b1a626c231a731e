import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diagnoseGrants } from '../../src/grant-diagnosis.js';

const grant = (status: string, operations = ['CheckoutLicense', 'CheckInLicense', 'ExtendConsumptionLicense'], statusReason?: string) => ({
  grantArn: `arn:aws:license-manager::111122223333:grant:g-${status.toLowerCase()}`,
  licenseArn: 'arn:aws:license-manager::111122223333:license:l-1',
  status,
  operations,
  ...(statusReason ? { statusReason } : {}),
});

describe('diagnoseGrants', () => {
  test('an active grant that allows the operation: nothing to say', () => {
    assert.deepEqual(diagnoseGrants([grant('ACTIVE')], 'checkout', 'license l-1'), []);
    assert.deepEqual(diagnoseGrants([grant('DISABLED'), grant('ACTIVE')], 'checkout', 'license l-1'), []);
  });

  test('each state says the step to take, with the AWS CLI command', () => {
    assert.deepEqual(diagnoseGrants([grant('PENDING_ACCEPT')], 'checkout', 'license l-1'), [
      'grant arn:aws:license-manager::111122223333:grant:g-pending_accept waits to be accepted: run aws license-manager accept-grant --grant-arn arn:aws:license-manager::111122223333:grant:g-pending_accept, then aws license-manager create-grant-version --grant-arn arn:aws:license-manager::111122223333:grant:g-pending_accept --status ACTIVE --client-token "$(uuidgen)"',
    ]);
    assert.match(diagnoseGrants([grant('DISABLED', undefined, 'paused by admin')], 'checkout', 'x')[0]!, /is accepted but not active \(paused by admin\): run aws license-manager create-grant-version --grant-arn \S+ --status ACTIVE/);
    assert.match(diagnoseGrants([grant('REJECTED')], 'checkout', 'x')[0]!, /was rejected by this account: ask the issuer for a new grant/);
    assert.match(diagnoseGrants([grant('DELETED')], 'checkout', 'x')[0]!, /was withdrawn by the issuer/);
    assert.match(diagnoseGrants([grant('FAILED_WORKFLOW')], 'checkout', 'x')[0]!, /is FAILED_WORKFLOW, not ACTIVE/);
  });

  test('an active grant without the operation names what it allows', () => {
    assert.match(diagnoseGrants([grant('ACTIVE', ['CheckoutLicense'])], 'borrow', 'x')[0]!, /is active but does not allow CheckoutBorrowLicense \(it allows CheckoutLicense\)/);
  });

  test('no grant at all: ask the issuer, naming the principal to grant to', () => {
    assert.deepEqual(diagnoseGrants([], 'checkout', 'SKU widget-pro', '444455556666'), [
      'no grant of SKU widget-pro reached this account: ask the issuer to grant it to arn:aws:iam::444455556666:root (aws license-manager create-grant)',
    ]);
  });
});
