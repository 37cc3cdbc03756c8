package dev.sluice.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CachingSchemaRegistryClientTest {
  private static final String SCOPE = "caching";

  @AfterEach
  void drop() {
    MockSchemaRegistryClient.dropScope(SCOPE);
  }

  @Test
  void theCacheIsBoundedAndEvictsTheLeastRecentlyUsed() {
    MockSchemaRegistryClient registry = MockSchemaRegistryClient.forScope(SCOPE);
    int tx = registry.register("a-value", Transaction.getClassSchema());
    int label = registry.register("b-value", Label.getClassSchema());
    int dead = registry.register("c-value", DeadLetter.getClassSchema());
    CachingSchemaRegistryClient cached = new CachingSchemaRegistryClient(registry, 2);

    cached.getById(tx);
    cached.getById(label);
    cached.getById(tx); // tx is now the most recently used
    cached.getById(dead); // evicts label
    assertThat(cached.misses()).isEqualTo(3);
    assertThat(cached.hits()).isEqualTo(1);

    cached.getById(tx);
    assertThat(cached.hits()).isEqualTo(2);
    cached.getById(label);
    assertThat(cached.misses()).isEqualTo(4);
  }
}
