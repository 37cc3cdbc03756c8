package dev.sluice.schemas.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.avro.Schema;

/**
 * Bounded caches in front of another client for the answers that never change: schema by id, and
 * the id of a schema under a subject. Each cache holds at most {@code capacity} entries and evicts
 * the least recently used. Latest versions, compatibility and configuration always go to the
 * registry.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
  private final SchemaRegistryClient delegate;
  private final LruCache<Integer, Schema> schemasById;
  private final LruCache<SubjectSchema, Integer> idsBySubjectSchema;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  public CachingSchemaRegistryClient(SchemaRegistryClient delegate, int capacity) {
    this.delegate = delegate;
    this.schemasById = new LruCache<>(capacity);
    this.idsBySubjectSchema = new LruCache<>(capacity);
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    return idsBySubjectSchema.computeIfAbsent(
        key,
        k -> {
          int id = delegate.register(subject, schema);
          schemasById.put(id, schema);
          return id;
        });
  }

  @Override
  public int lookup(String subject, Schema schema) {
    return idsBySubjectSchema.computeIfAbsent(
        new SubjectSchema(subject, schema), k -> delegate.lookup(subject, schema));
  }

  @Override
  public Schema getById(int id) {
    return schemasById.computeIfAbsent(id, delegate::getById);
  }

  @Override
  public RegisteredSchema getLatest(String subject) {
    RegisteredSchema latest = delegate.getLatest(subject);
    schemasById.put(latest.id(), latest.schema());
    return latest;
  }

  @Override
  public CompatibilityResult testCompatibility(String subject, Schema schema) {
    return delegate.testCompatibility(subject, schema);
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    delegate.setCompatibility(subject, level);
  }

  @Override
  public List<String> subjects() {
    return delegate.subjects();
  }

  /** Cache hits so far, over both caches. */
  public long hits() {
    return hits.get();
  }

  /** Cache misses so far (each one went to the registry). */
  public long misses() {
    return misses.get();
  }

  /** The wrapped client. */
  public SchemaRegistryClient delegate() {
    return delegate;
  }

  @Override
  public void close() {
    delegate.close();
  }

  private record SubjectSchema(String subject, Schema schema) {}

  /**
   * A synchronized LRU map. The loader runs outside the lock: two threads missing the same key may
   * both ask the registry, which is harmless (the answers are immutable) and keeps a slow registry
   * from blocking hits.
   */
  private final class LruCache<K, V> {
    private final Map<K, V> map;

    LruCache(int capacity) {
      this.map =
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
              return size() > capacity;
            }
          };
    }

    V computeIfAbsent(K key, Function<K, V> loader) {
      synchronized (map) {
        V cached = map.get(key);
        if (cached != null) {
          hits.incrementAndGet();
          return cached;
        }
      }
      misses.incrementAndGet();
      V loaded = loader.apply(key);
      put(key, loaded);
      return loaded;
    }

    void put(K key, V value) {
      synchronized (map) {
        map.put(key, value);
      }
    }
  }
}
