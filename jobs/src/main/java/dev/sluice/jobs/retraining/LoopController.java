package dev.sluice.jobs.retraining;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import dev.sluice.avro.RetrainingTrigger;
import dev.sluice.jobs.retraining.LiveMetrics.Comparison;
import dev.sluice.jobs.retraining.LiveMetrics.Role;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The closed loop's decisions for one model, without any I/O: what the monitoring topics say
 * (alerts, online metrics) and what runs report go in; the steps to take come out, each as the
 * {@link RetrainingEvent} that records it and the action it asks of the registry or the run
 * executor. The same events replayed through {@link #restore} bring a new controller back to where
 * the last one stopped.
 *
 * <p>One step at a time per model: a trigger is skipped (with the reason) while a run is in
 * progress, while its model is being shadow-evaluated as challenger, and while a promoted model is
 * being watched against the previous champion. Other triggers than a manual request are also
 * skipped during the cool-down after a run started, and every trigger when monitoring counted too
 * few labelled decisions in the run's window.
 *
 * <p>Time is event time: the latest window end the monitoring topics reported.
 */
public final class LoopController {
  /** Detail key of CHALLENGER and PROMOTED events: the first window start compared live. */
  static final String COMPARED_FROM = "compared_from";

  /** What the runtime must do for a step, besides writing its event. */
  public enum Action {
    NONE,
    START_RUN,
    SET_CHALLENGER,
    PROMOTE,
    REJECT_CHALLENGER,
    ROLLBACK
  }

  /** One decision: the event to write and the action it stands for. */
  public record Step(RetrainingEvent event, Action action, RunSpec run) {
    public Step {
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(action, "action");
    }
  }

  private final String model;
  private final RetrainingPolicy policy;
  private final Clock wallClock;
  private final LiveMetrics live;

  private long now = Long.MIN_VALUE;

  /** Length of the monitoring windows, from the last metrics record (a day by default). */
  private long windowMillis = 86_400_000L;

  /** Alerts already handled, so that an alert delivered twice starts nothing twice. */
  private final Set<String> seenAlerts = new java.util.LinkedHashSet<>();

  private long firstSeen = Long.MIN_VALUE;
  private long sequence;
  private int runs;
  private Integer champion;

  private RunSpec running;
  private Long lastRunAsOf;
  private Long previousRunAsOf;
  private long labelledAtLastRun;

  private Candidate candidate;
  private Watch watch;

  private final Deque<RetrainingEvent> requests = new ArrayDeque<>();
  private final Set<String> handledRequests = new HashSet<>();

  /** A run's model being shadow-scored as challenger since {@code since} (event time). */
  private record Candidate(RunSpec run, int version, long since) {}

  /** A promoted model compared with the previous champion (now in shadow) since {@code since}. */
  private record Watch(RunSpec run, int version, int previous, long since) {}

  public LoopController(String model, RetrainingPolicy policy, Clock wallClock) {
    this.model = Objects.requireNonNull(model, "model");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
    this.live = new LiveMetrics(model);
  }

  public String model() {
    return model;
  }

  public RetrainingPolicy policy() {
    return policy;
  }

  /** Event time as the controller knows it (Long.MIN_VALUE before any input). */
  public long now() {
    return now;
  }

  public Integer champion() {
    return champion;
  }

  /** Whether a run is in progress. */
  public boolean running() {
    return running != null;
  }

  /** A short description of where the loop is, for logs and the CLI. */
  public String describe() {
    String state = state();
    return requests.isEmpty()
        ? state
        : state + "; " + requests.size() + " request(s) waiting for the controller";
  }

  private String state() {
    if (running != null) {
      return "run " + running.runId() + " in progress (" + running.trigger() + ")";
    }
    if (candidate != null) {
      return "v" + candidate.version + " (" + candidate.run.runId() + ") is challenger";
    }
    if (watch != null) {
      return "v" + watch.version + " promoted, watched against v" + watch.previous;
    }
    return "idle, champion " + (champion == null ? "none" : "v" + champion);
  }

  /** The registry's current champion (the runtime reads it from the registry). */
  public void champion(Integer version) {
    this.champion = version;
  }

  /** Applies one past event of this model, in topic order, to rebuild the state. */
  public void restore(RetrainingEvent e) {
    if (!model.equals(e.getModelName())) {
      return;
    }
    sequence++;
    if (e.getType() != RetrainingEventType.REQUESTED) {
      // A request from the command line carries no event time (epoch 0).
      advance(e.getAsOf().toEpochMilli());
    }
    String request = e.getDetails().get("request");
    if (request != null) {
      handledRequests.add(request);
      requests.removeIf(r -> r.getEventId().equals(request));
    }
    RunSpec run = e.getRunId() == null ? null : restoredSpec(e);
    switch (e.getType()) {
      case REQUESTED -> {
        if (e.getRunId() == null && !handledRequests.contains(e.getEventId())) {
          requests.add(e);
        }
      }
      case STARTED -> {
        runs = Math.max(runs, runNumber(e.getRunId()));
        running = run;
        previousRunAsOf = lastRunAsOf;
        lastRunAsOf = e.getAsOf().toEpochMilli();
      }
      case SUCCEEDED, FAILED -> running = null;
      case SKIPPED -> {
        if (e.getRunId() != null && running != null && e.getRunId().equals(running.runId())) {
          running = null;
          lastRunAsOf = previousRunAsOf;
        }
      }
      case CHALLENGER -> candidate = new Candidate(run, e.getVersion(), since(e));
      case PROMOTED -> {
        candidate = null;
        watch = new Watch(run, e.getVersion(), e.getChampionVersion(), since(e));
        champion = e.getVersion();
      }
      case REJECTED -> {
        if (candidate != null && Objects.equals(candidate.version, e.getVersion())) {
          candidate = null;
        }
      }
      case CONFIRMED -> watch = null;
      case ROLLED_BACK -> {
        watch = null;
        champion = e.getChampionVersion();
      }
      default -> {}
    }
  }

  /**
   * Ends the restore: a run that was in progress when the last controller stopped did not finish.
   */
  public List<Step> afterRestore() {
    List<Step> out = new ArrayList<>();
    if (running != null) {
      RunSpec lost = running;
      running = null;
      out.add(
          step(
              event(RetrainingEventType.FAILED, lost)
                  .setReason("the controller stopped during the run; it was not resumed"),
              Action.NONE,
              null));
    }
    return out;
  }

  /**
   * Forgets the restored loop state (clock, run in progress, challenger, watch, cool-down,
   * requests) but keeps the run numbering: for a stream that starts over.
   */
  public void forget() {
    now = Long.MIN_VALUE;
    firstSeen = Long.MIN_VALUE;
    running = null;
    lastRunAsOf = null;
    previousRunAsOf = null;
    labelledAtLastRun = 0;
    candidate = null;
    watch = null;
    requests.clear();
  }

  /**
   * The first window the job scores wholly after an alias move made now: the controller's clock is
   * the last window end the metrics reported, and the job is somewhere in the window after it.
   */
  private long firstFullWindow() {
    return now + windowMillis;
  }

  /** When a restored challenger or watch started comparing (recorded on its event). */
  private static long since(RetrainingEvent e) {
    String recorded = e.getDetails().get(COMPARED_FROM);
    return recorded != null ? Instant.parse(recorded).toEpochMilli() : e.getAsOf().toEpochMilli();
  }

  /** An alert from the alert topic. */
  public List<Step> onAlert(Alert a) {
    advance(a.getWindowEnd().toEpochMilli());
    List<Step> out = new ArrayList<>();
    if (!seenAlerts.add(a.getAlertId() + "/" + a.getState())) {
      return out;
    }
    if (seenAlerts.size() > 10_000) {
      seenAlerts.remove(seenAlerts.iterator().next());
    }
    if (!model.equals(a.getModelName())
        || a.getState() != AlertState.FIRING
        || !(a.getRetrain() || policy.retrainOnRules().contains(a.getRule()))) {
      return out;
    }
    String detail = "alert " + a.getAlertId() + " (" + a.getRule() + ", " + a.getSubject() + ")";
    if (a.getModelVersion() != null && champion != null && !a.getModelVersion().equals(champion)) {
      out.add(
          skipped(
              RetrainingTrigger.ALERT,
              detail,
              "the alert concerns v" + a.getModelVersion() + ", the champion is v" + champion));
      return out;
    }
    trigger(RetrainingTrigger.ALERT, detail, null, out);
    return out;
  }

  /** A record from the online-metrics topic: advances the clock and drives gates and triggers. */
  public List<Step> onMetrics(ModelMetrics m) {
    List<Step> out = new ArrayList<>();
    if (!live.add(m)) {
      return out;
    }
    long length = m.getWindowEnd().toEpochMilli() - m.getWindowStart().toEpochMilli();
    if (length > 0) {
      windowMillis = length;
    }
    advance(m.getWindowEnd().toEpochMilli());
    tick(out);
    return out;
  }

  /** A request from the retraining topic (the CLI's {@code retrain request}). */
  public List<Step> onRequest(RetrainingEvent request) {
    List<Step> out = new ArrayList<>();
    if (!model.equals(request.getModelName())
        || request.getType() != RetrainingEventType.REQUESTED
        || request.getRunId() != null
        || handledRequests.contains(request.getEventId())) {
      return out;
    }
    requests.add(request);
    tick(out);
    return out;
  }

  /** A run's end, from the executor. */
  public List<Step> onRunFinished(RunResult result) {
    List<Step> out = new ArrayList<>();
    if (running == null || !running.runId().equals(result.runId())) {
      throw new IllegalStateException(
          "run " + result.runId() + " finished but " + describe() + " (expected it to be running)");
    }
    RunSpec run = running;
    running = null;
    if (result instanceof RunResult.Failed f) {
      out.add(
          step(
              merged(event(RetrainingEventType.FAILED, run), f.details()).setReason(f.reason()),
              Action.NONE,
              null));
    } else if (result instanceof RunResult.NotEnoughData n) {
      lastRunAsOf = previousRunAsOf;
      out.add(
          step(
              merged(event(RetrainingEventType.SKIPPED, run), n.details()).setReason(n.reason()),
              Action.NONE,
              null));
    } else if (result instanceof RunResult.Succeeded s) {
      offlineGate(run, s, out);
    }
    return out;
  }

  private void offlineGate(RunSpec run, RunResult.Succeeded s, List<Step> out) {
    Map<String, Double> metrics = new HashMap<>();
    s.candidate().forEach((k, v) -> metrics.put("holdout." + k, v));
    s.champion().forEach((k, v) -> metrics.put("champion.holdout." + k, v));
    out.add(
        step(
            merged(event(RetrainingEventType.SUCCEEDED, run), s.details())
                .setVersion(s.version())
                .setMetrics(metrics)
                .setReason("registered v" + s.version()),
            Action.NONE,
            null));
    String metric = policy.gateMetric();
    Double mine = s.candidate().get(metric);
    Double theirs = s.champion().get(metric);
    if (mine == null || !Double.isFinite(mine)) {
      out.add(
          step(
              event(RetrainingEventType.REJECTED, run)
                  .setVersion(s.version())
                  .setMetrics(metrics)
                  .setReason("offline gate: the candidate's holdout " + metric + " is undefined"),
              Action.NONE,
              null));
      return;
    }
    if (theirs != null && Double.isFinite(theirs) && !(mine - theirs > policy.offlineMargin())) {
      out.add(
          step(
              event(RetrainingEventType.REJECTED, run)
                  .setVersion(s.version())
                  .setMetrics(metrics)
                  .setReason(
                      String.format(
                          Locale.ROOT,
                          "offline gate: holdout %s %.4f does not beat the champion v%d's %.4f by"
                              + " more than %.3f",
                          metric,
                          mine,
                          run.championVersion(),
                          theirs,
                          policy.offlineMargin())),
              Action.NONE,
              null));
      return;
    }
    candidate = new Candidate(run, s.version(), firstFullWindow());
    out.add(
        step(
            merged(
                    event(RetrainingEventType.CHALLENGER, run),
                    Map.of(COMPARED_FROM, instant(candidate.since).toString()))
                .setVersion(s.version())
                .setMetrics(metrics)
                .setReason(
                    theirs == null || !Double.isFinite(theirs)
                        ? String.format(
                            Locale.ROOT,
                            "offline gate: holdout %s %.4f (no champion to compare); shadow-scored"
                                + " from now",
                            metric,
                            mine)
                        : String.format(
                            Locale.ROOT,
                            "offline gate: holdout %s %.4f beats the champion v%d's %.4f;"
                                + " shadow-scored, compared live from the next full window",
                            metric,
                            mine,
                            run.championVersion(),
                            theirs)),
            Action.SET_CHALLENGER,
            null));
  }

  private void tick(List<Step> out) {
    if (candidate != null) {
      liveGate(out);
    }
    if (watch != null) {
      rollbackWatch(out);
    }
    while (!requests.isEmpty()) {
      RetrainingEvent r = requests.poll();
      handledRequests.add(r.getEventId());
      trigger(
          RetrainingTrigger.MANUAL,
          "request " + r.getEventId() + (r.getReason().isEmpty() ? "" : ": " + r.getReason()),
          r.getEventId(),
          out);
    }
    if (now == Long.MIN_VALUE) {
      return;
    }
    if (policy.schedule() != null) {
      long since = lastRunAsOf != null ? lastRunAsOf : firstSeen;
      if (now - since >= policy.schedule().toMillis() && idle()) {
        trigger(
            RetrainingTrigger.SCHEDULE,
            "every " + policy.schedule() + " of event time (last run as of " + instant(since) + ")",
            null,
            out);
      }
    }
    if (policy.labelVolume() > 0) {
      long fresh = live.labelledDecisions() - labelledAtLastRun;
      if (fresh >= policy.labelVolume() && idle()) {
        trigger(
            RetrainingTrigger.LABEL_VOLUME,
            String.format(
                Locale.ROOT,
                "%,d new labelled decisions since the last run (threshold %,d)",
                fresh,
                policy.labelVolume()),
            null,
            out);
      }
    }
  }

  private boolean idle() {
    return running == null
        && candidate == null
        && watch == null
        && (lastRunAsOf == null || now - lastRunAsOf >= policy.cooldown().toMillis());
  }

  private void liveGate(List<Step> out) {
    if (champion == null) {
      return;
    }
    Comparison c =
        live.compare(
            Role.shadowOf(candidate.version),
            Role.decisions(champion),
            candidate.since,
            policy.gateMetric());
    Map<String, Double> metrics = c.asMetrics("live", "champion.live");
    if (c.enough(policy.liveMinLabelled(), policy.liveMinPositives())) {
      boolean wins = c.valueA() - c.valueB() > policy.liveMargin();
      int version = candidate.version;
      RunSpec run = candidate.run;
      int previous = champion;
      candidate = null;
      if (wins) {
        watch = new Watch(run, version, previous, firstFullWindow());
        champion = version;
        out.add(
            step(
                merged(
                        event(RetrainingEventType.PROMOTED, run),
                        Map.of(COMPARED_FROM, instant(watch.since).toString()))
                    .setVersion(version)
                    .setChampionVersion(previous)
                    .setMetrics(metrics)
                    .setReason(
                        "live gate: "
                            + c.describe()
                            + "; v"
                            + version
                            + " is champion, v"
                            + previous
                            + " scores in shadow"),
                Action.PROMOTE,
                null));
      } else {
        out.add(
            step(
                event(RetrainingEventType.REJECTED, run)
                    .setVersion(version)
                    .setMetrics(metrics)
                    .setReason(
                        String.format(
                            Locale.ROOT,
                            "live gate: %s; not better by more than %.3f",
                            c.describe(),
                            policy.liveMargin())),
                Action.REJECT_CHALLENGER,
                null));
      }
    } else if (now - candidate.since > policy.maxWait().toMillis()) {
      int version = candidate.version;
      RunSpec run = candidate.run;
      candidate = null;
      out.add(
          step(
              event(RetrainingEventType.REJECTED, run)
                  .setVersion(version)
                  .setMetrics(metrics)
                  .setReason(
                      "live gate: not enough labels after "
                          + policy.maxWait()
                          + " ("
                          + c.describe()
                          + ")"),
              Action.REJECT_CHALLENGER,
              null));
    }
  }

  private void rollbackWatch(List<Step> out) {
    Comparison c =
        live.compare(
            Role.decisions(watch.version),
            Role.shadowOf(watch.previous),
            watch.since,
            policy.gateMetric());
    Map<String, Double> metrics = c.asMetrics("live", "previous.live");
    boolean enough = c.enough(policy.liveMinLabelled(), policy.liveMinPositives());
    if (enough && c.valueB() - c.valueA() > policy.rollbackMargin()) {
      Watch w = watch;
      watch = null;
      champion = w.previous;
      out.add(
          step(
              event(RetrainingEventType.ROLLED_BACK, w.run)
                  .setVersion(w.version)
                  .setChampionVersion(w.previous)
                  .setMetrics(metrics)
                  .setReason(
                      String.format(
                          Locale.ROOT,
                          "rollback: %s; more than %.3f below the previous champion, v%d is"
                              + " champion again",
                          c.describe(),
                          policy.rollbackMargin(),
                          w.previous)),
              Action.ROLLBACK,
              null));
    } else if (enough || now - watch.since > policy.maxWait().toMillis()) {
      Watch w = watch;
      watch = null;
      out.add(
          step(
              event(RetrainingEventType.CONFIRMED, w.run)
                  .setVersion(w.version)
                  .setChampionVersion(w.version)
                  .setMetrics(metrics)
                  .setReason(
                      enough
                          ? "holds up: " + c.describe()
                          : "not enough labels to judge after "
                              + policy.maxWait()
                              + "; kept ("
                              + c.describe()
                              + ")"),
              Action.NONE,
              null));
    }
  }

  private void trigger(RetrainingTrigger trigger, String detail, String request, List<Step> out) {
    String guard = guard(trigger);
    if (guard != null) {
      Step s = skipped(trigger, detail, guard);
      if (request != null) {
        s.event().getDetails().put("request", request);
      }
      out.add(s);
      return;
    }
    RunSpec spec =
        RunSpec.of(
            model + "-run-" + (runs + 1),
            model,
            trigger,
            detail,
            Instant.ofEpochMilli(now),
            policy,
            champion);
    long labelled =
        live.labelledDecisions(spec.windowStart().toEpochMilli(), spec.windowEnd().toEpochMilli());
    if (labelled > 0 && labelled < policy.minLabelledRows()) {
      Step s =
          skipped(
              trigger,
              detail,
              String.format(
                  Locale.ROOT,
                  "too little data: monitoring counted %,d labelled decisions in %s..%s, the"
                      + " minimum is %,d",
                  labelled,
                  spec.windowStart(),
                  spec.windowEnd(),
                  policy.minLabelledRows()));
      if (request != null) {
        s.event().getDetails().put("request", request);
      }
      out.add(s);
      return;
    }
    runs++;
    running = spec;
    previousRunAsOf = lastRunAsOf;
    lastRunAsOf = now;
    labelledAtLastRun = live.labelledDecisions();
    RetrainingEvent.Builder started =
        event(RetrainingEventType.STARTED, spec)
            .setReason(
                "training on "
                    + spec.windowStart()
                    + ".."
                    + spec.windowEnd()
                    + ", labels known by "
                    + spec.asOf());
    Map<String, String> details = new HashMap<>(specDetails(spec));
    if (request != null) {
      details.put("request", request);
    }
    started.setDetails(details);
    out.add(step(started, Action.START_RUN, spec));
  }

  /** Why a trigger may not start a run now, or null. */
  private String guard(RetrainingTrigger trigger) {
    if (now == Long.MIN_VALUE) {
      return "no event time yet: the monitoring topics have not reported any window";
    }
    if (running != null) {
      return "one run at a time: " + running.runId() + " is in progress";
    }
    if (candidate != null) {
      return "v"
          + candidate.version
          + " ("
          + candidate.run.runId()
          + ") is being shadow-evaluated as challenger since "
          + instant(candidate.since);
    }
    if (watch != null) {
      return "v"
          + watch.version
          + ", just promoted, is being watched against v"
          + watch.previous
          + " (its shadow scores) from "
          + instant(watch.since);
    }
    if (trigger != RetrainingTrigger.MANUAL
        && lastRunAsOf != null
        && now - lastRunAsOf < policy.cooldown().toMillis()) {
      return "cool-down: the last run started at "
          + instant(lastRunAsOf)
          + ", the next may start at "
          + instant(lastRunAsOf + policy.cooldown().toMillis());
    }
    return null;
  }

  private Step skipped(RetrainingTrigger trigger, String detail, String reason) {
    RetrainingEvent.Builder b =
        base(RetrainingEventType.SKIPPED, null, trigger, detail).setReason(reason);
    b.setDetails(new HashMap<>());
    return step(b, Action.NONE, null);
  }

  private RetrainingEvent.Builder event(RetrainingEventType type, RunSpec run) {
    RetrainingEvent.Builder b = base(type, run.runId(), run.trigger(), run.triggerDetail());
    b.setDetails(new HashMap<>(specDetails(run)));
    return b;
  }

  private RetrainingEvent.Builder base(
      RetrainingEventType type, String runId, RetrainingTrigger trigger, String detail) {
    return RetrainingEvent.newBuilder()
        .setEventId(model + "-" + (sequence + 1))
        .setModelName(model)
        .setRunId(runId)
        .setType(type)
        .setTrigger(trigger)
        .setTriggerDetail(detail == null ? "" : detail)
        .setAsOf(Instant.ofEpochMilli(now == Long.MIN_VALUE ? 0 : now))
        .setAt(wallClock.instant())
        .setChampionVersion(champion)
        .setMetrics(new HashMap<>())
        .setDetails(new HashMap<>());
  }

  private static RetrainingEvent.Builder merged(
      RetrainingEvent.Builder b, Map<String, String> extra) {
    b.getDetails().putAll(extra);
    return b;
  }

  private Step step(RetrainingEvent.Builder b, Action action, RunSpec run) {
    sequence++;
    return new Step(b.build(), action, run);
  }

  private static Map<String, String> specDetails(RunSpec spec) {
    Map<String, String> d = new HashMap<>();
    d.put("window_start", spec.windowStart().toString());
    d.put("window_end", spec.windowEnd().toString());
    d.put("holdout_start", spec.holdoutStart().toString());
    d.put("holdout_share", Double.toString(spec.holdoutShare()));
    d.put("labels_known_by", spec.asOf().toString());
    return d;
  }

  private RunSpec restoredSpec(RetrainingEvent e) {
    Map<String, String> d = e.getDetails();
    try {
      return new RunSpec(
          e.getRunId(),
          model,
          e.getTrigger(),
          e.getTriggerDetail(),
          Instant.parse(d.getOrDefault("labels_known_by", e.getAsOf().toString())),
          Instant.parse(d.get("window_start")),
          Instant.parse(d.get("window_end")),
          Instant.parse(d.get("holdout_start")),
          Double.parseDouble(d.get("holdout_share")),
          policy.minLabelledRows(),
          policy.minPositives(),
          e.getChampionVersion());
    } catch (RuntimeException missing) {
      // An event without the run's window (written by hand): keep what identifies the run.
      Instant at = e.getAsOf();
      return new RunSpec(
          e.getRunId(),
          model,
          e.getTrigger(),
          e.getTriggerDetail(),
          at,
          at.minusMillis(2),
          at,
          at.minusMillis(1),
          policy.holdoutShare(),
          policy.minLabelledRows(),
          policy.minPositives(),
          e.getChampionVersion());
    }
  }

  private void advance(long eventTime) {
    if (firstSeen == Long.MIN_VALUE) {
      firstSeen = eventTime;
    }
    now = Math.max(now, eventTime);
  }

  private static int runNumber(String runId) {
    int dash = runId.lastIndexOf('-');
    try {
      return Integer.parseInt(runId.substring(dash + 1));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static Instant instant(long millis) {
    return Instant.ofEpochMilli(millis);
  }
}
