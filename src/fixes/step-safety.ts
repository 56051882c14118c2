import type { FixData } from './kb-schema.js';

/**
 * What a snippet we hand a user does to a machine, read from its commands: safe to paste means it
 * says what it changes and how to undo it (issue 17, "safe snippets"). Pure; used by the
 * knowledge-base check so a fix that breaks a rule never ships, and by `kb check` for extensions.
 */
export interface StepHazard {
  fix: string;
  /** Index of the step in the fix (the verify step is `verify`). */
  step: number | 'verify';
  rule: 'undo-missing' | 'sessions-not-warned' | 'recursive-acl' | 'verify-changes';
  message: string;
}

// Commands that change a machine (registry, services, policy, files, ACLs, firewall, accounts).
const CHANGES = [
  /\breg(?:\.exe)?\s+(?:add|delete|import|copy)\b/i,
  /\bregedit(?:\.exe)?\s+\/s\b/i,
  /\b(?:Set|New|Remove|Rename|Clear)-(?:ItemProperty|Item|NetFirewallRule|LocalGroupMember|ADUser|ADAccountPassword)\b/i,
  /\bAdd-(?:LocalGroupMember|ADGroupMember|PrinterDriver|WindowsCapability|WindowsFeature)\b/i,
  /\b(?:Enable|Disable)-(?:NetFirewallRule|LocalUser|ADAccount|ScheduledTask|PSRemoting)\b/i,
  /\bInstall-(?:WindowsFeature|Module|Package)\b/i,
  /\bSet-(?:Service|VMHost|VM|RDCertificate|RDSessionCollectionConfiguration|RDLicenseConfiguration|Date|TimeZone|NetConnectionProfile|WmiInstance|CimInstance)\b/i,
  /\bInvoke-CimMethod\b.*\bSet/i,
  /\bsc(?:\.exe)?\s+(?:config|delete)\b/i,
  /\bnetsh\s+.*\b(?:set|add|delete|reset)\b/i,
  /\bicacls\b.*\/(?:grant|deny|remove|reset|setowner)/i,
  /\bw32tm\s+\/config\b/i,
  /\bwmic\b.*\bset\b/i,
  /\bgpupdate\b/i,
  /= (?:Enabled|Disabled)\b/,
  /\bsudo\s+(?:tee|sed|cp|mv|rm|chmod|chown|mkdir|apt|dnf|yum|pacman|usermod|systemctl\s+(?:enable|disable|mask))\b/i,
  /\bsed\s+-i\b/i,
];
// Restarts end every session on the machine (or the service's sessions): the step must say so.
const SESSION_DROPPING = [
  /\bRestart-Computer\b/i,
  /\bshutdown(?:\.exe)?\s+\/r\b/i,
  /\b(?:Restart|Stop)-Service\b[^\n]*\b(?:TermService|UmRdpService|TSGateway)\b/i,
  /\bnet\s+stop\s+(?:"?TermService|"?UmRdpService|"?TSGateway)/i,
  /\bsystemctl\s+restart\s+xrdp\b/i,
  /\breboot\b/i,
];
const SESSIONS_WARNED = /\bsessions?\b/i;
const UNDO_IN_TEXT =
  /\bundo\b|\bto revert\b|\bput (?:it |them )?back\b|\bnothing (?:to undo|stays changed)\b/i;
const RECURSIVE_ACL = /\bicacls\b[^\n]*\/t\b/i;

/** Does this command text change the machine it runs on? */
export function changesMachine(code: string): boolean {
  return CHANGES.some((pattern) => pattern.test(code));
}

/** Does it restart something that carries Remote Desktop sessions? */
export function dropsSessions(code: string): boolean {
  return SESSION_DROPPING.some((pattern) => pattern.test(code));
}

export function findStepHazards(fix: FixData): StepHazard[] {
  const hazards: StepHazard[] = [];
  fix.steps.forEach((step, index) => {
    const code = step.snippet?.code ?? '';
    const all = [step.text, code].join('\n');
    if (RECURSIVE_ACL.test(code))
      hazards.push({
        fix: fix.id,
        step: index,
        rule: 'recursive-acl',
        message:
          'a recursive ACL change (icacls /t) cannot be undone reliably; change the one file or folder',
      });
    // A .reg file is an import: it always writes the registry.
    const changes = code !== '' && (step.snippet?.lang === 'reg' || changesMachine(code));
    if (changes && step.undo === undefined && !UNDO_IN_TEXT.test(step.text))
      hazards.push({
        fix: fix.id,
        step: index,
        rule: 'undo-missing',
        message: 'the snippet changes the machine but the step has no undo',
      });
    if (dropsSessions(all) && !SESSIONS_WARNED.test(step.text))
      hazards.push({
        fix: fix.id,
        step: index,
        rule: 'sessions-not-warned',
        message: 'the step restarts Remote Desktop (or the machine) without saying it ends the sessions',
      });
  });
  if (fix.verify.snippet && changesMachine(fix.verify.snippet.code))
    hazards.push({
      fix: fix.id,
      step: 'verify',
      rule: 'verify-changes',
      message: 'the verify step changes the machine; verifying must only read',
    });
  return hazards;
}
