package dev.sluice.state.offline;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.HadoopParquetConfiguration;
import org.apache.parquet.conf.ParquetConfiguration;

/**
 * Configurations for Parquet readers that load no Hadoop defaults. Parquet's {@code
 * ParquetReader.builder(InputFile)} and {@code ParquetFileReader.open(InputFile)} create a default
 * Hadoop {@code Configuration} for every file, which parses {@code core-default.xml} and looks up
 * {@code core-site.xml} on the class path: a third of the CPU time of a BATCH job reading a few
 * hundred small files, more under Flink's user-code class loader. Nothing the store reads needs a
 * Hadoop setting.
 */
final class ParquetReadConfig {
  private ParquetReadConfig() {}

  /** An empty Hadoop configuration (no default resources), to set reader properties on. */
  static org.apache.hadoop.conf.Configuration hadoop() {
    return new org.apache.hadoop.conf.Configuration(false);
  }

  /** {@code conf} (from {@link #hadoop()}) as the configuration of a reader builder. */
  static ParquetConfiguration of(org.apache.hadoop.conf.Configuration conf) {
    return new HadoopParquetConfiguration(conf);
  }

  /** Default read options, without Hadoop defaults. */
  static ParquetReadOptions options() {
    return ParquetReadOptions.builder(of(hadoop())).build();
  }
}
