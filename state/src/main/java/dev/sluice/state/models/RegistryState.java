package dev.sluice.state.models;

import dev.sluice.avro.models.AliasAction;
import dev.sluice.avro.models.AliasChange;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.RegistryEvent;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The registry as of some point of its log: every model's versions and aliases, with the alias
 * history. Every reader (the CLI, each scoring task) builds it by {@link #apply applying} the log
 * in order, with the same rules, so they all agree:
 *
 * <ul>
 *   <li>a {@link ModelVersion} is applied when its number is exactly one more than the model's last
 *       version and its {@code sha256} matches its bytes; otherwise it is ignored (a concurrent
 *       writer lost the race, or the record is corrupt);
 *   <li>an {@link AliasChange} is applied when its sequence is exactly one more than the model's
 *       last applied change (compare-and-set), it names an existing version (or none, to remove the
 *       alias) and its {@code previousVersion} is where the alias points now.
 * </ul>
 *
 * <p>Rollback follows each alias's stack of targets: promoting pushes, rolling back pops, so
 * promote 1, promote 2, promote 3, rollback, rollback leaves the alias on 1.
 *
 * <p>Not thread-safe.
 */
public final class RegistryState {
  /** The alias that makes decisions. */
  public static final String CHAMPION = "champion";

  /** The alias scored in shadow (and for a canary share of entities, if configured). */
  public static final String CHALLENGER = "challenger";

  /** Marks "no version" in an alias stack (a demoted alias). */
  private static final int NONE = 0;

  private final String onlyModel;
  private final Map<String, Model> models = new TreeMap<>();

  /** The whole registry. */
  public RegistryState() {
    this(null);
  }

  private RegistryState(String onlyModel) {
    this.onlyModel = onlyModel;
  }

  /** A state that keeps one model and ignores events of others (a scoring task's view). */
  public static RegistryState forModel(String name) {
    return new RegistryState(Objects.requireNonNull(name, "name"));
  }

  /** Whether an event changed the state, and if not, why. */
  public record Outcome(boolean applied, String reason) {
    static final Outcome APPLIED = new Outcome(true, "");

    static Outcome ignored(String reason) {
      return new Outcome(false, reason);
    }
  }

  /** Applies one log entry; returns whether it was applied and, if not, why. */
  public Outcome apply(RegistryEvent event) {
    Object payload = event.getEvent();
    if (payload instanceof ModelVersion version) {
      return applyVersion(version);
    }
    if (payload instanceof AliasChange change) {
      return applyAlias(change);
    }
    return Outcome.ignored("unknown registry event " + payload);
  }

  private Outcome applyVersion(ModelVersion version) {
    if (onlyModel != null && !onlyModel.equals(version.getName())) {
      return Outcome.ignored("another model");
    }
    // Created only once a version applies: an ignored record must not make an empty model appear.
    Model model = models.getOrDefault(version.getName(), new Model());
    int expected = model.versions.size() + 1;
    if (version.getVersion() != expected) {
      return Outcome.ignored(
          "version "
              + version.getVersion()
              + " of "
              + version.getName()
              + " (expected "
              + expected
              + ": another writer registered that number first)");
    }
    String actual = sha256(version.getOnnx());
    if (!actual.equals(version.getSha256())) {
      return Outcome.ignored(
          "version "
              + version.getVersion()
              + " of "
              + version.getName()
              + ": sha256 of the bytes is "
              + actual
              + ", the record says "
              + version.getSha256());
    }
    model.versions.put(version.getVersion(), version);
    models.putIfAbsent(version.getName(), model);
    return Outcome.APPLIED;
  }

  private Outcome applyAlias(AliasChange change) {
    if (onlyModel != null && !onlyModel.equals(change.getName())) {
      return Outcome.ignored("another model");
    }
    Model model = models.get(change.getName());
    if (model == null) {
      return Outcome.ignored("alias change for unknown model " + change.getName());
    }
    long expected = model.history.size() + 1L;
    if (change.getSequence() != expected) {
      return Outcome.ignored(
          "alias change "
              + change.getSequence()
              + " of "
              + change.getName()
              + " (expected "
              + expected
              + ": another writer changed an alias first)");
    }
    Integer target = change.getVersion();
    if (target != null && !model.versions.containsKey(target)) {
      return Outcome.ignored(
          "alias "
              + change.getAlias()
              + " of "
              + change.getName()
              + " -> unknown version "
              + target);
    }
    Integer current = model.alias(change.getAlias()).orElse(null);
    if (!Objects.equals(current, change.getPreviousVersion())) {
      return Outcome.ignored(
          "alias "
              + change.getAlias()
              + " of "
              + change.getName()
              + " points at "
              + current
              + ", the change assumed "
              + change.getPreviousVersion());
    }
    Deque<Integer> stack = model.stacks.computeIfAbsent(change.getAlias(), a -> new ArrayDeque<>());
    if (change.getAction() == AliasAction.ROLLBACK) {
      // A rollback must land on the alias's previous target; anything else is a promote.
      Integer previous = rollbackTarget(change.getName(), change.getAlias()).orElse(null);
      if (previous == null || !previous.equals(target)) {
        return Outcome.ignored(
            "rollback of "
                + change.getAlias()
                + " of "
                + change.getName()
                + " to "
                + target
                + " is not its previous target "
                + previous);
      }
      stack.pop();
    } else {
      stack.push(target == null ? NONE : target);
    }
    model.history.add(change);
    return Outcome.APPLIED;
  }

  /** Names of the registered models, sorted. */
  public List<String> models() {
    return List.copyOf(models.keySet());
  }

  /** Versions of a model, oldest first; empty for an unknown model. */
  public List<ModelVersion> versions(String name) {
    Model model = models.get(name);
    return model == null ? List.of() : List.copyOf(model.versions.values());
  }

  public Optional<ModelVersion> version(String name, int version) {
    Model model = models.get(name);
    return model == null ? Optional.empty() : Optional.ofNullable(model.versions.get(version));
  }

  /** The version an alias points at, if any. */
  public Optional<ModelVersion> resolve(String name, String alias) {
    Model model = models.get(name);
    if (model == null) {
      return Optional.empty();
    }
    return model.alias(alias).map(model.versions::get);
  }

  /** Alias -> version of a model, sorted by alias. */
  public Map<String, Integer> aliases(String name) {
    Model model = models.get(name);
    Map<String, Integer> aliases = new LinkedHashMap<>();
    if (model != null) {
      for (String alias : new TreeSet<>(model.stacks.keySet())) {
        model.alias(alias).ifPresent(v -> aliases.put(alias, v));
      }
    }
    return aliases;
  }

  /** Applied alias changes of a model, oldest first. */
  public List<AliasChange> history(String name) {
    Model model = models.get(name);
    return model == null ? List.of() : List.copyOf(model.history);
  }

  /** The number the next registered version of a model gets. */
  public int nextVersion(String name) {
    Model model = models.get(name);
    return model == null ? 1 : model.versions.size() + 1;
  }

  /** The sequence number the next alias change of a model must carry. */
  public long nextSequence(String name) {
    Model model = models.get(name);
    return model == null ? 1 : model.history.size() + 1L;
  }

  /**
   * Where a rollback of an alias would move it: the target before its current one.
   *
   * @return empty when the alias has no earlier target
   */
  public Optional<Integer> rollbackTarget(String name, String alias) {
    Model model = models.get(name);
    Deque<Integer> stack = model == null ? null : model.stacks.get(alias);
    if (stack == null || stack.size() < 2) {
      return Optional.empty();
    }
    List<Integer> targets = new ArrayList<>(stack);
    int previous = targets.get(1);
    return previous == NONE ? Optional.empty() : Optional.of(previous);
  }

  /** Lower-case hex SHA-256 of the bytes between a buffer's position and limit. */
  public static String sha256(ByteBuffer bytes) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(bytes.duplicate());
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  private static final class Model {
    final Map<Integer, ModelVersion> versions = new TreeMap<>();
    final Map<String, Deque<Integer>> stacks = new TreeMap<>();
    final List<AliasChange> history = new ArrayList<>();

    Optional<Integer> alias(String alias) {
      Deque<Integer> stack = stacks.get(alias);
      if (stack == null || stack.isEmpty() || stack.peek() == NONE) {
        return Optional.empty();
      }
      return Optional.of(stack.peek());
    }
  }
}
