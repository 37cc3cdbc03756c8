/**
 * Point-in-time training sets: labelled feature rows split into train and test the way the fraud
 * handbook's {@code get_train_test_set} does (chapter 3.5; see DOMAIN.md), built in one JVM; and
 * the same join as a data-parallel Flink BATCH job for retraining.
 *
 * <ul>
 *   <li>{@link dev.sluice.jobs.training.TrainingSplit}: train / delay / test days, in UTC days;
 *       {@code TrainingSplit.HANDBOOK} is the published 7/7/7 split from 2018-07-25.
 *   <li>{@link dev.sluice.jobs.training.FeatureExample}: one transaction's feature values as of the
 *       transaction (primitive array, column names held once elsewhere).
 *   <li>{@link dev.sluice.jobs.training.TrainingSetBuilder}: joins rows with {@link
 *       dev.sluice.avro.Label}s, splits by day, drops the delay period and removes test
 *       transactions of cards already known to be compromised; the rule is documented there.
 *   <li>{@link dev.sluice.jobs.training.TrainingSet}: the rows, the column names and a {@code
 *       Summary} for the command line.
 *   <li>{@link dev.sluice.jobs.training.TrainingSetWriter}: Parquet (via parquet-avro) or CSV.
 *   <li>{@link dev.sluice.jobs.training.OfflineTrainingData}: the rows of every view in the offline
 *       store joined on the transaction id, in one JVM, then the builder.
 *   <li>{@link dev.sluice.jobs.training.LabelledHistoryJob}: the same join as a Flink BATCH job
 *       over a period, with the labels as known at an instant (for retraining), collected sorted.
 * </ul>
 */
package dev.sluice.jobs.training;
