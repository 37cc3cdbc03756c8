package dev.sluice.cli.infra;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Apicurio Registry 2.4.2 serving the Confluent Schema Registry API under {@code /apis/ccompat/v7},
 * packaged as a Quarkus fast-jar by {@code docker/local/registry/pom.xml}. Its SQL storage is an H2
 * database file under {@code var/data/registry}, so schemas and their ids survive a restart
 * (records already in Kafka keep decoding).
 */
public final class RegistryService implements LocalService {
  public static final int PORT = 8085;
  public static final String URL = "http://127.0.0.1:" + PORT + "/apis/ccompat/v7";

  private final int port;

  /** On the documented port, 8085 (not 8081, which is Flink's web UI). */
  public RegistryService() {
    this(PORT);
  }

  public RegistryService(int port) {
    this.port = port;
  }

  /** Base URL of the Confluent API of this instance. */
  public String url() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Override
  public String name() {
    return "registry";
  }

  @Override
  public String address() {
    return url();
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String processMarker() {
    return "quarkus-run.jar";
  }

  /** The runnable jar the wrapper build produces. */
  public static Path jar(Layout layout) {
    return layout.projectRoot().resolve("docker/local/registry/target/quarkus-app/quarkus-run.jar");
  }

  @Override
  public void prepare(Layout layout, Console console) throws Exception {
    if (Files.exists(jar(layout))) {
      return;
    }
    console.info(
        "  building Apicurio Registry 2.4.2 (Confluent-compatible API) from Maven Central, ~1-2 min ...");
    Commands.run(
        List.of(
            Commands.mvn(),
            "-q",
            "-B",
            "-s",
            layout.repoFile("docker/local/registry/settings.xml").toString(),
            "-f",
            layout.repoFile("docker/local/registry/pom.xml").toString(),
            "package",
            "-DskipTests"),
        layout.projectRoot(),
        layout.logs().resolve("registry-prepare.log"),
        20,
        "building the schema registry");
  }

  /**
   * Sets the global compatibility level to BACKWARD, Confluent's default (Apicurio's is NONE), so
   * that an incompatible producer schema is refused locally as it would be in production.
   */
  @Override
  public void afterStart(Layout layout, Console console) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url() + "/config"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"BACKWARD\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "registry refused to set global compatibility BACKWARD: HTTP "
              + response.statusCode()
              + " "
              + response.body());
    }
  }

  @Override
  public List<String> command(Layout layout) {
    return List.of(
        Commands.java(),
        "-Xmx256m",
        "-Dquarkus.http.host=127.0.0.1",
        "-Dquarkus.http.port=" + port,
        // Apicurio's own default is an in-memory H2 database: a file keeps schema ids across
        // restarts.
        "-DREGISTRY_DATASOURCE_URL=jdbc:h2:file:" + layout.data(name()).resolve("registry"),
        "-jar",
        jar(layout).toString());
  }

  @Override
  public boolean isReady() {
    return isReady(url());
  }

  /** Whether a Confluent-compatible registry answers at {@code baseUrl}. */
  public static boolean isReady(String baseUrl) {
    try {
      HttpResponse<Void> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/subjects"))
                  .timeout(Duration.ofSeconds(2))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
