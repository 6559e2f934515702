/** The simulated web of scripted sites (a test fixture and bench data source, never presented as real). */
export { startSimWeb, type SimWebHandle, type SimWebOptions, type ServedRequest } from './server.ts';
export { buildScript, expectedFor, stateAt, stateChanges, steadyVerdicts, DEFAULT_MIX, type HistoryKind, type Phase, type ScriptOptions, type SimSite, type SiteKind, type SiteState, type StateChange } from './script.ts';
export { loadWebText, type Headline, type WebText } from './text.ts';
export { blockedProbe } from './probe.ts';
