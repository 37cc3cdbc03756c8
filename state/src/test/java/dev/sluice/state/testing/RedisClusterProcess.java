package dev.sluice.state.testing;

import static org.awaitility.Awaitility.await;

import dev.sluice.state.online.RedisSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * A real three-node Redis Cluster (three {@code redis-server --cluster-enabled yes} processes, no
 * replicas) on 127.0.0.1, joined with {@code redis-cli --cluster create} and ready when every node
 * reports {@code cluster_state:ok}. {@link #close()} stops all three.
 */
public final class RedisClusterProcess implements AutoCloseable {
  private static final int NODES = 3;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final List<RedisServer> nodes;

  private RedisClusterProcess(List<RedisServer> nodes) {
    this.nodes = nodes;
  }

  /** Starts three nodes, creates the cluster and waits until all slots are served. */
  public static RedisClusterProcess start() throws IOException, InterruptedException {
    List<RedisServer> nodes = new ArrayList<>();
    RedisClusterProcess cluster = new RedisClusterProcess(nodes);
    try {
      for (int i = 0; i < NODES; i++) {
        nodes.add(
            RedisServer.startClusterNode(
                List.of(
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "5000")));
      }
      cluster.create();
      cluster.awaitStateOk();
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The nodes as {@code 127.0.0.1:port}. */
  public List<String> addresses() {
    return nodes.stream().map(RedisServer::address).toList();
  }

  public List<RedisServer> nodes() {
    return nodes;
  }

  /** Online store settings with all three nodes as seeds and quick retries. */
  public RedisSettings settings() {
    return RedisSettings.cluster(addresses())
        .withRetries(5, Duration.ofMillis(20), Duration.ofMillis(200))
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  /** Number of keys each node holds ({@code DBSIZE}), by address. */
  public Map<String, Long> keysPerNode() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (RedisServer node : nodes) {
      try (Jedis jedis = node.connect()) {
        counts.put(node.address(), jedis.dbSize());
      }
    }
    return counts;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (RedisServer node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void create() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(RedisServer.redisCliBinary(), "--cluster"));
    command.add("create");
    command.addAll(addresses());
    command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Path log = Files.createTempFile("sluice-test-redis-cluster-create-", ".log");
    try {
      Process cli =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
              .start();
      if (!cli.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        cli.destroyForcibly().waitFor();
        throw new IllegalStateException(
            "redis-cli --cluster create did not finish within " + READY_TIMEOUT + ": " + read(log));
      }
      if (cli.exitValue() != 0) {
        throw new IllegalStateException(
            "redis-cli --cluster create failed (exit " + cli.exitValue() + "): " + read(log));
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private void awaitStateOk() {
    await("cluster_state:ok on every node of " + addresses())
        .atMost(READY_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> nodes.stream().allMatch(RedisClusterProcess::stateOk));
  }

  private static boolean stateOk(RedisServer node) {
    try (Jedis jedis = node.connect()) {
      return jedis.clusterInfo().contains("cluster_state:ok");
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
