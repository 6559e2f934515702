/**
 * The server's privacy switch: accounts are pseudonymised in every response (src/report/privacy.ts)
 * unless an admin turns `revealAccounts` on with the bearer token. The switch lives in the
 * store's settings, so it survives restarts and every server on the same store obeys it.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../store/open.ts';
import { accountView, followedAccounts, revealSetting, setRevealSetting, type AccountView } from '../../report/privacy.ts';
import { type ApiContext, route, type TtlCache } from './common.ts';

/** How long a server trusts its copy of the switch before rereading the store (another server may flip it). */
const SETTING_TTL_MS = 1000;

/** The privacy policy as this server applies it: reads the switch, hands out the matching view. */
export class ServerPrivacy {
  private views = new Map<boolean, Promise<AccountView>>();

  constructor(private store: Store, private cache: TtlCache) {}

  /** True when an admin has turned revealing on. */
  revealed(): Promise<boolean> {
    return this.cache.get('privacy:reveal', () => revealSetting(this.store), SETTING_TTL_MS);
  }

  /** The account view for the current setting (the pseudonym key is read once). */
  async view(): Promise<AccountView> {
    const reveal = await this.revealed();
    let v = this.views.get(reveal);
    if (!v) {
      v = accountView(this.store, reveal);
      v.catch(() => this.views.delete(reveal));
      this.views.set(reveal, v);
    }
    return v;
  }

  /** Turns revealing on or off and drops every cached response computed under the other setting. */
  async set(reveal: boolean): Promise<void> {
    await setRevealSetting(this.store, reveal);
    this.cache.clear();
  }

  /**
   * Accounts that sources follow (`source add mastodon --account HANDLE`): their handle appears
   * in the source's name and configuration, and in errors quoting them.
   */
  async followedAccounts(view: AccountView): Promise<Map<string, string>> {
    if (view.revealed) return new Map();
    return this.cache.get('privacy:followed', () => this.readFollowed(view), SETTING_TTL_MS);
  }

  /** Replaces followed accounts' handles in a response (see `followedAccounts`); unchanged when revealed. */
  async scrubFollowed<T>(value: T): Promise<T> {
    const view = await this.view();
    if (view.revealed) return value;
    const followed = await this.followedAccounts(view);
    return followed.size ? view.scrub(value, followed) : value;
  }

  private readFollowed(view: AccountView): Promise<Map<string, string>> {
    return followedAccounts(this.store, view);
  }
}

const settingsBody = z.object({ revealAccounts: z.boolean().meta({ description: 'show real account ids, handles and display names in every response' }) }).strict();

/** Registers the settings routes. */
export async function settingsApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  route(app, ctx, { method: 'GET', url: '/api/settings', tag: 'settings', summary: 'Whether accounts are pseudonymised (`revealAccounts: false`, the default) or shown as they are.' },
    async () => ({ revealAccounts: await ctx.privacy.revealed() }));

  route(app, ctx, {
    method: 'PUT', url: '/api/settings', tag: 'settings', admin: true, body: settingsBody,
    summary: 'Reveal real accounts in every response, or pseudonymise them again (admin: bearer token).',
  }, async ({ body }) => {
    await ctx.privacy.set(body.revealAccounts);
    return { revealAccounts: await ctx.privacy.revealed() };
  });
}
