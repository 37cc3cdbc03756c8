package dev.sluice.operators.evaluation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Card Precision@k, the fraud handbook's measure of what an investigator team that can check {@code
 * k} cards a day would find (chapter 4, {@code card_precision_top_k}; see DOMAIN.md):
 *
 * <ol>
 *   <li>days are processed in ascending order;
 *   <li>on each day, the transactions of cards already detected on an earlier day are removed;
 *   <li>the remaining transactions are grouped by card: a card's score is its highest transaction
 *       score, its label is fraud when any of its transactions is;
 *   <li>the {@code k} highest-scoring cards are checked; the day's precision is the number of
 *       fraudulent cards among them divided by {@code k} (also when the day has fewer than {@code
 *       k} cards, as in the handbook);
 *   <li>the fraudulent cards checked that day are detected, and removed from later days;
 *   <li>the result is the mean of the daily precisions.
 * </ol>
 *
 * <p><b>Ties</b>: the handbook sorts with pandas' default (unstable) sort, so which of several
 * cards with the same score at the k-th place is checked is not defined there. Here equal scores
 * are ordered by card id (ascending, {@link String#compareTo}), which is what a stable sort of the
 * handbook's {@code groupby} output (sorted by card) gives.
 */
public final class CardPrecision {
  private CardPrecision() {}

  /**
   * Computes Card Precision@k.
   *
   * @param k cards checked per day, &gt; 0
   * @param days each row's day (any day number, e.g. the UTC epoch day)
   * @param cards each row's card (customer) id
   * @param scores each row's score, higher is more suspicious, not NaN
   * @param labels each row's label
   * @throws IllegalArgumentException if the arrays differ in length, an id is null, a score is NaN
   *     or {@code k <= 0}
   */
  public static Result atK(int k, long[] days, String[] cards, double[] scores, boolean[] labels) {
    if (k <= 0) {
      throw new IllegalArgumentException("k must be > 0, got " + k);
    }
    Objects.requireNonNull(days, "days");
    Objects.requireNonNull(cards, "cards");
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(labels, "labels");
    int n = days.length;
    if (cards.length != n || scores.length != n || labels.length != n) {
      throw new IllegalArgumentException(
          "days, cards, scores and labels must have one entry per row, got "
              + n
              + ", "
              + cards.length
              + ", "
              + scores.length
              + ", "
              + labels.length);
    }
    // Per day, per card: the highest score and whether any transaction is a fraud.
    Map<Long, Map<String, Card>> byDay = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      if (cards[i] == null) {
        throw new IllegalArgumentException("card id of row " + i + " is null");
      }
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score of row " + i + " is NaN");
      }
      Card card = byDay.computeIfAbsent(days[i], d -> new HashMap<>()).get(cards[i]);
      if (card == null) {
        byDay.get(days[i]).put(cards[i], new Card(cards[i], scores[i], labels[i]));
      } else {
        card.score = Math.max(card.score, scores[i]);
        card.fraud |= labels[i];
      }
    }
    Set<String> detected = new HashSet<>();
    List<Day> results = new ArrayList<>(byDay.size());
    double sum = 0;
    for (Map.Entry<Long, Map<String, Card>> day : byDay.entrySet()) {
      List<Card> remaining = new ArrayList<>();
      int compromised = 0;
      for (Card card : day.getValue().values()) {
        if (!detected.contains(card.id)) {
          remaining.add(card);
          compromised += card.fraud ? 1 : 0;
        }
      }
      remaining.sort(
          (a, b) -> {
            int byScore = Double.compare(b.score, a.score);
            return byScore != 0 ? byScore : a.id.compareTo(b.id);
          });
      int found = 0;
      for (Card card : remaining.subList(0, Math.min(k, remaining.size()))) {
        if (card.fraud) {
          found++;
          detected.add(card.id);
        }
      }
      double precision = found / (double) k;
      results.add(new Day(day.getKey(), remaining.size(), compromised, found, precision));
      sum += precision;
    }
    return new Result(k, results, results.isEmpty() ? Double.NaN : sum / results.size());
  }

  /**
   * Card Precision@k over all days.
   *
   * @param k cards checked per day
   * @param days one entry per day that has a row, ascending
   * @param mean the mean of the daily precisions; NaN without rows
   */
  public record Result(int k, List<Day> days, double mean) {
    public Result {
      days = List.copyOf(days);
    }
  }

  /**
   * One day of {@link Result}.
   *
   * @param day the day number as given
   * @param cards cards with a transaction that day, not detected before
   * @param compromisedCards of which fraudulent
   * @param detectedCards fraudulent cards among the {@code k} checked
   * @param precision {@code detectedCards / k}
   */
  public record Day(
      long day, int cards, int compromisedCards, int detectedCards, double precision) {}

  private static final class Card {
    final String id;
    double score;
    boolean fraud;

    Card(String id, double score, boolean fraud) {
      this.id = id;
      this.score = score;
      this.fraud = fraud;
    }
  }
}
