package dev.sluice.operators.scoring;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.state.models.InvalidModelException;
import java.io.Serializable;

/** Opens a {@link Scorer} for a registered version; shipped to the scoring tasks. */
@FunctionalInterface
public interface ScorerFactory extends Serializable {
  Scorer open(ModelVersion version) throws InvalidModelException;
}
