package dev.sluice.schemas.registry;

import java.util.List;

/**
 * Outcome of a compatibility test.
 *
 * @param compatible whether the schema may be registered under the subject
 * @param messages why not, as far as the registry says (may be empty even when incompatible)
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {
  public CompatibilityResult {
    messages = List.copyOf(messages);
  }
}
