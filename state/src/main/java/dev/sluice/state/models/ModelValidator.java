package dev.sluice.state.models;

import dev.sluice.avro.models.ModelVersion;

/**
 * Checks a candidate model version before the registry accepts it. The registry itself knows
 * nothing about ONNX; the scorer's module supplies the implementation that loads the model in ONNX
 * Runtime, compares its graph with the declared signature and scores a smoke batch.
 */
@FunctionalInterface
public interface ModelValidator {
  /** Accepts everything: for tests of the registry's bookkeeping only. */
  ModelValidator ACCEPT_ALL = candidate -> {};

  /**
   * @param candidate the version to register (its version number is not assigned yet)
   * @throws InvalidModelException with a message that names the problem
   */
  void validate(ModelVersion candidate) throws InvalidModelException;
}
