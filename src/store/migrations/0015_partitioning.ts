/**
 * PostgreSQL only (SQLite is unchanged): posts partitioned by month of created_at, for stores of
 * 100M posts (issue 16). A unique key on a partitioned table must contain the partition key, and
 * (source_id, platform_post_id) must stay unique whatever created_at a re-import brings (that is
 * how conflicting rows are found and quarantined), so the key moves to a small unpartitioned
 * table, post_keys (id, source_id, platform_post_id), which every foreign key to a post now
 * references. Triggers keep the two in step:
 * - before insert on posts: the key is taken in post_keys (its id becomes the post's id). A
 *   taken key raises unique_violation, as the old unique constraint did, unless the transaction
 *   set censorscope.posts_on_conflict = 'skip' (the bulk writer's ON CONFLICT DO NOTHING).
 * - before update: a post's id, source, platform id and created_at never change (nothing in the
 *   code changes them), so a row never moves between partitions.
 * - after delete: the key goes too, cascading to versions, observations and the watch, as the
 *   old foreign keys did.
 * - after each insert, update or delete statement: its net change to the number of posts per
 *   (source, status) goes into post_counts as delta rows (insert-only, so writers never wait
 *   on one another), which the overview sums instead of counting 100M posts; compaction folds
 *   the deltas (censorscope_post_counts_compact(), run when the store opens).
 * Months are created ahead of writes by censorscope_posts_month(ms) (the bulk writer calls it for
 * every month a batch touches; opening the store for the current and next months); a DEFAULT
 * partition takes undated posts and any month not created yet, and the function moves such rows
 * out when their month is created. Existing rows are copied into the partitions.
 */
import { sql, type Kysely } from 'kysely';
import type { StoreMigration } from './index.ts';

export const partitioning: StoreMigration = {
  name: '0015_partitioning',
  async up(db, caps) {
    if (!caps.partitions) return; // SQLite: one file for one machine; nothing to partition.
    await partitionPosts(db);
  },
};

const FUNCTIONS = [`
create or replace function censorscope_posts_key() returns trigger language plpgsql as $fn$
declare k bigint;
begin
  if new.id is null then
    insert into post_keys (source_id, platform_post_id) values (new.source_id, new.platform_post_id)
      on conflict (source_id, platform_post_id) do nothing returning id into k;
  else
    insert into post_keys (id, source_id, platform_post_id) values (new.id, new.source_id, new.platform_post_id)
      on conflict (source_id, platform_post_id) do nothing returning id into k;
  end if;
  if k is null then
    if current_setting('censorscope.posts_on_conflict', true) = 'skip' then return null; end if;
    raise unique_violation using
      message = 'duplicate key value violates unique constraint "posts_source_platform_id"',
      detail = format('Key (source_id, platform_post_id)=(%s, %s) already exists.', new.source_id, new.platform_post_id);
  end if;
  new.id := k;
  return new;
end $fn$`, `create or replace function censorscope_posts_fixed() returns trigger language plpgsql as $fn$
begin
  if new.id is distinct from old.id or new.source_id is distinct from old.source_id
     or new.platform_post_id is distinct from old.platform_post_id or new.created_at is distinct from old.created_at then
    raise exception 'A stored post''s id, source_id, platform_post_id and created_at never change (post %); insert a new post instead.', old.id;
  end if;
  return new;
end $fn$`, `create or replace function censorscope_posts_unkey() returns trigger language plpgsql as $fn$
begin
  -- Rows moved out of the DEFAULT partition into their new month keep their key.
  if coalesce(current_setting('censorscope.posts_moving', true), '') <> 'on' then
    delete from post_keys where id = old.id;
  end if;
  return null;
end $fn$`, `create or replace function censorscope_posts_month(at_ms bigint) returns text language plpgsql as $fn$
declare
  lo_ts timestamp := date_trunc('month', to_timestamp(at_ms / 1000.0) at time zone 'UTC');
  lo bigint := (extract(epoch from lo_ts) * 1000)::bigint;
  hi bigint := (extract(epoch from lo_ts + interval '1 month') * 1000)::bigint;
  part text := 'posts_p' || to_char(lo_ts, 'YYYY_MM');
begin
  if to_regclass(part) is not null then return part; end if;
  -- Writers of one store that meet a new month at once: one creates it, the others wait and find it.
  perform pg_advisory_xact_lock(hashtext((select nspname from pg_namespace n join pg_class c on c.relnamespace = n.oid
    where c.oid = 'posts'::regclass) || '.' || part));
  if to_regclass(part) is not null then return part; end if;
  execute format('create table %I (like posts including defaults including constraints)', part);
  perform set_config('censorscope.posts_moving', 'on', true);
  execute format('with moved as (delete from posts_default where created_at >= %s and created_at < %s returning *) insert into %I select * from moved', lo, hi, part);
  perform set_config('censorscope.posts_moving', 'off', true);
  execute format('alter table posts attach partition %I for values from (%s) to (%s)', part, lo, hi);
  return part;
end $fn$`, `create or replace function censorscope_post_counts_ins() returns trigger language plpgsql as $fn$
begin
  insert into post_counts (source_id, status, n) select source_id, status, count(*) from new_rows group by 1, 2;
  return null;
end $fn$`, `create or replace function censorscope_post_counts_upd() returns trigger language plpgsql as $fn$
begin
  insert into post_counts (source_id, status, n)
    select source_id, status, sum(n) from (select source_id, status, 1 as n from new_rows
      union all select source_id, status, -1 from old_rows) d group by 1, 2 having sum(n) <> 0;
  return null;
end $fn$`, `create or replace function censorscope_post_counts_del() returns trigger language plpgsql as $fn$
begin
  insert into post_counts (source_id, status, n) select source_id, status, -count(*) from old_rows group by 1, 2;
  return null;
end $fn$`, `create or replace function censorscope_post_counts_compact() returns void language sql as $fn$
  with d as (delete from post_counts returning source_id, status, n)
  insert into post_counts (source_id, status, n) select source_id, status, sum(n) from d group by 1, 2 having sum(n) <> 0
$fn$`];

