package dev.sluice.state.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.state.online.FeatureVector.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real redis-server speaking only TLS (plain port off), with a certificate made for 127.0.0.1 at
 * test time (openssl) and a password: the store connects with {@code redis.tls=true} and a trust
 * store of its own, and refuses a server it cannot verify.
 */
class RedisTlsITCase {
  private static final String PASSWORD = "tls-redis-pw";
  private static final String TRUST_PASSWORD = "trust-pw";

  @TempDir static Path dir;
  private static Process redis;
  private static int port;
  private static Path truststore;

  @BeforeAll
  static void start() throws Exception {
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-keyout",
        dir.resolve("key.pem").toString(),
        "-out",
        dir.resolve("cert.pem").toString(),
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1");
    truststore = dir.resolve("trust.p12");
    run(
        "keytool",
        "-importcert",
        "-noprompt",
        "-alias",
        "redis",
        "-file",
        dir.resolve("cert.pem").toString(),
        "-keystore",
        truststore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        TRUST_PASSWORD);
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = free.getLocalPort();
    }
    redis =
        new ProcessBuilder(
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                "0",
                "--tls-port",
                Integer.toString(port),
                "--tls-cert-file",
                dir.resolve("cert.pem").toString(),
                "--tls-key-file",
                dir.resolve("key.pem").toString(),
                "--tls-ca-cert-file",
                dir.resolve("cert.pem").toString(),
                "--tls-auth-clients",
                "no",
                "--requirepass",
                PASSWORD,
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        break;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline || !redis.isAlive()) {
          throw new IllegalStateException(
              "redis-server with TLS did not start: " + Files.readString(dir.resolve("redis.log")));
        }
        Thread.sleep(50);
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (redis != null) {
      redis.destroy();
      if (!redis.waitFor(10, TimeUnit.SECONDS)) {
        redis.destroyForcibly();
      }
    }
  }

  private static RedisSettings settings() {
    return RedisSettings.standalone("127.0.0.1", port)
        .withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1))
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  @Test
  void connectsWithTlsItsOwnTrustStoreAndThePassword() {
    RedisSettings settings =
        RedisSettings.fromOptions(
            Map.of(
                RedisSettings.OPTION_HOST,
                "127.0.0.1",
                RedisSettings.OPTION_PORT,
                Integer.toString(port),
                RedisSettings.OPTION_TLS,
                "true",
                RedisSettings.OPTION_PASSWORD,
                PASSWORD,
                RedisSettings.OPTION_TLS_TRUSTSTORE,
                truststore.toString(),
                RedisSettings.OPTION_TLS_TRUSTSTORE_PASSWORD,
                TRUST_PASSWORD));
    assertThat(settings.toString())
        .contains(truststore.toString())
        .doesNotContain(PASSWORD)
        .doesNotContain(TRUST_PASSWORD);

    Instant t0 = Instant.parse("2018-04-01T00:00:00Z");
    try (RedisOnlineFeatureStore store = RedisOnlineFeatureStore.open(settings)) {
      store.write(
          List.of(OnlineStoreTestData.row(OnlineStoreTestData.SPENDING, "c-1", t0, 1, 1)),
          OnlineStoreTestData.ALL);
      assertThat(store.read(OnlineStoreTestData.SPENDING, "c-1", t0).status())
          .isEqualTo(Status.PRESENT);
    }
  }

  @Test
  void aServerItCannotVerifyIsRefused() {
    // The JVM's default trust store does not know the test's certificate.
    assertThatThrownBy(
            () -> RedisOnlineFeatureStore.open(settings().withTls(true).withPassword(PASSWORD)))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageContaining("127.0.0.1:" + port)
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void plainTextToTheTlsPortFails() {
    assertThatThrownBy(() -> RedisOnlineFeatureStore.open(settings().withPassword(PASSWORD)))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void aTrustStoreWithoutTlsOrUnreadableIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> settings().withTlsTruststore(truststore.toString(), TRUST_PASSWORD))
        .hasMessageContaining(RedisSettings.OPTION_TLS_TRUSTSTORE)
        .hasMessageContaining(RedisSettings.OPTION_TLS);
    RedisSettings wrongPassword =
        settings().withTls(true).withTlsTruststore(truststore.toString(), "not-it");
    assertThatThrownBy(wrongPassword::sslSocketFactory)
        .hasMessageContaining(RedisSettings.OPTION_TLS_TRUSTSTORE)
        .hasMessageContaining(truststore.toString())
        .hasMessageNotContaining("not-it");
  }

  private static void run(String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of(command));
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", args) + " failed: " + out);
    }
  }
}
