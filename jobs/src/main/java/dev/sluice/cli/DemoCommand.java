package dev.sluice.cli;

import dev.sluice.cli.infra.KafkaService;
import dev.sluice.cli.infra.LocalInfra;
import dev.sluice.cli.infra.RegistryService;
import dev.sluice.jobs.EventCountJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.KafkaConnectors;
import dev.sluice.schemas.registry.RegistryConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice demo}: the README's run command. Starts the local infrastructure (idempotent),
 * creates the topics, runs the event-count job in this JVM with the Flink web UI and feeds it demo
 * traffic until Ctrl-C. The infrastructure keeps running afterwards; {@code sluice infra down}
 * stops it.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start Kafka, the registry and Redis, then run the event-count job (web UI on 127.0.0.1:8081)",
      "with demo traffic until Ctrl-C. 'sluice infra down' stops the services afterwards."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--rate",
      defaultValue = "20",
      description = "Demo events per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--malformed-every",
      defaultValue = "50",
      description =
          "Every Nth demo record is not wire format, to show the dead-letter path (0: never; default: ${DEFAULT-VALUE}).")
  long malformedEvery;

  @Option(
      names = "--web-ui-port",
      defaultValue = "8081",
      description = "Flink web UI port (default: ${DEFAULT-VALUE}).")
  int webUiPort;

  @Override
  public Integer call() throws Exception {
    new LocalInfra(Project.layout(null), Project.console(), LocalInfra.allServices()).up();
    TopicsCommand.createAll(KafkaService.BOOTSTRAP, Project.console());

    RegistryConfig registry = RegistryConfig.of(RegistryService.URL);
    JobOptions jobOptions = new JobOptions();
    jobOptions.checkpointInterval = Duration.ofSeconds(10);
    jobOptions.maxRestarts = 10;
    EventCountJob.Config config =
        new EventCountJob.Config(
            KafkaService.BOOTSTRAP,
            registry,
            "transactions",
            "event-counts",
            "dead-letters",
            "sluice-event-count",
            KafkaConnectors.StartFrom.LATEST,
            Duration.ofMinutes(1),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            jobOptions.checkpoints());
    StreamExecutionEnvironment env =
        FlinkEnvironments.create(FlinkEnvironments.Mode.LOCAL, config.checkpoints(), webUiPort);
    JobClient job = EventCountJob.start(env, config);
    Jobs.cancelOnShutdown(job);

    DemoTraffic traffic =
        new DemoTraffic(KafkaService.BOOTSTRAP, registry, "transactions", rate, 0, malformedEvery);
    Thread producer = new Thread(traffic, "sluice-demo-traffic");
    producer.setDaemon(true);
    producer.start();
    Runtime.getRuntime().addShutdownHook(new Thread(traffic::stop));

    System.out.printf(
        "%nsluice demo is running (Ctrl-C to stop; services keep running until 'bin/sluice infra down')%n");
    System.out.printf(
        "  Flink web UI      http://127.0.0.1:%d  (job '%s')%n", webUiPort, EventCountJob.JOB_NAME);
    System.out.printf(
        "  demo traffic      %.0f transactions/s into 'transactions', 1 in %d malformed%n",
        rate, malformedEvery);
    System.out.printf(
        "  counts per minute bin/sluice topics tail event-counts   (appear ~1 min after a window closes, at checkpoints)%n");
    System.out.printf("  dead letters      bin/sluice topics tail dead-letters%n%n");
    job.getJobExecutionResult().get();
    return 0;
  }
}
