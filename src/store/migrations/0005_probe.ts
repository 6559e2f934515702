/**
 * Website-blocking measurements (ours and imported OONI ones, as OONI JSON) and the per-site
 * availability timeline that `probe --every` builds.
 */
import type { StoreMigration } from './index.ts';

export const probe: StoreMigration = {
  name: '0005_probe',
  async up(db, caps) {
    const id = caps.idType;
    await db.schema.createTable('probe_measurements')
      .addColumn('id', id, caps.autoId)
      // Content identity: OONI's measurement_uid when present, else a hash of the measurement.
      .addColumn('uid', 'text', (c) => c.notNull().unique())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('hostname', 'text', (c) => c.notNull())
      .addColumn('measured_at', 'bigint', (c) => c.notNull())
      .addColumn('probe_cc', 'text', (c) => c.notNull())
      .addColumn('probe_asn', 'text', (c) => c.notNull())
      .addColumn('test_name', 'text', (c) => c.notNull())
      .addColumn('blocking', 'text')
      .addColumn('accessible', 'integer')
      .addColumn('verdict', 'text', (c) => c.notNull())
      .addColumn('blocking_flags', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('how', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('probe_measurements_host').on('probe_measurements').columns(['hostname', 'measured_at']).execute();
    await db.schema.createIndex('probe_measurements_input').on('probe_measurements').columns(['input', 'measured_at']).execute();

    await db.schema.createTable('site_availability')
      .addColumn('id', id, caps.autoId)
      .addColumn('site', 'text', (c) => c.notNull())
      .addColumn('list_name', 'text', (c) => c.notNull())
      .addColumn('category_code', 'text')
      .addColumn('checked_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('how', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('measurement_id', id, (c) => c.references('probe_measurements.id').onDelete('set null'))
      .execute();
    await db.schema.createIndex('site_availability_site').on('site_availability').columns(['site', 'checked_at']).execute();
  },
};
