package dev.sluice.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Transaction;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.WireFormatException;
import dev.sluice.schemas.testing.KafkaSerdes;
import dev.sluice.schemas.testing.RegistryProcess;
import dev.sluice.schemas.testing.TestRecords;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REST client against a real Confluent-compatible registry (Apicurio's ccompat API) in its own
 * process. Each test uses its own subjects, since the registry is shared by the class.
 */
class RestSchemaRegistryClientITCase {
  private static final Schema V1 = Transaction.getClassSchema();
  private static final Schema V2 = TestRecords.schema("evolution/transaction-v2.avsc");
  private static final Schema V3_BREAKING =
      TestRecords.schema("evolution/transaction-v3-breaking.avsc");

  private static RegistryProcess registry;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = RegistryProcess.start();
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    registry.close();
  }

  private static RestSchemaRegistryClient client() {
    return new RestSchemaRegistryClient(RegistryConfig.of(registry.url()));
  }

  @Test
  void registerIsIdempotentAndLookupsAgree() {
    RestSchemaRegistryClient client = client();
    int id = client.register("idempotent-value", V1);

    assertThat(client.register("idempotent-value", V1)).isEqualTo(id);
    assertThat(client.lookup("idempotent-value", V1)).isEqualTo(id);
    assertThat(client.getById(id)).isEqualTo(V1);
    RegisteredSchema latest = client.getLatest("idempotent-value");
    assertThat(latest.version()).isEqualTo(1);
    assertThat(latest.id()).isEqualTo(id);
    assertThat(client.subjects()).contains("idempotent-value");
  }

  @Test
  void compatibleEvolutionIsAcceptedAndABreakingOneRefusedWithTheRegistrysReason() {
    RestSchemaRegistryClient client = client();
    client.setCompatibility("evolving-value", CompatibilityLevel.BACKWARD);
    client.register("evolving-value", V1);

    assertThat(client.testCompatibility("evolving-value", V2).compatible()).isTrue();
    client.register("evolving-value", V2);
    assertThat(client.getLatest("evolving-value").version()).isEqualTo(2);

    CompatibilityResult breaking = client.testCompatibility("evolving-value", V3_BREAKING);
    assertThat(breaking.compatible()).isFalse();
    assertThat(String.join(" ", breaking.messages())).contains("merchantCategory");
    assertThatThrownBy(() -> client.register("evolving-value", V3_BREAKING))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(409))
        .hasMessageContaining("subject 'evolving-value'")
        .hasMessageContaining("HTTP 409")
        .hasMessageContaining("merchantCategory");
  }

  @Test
  void unknownIdsAndSubjectsAreNotFoundAndUnknownIdsAreBadData() {
    RestSchemaRegistryClient client = client();
    assertThatThrownBy(() -> client.getById(987_654))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining("schema id 987654");
    assertThatThrownBy(() -> client.getLatest("no-such-subject"))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining("'no-such-subject'");
    assertThat(client.testCompatibility("no-such-subject", V1).compatible()).isTrue();

    byte[] bytes = {0, 0, 0x0f, 0x12, 0x06, 2, 'x'};
    assertThatThrownBy(
            () -> AvroWireDeserializer.forSpecific(client, Transaction.class).deserialize(bytes))
        .isInstanceOfSatisfying(
            WireFormatException.class,
            e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.UNKNOWN_SCHEMA_ID));
  }

  @Test
  void cachedAnswersDoNotGoBackToTheRegistry() {
    RestSchemaRegistryClient rest = client();
    CachingSchemaRegistryClient cached = new CachingSchemaRegistryClient(rest, 10);
    int id = cached.register("cached-value", V1);
    long requests = rest.requestCount();

    for (int i = 0; i < 100; i++) {
      assertThat(cached.getById(id)).isEqualTo(V1);
      assertThat(cached.register("cached-value", V1)).isEqualTo(id);
    }

    assertThat(rest.requestCount()).isEqualTo(requests);
    assertThat(cached.hits()).isEqualTo(200);
  }

  @Test
  void kafkaSerdesConfiguredWithTheRegistryUrlRoundTrip() {
    Transaction tx = TestRecords.transaction(77);
    assertThat(KafkaSerdes.roundTrip(registry.url(), "serde-topic", tx)).isEqualTo(tx);
    assertThat(client().getLatest("serde-topic-value").schema()).isEqualTo(V1);
  }

  /**
   * Runs last in effect: it restarts the registry, which forgets every schema (in-memory storage).
   */
  @Test
  void survivesARegistryRestart() throws Exception {
    RestSchemaRegistryClient rest =
        new RestSchemaRegistryClient(
            RegistryConfig.of(registry.url())
                .withRetries(2, Duration.ofMillis(50), Duration.ofMillis(100)));
    CachingSchemaRegistryClient cached = new CachingSchemaRegistryClient(rest, 10);
    int id = cached.register("restart-value", V1);

    registry.stop();
    // What is cached still answers while the registry is down ...
    assertThat(cached.getById(id)).isEqualTo(V1);
    // ... anything else fails after the retries, naming the registry, as an outage rather than bad
    // data.
    assertThatThrownBy(() -> cached.getLatest("restart-value"))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining(registry.url())
        .hasMessageContaining("after 3 attempt(s)");

    // A client with a patient retry budget rides through the restart.
    RestSchemaRegistryClient patient =
        new RestSchemaRegistryClient(
            RegistryConfig.of(registry.url())
                .withRetries(60, Duration.ofMillis(200), Duration.ofMillis(1000)));
    CompletableFuture<Integer> registering =
        CompletableFuture.supplyAsync(() -> patient.register("restart-value", V1));
    registry.startInBackground();
    assertThat(registering.get(90, TimeUnit.SECONDS)).isPositive();
    assertThat(patient.requestCount()).isGreaterThan(1);
    registry.awaitReady();
  }
}
