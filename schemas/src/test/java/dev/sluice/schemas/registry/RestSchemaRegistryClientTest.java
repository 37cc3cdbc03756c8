package dev.sluice.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.avro.Transaction;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client behaviour a real registry cannot be made to show on demand (5xx, auth, failover), against
 * a scripted HTTP server. The API contract itself is tested against a real registry in {@link
 * RestSchemaRegistryClientITCase}.
 */
class RestSchemaRegistryClientTest {
  private HttpServer server;
  private final CopyOnWriteArrayList<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void respond(String path, int failuresFirst, int failureStatus, int status, String body) {
    server.createContext(
        path,
        exchange -> {
          authorizations.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          int n = calls.incrementAndGet();
          int code = n <= failuresFirst ? failureStatus : status;
          byte[] bytes =
              (n <= failuresFirst ? "{\"error_code\":50001,\"message\":\"busy\"}" : body)
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(code, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
  }

  private RestSchemaRegistryClient client(Map<String, String> extra) {
    Map<String, Object> props = new java.util.HashMap<>(extra);
    props.putIfAbsent(RegistryConfig.URL, url());
    return new RestSchemaRegistryClient(
        RegistryConfig.fromProperties(props)
            .withRetries(3, Duration.ofMillis(10), Duration.ofMillis(20)));
  }

  @Test
  void retriesServerErrorsThenSucceeds() {
    respond(
        "/schemas/ids/7",
        2,
        503,
        200,
        "{\"schema\":" + quoted(Transaction.getClassSchema().toString()) + "}");

    assertThat(client(Map.of()).getById(7)).isEqualTo(Transaction.getClassSchema());
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void givesUpAfterTheRetryBudgetAsUnavailable() {
    respond("/schemas/ids/7", 100, 500, 200, "{}");

    assertThatThrownBy(() -> client(Map.of()).getById(7))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("after 4 attempt(s)")
        .hasMessageContaining("HTTP 500 busy");
    assertThat(calls.get()).isEqualTo(4);
  }

  @Test
  void clientErrorsAreNotRetriedAndNameTheProblem() {
    respond(
        "/subjects/payments-value/versions",
        0,
        0,
        401,
        "{\"error_code\":40101,\"message\":\"Unauthorized\"}");

    assertThatThrownBy(
            () ->
                client(Map.of("basic.auth.user.info", "svc:secret"))
                    .register("payments-value", Transaction.getClassSchema()))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40101))
        .hasMessageContaining("subject 'payments-value'")
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("Unauthorized")
        .hasMessageContaining("basic.auth.user.info");
    assertThat(calls.get()).isEqualTo(1);
    assertThat(authorizations).containsExactly("Basic c3ZjOnNlY3JldA==");
  }

  @Test
  void failsOverToTheNextUrlWhenOneIsDown() throws IOException {
    respond("/subjects", 0, 0, 200, "[\"a-value\"]");
    int deadPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      deadPort = socket.getLocalPort();
    }

    RestSchemaRegistryClient client =
        client(Map.of(RegistryConfig.URL, "http://127.0.0.1:" + deadPort + "," + url()));

    assertThat(client.subjects()).containsExactly("a-value");
  }

  private static String quoted(String json) {
    return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
