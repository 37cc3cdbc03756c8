package dev.sluice.state.online;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * The online store in Redis, standalone or Redis Cluster, through Jedis. Layout and guard: see the
 * {@linkplain dev.sluice.state.online package documentation}.
 *
 * <p><b>Writes</b> go out as one pipeline of {@code EVALSHA} calls of the guard script per batch.
 * On a standalone server that is one round trip. On a cluster, Jedis' {@code ClusterPipeline}
 * computes each key's hash slot, looks up the node that owns it in its slot cache, queues the
 * command on that node's connection, and on {@code sync()} reads the nodes' replies in parallel:
 * one round trip per node, whatever the batch size.
 *
 * <p><b>Failures</b>: a batch that fails for a transient reason (connection lost or refused, a
 * timeout, a cluster redirection or fail-over, {@code LOADING}, {@code OOM}, ...) is retried whole
 * after {@link RedisSettings#backoffBeforeRetry}, up to {@link RedisSettings#retryAttempts()}
 * times; the guard makes that idempotent. Before a retry, idle pooled connections are dropped (they
 * are likely dead after a restart) and the cluster's slot map is fetched again. {@code NOSCRIPT}
 * (the server lost its script cache: restart, fail-over, {@code SCRIPT FLUSH}) loads the script on
 * every node and retries at once. Permanent errors (authentication, wrong key type) and exhausted
 * retries throw {@link OnlineStoreException} naming the deployment and the cause.
 *
 * <p>The guard script is loaded on every node when the store opens, so a Redis that refuses scripts
 * fails at start-up rather than at the first write.
 */
public final class RedisOnlineFeatureStore implements OnlineFeatureStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisOnlineFeatureStore.class);

  /** Attempts Jedis makes itself for one cluster command (to follow MOVED/ASK redirections). */
  private static final int CLUSTER_COMMAND_ATTEMPTS = 3;

  private static final String CLIENT_NAME = "sluice-online-store";

  /** Redis error prefixes of conditions that pass: retrying the batch is worth it. */
  private static final List<String> TRANSIENT_ERRORS =
      List.of(
          "LOADING",
          "BUSY",
          "TRYAGAIN",
          "CLUSTERDOWN",
          "READONLY",
          "MASTERDOWN",
          "NOREPLICAS",
          "OOM");

  private final RedisSettings settings;
  private final Clock clock;
  private final UnifiedJedis client;
  private final ClusterConnectionProvider cluster;
  private final AtomicBoolean scriptMayBeMissing = new AtomicBoolean(true);
  private final AtomicLong retries = new AtomicLong();

  private RedisOnlineFeatureStore(
      RedisSettings settings, Clock clock, UnifiedJedis client, ClusterConnectionProvider cluster) {
    this.settings = settings;
    this.clock = clock;
    this.client = client;
    this.cluster = cluster;
  }

  /**
   * Connects to Redis and loads the guard script on every node, retrying as the settings say.
   *
   * @throws OnlineStoreException if Redis cannot be reached or refuses the script
   */
  public static RedisOnlineFeatureStore open(RedisSettings settings) {
    return open(settings, Clock.systemUTC());
  }

  /** As {@link #open(RedisSettings)}, with the clock that stamps {@code _written_at}. */
  public static RedisOnlineFeatureStore open(RedisSettings settings, Clock clock) {
    JedisClientConfig clientConfig = clientConfig(settings);
    ConnectionPoolConfig poolConfig = poolConfig(settings);
    RedisOnlineFeatureStore store;
    if (settings.isCluster()) {
      Set<HostAndPort> seeds = new LinkedHashSet<>();
      settings
          .clusterNodeAddresses()
          .forEach(node -> seeds.add(new HostAndPort(node.getKey(), node.getValue())));
      // The provider reads the slot map from the seeds right away: retry that like any operation.
      ClusterConnectionProvider provider =
          retrying(
              settings,
              "discovering the cluster's nodes",
              attempt -> new ClusterConnectionProvider(seeds, clientConfig, poolConfig),
              () -> {});
      JedisCluster jedisCluster =
          new JedisCluster(
              provider,
              CLUSTER_COMMAND_ATTEMPTS,
              settings.socketTimeout().multipliedBy(CLUSTER_COMMAND_ATTEMPTS));
      store = new RedisOnlineFeatureStore(settings, clock, jedisCluster, provider);
    } else {
      JedisPooled pooled =
          new JedisPooled(
              new HostAndPort(settings.host(), settings.port()), clientConfig, poolConfig);
      store = new RedisOnlineFeatureStore(settings, clock, pooled, null);
    }
    try {
      store.withRetries("loading the write script", attempt -> null);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    LOG.info(
        "Online store open on {} with key prefix '{}'", settings.describe(), settings.keyPrefix());
    return store;
  }

  public RedisSettings settings() {
    return settings;
  }

  /** Retries made by all operations of this store since it was opened. */
  public long retries() {
    return retries.get();
  }

  @Override
  public WriteResult write(List<ViewRow> rows, Collection<ViewSchema> schemas) {
    if (rows.isEmpty()) {
      return WriteResult.EMPTY;
    }
    Map<String, ViewSchema> byView = index(schemas);
    long writtenAt = clock.millis();
    // Everything is checked and encoded before the first command goes out: a bad row writes
    // nothing.
    List<String> keys = new ArrayList<>(rows.size());
    List<List<String>> args = new ArrayList<>(rows.size());
    for (ViewRow row : rows) {
      ViewSchema schema = byView.get(row.view);
      if (schema == null) {
        throw new IllegalArgumentException(
            "row for entity "
                + row.entityId
                + " belongs to view '"
                + row.view
                + "', which the online store was not given (known views: "
                + byView.keySet()
                + ")");
      }
      RedisLayout.checkRow(schema, row);
      keys.add(RedisLayout.key(settings.keyPrefix(), schema, row.entityId));
      args.add(RedisLayout.scriptArgs(schema, row, writtenAt));
    }
    return withRetries(
        "writing " + rows.size() + " rows", attempt -> writeOnce(keys, args, attempt - 1));
  }

  private WriteResult writeOnce(List<String> keys, List<List<String>> args, int retriesSoFar) {
    List<Response<Object>> replies = new ArrayList<>(keys.size());
    try (AbstractPipeline pipeline = client.pipelined()) {
      for (int i = 0; i < keys.size(); i++) {
        replies.add(
            pipeline.evalsha(RedisLayout.GUARDED_WRITE_SHA, List.of(keys.get(i)), args.get(i)));
      }
      pipeline.sync();
    }
    int written = 0;
    int skipped = 0;
    for (int i = 0; i < replies.size(); i++) {
      Object reply = reply(replies.get(i), keys.get(i));
      if (Long.valueOf(1).equals(reply)) {
        written++;
      } else if (Long.valueOf(0).equals(reply)) {
        skipped++;
      } else {
        throw new IllegalStateException(
            "guard script returned " + reply + " for " + keys.get(i) + ", expected 0 or 1");
      }
    }
    return new WriteResult(written, skipped, retriesSoFar);
  }

  @Override
  public FeatureVector read(ViewSchema schema, String entityId, Instant asOf) {
    String key = RedisLayout.key(settings.keyPrefix(), schema, entityId);
    String[] fields = RedisLayout.readFields(schema);
    List<String> reply = withRetries("reading " + key, attempt -> client.hmget(key, fields));
    return RedisLayout.decode(schema, entityId, key, asOf, reply);
  }

  @Override
  public List<FeatureVector> readAll(List<Lookup> lookups, Instant asOf) {
    if (lookups.isEmpty()) {
      return List.of();
    }
    if (lookups.size() == 1) {
      Lookup lookup = lookups.get(0);
      return List.of(read(lookup.schema(), lookup.entityId(), asOf));
    }
    List<String> keys = new ArrayList<>(lookups.size());
    for (Lookup lookup : lookups) {
      keys.add(RedisLayout.key(settings.keyPrefix(), lookup.schema(), lookup.entityId()));
    }
    List<List<String>> replies =
        withRetries(
            "reading " + lookups.size() + " feature vectors",
            attempt -> {
              List<Response<List<String>>> responses = new ArrayList<>(keys.size());
              try (AbstractPipeline pipeline = client.pipelined()) {
                for (int i = 0; i < keys.size(); i++) {
                  responses.add(
                      pipeline.hmget(keys.get(i), RedisLayout.readFields(lookups.get(i).schema())));
                }
                pipeline.sync();
              }
              List<List<String>> values = new ArrayList<>(responses.size());
              for (int i = 0; i < responses.size(); i++) {
                values.add(reply(responses.get(i), keys.get(i)));
              }
              return values;
            });
    List<FeatureVector> vectors = new ArrayList<>(lookups.size());
    for (int i = 0; i < lookups.size(); i++) {
      Lookup lookup = lookups.get(i);
      vectors.add(
          RedisLayout.decode(
              lookup.schema(), lookup.entityId(), keys.get(i), asOf, replies.get(i)));
    }
    return vectors;
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "RedisOnlineFeatureStore[" + settings.describe() + "]";
  }

  /**
   * Runs {@code operation} (given the 1-based attempt number), loading the guard script first when
   * it may be missing, and retrying transient failures with backoff.
   */
  private <T> T withRetries(String action, IntFunction<T> operation) {
    return retrying(
        settings,
        action,
        attempt -> {
          if (scriptMayBeMissing.get()) {
            loadScript();
            scriptMayBeMissing.set(false);
          }
          try {
            return operation.apply(attempt);
          } catch (JedisNoScriptException e) {
            // The server forgot the script (restart, fail-over, SCRIPT FLUSH): load it, go again.
            LOG.info("{} lost the write script ({}), loading it again", settings.describe(), e);
            loadScript();
            scriptMayBeMissing.set(false);
            return operation.apply(attempt);
          }
        },
        () -> {
          retries.incrementAndGet();
          dropIdleConnections();
        });
  }

  private static <T> T retrying(
      RedisSettings settings, String action, IntFunction<T> operation, Runnable beforeRetry) {
    long start = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        return operation.apply(attempt);
      } catch (JedisException e) {
        if (!isTransient(e) || attempt > settings.retryAttempts()) {
          long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
          throw new OnlineStoreException(
              settings.describe()
                  + ": "
                  + action
                  + " failed after "
                  + attempt
                  + (attempt == 1 ? " attempt" : " attempts")
                  + " in "
                  + millis
                  + " ms"
                  + (isTransient(e) ? "" : " (not retried: the error is permanent)")
                  + ": "
                  + describe(e),
              e,
              attempt);
        }
        Duration backoff = settings.backoffBeforeRetry(attempt);
        LOG.warn(
            "{}: {} failed (attempt {} of {}), retrying in {} ms: {}",
            settings.describe(),
            action,
            attempt,
            settings.retryAttempts() + 1,
            backoff.toMillis(),
            describe(e));
        beforeRetry.run();
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new OnlineStoreException(
              settings.describe() + ": interrupted while waiting to retry " + action, e, attempt);
        }
      }
    }
  }

  /** Loads the guard script on every node and checks that Redis names it as we do. */
  private void loadScript() {
    if (cluster == null) {
      checkSha(settings.describe(), client.scriptLoad(RedisLayout.GUARDED_WRITE_SCRIPT));
      return;
    }
    CommandObjects commands = new CommandObjects();
    Set<String> primaries = cluster.getPrimaryNodes().keySet();
    for (Map.Entry<String, ConnectionPool> node : cluster.getNodes().entrySet()) {
      try (Connection connection = node.getValue().getResource()) {
        checkSha(
            node.getKey(),
            connection.executeCommand(commands.scriptLoad(RedisLayout.GUARDED_WRITE_SCRIPT)));
      } catch (JedisException e) {
        if (primaries.contains(node.getKey())) {
          throw e;
        }
        // A replica that is down does not take writes; it gets the script after its fail-over.
        LOG.warn("Could not load the write script on replica {}: {}", node.getKey(), describe(e));
      }
    }
  }

  private static void checkSha(String node, String sha) {
    if (!RedisLayout.GUARDED_WRITE_SHA.equals(sha)) {
      throw new IllegalStateException(
          node + " named the write script " + sha + ", expected " + RedisLayout.GUARDED_WRITE_SHA);
    }
  }

  /**
   * After a failure: pooled idle connections are probably dead (server restarted, node failed
   * over), and a cluster's slots may have moved.
   */
  private void dropIdleConnections() {
    try {
      if (cluster == null) {
        ((JedisPooled) client).getPool().clear();
      } else {
        cluster.getNodes().values().forEach(ConnectionPool::clear);
        cluster.renewSlotCache();
      }
    } catch (JedisException e) {
      LOG.debug("Could not refresh connections to {}: {}", settings.describe(), describe(e));
    }
  }

  /** A pipelined reply; a reply that never came (connection lost mid-pipeline) is a failure. */
  private static <T> T reply(Response<T> response, String key) {
    try {
      return response.get();
    } catch (IllegalStateException e) {
      // ClusterPipeline logs a lost node connection and leaves that node's replies unset.
      throw new JedisConnectionException("no reply for " + key + ": connection lost", e);
    }
  }

  private static boolean isTransient(JedisException e) {
    if (e instanceof JedisAccessControlException) {
      return false;
    }
    if (e instanceof JedisConnectionException
        || e instanceof JedisClusterOperationException
        || e instanceof JedisRedirectionException) {
      return true;
    }
    if (e instanceof JedisDataException) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      return TRANSIENT_ERRORS.stream().anyMatch(message::startsWith);
    }
    // Pool exhausted or similar: the pool's own failure, worth another try.
    return true;
  }

  private static String describe(Throwable e) {
    StringBuilder s = new StringBuilder(e.getClass().getSimpleName()).append(": ");
    s.append(e.getMessage());
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      s.append(" (caused by ")
          .append(cause.getClass().getSimpleName())
          .append(": ")
          .append(cause.getMessage())
          .append(')');
    }
    return s.toString();
  }

  private static Map<String, ViewSchema> index(Collection<ViewSchema> schemas) {
    Map<String, ViewSchema> byView = new HashMap<>();
    for (ViewSchema schema : schemas) {
      ViewSchema previous = byView.put(schema.view(), schema);
      if (previous != null && !previous.equals(schema)) {
        throw new IllegalArgumentException(
            "two schemas for view "
                + schema.view()
                + " (versions "
                + previous.version()
                + " and "
                + schema.version()
                + ")");
      }
    }
    return byView;
  }

  static JedisClientConfig clientConfig(RedisSettings settings) {
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .clientName(CLIENT_NAME)
            .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
            .socketTimeoutMillis((int) settings.socketTimeout().toMillis())
            .user(settings.user())
            .password(settings.password())
            .ssl(settings.tls());
    if (!settings.isCluster()) {
      config.database(settings.database());
    }
    if (settings.tls()) {
      // Jedis checks host names only when asked: have TLS verify the certificate names the host.
      SSLParameters parameters = new SSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      config.sslParameters(parameters);
      if (settings.tlsTruststore() != null) {
        config.sslSocketFactory(settings.sslSocketFactory());
      }
    }
    return config.build();
  }

  private static ConnectionPoolConfig poolConfig(RedisSettings settings) {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(settings.poolSize());
    pool.setMaxIdle(settings.poolSize());
    pool.setMinIdle(0);
    pool.setMaxWait(settings.socketTimeout());
    pool.setJmxEnabled(false);
    return pool;
  }
}
