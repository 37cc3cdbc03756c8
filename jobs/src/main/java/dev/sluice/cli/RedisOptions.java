package dev.sluice.cli;

import dev.sluice.state.online.RedisSettings;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the online store lives: one Redis server or a Redis Cluster, plus client settings. */
public final class RedisOptions {
  @Option(
      names = "--redis",
      defaultValue = "127.0.0.1:6379",
      paramLabel = "HOST:PORT",
      description = "Redis server of the online store (default: ${DEFAULT-VALUE}).")
  String redis;

  @Option(
      names = "--redis-cluster",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Seed nodes of a Redis Cluster (instead of --redis).")
  String cluster;

  @Option(
      names = "--redis-property",
      paramLabel = "KEY=VALUE",
      description = {
        "Any Redis client setting: redis.password, redis.user, redis.tls, redis.database,",
        "redis.pool-size, redis.connect-timeout, redis.socket-timeout, redis.key-prefix,",
        "redis.retry-attempts, redis.retry-backoff, redis.max-retry-backoff,",
        "redis.tls-truststore, redis.tls-truststore-password (trust for TLS; default: the JVM's)."
      })
  Map<String, String> properties = new HashMap<>();

  @Option(
      names = "--redis-properties-file",
      paramLabel = "FILE",
      description =
          "Java properties file of redis.* settings (keeps redis.password off the command line);"
              + " --redis-property wins over it.")
  java.nio.file.Path propertiesFile;

  RedisSettings settings() {
    Map<String, String> options =
        new HashMap<>(PropertiesFiles.load("--redis-properties-file", propertiesFile));
    options.putAll(properties);
    if (cluster != null) {
      options.put(RedisSettings.OPTION_CLUSTER_NODES, cluster);
    } else {
      int colon = redis.lastIndexOf(':');
      String port = colon < 0 ? "" : redis.substring(colon + 1);
      if (colon <= 0
          || !port.matches("\\d{1,5}")
          || Integer.parseInt(port) < 1
          || Integer.parseInt(port) > 65535) {
        throw new IllegalArgumentException(
            "--redis must be HOST:PORT with a port in 1..65535, got '" + redis + "'");
      }
      options.put(RedisSettings.OPTION_HOST, redis.substring(0, colon));
      options.put(RedisSettings.OPTION_PORT, redis.substring(colon + 1));
    }
    try {
      return RedisSettings.fromOptions(options);
    } catch (IllegalArgumentException e) {
      String option =
          String.valueOf(e.getMessage()).contains(RedisSettings.OPTION_CLUSTER_NODES)
              ? "--redis-cluster"
              : "--redis-property";
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  /** The nodes, for messages. */
  List<String> nodes() {
    return cluster != null ? Arrays.asList(cluster.split(",")) : List.of(redis);
  }
}
