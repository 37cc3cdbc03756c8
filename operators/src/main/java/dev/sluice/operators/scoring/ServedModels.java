package dev.sluice.operators.scoring;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.RegistryEvent;
import dev.sluice.state.models.InvalidModelException;
import dev.sluice.state.models.RegistryState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions one scoring task serves: the registry's view of one model (applied from its
 * log) and an open {@link Scorer} for the champion and for the challenger. A version is opened once
 * and reused when it changes alias (a challenger promoted to champion is not reopened); a scorer is
 * closed when no alias points at its version any more.
 *
 * <p>If a version fails to open here although the registry validated it (another ONNX Runtime
 * build, a native failure), the alias keeps its previous scorer, the failure is logged and counted,
 * and the next registry event tries again: serving never stops because of a bad swap.
 *
 * <p>Not thread-safe: used by the task thread only.
 */
final class ServedModels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServedModels.class);

  private final String name;
  private final ScorerFactory factory;
  private final RegistryState registry;
  private Scorer champion;
  private Scorer challenger;
  private long loadFailures;
  private String lastLoadFailure = "";

  ServedModels(String name, ScorerFactory factory) {
    this.name = name;
    this.factory = factory;
    this.registry = RegistryState.forModel(name);
  }

  /** Applies a registry log entry (scorers follow on {@link #sync()}). */
  RegistryState.Outcome apply(RegistryEvent event) {
    return registry.apply(event);
  }

  /**
   * Opens and closes scorers so that they match the aliases.
   *
   * @return one line per change, for the log (empty when nothing changed)
   */
  List<String> sync() {
    List<String> changes = new ArrayList<>();
    Optional<ModelVersion> wantedChampion = registry.resolve(name, RegistryState.CHAMPION);
    Optional<ModelVersion> wantedChallenger = registry.resolve(name, RegistryState.CHALLENGER);
    Scorer oldChampion = champion;
    Scorer oldChallenger = challenger;
    champion = target(wantedChampion, oldChampion, oldChallenger, RegistryState.CHAMPION, changes);
    challenger =
        target(wantedChallenger, oldChampion, oldChallenger, RegistryState.CHALLENGER, changes);
    for (Scorer old : new Scorer[] {oldChampion, oldChallenger}) {
      if (old != null && old != champion && old != challenger) {
        old.close();
      }
    }
    return changes;
  }

  private Scorer target(
      Optional<ModelVersion> wanted,
      Scorer oldChampion,
      Scorer oldChallenger,
      String alias,
      List<String> changes) {
    Scorer current = RegistryState.CHAMPION.equals(alias) ? oldChampion : oldChallenger;
    if (wanted.isEmpty()) {
      if (current != null) {
        changes.add(alias + ": v" + current.version().getVersion() + " -> none");
      }
      return null;
    }
    int version = wanted.get().getVersion();
    for (Scorer open : new Scorer[] {oldChampion, oldChallenger}) {
      if (open != null && open.version().getVersion() == version) {
        if (open != current) {
          changes.add(alias + ": " + describe(current) + " -> v" + version + " (already open)");
        }
        return open;
      }
    }
    try {
      Scorer opened = factory.open(wanted.get());
      changes.add(alias + ": " + describe(current) + " -> v" + version);
      return opened;
    } catch (InvalidModelException | RuntimeException e) {
      loadFailures++;
      lastLoadFailure = name + " v" + version + ": " + e.getMessage();
      LOG.error(
          "cannot open {} v{} as {}; {} keeps serving", name, version, alias, describe(current), e);
      changes.add(alias + ": v" + version + " failed to open, kept " + describe(current));
      return current;
    }
  }

  private static String describe(Scorer scorer) {
    return scorer == null ? "none" : "v" + scorer.version().getVersion();
  }

  /** The champion's scorer, or null when the model has no champion yet. */
  Scorer champion() {
    return champion;
  }

  /** The challenger's scorer, or null. */
  Scorer challenger() {
    return challenger;
  }

  long loadFailures() {
    return loadFailures;
  }

  String lastLoadFailure() {
    return lastLoadFailure;
  }

  @Override
  public void close() {
    if (champion != null) {
      champion.close();
    }
    if (challenger != null && challenger != champion) {
      challenger.close();
    }
    champion = null;
    challenger = null;
  }
}
