package dev.sluice.cli.infra;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Kafka 4.2 broker in KRaft combined mode (broker and controller in one process),
 * from the Maven Central jars listed in {@code docker/local/kafka/pom.xml}. Storage is formatted
 * once, on first start.
 */
public final class KafkaService implements LocalService {
  public static final int BROKER_PORT = 9092;
  public static final int CONTROLLER_PORT = 9093;
  public static final String BOOTSTRAP = "127.0.0.1:" + BROKER_PORT;

  private final int brokerPort;
  private final int controllerPort;

  /** On the documented ports, 9092 and 9093. */
  public KafkaService() {
    this(BROKER_PORT, CONTROLLER_PORT);
  }

  public KafkaService(int brokerPort, int controllerPort) {
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public String address() {
    return bootstrapServers() + " (controller 127.0.0.1:" + controllerPort + ")";
  }

  @Override
  public int port() {
    return brokerPort;
  }

  @Override
  public String processMarker() {
    return "kafka.Kafka";
  }

  @Override
  public void prepare(Layout layout, Console console) throws Exception {
    Path lib = layout.lib(name());
    Path complete = lib.resolve(".complete");
    if (Files.exists(complete)) {
      return;
    }
    console.info("  fetching Kafka 4.2.0 jars from Maven Central into %s ...", lib);
    Commands.run(
        List.of(
            Commands.mvn(),
            "-q",
            "-B",
            "-f",
            layout.repoFile("docker/local/kafka/pom.xml").toString(),
            "dependency:copy-dependencies",
            "-DoutputDirectory=" + lib),
        layout.projectRoot(),
        layout.logs().resolve("kafka-prepare.log"),
        15,
        "fetching the Kafka jars");
    Files.writeString(complete, "ok\n");
  }

  @Override
  public void initialise(Layout layout, Console console) throws Exception {
    Path data = layout.data(name());
    Path properties = layout.data(name()).getParent().resolve("kafka-server.properties");
    String template =
        Files.readString(
            layout.repoFile("docker/local/kafka/server.properties.template"),
            StandardCharsets.UTF_8);
    Files.writeString(
        properties,
        template
            .replace("@BROKER_PORT@", Integer.toString(brokerPort))
            .replace("@CONTROLLER_PORT@", Integer.toString(controllerPort))
            .replace("@DATA_DIR@", data.toString()));
    if (Files.exists(data.resolve("meta.properties"))) {
      return;
    }
    console.info("  formatting Kafka storage in %s", data);
    Path log = layout.logs().resolve("kafka-format.log");
    Commands.run(
        List.of(
            Commands.java(),
            "-cp",
            layout.lib(name()) + "/*",
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id="
                + Uuid.randomUuid(), // Kafka's ids never start with "-"; "=" in case one did
            "-c",
            properties.toString(),
            "--standalone",
            "--ignore-formatted"),
        layout.projectRoot(),
        log,
        2,
        "formatting Kafka storage");
  }

  @Override
  public List<String> command(Layout layout) {
    return List.of(
        Commands.java(),
        "-Xmx384m",
        "-Xms128m",
        "-Dlog4j2.configurationFile=" + layout.repoFile("docker/local/kafka/log4j2.yaml"),
        "-Dkafka.logs.dir=" + layout.logs().resolve("kafka"),
        "-cp",
        layout.lib(name()) + "/*",
        "kafka.Kafka",
        layout.data(name()).getParent().resolve("kafka-server.properties").toString());
  }

  @Override
  public Path logFile(Layout layout) {
    return layout.logs().resolve("kafka.log");
  }

  @Override
  public boolean isReady() {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
      return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }
}
