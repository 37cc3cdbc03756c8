/**
 * The card-transaction simulator of the fraud handbook (chapter 3.2; see DOMAIN.md), as a library
 * without Flink: customers, terminals, transactions, the three fraud scenarios, optional drift, and
 * each transaction's ground truth as a separate, delayed {@link dev.sluice.avro.Label} event.
 *
 * <ul>
 *   <li>{@link dev.sluice.simulator.SimulatorConfig}: scale, seed, start, label delay and loss,
 *       drift scenarios (off by default). Defaults are the published run.
 *   <li>{@link dev.sluice.simulator.Simulation}: the event stream (an iterator), day by day with
 *       bounded memory, in event-time order; the mechanisms are documented there.
 *   <li>{@link dev.sluice.simulator.LabelDelay}: handbook (default), fixed, zero, exponential.
 *   <li>Sinks: {@link dev.sluice.simulator.KafkaEventSink} (Confluent wire format through the
 *       registry) and {@link dev.sluice.simulator.AvroFilesSink} (Avro container files); {@link
 *       dev.sluice.simulator.SimulationRunner} drives a simulation into a sink with a {@link
 *       dev.sluice.simulator.Pacer} and a {@link dev.sluice.simulator.ProgressReporter}.
 * </ul>
 *
 * <p><b>Determinism.</b> Every random decision comes from a generator keyed by what it decides
 * (seed, customer, day; seed, scenario, day; seed, transaction for its label), see {@link
 * dev.sluice.simulator.SeededRandom}: the same configuration gives byte-identical output, and a day
 * can be generated without the days before it, which is what scenario 3's look-ahead needs.
 *
 * <p><b>Differences from the handbook's code</b>, all deliberate:
 *
 * <ul>
 *   <li>Random numbers come from SplitMix64, not numpy's and Python's generators, so the events are
 *       not the handbook's own; the statistics match for any seed (published scale, seeds 0 and 1:
 *       1,774,678 and 1,753,225 transactions against 1,754,155; fraud 0.82% and 0.84% against
 *       0.84%; see HandbookStatisticsTest).
 *   <li>An amount that rounds to 0.00 (about 20 in a million) becomes 0.01: the Transaction schema
 *       requires amounts > 0.
 *   <li>Per-scenario counts are by final scenario code (a scenario-1 transaction at a compromised
 *       terminal counts as scenario 2); the handbook prints the frauds each scenario added.
 *   <li>The handbook compromises terminals and cards on each day in {@code range(max_tx_day)}, i.e.
 *       not on the last day; here that is days 0 .. days - 2 whatever the data.
 *   <li>Labels: the handbook has none as events; here each arrives after a delay (default
 *       log-normal, median 3 days, 90% within the handbook's 7-day delay period, capped at 30 days)
 *       and may be lost.
 * </ul>
 */
package dev.sluice.simulator;
