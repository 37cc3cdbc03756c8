/**
 * The offline store: every feature row and every raw event, as Snappy-compressed Parquet files in
 * Hive-style partitions under one base directory ({@link
 * dev.sluice.state.offline.OfflineStoreLayout}). Written exactly-once by Flink's FileSink ({@link
 * dev.sluice.state.offline.OfflineStoreSinks}), read by plain Java ({@link
 * dev.sluice.state.offline.OfflineStoreReader}), by backfill jobs ({@link
 * dev.sluice.state.offline.HistorySources}) and by DuckDB, Spark or pandas.
 */
package dev.sluice.state.offline;
