package dev.sluice.cli;

import dev.sluice.cli.infra.Console;
import dev.sluice.jobs.Topics;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryClients;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.WireFormatException;
import dev.sluice.state.KafkaClientSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Conversions;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice topics create|list|tail}. */
@Command(
    name = "topics",
    description =
        "Create the platform's topics, list topics, or print a topic's records decoded through the registry.",
    mixinStandardHelpOptions = true,
    subcommands = {
      TopicsCommand.Create.class,
      TopicsCommand.ListTopics.class,
      TopicsCommand.Tail.class
    })
final class TopicsCommand {

  /**
   * Creates every topic in {@link Topics#ALL} that does not exist; existing ones are left alone.
   */
  static void createAll(String bootstrapServers, Console console) throws Exception {
    createAll(KafkaClientSettings.of(bootstrapServers), console);
  }

  /** As above, connecting with {@code kafka}'s client properties (security). */
  static void createAll(KafkaClientSettings kafka, Console console) throws Exception {
    try (Admin admin = Admin.create(kafka.admin())) {
      Set<String> existing = admin.listTopics().names().get();
      for (Topics.Spec spec : Topics.ALL) {
        if (existing.contains(spec.name())) {
          continue;
        }
        NewTopic topic =
            new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.configs());
        try {
          admin.createTopics(List.of(topic)).all().get();
          console.info(
              "topic     %-14s created: %d partition(s), %s - %s",
              spec.name(),
              spec.partitions(),
              spec.compacted() ? "compacted" : "retention " + spec.retention().toDays() + " d",
              spec.description());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      awaitMetadata(admin, Topics.ALL.stream().map(Topics.Spec::name).toList());
    }
  }

  /**
   * Waits until every topic can be described: a broker acknowledges a creation before its metadata
   * reaches every listener, and a job or command started right after would not find the topic.
   */
  private static void awaitMetadata(Admin admin, List<String> names) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        admin.describeTopics(names).allTopicNames().get();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "topics created but not visible in the broker's metadata after 30 s: "
                  + e.getCause().getMessage(),
              e);
        }
        Thread.sleep(100);
      }
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create the platform's topics with explicit partitions and retention (existing topics are kept).")
  static final class Create implements Callable<Integer> {
    @Mixin ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
      createAll(connection.kafka(), Project.console());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List topics.")
  static final class ListTopics implements Callable<Integer> {
    @Mixin ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
      try (Admin admin = Admin.create(connection.kafka().admin())) {
        new TreeSet<>(admin.listTopics().names().get()).forEach(System.out::println);
      }
      return 0;
    }
  }

  @Command(
      name = "tail",
      mixinStandardHelpOptions = true,
      description =
          "Print records of a topic as JSON, decoded with their writer schema from the registry.")
  static final class Tail implements Callable<Integer> {
    @Mixin ConnectionOptions connection;

    @Parameters(paramLabel = "TOPIC", description = "Topic to read, e.g. event-counts.")
    String topic;

    @Option(
        names = "--from-latest",
        description = "Only records produced from now on (default: from the beginning).")
    boolean fromLatest;

    @Option(
        names = "--max",
        defaultValue = "0",
        description = "Stop after this many records (0: no limit).")
    long max;

    @Option(
        names = "--idle-timeout",
        converter = DurationConverter.class,
        defaultValue = "0s",
        description = "Stop after this long without a record (0s: follow forever).")
    Duration idleTimeout;

    @Override
    public Integer call() {
      GenericData model = new GenericData();
      model.addLogicalTypeConversion(new Conversions.DecimalConversion());
      model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
      Properties props = connection.kafka().consumer();
      props.put(ConsumerConfig.GROUP_ID_CONFIG, "sluice-tail-" + UUID.randomUUID());
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromLatest ? "latest" : "earliest");
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      long printed = 0;
      try (SchemaRegistryClient registry = SchemaRegistryClients.create(connection.registry());
          KafkaConsumer<byte[], byte[]> consumer =
              new KafkaConsumer<>(
                  props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        if (consumer.partitionsFor(topic, Duration.ofSeconds(10)).isEmpty()) {
          throw new IllegalArgumentException(
              "topic '" + topic + "' does not exist (see 'sluice topics list')");
        }
        AvroWireDeserializer<Object> decoder =
            AvroWireDeserializer.forGeneric(registry, null, model);
        consumer.subscribe(List.of(topic));
        long lastRecord = System.nanoTime();
        while (max == 0 || printed < max) {
          List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
          consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
          if (batch.isEmpty()) {
            if (!idleTimeout.isZero() && System.nanoTime() - lastRecord > idleTimeout.toNanos()) {
              break;
            }
            continue;
          }
          lastRecord = System.nanoTime();
          for (ConsumerRecord<byte[], byte[]> record : batch) {
            if (max != 0 && printed >= max) {
              break;
            }
            String text;
            try {
              text = model.toString(decoder.deserialize(record.value()));
            } catch (WireFormatException e) {
              text =
                  "{\"undecodable\": \""
                      + e.kind()
                      + ": "
                      + e.getMessage().replace("\"", "'")
                      + "\"}";
            }
            System.out.printf("%d/%d %s%n", record.partition(), record.offset(), text);
            printed++;
          }
        }
      }
      return 0;
    }
  }
}
