package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.state.KafkaClientSettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The preflight's messages for what can be decided without a real service: the registry's HTTP
 * answers (a stub server), unresolvable hosts, an offline store that cannot be written.
 */
class PreflightTest {
  private static final String SECRET = "pf-secret-1";

  @ParameterizedTest
  @CsvSource({
    "401, refused the credentials (HTTP 401), basic.auth.user.info",
    "403, (HTTP 403), basic.auth.user.info"
  })
  void aRegistryRefusingTheCredentialsIsNamed(int status, String says, String setting)
      throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = "{\"error_code\":40101,\"message\":\"Unauthorized\"}".getBytes();
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      RegistryConfig registry =
          RegistryConfig.fromProperties(
              Map.of(
                  RegistryConfig.URL,
                  "http://127.0.0.1:" + server.getAddress().getPort(),
                  RegistryConfig.BASIC_AUTH_USER_INFO,
                  "svc:" + SECRET));

      assertThatThrownBy(() -> new Preflight().registry(registry).run())
          .isInstanceOf(Preflight.PreflightException.class)
          .hasMessageContaining("--registry-url http://127.0.0.1:" + server.getAddress().getPort())
          .hasMessageContaining(says)
          .hasMessageContaining(setting)
          .hasMessageNotContaining(SECRET);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aRegistryThatDoesNotAnswerIsNamedQuickly() {
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> new Preflight().registry(RegistryConfig.of("http://127.0.0.1:1")).run())
        .hasMessageContaining("--registry-url http://127.0.0.1:1")
        .hasMessageContaining("does not answer");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
  }

  @Test
  void anUnresolvableKafkaHostIsNamed() {
    assertThatThrownBy(
            () ->
                new Preflight()
                    .kafka(KafkaClientSettings.of("no-such-host.invalid:9092"), Map.of())
                    .run())
        .hasMessageContaining("--bootstrap-servers no-such-host.invalid:9092")
        .hasMessageContaining("resolvable");
  }

  @Test
  void anOfflineStoreThatCannotBeWrittenIsNamed(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    String uri = file.resolve("offline").toUri().toString();

    assertThatThrownBy(() -> new Preflight().offlineStore(uri, "--offline-store").run())
        .hasMessageContaining("--offline-store '" + uri + "' is not writable");
  }

  @Test
  void aWritableOfflineStorePassesAndKeepsNoProbeFile(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("store");
    new Preflight().offlineStore(store.toUri().toString(), "--offline-store").run();

    assertThat(store).isDirectory();
    try (var files = Files.list(store)) {
      assertThat(files).isEmpty();
    }
  }
}
