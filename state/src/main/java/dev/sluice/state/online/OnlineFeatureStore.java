package dev.sluice.state.online;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The latest feature values per entity and feature view, for serving: the feature pipeline writes
 * rows as it computes them, the scorer reads one entity's vectors at a time.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Writes are guarded by event time: a row whose event time is older than the stored one is
 *       refused (and counted in {@link WriteResult#rowsSkippedOlder()}); an equal event time
 *       overwrites. Writing the same rows again therefore leaves the store as it was, which makes
 *       retries and checkpoint replays safe, and rows may arrive out of order.
 *   <li>A write either completes for the whole batch or throws {@link OnlineStoreException} after
 *       its retries; rows of a failed batch may be partly written, and writing the batch again is
 *       always correct.
 *   <li>A value stays readable for the view's TTL after it was written, then disappears. Whether it
 *       may be served is judged at read time against the event time: see {@link
 *       FeatureVector.Status}.
 *   <li>Reads never return null and never fill missing values with zeros; an unknown entity is
 *       {@link FeatureVector.Status#MISSING}.
 *   <li>Implementations are safe for concurrent use by several threads.
 * </ul>
 */
public interface OnlineFeatureStore extends AutoCloseable {

  /**
   * Writes a batch of rows, each to the entity and view it names, in one pipelined round trip per
   * server where the implementation can.
   *
   * @param rows the rows; several rows for one key are applied in list order, newest event time
   *     winning
   * @param schemas the schemas of the views the rows belong to (one per view name)
   * @throws IllegalArgumentException if a row names a view missing from {@code schemas}, or does
   *     not fit its schema (version, number of values, a LONG value that is not whole); nothing is
   *     written then
   * @throws OnlineStoreException if the store failed through all retries
   */
  WriteResult write(List<ViewRow> rows, Collection<ViewSchema> schemas);

  /**
   * The values of one entity for one view, judged as of {@code asOf} (usually now, or the event
   * time of the record being scored).
   *
   * @throws OnlineStoreException if the store failed through all retries
   */
  FeatureVector read(ViewSchema schema, String entityId, Instant asOf);

  /**
   * Several lookups in one round trip per server; the result is in lookup order.
   *
   * @throws OnlineStoreException if the store failed through all retries
   */
  List<FeatureVector> readAll(List<Lookup> lookups, Instant asOf);

  /** One view for several entities; see {@link #readAll}. */
  default List<FeatureVector> readEntities(
      ViewSchema schema, List<String> entityIds, Instant asOf) {
    return readAll(entityIds.stream().map(id -> new Lookup(schema, id)).toList(), asOf);
  }

  /**
   * Several views of one entity. In Redis Cluster all views of an entity live on one node, so this
   * is a single round trip.
   */
  default List<FeatureVector> readViews(List<ViewSchema> schemas, String entityId, Instant asOf) {
    return readAll(schemas.stream().map(s -> new Lookup(s, entityId)).toList(), asOf);
  }

  /** Releases the connections. */
  @Override
  void close();

  /** One entity of one view to read. */
  record Lookup(ViewSchema schema, String entityId) {
    public Lookup {
      Objects.requireNonNull(schema, "schema");
      Objects.requireNonNull(entityId, "entityId");
    }
  }

  /**
   * What one {@link #write} did.
   *
   * @param rowsWritten rows stored
   * @param rowsSkippedOlder rows refused because the store already held a newer event time
   * @param retries how many times the batch was retried before it went through
   */
  record WriteResult(int rowsWritten, int rowsSkippedOlder, int retries) {
    public static final WriteResult EMPTY = new WriteResult(0, 0, 0);
  }
}
