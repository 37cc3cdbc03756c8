package dev.sluice.cli.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.RestSchemaRegistryClient;
import dev.sluice.schemas.testing.RegistryProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice infra up/status/down} for real: Kafka, the registry and Redis as processes, on free
 * ports and in a temporary var/ folder so a developer's own local infrastructure is left alone.
 */
class LocalInfraITCase {

  @Test
  void upIsIdempotentStatusTellsTheTruthAndDownStopsEverything(@TempDir Path var) throws Exception {
    Layout layout = Layout.of(Path.of(System.getProperty("sluice.root")), var);
    List<LocalService> services =
        List.of(
            new KafkaService(RegistryProcess.freePort(), RegistryProcess.freePort()),
            new RegistryService(RegistryProcess.freePort()),
            new RedisService(RegistryProcess.freePort()));
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    LocalInfra infra =
        new LocalInfra(
            layout, new Console(new PrintStream(output, true, StandardCharsets.UTF_8)), services);
    try {
      infra.up();
      assertThat(infra.status()).extracting(LocalInfra.Status::state).containsOnly("ready");
      List<Long> pids = infra.status().stream().map(LocalInfra.Status::pid).toList();

      infra.up();

      assertThat(infra.status().stream().map(LocalInfra.Status::pid).toList()).isEqualTo(pids);
      assertThat(output.toString(StandardCharsets.UTF_8))
          .contains(
              "kafka     already running",
              "registry  already running",
              "redis     already running");
      assertThat(var.resolve("log/kafka.log")).exists();
      assertThat(var.resolve("run/registry.pid")).exists();
    } finally {
      assertThat(infra.down()).isEqualTo(3);
    }
    assertThat(infra.status()).extracting(LocalInfra.Status::state).containsOnly("stopped");
    assertThat(infra.status()).extracting(LocalInfra.Status::pid).containsOnlyNulls();
  }

  @Test
  void theRegistryKeepsSchemasAndIdsAcrossARestart(@TempDir Path var) throws Exception {
    Layout layout = Layout.of(Path.of(System.getProperty("sluice.root")), var);
    RegistryService service = new RegistryService(RegistryProcess.freePort());
    LocalInfra infra = new LocalInfra(layout, Console.silent(), List.of(service));
    try {
      infra.up();
      int id =
          new RestSchemaRegistryClient(RegistryConfig.of(service.url()))
              .register("kept-value", Transaction.getClassSchema());
      infra.down();
      infra.up();

      RestSchemaRegistryClient fresh =
          new RestSchemaRegistryClient(RegistryConfig.of(service.url()));
      assertThat(fresh.getById(id)).isEqualTo(Transaction.getClassSchema());
      assertThat(fresh.getLatest("kept-value").id()).isEqualTo(id);
    } finally {
      infra.down();
    }
  }

  @Test
  void aPortTakenByAnotherProcessIsNamed(@TempDir Path var) throws Exception {
    Layout layout = Layout.of(Path.of(System.getProperty("sluice.root")), var);
    try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      LocalInfra infra =
          new LocalInfra(
              layout, Console.silent(), List.of(new RedisService(squatter.getLocalPort())));

      assertThatThrownBy(infra::up)
          .hasMessageContaining(
              "port 127.0.0.1:"
                  + squatter.getLocalPort()
                  + " is in use by a process sluice did not start");
      assertThat(infra.status().get(0).state())
          .isEqualTo("stopped (port taken by another process)");
    }
  }
}
