/**
 * The online feature store: the latest feature values per entity and feature view, in Redis, for
 * serving. The feature pipeline writes through {@link dev.sluice.state.online.OnlineStoreSink}; the
 * scorer reads through {@link dev.sluice.state.online.OnlineFeatureStore}, implemented by {@link
 * dev.sluice.state.online.RedisOnlineFeatureStore} for a standalone server or a Redis Cluster
 * ({@link dev.sluice.state.online.RedisSettings}).
 *
 * <h2>Layout in Redis</h2>
 *
 * <p>One hash per entity and feature view, under the key
 *
 * <pre>
 * {@code <prefix>:{<entity>:<entityId>}:<view>      e.g.  sluice:{customer:c-00042}:customer_spending}
 * </pre>
 *
 * <p>The prefix ({@code sluice} by default) separates deployments sharing one Redis. The braces are
 * the Redis Cluster hash tag: only {@code <entity>:<entityId>} is hashed, so all views of one
 * entity live in the same slot, on the same node, and one round trip reads an entity's whole
 * feature vector. Entities spread over the slots, and so over the nodes. Keys are deterministic: a
 * replay writes the same keys, and any client can compute them ({@link
 * dev.sluice.state.online.RedisLayout#key}).
 *
 * <p>Fields of the hash:
 *
 * <table>
 *   <caption>Hash fields</caption>
 *   <tr><th>field</th><th>value</th></tr>
 *   <tr><td>one per feature, named as the view's column</td>
 *       <td>the value as a decimal string: LONG columns as an integer ({@code 17}), DOUBLE columns
 *       as {@link java.lang.Double#toString}, which reads back to the same double in any language
 *       ({@code 0.25}, {@code 3.0}, {@code 1.0E-7})</td></tr>
 *   <tr><td>{@code _event_time}</td><td>event time (epoch ms) the values are valid at</td></tr>
 *   <tr><td>{@code _version}</td><td>version of the view definition that computed them</td></tr>
 *   <tr><td>{@code _written_at}</td><td>wall-clock time (epoch ms) of the write</td></tr>
 * </table>
 *
 * <p>Every write sets {@code PEXPIRE} to the view's TTL, so an entity that stops changing vanishes
 * one TTL after its last write and the store holds only live entities. Whether a value that is
 * still there may be served is decided at read time from its event time (see {@link
 * dev.sluice.state.online.FeatureVector.Status}).
 *
 * <h2>Guarded writes</h2>
 *
 * <p>Rows are written by a small Lua script, called by its SHA-1 ({@code EVALSHA}, loaded on every
 * node when the store opens and again after {@code NOSCRIPT}). It refuses a row whose event time is
 * older than the stored {@code _event_time}, so that out-of-order rows, parallel writers and
 * replays after a restore never put older values over newer ones; an equal event time overwrites,
 * so replays are idempotent. A row of another view version replaces the whole hash, so no feature
 * of an old definition lingers. The script runs atomically on the node that owns the key.
 */
package dev.sluice.state.online;
