package dev.sluice.operators.scoring;

import dev.sluice.avro.FeatureRow;
import dev.sluice.avro.models.ModelSignature;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link FeatureRow} into a model's input vector, in the signature's column order, and says
 * precisely why a row cannot be scored.
 */
final class ModelInputs {
  private ModelInputs() {}

  /** Why a row cannot be scored: a dead letter's error class and reason. */
  record Problem(String errorClass, String reason) {}

  /**
   * Copies the row's values for {@code signature} into {@code dest[offset ..]}.
   *
   * @return null when the row can be scored, else the problem
   */
  static Problem extract(FeatureRow row, ModelSignature signature, float[] dest, int offset) {
    String expectedVersion = signature.getFeatureSetVersion();
    if (expectedVersion != null && !expectedVersion.equals(row.getFeatureSetVersion())) {
      return new Problem(
          "feature-set-version",
          "row of "
              + row.getEventId()
              + " was computed by feature set "
              + row.getFeatureSetVersion()
              + ", the model was trained on "
              + expectedVersion);
    }
    Map<String, Double> values = row.getFeatures();
    List<String> names = signature.getFeatures();
    for (int c = 0; c < names.size(); c++) {
      Double value = values.get(names.get(c));
      if (value == null) {
        return new Problem(
            "missing-feature",
            "row of " + row.getEventId() + " has no value for model input " + names.get(c));
      }
      if (!Double.isFinite(value)) {
        return new Problem(
            "non-finite-feature",
            "row of " + row.getEventId() + " has " + value + " for model input " + names.get(c));
      }
      dest[offset + c] = value.floatValue();
    }
    return null;
  }

  /**
   * Hex of the first 16 bytes of the SHA-256 of the float32 values, big-endian, in column order:
   * equal vectors hash equal in any language.
   */
  static String hash(MessageDigest sha256, float[] values, int offset, int length) {
    ByteBuffer bytes = ByteBuffer.allocate(length * Float.BYTES);
    for (int i = 0; i < length; i++) {
      bytes.putFloat(values[offset + i]);
    }
    sha256.reset();
    byte[] digest = sha256.digest(bytes.array());
    return HexFormat.of().formatHex(digest, 0, 16);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
