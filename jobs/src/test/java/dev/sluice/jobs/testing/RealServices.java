package dev.sluice.jobs.testing;

import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.testing.RegistryProcess;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (in the test JVM) and a real Confluent-compatible registry (its own process),
 * shared by one test class: {@code @RegisterExtension static final RealServices SERVICES = new
 * RealServices();}.
 */
public final class RealServices implements BeforeAllCallback, AfterAllCallback {
  private KafkaTestCluster kafka;
  private RegistryProcess registry;
  private SchemaRegistryClient client;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kafka = KafkaTestCluster.start();
    registry = RegistryProcess.start();
    client = SchemaRegistryClients.create(RegistryConfig.of(registry.url()));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (client != null) {
      client.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  public KafkaTestCluster kafka() {
    return kafka;
  }

  public RegistryProcess registry() {
    return registry;
  }

  /** A caching client of the registry, for decoding what the jobs wrote. */
  public SchemaRegistryClient client() {
    return client;
  }
}
