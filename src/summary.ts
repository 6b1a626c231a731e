import type { GrantedEntitlement, EntitlementRequest } from './entitlements.js';

export interface CheckoutSummary {
  title: string;
  licenseArn?: string;
  productSku?: string;
  nodeId: string;
  checkoutType: string;
  granted: GrantedEntitlement[];
  missing: EntitlementRequest[];
  expiration?: string;
  waitedMs?: number;
  notes?: string[];
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
/** `1 Count`, `Enabled` (a feature's value), or `feature` when it has none. */
const amount = (e: { value?: string; unit: string }) => (e.unit === 'None' ? cell(e.value || 'feature') : `${cell(e.value ?? '')} ${cell(e.unit)}`);

/** The job summary: what was asked, what was granted, until when. Never a token. */
export function checkoutSummary(s: CheckoutSummary): string {
  const rows = [
    ...s.granted.map((g) => `| ${cell(g.name)} | ${amount(g)} | granted |`),
    ...s.missing.map((m) => `| ${cell(m.name)} | ${amount(m)} | missing${m.optional ? ' (optional)' : ''} |`),
  ];
  const facts = [
    s.licenseArn && `- License: \`${cell(s.licenseArn)}\``,
    s.productSku && `- SKU: \`${cell(s.productSku)}\``,
    `- Node: \`${cell(s.nodeId)}\``,
    `- Type: ${s.checkoutType}`,
    s.expiration && `- Expires: ${s.expiration}`,
    s.waitedMs && s.waitedMs > 0 ? `- Waited for a seat: ${(s.waitedMs / 1000).toFixed(1)}s` : undefined,
    ...(s.notes ?? []).map((n) => `- ${cell(n)}`),
  ].filter(Boolean);
  return [`### ${s.title}`, '', ...facts, '', '| Entitlement | Value | Result |', '|---|---|---|', ...rows, ''].join('\n');
}
