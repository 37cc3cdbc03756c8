package dev.sluice.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The registry client never follows a redirect: a registry (or a proxy in front of it) answering
 * 3xx to another host must not get the basic-auth credentials sent there.
 */
class RegistryRedirectTest {
  private static final String SECRET = "s3cr3t-pw";

  private HttpServer registry;
  private HttpServer elsewhere;
  private final List<String> elsewhereRequests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    elsewhere.createContext(
        "/",
        exchange -> {
          elsewhereRequests.add(
              exchange.getRequestURI() + " " + exchange.getRequestHeaders().get("Authorization"));
          byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    elsewhere.start();
    registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    registry.start();
  }

  @AfterEach
  void stop() {
    registry.stop(0);
    elsewhere.stop(0);
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void aRedirectIsRefusedNamingTheOtherHostAndTheCredentialsNeverLeave(int status) {
    // "localhost" is another host name than the configured 127.0.0.1, on another port.
    String target = "http://localhost:" + elsewhere.getAddress().getPort() + "/subjects";
    registry.createContext(
        "/",
        exchange -> {
          exchange.getResponseHeaders().add("Location", target);
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    RegistryConfig config =
        RegistryConfig.fromProperties(
                Map.of(
                    RegistryConfig.URL,
                    "http://127.0.0.1:" + registry.getAddress().getPort(),
                    RegistryConfig.BASIC_AUTH_USER_INFO,
                    "alice:" + SECRET))
            .withRetries(2, Duration.ofMillis(1), Duration.ofMillis(2));

    try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(config)) {
      assertThatThrownBy(client::subjects)
          .isInstanceOfSatisfying(
              SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(status))
          .hasMessageContaining("HTTP " + status)
          .hasMessageContaining("to host localhost:" + elsewhere.getAddress().getPort())
          .hasMessageContaining("not followed")
          .hasMessageNotContaining(SECRET);
      // Not retried either: a redirect is an answer, not an outage.
      assertThat(client.requestCount()).isEqualTo(1);
    }
    assertThat(elsewhereRequests).isEmpty();
  }
}
