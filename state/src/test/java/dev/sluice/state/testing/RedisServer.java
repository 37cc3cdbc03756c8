package dev.sluice.state.testing;

import static org.awaitility.Awaitility.await;

import dev.sluice.state.online.RedisSettings;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A real {@code redis-server} (the Debian package, 7.0) as a child process, owned by one test
 * class: bound to 127.0.0.1 on a free port, no persistence ({@code --save '' --appendonly no}), its
 * files in a temporary directory. It can be stopped and started again on the same port to test
 * outages; a restart loses all data and the script cache, like a real restart without persistence.
 * {@link #close()} stops the process and deletes the directory; a JVM shutdown hook stops it too if
 * a test run is interrupted.
 *
 * <p>Use from JUnit 5 with {@code @BeforeAll server = RedisServer.start()} and {@code @AfterAll
 * server.close()}.
 */
public final class RedisServer implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
  private static final String HOST = "127.0.0.1";

  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private final Thread shutdownHook;
  private Process process;

  private RedisServer(int port, Path dir, List<String> extraArgs) {
    this.port = port;
    this.dir = dir;
    this.extraArgs = List.copyOf(extraArgs);
    this.shutdownHook = new Thread(this::destroyNow, "stop-redis-server-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a server on a free port and waits until it answers PING. */
  public static RedisServer start() throws IOException {
    return start(freePort(false), List.of());
  }

  /** Starts a server with extra {@code redis-server} arguments, e.g. {@code --requirepass pw}. */
  public static RedisServer start(List<String> extraArgs) throws IOException {
    return start(freePort(false), extraArgs);
  }

  /**
   * Starts a server for a Redis Cluster: on a port whose cluster bus port (port + 10000) is free
   * too, with the given extra arguments.
   */
  static RedisServer startClusterNode(List<String> extraArgs) throws IOException {
    return start(freePort(true), extraArgs);
  }

  private static RedisServer start(int port, List<String> extraArgs) throws IOException {
    Path dir = Files.createTempDirectory("sluice-test-redis-" + port + "-");
    RedisServer server = new RedisServer(port, dir, extraArgs);
    try {
      server.startAgain();
    } catch (RuntimeException | IOException e) {
      server.close();
      throw e;
    }
    return server;
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}. */
  public String address() {
    return HOST + ":" + port;
  }

  /** Process id of the running server; -1 when stopped. */
  public long pid() {
    return isRunning() ? process.pid() : -1;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Settings for the online store against this server, with quick retries (5 retries, 20 ms
   * doubling up to 200 ms) so that outage tests do not wait long.
   */
  public RedisSettings settings() {
    return RedisSettings.standalone(HOST, port)
        .withRetries(5, Duration.ofMillis(20), Duration.ofMillis(200))
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  /** A new plain connection for assertions on what is stored; close it. */
  public Jedis connect() {
    return new Jedis(HOST, port);
  }

  /** Stops the server (SIGTERM, SIGKILL after 10 s) and waits until the process is gone. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  /** Starts the stopped server again on the same port (empty) and waits until it answers. */
  public void startAgain() throws IOException {
    if (isRunning()) {
      throw new IllegalStateException("redis-server on port " + port + " is already running");
    }
    List<String> command = new ArrayList<>();
    command.add(redisServerBinary());
    command.addAll(
        List.of(
            "--port",
            Integer.toString(port),
            "--bind",
            HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.toString(),
            "--daemonize",
            "no"));
    command.addAll(extraArgs);
    Path log = dir.resolve("redis.log");
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .directory(dir.toFile())
            .start();
    Process started = process;
    try {
      await("redis-server on port " + port + " to answer PING")
          .atMost(READY_TIMEOUT)
          .pollInterval(Duration.ofMillis(20))
          .failFast("redis-server exited during start-up", () -> !started.isAlive())
          .until(this::answersPing);
    } catch (RuntimeException e) {
      // The directory goes with the server: keep what the log said in the failure.
      throw new IllegalStateException(
          "redis-server " + String.join(" ", command) + " did not start:\n" + tail(log), e);
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: nothing to remove
    }
    deleteRecursively(dir);
  }

  private boolean answersPing() {
    try (Jedis jedis = connect()) {
      return "PONG".equals(jedis.ping());
    } catch (JedisDataException e) {
      // A server with a password answers, just not to strangers.
      return e.getMessage() != null && e.getMessage().startsWith("NOAUTH");
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void destroyNow() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  static String redisServerBinary() {
    return binary("sluice.redis.server", "redis-server");
  }

  static String redisCliBinary() {
    return binary("sluice.redis.cli", "redis-cli");
  }

  private static String binary(String property, String name) {
    String configured = System.getProperty(property);
    if (configured != null) {
      return configured;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        name
            + " not found on PATH: install it (apt-get install redis-server) or set -D"
            + property);
  }

  /** A free port on 127.0.0.1; for a cluster node also one whose bus port (+10000) is free. */
  static int freePort(boolean withClusterBus) throws IOException {
    for (int i = 0; i < 100; i++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
        port = socket.getLocalPort();
      }
      if (!withClusterBus) {
        return port;
      }
      if (port + 10000 <= 65535 && isFree(port + 10000)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port pair (port, port + 10000) found");
  }

  private static boolean isFree(int port) {
    try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}