/** Foreign keys that point at posts(id), to be pointed at post_keys(id). */
async function foreignKeysToPosts(db: Kysely<any>) {
  const r = await sql<{ tbl: string; conname: string; col: string; del: string }>`
    select c.conrelid::regclass::text as tbl, c.conname, a.attname as col, c.confdeltype as del
    from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.confrelid = to_regclass('posts')`.execute(db);
  return r.rows;
}

const ON_DELETE: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

async function partitionPosts(db: Kysely<any>): Promise<void> {
  const fks = await foreignKeysToPosts(db);
  for (const fk of fks) await sql`alter table ${sql.id(fk.tbl)} drop constraint ${sql.id(fk.conname)}`.execute(db);
  await sql`alter table posts rename to posts_unpartitioned`.execute(db);
  // Index names are per schema: free them for the partitioned table's indexes.
  const idx = await sql<{ name: string }>`select indexname as name from pg_indexes
    where tablename = 'posts_unpartitioned' and schemaname = current_schema()`.execute(db);
  for (const { name } of idx.rows) await sql`alter index ${sql.id(name)} rename to ${sql.id(`${name}_old`)}`.execute(db);
  const cons = await sql<{ name: string }>`select conname as name from pg_constraint
    where conrelid = to_regclass('posts_unpartitioned') and contype in ('c', 'f')`.execute(db);
  for (const { name } of cons.rows) await sql`alter table posts_unpartitioned rename constraint ${sql.id(name)} to ${sql.id(`${name}_old`)}`.execute(db);

  await sql`create table post_keys (
    id bigint generated by default as identity primary key,
    source_id bigint not null references sources (id),
    platform_post_id text not null,
    constraint posts_source_platform_id unique (source_id, platform_post_id))`.execute(db);
  await sql`create table posts (
    id bigint not null,
    source_id bigint not null references sources (id),
    platform_post_id text not null,
    account_id bigint references accounts (id),
    created_at bigint,
    text text not null,
    language text, url text, reply_to_id text, repost_of_id text, hashtags text, urls text, mentions text,
    first_seen bigint not null,
    last_seen bigint not null,
    status text not null default 'visible' constraint posts_status_check
      check (status in ('visible', 'deleted', 'deleted_by_author', 'removed_by_platform', 'account_gone', 'unknown')),
    status_changed_at bigint,
    status_evidence text,
    extra text
  ) partition by range (created_at)`.execute(db);
  await sql`create table posts_default partition of posts default`.execute(db);
  await sql`create table post_counts (source_id bigint not null, status text not null, n bigint not null)`.execute(db);
  for (const f of FUNCTIONS) await sql.raw(f).execute(db);

  // One partition per month that holds posts (plus this month and the next), then the rows.
  await sql`select censorscope_posts_month(m) from (
      select distinct (extract(epoch from date_trunc('month', to_timestamp(created_at / 1000.0) at time zone 'UTC')) * 1000)::bigint as m
      from posts_unpartitioned where created_at is not null
      union select (extract(epoch from now()) * 1000)::bigint
      union select (extract(epoch from now() + interval '1 month') * 1000)::bigint) months order by m`.execute(db);
  await sql`insert into post_keys (id, source_id, platform_post_id) overriding system value
    select id, source_id, platform_post_id from posts_unpartitioned`.execute(db);
  await sql`select setval(pg_get_serial_sequence('post_keys', 'id'), greatest(coalesce((select max(id) from post_keys), 0), 1),
    (select max(id) from post_keys) is not null)`.execute(db);
  await sql`insert into posts (id, source_id, platform_post_id, account_id, created_at, text, language, url, reply_to_id,
      repost_of_id, hashtags, urls, mentions, first_seen, last_seen, status, status_changed_at, status_evidence, extra)
    select id, source_id, platform_post_id, account_id, created_at, text, language, url, reply_to_id,
      repost_of_id, hashtags, urls, mentions, first_seen, last_seen, status, status_changed_at, status_evidence, extra
    from posts_unpartitioned`.execute(db);
  for (const fk of fks) {
    await sql`alter table ${sql.id(fk.tbl)} add constraint ${sql.id(fk.conname)} foreign key (${sql.id(fk.col)})
      references post_keys (id) on delete ${sql.raw(ON_DELETE[fk.del] ?? 'no action')}`.execute(db);
  }
  await sql`drop table posts_unpartitioned`.execute(db);
  await postIndexes(db);
  await sql`insert into post_counts (source_id, status, n) select source_id, status, count(*) from posts group by 1, 2`.execute(db);
  // Triggers last: the copied rows already have their keys.
  await sql`create trigger posts_key before insert on posts for each row execute function censorscope_posts_key()`.execute(db);
  await sql`create trigger posts_fixed before update on posts for each row execute function censorscope_posts_fixed()`.execute(db);
  await sql`create trigger posts_unkey after delete on posts for each row execute function censorscope_posts_unkey()`.execute(db);
  await sql`create trigger posts_count_ins after insert on posts referencing new table as new_rows
    for each statement execute function censorscope_post_counts_ins()`.execute(db);
  await sql`create trigger posts_count_upd after update on posts referencing old table as old_rows new table as new_rows
    for each statement execute function censorscope_post_counts_upd()`.execute(db);
  await sql`create trigger posts_count_del after delete on posts referencing old table as old_rows
    for each statement execute function censorscope_post_counts_del()`.execute(db);
}

/**
 * The old indexes, per partition. posts_created gains id: the list's keyset order is
 * (created_at, id), and per partition the index then gives it without a sort. Lookups by id
 * (a post's page, a cursor) probe each partition's posts_id, a few pages each.
 */
async function postIndexes(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create index posts_id on posts (id)`,
    sql`create index posts_source_platform on posts (source_id, platform_post_id)`,
    sql`create index posts_account on posts (account_id, created_at)`,
    sql`create index posts_created on posts (created_at, id)`,
    sql`create index posts_status on posts (status, status_changed_at) where status <> 'visible'`,
    sql`create index posts_status_id on posts (status, id) where status <> 'visible'`,
    sql`create index posts_status_created on posts (status, created_at, id) where status <> 'visible'`,
  ];
  for (const s of statements) await s.execute(db);
}
