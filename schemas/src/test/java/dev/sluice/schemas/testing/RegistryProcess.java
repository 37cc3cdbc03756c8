package dev.sluice.schemas.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Confluent-compatible schema registry (Apicurio 2.4.2, in-memory storage, {@code
 * /apis/ccompat/v7}) run as a child process on a free port, owned by one test class: it can be
 * stopped and started again to test outages. The jar is built by {@code bin/sluice infra prepare
 * registry} (which {@code bin/sluice test} runs); its path comes from the {@code
 * sluice.registry.jar} system property that the build sets.
 */
public final class RegistryProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Path jar;
  private final int port;
  private final Path log;
  private Process process;

  private RegistryProcess(Path jar, int port, Path log) {
    this.jar = jar;
    this.port = port;
    this.log = log;
  }

  /** Starts a registry on a free port and waits until it answers. */
  public static RegistryProcess start() throws IOException, InterruptedException {
    String property = System.getProperty("sluice.registry.jar");
    if (property == null || !Files.exists(Path.of(property))) {
      throw new IllegalStateException(
          "schema registry jar not found at "
              + property
              + ": run 'bin/sluice infra prepare registry' first"
              + " (bin/sluice test does it)");
    }
    Path log = Files.createTempFile("sluice-test-registry-", ".log");
    RegistryProcess registry = new RegistryProcess(Path.of(property), freePort(), log);
    registry.startProcess();
    return registry;
  }

  /** Base URL of the Confluent API. */
  public String url() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  public int port() {
    return port;
  }

  /** Stops the process (SIGTERM, then SIGKILL after 20 s). Its in-memory schemas are lost. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** Starts the process again on the same port and waits until it answers. */
  public void restart() throws IOException, InterruptedException {
    stop();
    startProcess();
  }

  /** Starts the process again without waiting (to test clients retrying through the start-up). */
  public void startInBackground() throws IOException {
    process = launch();
  }

  /** Waits until the registry answers. */
  public void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!ready()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("registry exited during start-up, see " + log);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "registry did not answer within " + READY_TIMEOUT + ", see " + log);
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private void startProcess() throws IOException, InterruptedException {
    process = launch();
    awaitReady();
  }

  private Process launch() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            List.of(
                java,
                "-Xmx256m",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-jar",
                jar.toString()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .directory(new File(System.getProperty("java.io.tmpdir")))
        .start();
  }

  private boolean ready() {
    try {
      HttpResponse<Void> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A port nothing listens on right now. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
