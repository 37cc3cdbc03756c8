package dev.sluice.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ClusterClient;
import org.awaitility.Awaitility;

/**
 * How often a running job restarted, as Flink's REST API reports it: the job's {@code numRestarts}
 * metric (full and regional restarts) and every subtask's execution attempt number (a subtask that
 * was ever redeployed has an attempt above 0). Inject the client with {@code @InjectClusterClient
 * ClusterClient<?> client}.
 */
public final class JobRestarts {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the REST API says about one job's restarts.
   *
   * @param numRestarts the job's {@code numRestarts} metric
   * @param redeployed subtasks ({@code vertex name #index attempt n}) whose attempt is above 0
   */
  public record Report(long numRestarts, List<String> redeployed) {}

  private JobRestarts() {}

  /**
   * Reads the report of {@code job}, waiting (up to a minute) for the metric fetcher to have
   * published {@code numRestarts} once.
   */
  public static Report of(ClusterClient<?> client, JobID job) {
    String base = client.getWebInterfaceURL() + "/jobs/" + job;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    long[] restarts = {-1};
    Awaitility.await("numRestarts of job " + job)
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              JsonNode metrics = get(http, base + "/metrics?get=numRestarts");
              for (JsonNode m : metrics) {
                if (m.path("id").asText().equals("numRestarts")) {
                  restarts[0] = Long.parseLong(m.path("value").asText());
                  return true;
                }
              }
              return false;
            });
    List<String> redeployed = new ArrayList<>();
    try {
      for (JsonNode vertex : get(http, base).path("vertices")) {
        JsonNode subtasks =
            get(http, base + "/vertices/" + vertex.path("id").asText()).path("subtasks");
        for (JsonNode subtask : subtasks) {
          int attempt = subtask.path("attempt").asInt(-1);
          if (attempt != 0) {
            redeployed.add(
                vertex.path("name").asText()
                    + " #"
                    + subtask.path("subtask").asInt()
                    + " attempt "
                    + attempt);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read job " + job + " from " + base, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading job " + job, e);
    }
    return new Report(restarts[0], redeployed);
  }

  private static JsonNode get(HttpClient http, String url)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET " + url + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
