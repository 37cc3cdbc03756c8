package dev.sluice.cli.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The few calls of Flink's REST API (the one the web UI uses) that running and upgrading a job
 * needs: upload and run a jar, list, watch, cancel, stop with a savepoint. Every error names the
 * endpoint and carries Flink's own message ({@code {"errors": [...]}}).
 */
public final class FlinkRestClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final HttpClient http;

  /**
   * @param base e.g. {@code http://127.0.0.1:8091}
   */
  public FlinkRestClient(URI base) {
    this.base = Objects.requireNonNull(base, "base");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  }

  public static FlinkRestClient local(int restPort) {
    return new FlinkRestClient(URI.create("http://127.0.0.1:" + restPort));
  }

  public URI base() {
    return base;
  }

  /** Cluster summary ({@code GET /overview}). */
  public record Overview(
      int taskManagers, int slotsTotal, int slotsAvailable, int jobsRunning, String flinkVersion) {}

  /** One job ({@code GET /jobs/overview}, {@code GET /jobs/:id}). */
  public record JobSummary(String id, String name, String state, long startTime, long durationMs) {
    public boolean isTerminal() {
      return switch (state) {
        case "FINISHED", "CANCELED", "FAILED", "SUSPENDED" -> true;
        default -> false;
      };
    }
  }

  /** A TaskManager the JobManager knows ({@code GET /taskmanagers}). */
  public record TaskManagerInfo(String id, String path, int slots, int freeSlots) {}

  /** Checkpoint counts and the latest completed one ({@code GET /jobs/:id/checkpoints}). */
  public record CheckpointStats(
      long completed,
      long failed,
      long inProgress,
      long restored,
      String latestPath,
      Instant latestCompletedAt) {}

  /** How to run an uploaded jar ({@code POST /jars/:id/run}). */
  public record RunRequest(
      List<String> args,
      String savepointPath,
      boolean allowNonRestoredState,
      Integer parallelism,
      String entryClass) {
    public RunRequest {
      args = List.copyOf(args);
    }

    public static RunRequest of(List<String> args) {
      return new RunRequest(args, null, false, null, null);
    }

    public RunRequest fromSavepoint(String path, boolean allowNonRestored) {
      return new RunRequest(args, path, allowNonRestored, parallelism, entryClass);
    }

    public RunRequest withParallelism(Integer p) {
      return new RunRequest(args, savepointPath, allowNonRestoredState, p, entryClass);
    }
  }

  public Overview overview() throws IOException, InterruptedException {
    JsonNode n = get("/overview");
    return new Overview(
        n.path("taskmanagers").asInt(),
        n.path("slots-total").asInt(),
        n.path("slots-available").asInt(),
        n.path("jobs-running").asInt(),
        n.path("flink-version").asText());
  }

  /** Whether a Flink REST endpoint answers at {@link #base()} right now. */
  public boolean answers() {
    try {
      overview();
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public List<TaskManagerInfo> taskManagers() throws IOException, InterruptedException {
    List<TaskManagerInfo> result = new ArrayList<>();
    for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
      result.add(
          new TaskManagerInfo(
              tm.path("id").asText(),
              tm.path("path").asText(),
              tm.path("slotsNumber").asInt(),
              tm.path("freeSlots").asInt()));
    }
    return result;
  }

  /** Uploads {@code jar}; returns the id that {@link #run} takes. */
  public String uploadJar(Path jar) throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("jar " + jar + " does not exist");
    }
    String boundary = "sluice-" + UUID.randomUUID();
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/jars/upload"))
            .timeout(Duration.ofMinutes(5))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(
                HttpRequest.BodyPublishers.concat(
                    HttpRequest.BodyPublishers.ofByteArray(head),
                    HttpRequest.BodyPublishers.ofFile(jar),
                    HttpRequest.BodyPublishers.ofByteArray(tail)))
            .build();
    JsonNode n = send("POST /jars/upload", request);
    String filename = n.path("filename").asText("");
    if (filename.isEmpty()) {
      throw new IOException("POST /jars/upload: no filename in the answer: " + n);
    }
    return filename.substring(filename.lastIndexOf('/') + 1);
  }

  /** Runs an uploaded jar ({@code POST /jars/:id/run}); returns the job id. */
  public String run(String jarId, RunRequest run) throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode args = body.putArray("programArgsList");
    run.args().forEach(args::add);
    if (run.entryClass() != null) {
      body.put("entryClass", run.entryClass());
    }
    if (run.parallelism() != null) {
      body.put("parallelism", run.parallelism());
    }
    if (run.savepointPath() != null) {
      body.put("savepointPath", run.savepointPath());
      body.put("allowNonRestoredState", run.allowNonRestoredState());
    }
    JsonNode n =
        send(
            "POST /jars/" + jarId + "/run",
            json("/jars/" + jarId + "/run", body).timeout(Duration.ofMinutes(3)).build());
    String jobId = n.path("jobid").asText("");
    if (jobId.isEmpty()) {
      throw new IOException("POST /jars/" + jarId + "/run: no jobid in the answer: " + n);
    }
    return jobId;
  }

  /** Deletes an uploaded jar (the JobManager keeps every upload otherwise). */
  public void deleteJar(String jarId) throws IOException, InterruptedException {
    send(
        "DELETE /jars/" + jarId,
        HttpRequest.newBuilder(base.resolve("/jars/" + jarId))
            .timeout(REQUEST_TIMEOUT)
            .DELETE()
            .build());
  }

  public List<JobSummary> jobs() throws IOException, InterruptedException {
    List<JobSummary> result = new ArrayList<>();
    for (JsonNode job : get("/jobs/overview").path("jobs")) {
      result.add(
          new JobSummary(
              job.path("jid").asText(),
              job.path("name").asText(),
              job.path("state").asText(),
              job.path("start-time").asLong(),
              job.path("duration").asLong()));
    }
    return result;
  }

  public JobSummary job(String jobId) throws IOException, InterruptedException {
    JsonNode n = get("/jobs/" + jobId);
    return new JobSummary(
        n.path("jid").asText(),
        n.path("name").asText(),
        n.path("state").asText(),
        n.path("start-time").asLong(),
        n.path("duration").asLong());
  }

  /** Cancels the job without a savepoint ({@code PATCH /jobs/:id?mode=cancel}). */
  public void cancel(String jobId) throws IOException, InterruptedException {
    send(
        "PATCH /jobs/" + jobId,
        HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
            .timeout(REQUEST_TIMEOUT)
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .build());
  }

  /**
   * Stops the job with a savepoint ({@code POST /jobs/:id/stop}, then polls {@code
   * /jobs/:id/savepoints/:trigger}) and returns the savepoint's location; the sources stop first,
   * so nothing is emitted after the savepoint.
   *
   * @param targetDirectory where the savepoint goes, or null for the cluster's {@code
   *     execution.checkpointing.savepoint-dir}
   */
  public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
      throws IOException, InterruptedException {
    return stopWithSavepoint(jobId, targetDirectory, timeout, false);
  }

  /**
   * As {@link #stopWithSavepoint(String, String, Duration)}; with {@code drain} the sources send
   * the final watermark first, so every event-time timer and window fires and everything pending is
   * emitted (for a job that will not resume, e.g. at the end of a replay).
   */
  public String stopWithSavepoint(
      String jobId, String targetDirectory, Duration timeout, boolean drain)
      throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    if (targetDirectory != null) {
      body.put("targetDirectory", targetDirectory);
    }
    body.put("drain", drain);
    String endpoint = "/jobs/" + jobId + "/stop";
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode n = send("POST " + endpoint, json(endpoint, body).build());
    String location = awaitSavepoint(jobId, n.path("request-id").asText(), timeout);
    // The savepoint completes a moment before the job reaches FINISHED: return once it has, so
    // that the next version never runs next to the old one.
    JobSummary job = job(jobId);
    while (!job.isTerminal()) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "GET /jobs/"
                + jobId
                + ": the job is still "
                + job.state()
                + " "
                + timeout.toSeconds()
                + " s after its savepoint "
                + location
                + " was requested");
      }
      Thread.sleep(100);
      job = job(jobId);
    }
    return location;
  }

  /** Takes a savepoint and leaves the job running; returns its location. */
  public String triggerSavepoint(String jobId, String targetDirectory, Duration timeout)
      throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    if (targetDirectory != null) {
      body.put("target-directory", targetDirectory);
    }
    body.put("cancel-job", false);
    String endpoint = "/jobs/" + jobId + "/savepoints";
    JsonNode n = send("POST " + endpoint, json(endpoint, body).build());
    return awaitSavepoint(jobId, n.path("request-id").asText(), timeout);
  }

  private String awaitSavepoint(String jobId, String triggerId, Duration timeout)
      throws IOException, InterruptedException {
    String endpoint = "/jobs/" + jobId + "/savepoints/" + triggerId;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode n = get(endpoint);
      if ("COMPLETED".equals(n.path("status").path("id").asText())) {
        JsonNode operation = n.path("operation");
        if (operation.hasNonNull("location")) {
          return operation.get("location").asText();
        }
        JsonNode cause = operation.path("failure-cause");
        throw new IOException(
            "GET "
                + endpoint
                + ": the savepoint of job "
                + jobId
                + " failed: "
                + firstLine(
                    cause
                        .path("stack-trace")
                        .asText(cause.toString())
                        .replaceFirst("^java\\.util\\.concurrent\\.CompletionException: ", "")));
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "GET "
                + endpoint
                + ": the savepoint of job "
                + jobId
                + " did not complete within "
                + timeout.toSeconds()
                + " s (status "
                + n.path("status")
                + ")");
      }
      Thread.sleep(200);
    }
  }

  /** The job's most recent failures, newest first: exception name and message, one line each. */
  public List<String> exceptions(String jobId) throws IOException, InterruptedException {
    List<String> result = new ArrayList<>();
    for (JsonNode entry :
        get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
      result.add(
          entry.path("exceptionName").asText()
              + ": "
              + firstLine(entry.path("stacktrace").asText())
              + (entry.hasNonNull("taskName")
                  ? " (task " + entry.get("taskName").asText() + ")"
                  : ""));
    }
    return result;
  }

  /** One failure the job restarted from: when, and its exception in one line. */
  public record Failure(Instant at, String exception) {}

  /**
   * The failures in the job's exception history, oldest first (each one restarted the job, or
   * failed it; Flink keeps the last {@code web.exception-history-size}, 16 by default).
   */
  public List<Failure> failures(String jobId) throws IOException, InterruptedException {
    List<Failure> result = new ArrayList<>();
    for (JsonNode entry :
        get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
      result.add(
          new Failure(
              Instant.ofEpochMilli(entry.path("timestamp").asLong()),
              entry.path("exceptionName").asText()
                  + ": "
                  + firstLine(entry.path("stacktrace").asText())));
    }
    result.sort(java.util.Comparator.comparing(Failure::at));
    return result;
  }

  public CheckpointStats checkpoints(String jobId) throws IOException, InterruptedException {
    JsonNode n = get("/jobs/" + jobId + "/checkpoints");
    JsonNode counts = n.path("counts");
    JsonNode latest = n.path("latest").path("completed");
    return new CheckpointStats(
        counts.path("completed").asLong(),
        counts.path("failed").asLong(),
        counts.path("in_progress").asLong(),
        counts.path("restored").asLong(),
        latest.isMissingNode() || latest.isNull() ? null : latest.path("external_path").asText(),
        latest.isMissingNode() || latest.isNull()
            ? null
            : Instant.ofEpochMilli(latest.path("latest_ack_timestamp").asLong()));
  }

  /**
   * Completed checkpoints' durations and sizes so far.
   *
   * @param completed checkpoints completed
   * @param failed checkpoints failed
   * @param durationP50Ms median end-to-end duration (trigger to last acknowledgement)
   * @param durationMaxMs longest end-to-end duration
   * @param latestStateBytes the latest completed checkpoint's full state size
   * @param latestCheckpointedBytes what the latest one wrote (incremental checkpoints write less)
   * @param maxStateBytes the largest full state size of any completed checkpoint
   */
  public record CheckpointSummary(
      long completed,
      long failed,
      long durationP50Ms,
      long durationMaxMs,
      long latestStateBytes,
      long latestCheckpointedBytes,
      long maxStateBytes) {}

  public CheckpointSummary checkpointSummary(String jobId)
      throws IOException, InterruptedException {
    JsonNode n = get("/jobs/" + jobId + "/checkpoints");
    JsonNode summary = n.path("summary");
    JsonNode latest = n.path("latest").path("completed");
    return new CheckpointSummary(
        n.path("counts").path("completed").asLong(),
        n.path("counts").path("failed").asLong(),
        summary.path("end_to_end_duration").path("p50").asLong(),
        summary.path("end_to_end_duration").path("max").asLong(),
        latest.path("state_size").asLong(),
        latest.path("checkpointed_size").asLong(),
        summary.path("state_size").path("max").asLong());
  }

  /** How often the job restarted since it was submitted (metric {@code numRestarts}). */
  public long restarts(String jobId) throws IOException, InterruptedException {
    for (JsonNode metric : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
      if ("numRestarts".equals(metric.path("id").asText())) {
        return Long.parseLong(metric.path("value").asText("0"));
      }
    }
    return 0;
  }

  private JsonNode get(String endpoint) throws IOException, InterruptedException {
    return send(
        "GET " + endpoint,
        HttpRequest.newBuilder(base.resolve(endpoint)).timeout(REQUEST_TIMEOUT).GET().build());
  }

  private HttpRequest.Builder json(String endpoint, JsonNode body) throws IOException {
    return HttpRequest.newBuilder(base.resolve(endpoint))
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
  }

  private JsonNode send(String what, HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new ConnectException(
          what + ": no Flink REST endpoint answers at " + base + " (is the cluster running?)");
    }
    String body = response.body();
    if (response.statusCode() >= 300) {
      throw new FlinkRestException(what, response.statusCode(), flinkErrors(body));
    }
    return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
  }

  /** Flink's {@code errors} array, first lines only (the rest is a server-side stack trace). */
  private static String flinkErrors(String body) {
    try {
      JsonNode errors = JSON.readTree(body).path("errors");
      if (errors.isArray() && !errors.isEmpty()) {
        List<String> lines = new ArrayList<>();
        for (JsonNode e : errors) {
          lines.add(firstLines(e.asText(), 3));
        }
        return String.join("; ", lines);
      }
    } catch (IOException e) {
      // not JSON: show it as it is
    }
    return firstLines(body, 3);
  }

  private static String firstLine(String text) {
    return firstLines(text, 1);
  }

  private static String firstLines(String text, int n) {
    String[] lines = text.strip().split("\n", n + 1);
    return String.join(" | ", java.util.Arrays.asList(lines).subList(0, Math.min(n, lines.length)))
        .strip();
  }

  /** A call Flink answered with an error status. */
  public static final class FlinkRestException extends IOException {
    private final int status;

    FlinkRestException(String what, int status, String flinkMessage) {
      super(what + " failed with HTTP " + status + ": " + flinkMessage);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
