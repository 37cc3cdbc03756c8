package dev.sluice.cli;

import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.operators.scoring.OnnxModelInspector;
import dev.sluice.operators.scoring.OnnxModelValidator;
import dev.sluice.state.models.InvalidModelException;
import dev.sluice.state.models.KafkaModelRegistry;
import dev.sluice.state.models.ModelRegistryLog;
import dev.sluice.state.models.ModelVersions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice model register NAME --onnx FILE}: registers a model exported by any tool (Tribuo,
 * skl2onnx, onnxmltools, PyTorch) after reading its graph: the output convention and the positive
 * class are detected, the inputs checked against the feature names, and the version validated
 * (loads, matches its signature, a smoke batch scores without NaN) before anything is written.
 */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Register an ONNX file as a new version of a model. The graph must take one float tensor",
      "[batch, features] and give the positive-class probability as a tensor or a ZipMap.",
      "Refused with the reason, and nothing written, if it does not load, does not match, or scores NaN."
    })
final class RegisterCommand extends ModelCommand.RegistryCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "The model, e.g. fraud.")
  String name;

  @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "The ONNX file.")
  Path onnx;

  @Option(
      names = "--features",
      split = ",",
      paramLabel = "NAME",
      description = {
        "Feature names in the graph's column order, as in FeatureRow.features",
        "(default: the fraud feature set's 15 inputs, in 'bin/sluice features list' order)."
      })
  List<String> features;

  @Option(
      names = "--positive-class",
      defaultValue = "1",
      description =
          "The positive (fraud) class: its label for ZipMap outputs, its column for tensors (default: ${DEFAULT-VALUE}).")
  String positiveClass;

  @Option(
      names = "--threshold",
      defaultValue = "0.5",
      description = "Decision threshold on the probability (default: ${DEFAULT-VALUE}).")
  double threshold;

  @Option(
      names = "--terminal-risk",
      defaultValue = "as-known",
      description =
          "Feature set the model was trained on, whose version rows must carry: as-known or handbook (default: ${DEFAULT-VALUE}).")
  String terminalRisk;

  @Option(
      names = "--any-feature-set",
      description = "Accept rows of any feature-set version (the model checks nothing).")
  boolean anyFeatureSet;

  @Option(names = "--description", defaultValue = "", description = "Free text.")
  String description;

  @Option(
      names = "--promote",
      paramLabel = "ALIAS",
      description = "Also point this alias (champion or challenger) at the new version.")
  String promote;

  @Override
  public Integer call() throws IOException, InvalidModelException {
    ModelRegistryLog.requireName("model name", name);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(onnx);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--onnx: no such file " + onnx);
    }
    FeatureSet<?> set = FraudFeatures.featureSet(FraudFeatures.TerminalRisk.parse(terminalRisk));
    List<String> columns = features != null ? features : set.featureNames();
    ModelSignature proposed;
    try {
      proposed = OnnxModelInspector.proposeSignature(bytes, columns, positiveClass);
    } catch (InvalidModelException e) {
      throw new InvalidModelException(onnx + ": " + e.getMessage(), e);
    }
    Map<String, String> views = new HashMap<>();
    set.schemas().forEach(s -> views.put(s.view(), s.version()));
    ModelSignature signature =
        ModelSignature.newBuilder(proposed)
            .setFeatureSetVersion(anyFeatureSet ? null : set.version())
            .setViewVersions(anyFeatureSet ? Map.of() : views)
            .build();
    ModelVersion candidate =
        ModelVersion.newBuilder()
            .setName(name)
            .setVersion(0)
            .setOnnx(ByteBuffer.wrap(bytes))
            .setSha256("")
            .setSignature(signature)
            .setPreprocessing(
                // Shift and scale default to empty.
                Preprocessing.newBuilder().setKind(PreprocessingKind.NONE).build())
            .setThreshold(threshold)
            .setLineage(null)
            .setMetrics(Map.of())
            .setProfile(null)
            .setDescription(
                description.isEmpty() ? "registered from " + onnx.getFileName() : description)
            .setRegisteredAt(Instant.now())
            .setRegisteredBy(ModelRegistryLog.currentActor())
            .build();
    try (KafkaModelRegistry models =
        ModelCommand.open(
            registry, new OnnxModelValidator(), KafkaModelRegistry.IfMissing.CREATE)) {
      ModelVersion registered;
      try {
        registered = models.register(candidate);
      } catch (InvalidModelException e) {
        throw new InvalidModelException(onnx + ": " + e.getMessage(), e);
      }
      out()
          .printf(
              "registered %s v%d (%s, sha256 %s)%n",
              registered.getName(),
              registered.getVersion(),
              signature.getOutput(),
              registered.getSha256());
      if (promote != null) {
        out()
            .println(
                ModelVersions.describe(
                    models.promote(
                        name, registered.getVersion(), promote, "registered with --promote")));
      }
    }
    out().flush();
    return 0;
  }
}
