package dev.sluice.schemas.registry;

/** Creates the right client for a configuration. */
public final class SchemaRegistryClients {
  private SchemaRegistryClients() {}

  /**
   * {@code mock://scope} gives the shared in-memory registry of that scope; http(s) URLs give the
   * REST client behind bounded caches.
   */
  public static SchemaRegistryClient create(RegistryConfig config) {
    if (config.isMock()) {
      return MockSchemaRegistryClient.forScope(config.urls().get(0).substring("mock://".length()));
    }
    return new CachingSchemaRegistryClient(
        new RestSchemaRegistryClient(config), config.cacheCapacity());
  }
}
