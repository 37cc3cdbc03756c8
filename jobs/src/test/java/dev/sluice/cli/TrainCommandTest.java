package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.models.ModelVersion;
import dev.sluice.jobs.training.TrainingSplit;
import dev.sluice.jobs.training.model.ModelKind;
import dev.sluice.state.testing.FlinkTestCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train} (to be attached as {@code sluice model train}) run in-process: a small simulation
 * backfilled on the test MiniCluster, both models, the handbook table on stdout, the ONNX files and
 * their candidates; and the option errors a user sees before any work starts.
 */
class TrainCommandTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  @Test
  void trainsBothModelsOnASimulationAndWritesTheirFilesAndTheTable(@TempDir Path dir)
      throws IOException {
    Path out = dir.resolve("models").resolve("fraud.onnx");
    Result result =
        run(
            "--simulate",
            "--customers",
            "200",
            "--terminals",
            "400",
            "--simulate-from",
            "2018-07-01",
            "--model",
            "all",
            "--seed",
            "3",
            "--handbook-table",
            "--out",
            out.toString());
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("| model | AUC ROC (ours / handbook) |")
        .containsPattern("\\| logistic regression \\| 0\\.\\d{3} / 0\\.871 \\|")
        .containsPattern("\\| factorization machine \\| 0\\.\\d{3} / - \\|")
        .containsPattern("\\| random scores \\| 0\\.\\d{3} / 0\\.500 \\|")
        .contains("| XGBoost | - / 0.862 |");
    assertThat(result.err()).contains("train: simulating 200 customers").contains("backfill done");

    for (ModelKind kind : ModelKind.values()) {
      Path onnx = dir.resolve("models").resolve("fraud-" + kind.id() + ".onnx");
      Path json = dir.resolve("models").resolve("fraud-" + kind.id() + ".candidate.json");
      assertThat(onnx).isRegularFile();
      ModelVersion candidate = readCandidate(json);
      assertThat(candidate.getName()).isEqualTo("fraud");
      assertThat(candidate.getVersion()).isZero();
      assertThat(candidate.getOnnx().remaining()).isZero();
      assertThat(candidate.getSignature().getFeatures()).hasSize(15);
      assertThat(candidate.getPreprocessing().getShift()).hasSize(15);
      assertThat(candidate.getLineage().getSeed()).isEqualTo(3);
      assertThat(candidate.getLineage().getTrainingSource())
          .startsWith("simulation")
          .contains("terminal risk AS_KNOWN");
      assertThat(candidate.getLineage().getCodeVersion()).startsWith("sluice ");
      assertThat(candidate.getMetrics()).containsKeys("auc_roc", "card_precision_at_100");
      assertThat(Files.size(onnx)).isGreaterThan(500);
    }
  }

  @Test
  void anExistingOutputIsRefusedBeforeAnyWork(@TempDir Path dir) throws IOException {
    Path out = Files.writeString(dir.resolve("fraud.onnx"), "old");
    Result result = run("--simulate", "--out", out.toString());
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err()).contains("already exists: pass --overwrite");
    assertThat(Files.readString(out)).isEqualTo("old");
  }

  @Test
  void optionErrorsNameWhatIsExpected(@TempDir Path dir) {
    assertThat(run("--model", "forest").err())
        .contains(
            "unknown model 'forest' (expected logistic-regression, factorization-machine) or all");
    assertThat(run("--split", "2018-07-25/7").err()).contains("must have 4 parts");
    assertThat(run("--offline-store", dir.toString()).err())
        .contains("no offline store at")
        .contains("--simulate");
    assertThat(run("--simulate", "--offline-store", dir.toString()).err()).contains("not both");
    assertThat(run("--out", dir.resolve("model.bin").toString()).err())
        .contains("--out must name a .onnx file");
    assertThat(run("--simulate", "--simulate-from", "2018-08-01").err())
        .contains("must start by the first training day 2018-07-25");
  }

  @Test
  void splitAndModelNames() {
    assertThat(TrainCommand.parseSplit("handbook")).isEqualTo(TrainingSplit.HANDBOOK);
    assertThat(TrainCommand.parseSplit("2018-04-10/7/3/5"))
        .isEqualTo(new TrainingSplit(LocalDate.of(2018, 4, 10), 7, 3, 5));
    assertThat(TrainCommand.parseModels("all")).containsExactly(ModelKind.values());
    assertThat(TrainCommand.parseModels("factorization-machine"))
        .isEqualTo(List.of(ModelKind.FACTORIZATION_MACHINE));
    assertThat(TrainCommand.candidateFile(Path.of("a", "fraud.onnx")))
        .isEqualTo(Path.of("a", "fraud.candidate.json"));
  }

  private static ModelVersion readCandidate(Path json) throws IOException {
    return new SpecificDatumReader<>(ModelVersion.class)
        .read(
            null,
            DecoderFactory.get()
                .jsonDecoder(ModelVersion.getClassSchema(), Files.readString(json)));
  }

  private record Result(int code, String out, String err) {}

  /** Runs the command with stdout and stderr captured (it prints through System.out / err). */
  private static Result run(String... args) {
    CommandLine cli = new CommandLine(new TrainCommand());
    StringBuilder failure = new StringBuilder();
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          failure.append("train: ").append(e.getMessage()).append('\n');
          return 1;
        });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = cli.execute(args);
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + failure);
  }
}
