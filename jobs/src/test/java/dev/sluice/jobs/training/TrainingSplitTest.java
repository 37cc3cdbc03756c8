package dev.sluice.jobs.training;

import static dev.sluice.jobs.training.TrainingFixtures.FIRST_DELAY_MILLI;
import static dev.sluice.jobs.training.TrainingFixtures.FIRST_TEST_MILLI;
import static dev.sluice.jobs.training.TrainingFixtures.LAST_TRAIN_MILLI;
import static dev.sluice.jobs.training.TrainingFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.jobs.training.TrainingSplit.Period;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** Days, boundaries, validation and parsing of the train / delay / test split. */
class TrainingSplitTest {

  @Test
  void handbookSplitIsThePublishedWeeks() {
    TrainingSplit split = TrainingSplit.HANDBOOK;

    assertThat(split.train().toString()).isEqualTo("2018-07-25..2018-07-31");
    assertThat(split.delay().toString()).isEqualTo("2018-08-01..2018-08-07");
    assertThat(split.test().toString()).isEqualTo("2018-08-08..2018-08-14");
    assertThat(split.all().toString()).isEqualTo("2018-07-25..2018-08-14");
    assertThat(split.train().days()).isEqualTo(7);
    assertThat(split.test().endExclusive()).isEqualTo(LocalDate.of(2018, 8, 15));
    assertThat(split.train().startMillis()).isEqualTo(at("2018-07-25T00:00:00Z"));
    assertThat(split.test().endMillisExclusive()).isEqualTo(at("2018-08-15T00:00:00Z"));
  }

  @Test
  void periodsChangeExactlyAtUtcMidnight() {
    TrainingSplit split = TrainingSplit.HANDBOOK;

    assertThat(split.periodOf(at("2018-07-24T23:59:59.999Z"))).isEqualTo(Period.OUTSIDE);
    assertThat(split.periodOf(at("2018-07-25T00:00:00Z"))).isEqualTo(Period.TRAIN);
    assertThat(split.periodOf(at(LAST_TRAIN_MILLI))).isEqualTo(Period.TRAIN);
    assertThat(split.periodOf(at(FIRST_DELAY_MILLI))).isEqualTo(Period.DELAY);
    assertThat(split.periodOf(at("2018-08-07T23:59:59.999Z"))).isEqualTo(Period.DELAY);
    assertThat(split.periodOf(at(FIRST_TEST_MILLI))).isEqualTo(Period.TEST);
    assertThat(split.periodOf(at("2018-08-14T23:59:59.999Z"))).isEqualTo(Period.TEST);
    assertThat(split.periodOf(at("2018-08-15T00:00:00Z"))).isEqualTo(Period.OUTSIDE);
    assertThat(split.periodOf(LocalDate.of(2018, 8, 1))).isEqualTo(Period.DELAY);
  }

  @Test
  void noDelayPutsTestRightAfterTrain() {
    TrainingSplit split = new TrainingSplit(LocalDate.of(2018, 7, 25), 7, 0, 7);

    assertThat(split.delay().isEmpty()).isTrue();
    assertThat(split.delay().toString()).isEqualTo("none");
    assertThat(split.periodOf(at(FIRST_DELAY_MILLI))).isEqualTo(Period.TEST);
  }

  @Test
  void epochDayFloorsBefore1970() {
    assertThat(TrainingSplit.epochDay(0)).isZero();
    assertThat(TrainingSplit.epochDay(-1)).isEqualTo(-1);
    assertThat(TrainingSplit.epochDay(at(FIRST_TEST_MILLI)))
        .isEqualTo(LocalDate.of(2018, 8, 8).toEpochDay());
  }

  @Test
  void rejectsBadLengthsNamingTheValue() {
    LocalDate start = LocalDate.of(2018, 7, 25);

    assertThatThrownBy(() -> new TrainingSplit(start, 0, 7, 7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trainDays")
        .hasMessageEndingWith("got 0");
    assertThatThrownBy(() -> new TrainingSplit(start, 7, -1, 7))
        .hasMessageContaining("delayDays")
        .hasMessageEndingWith("got -1");
    assertThatThrownBy(() -> new TrainingSplit(start, 7, 7, -3))
        .hasMessageContaining("testDays")
        .hasMessageEndingWith("got -3");
    assertThatThrownBy(() -> new TrainingSplit(null, 7, 7, 7))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("trainStart");
  }

  @Test
  void parsesTheCommandLineFormAndPrintsItBack() {
    assertThat(TrainingSplit.parse("2018-07-25/7/7/7")).isEqualTo(TrainingSplit.HANDBOOK);
    assertThat(TrainingSplit.parse(" 2018-08-01/14/0/3 "))
        .isEqualTo(new TrainingSplit(LocalDate.of(2018, 8, 1), 14, 0, 3));
    assertThat(TrainingSplit.HANDBOOK.format()).isEqualTo("2018-07-25/7/7/7");
    assertThat(TrainingSplit.parse(TrainingSplit.HANDBOOK.shiftedBy(7).format()).trainStart())
        .isEqualTo(LocalDate.of(2018, 8, 1));
  }

  @Test
  void parseErrorsSayWhatIsWrongAndShowTheFormat() {
    assertThatThrownBy(() -> TrainingSplit.parse("2018-07-25/7/7"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'2018-07-25/7/7'")
        .hasMessageContaining("4 parts")
        .hasMessageContaining("2018-07-25/7/7/7");
    assertThatThrownBy(() -> TrainingSplit.parse("2018-13-01/7/7/7"))
        .hasMessageContaining("train start '2018-13-01' is not a date");
    assertThatThrownBy(() -> TrainingSplit.parse("2018-07-25/7/x/7"))
        .hasMessageContaining("delay days 'x' is not a whole number");
    assertThatThrownBy(() -> TrainingSplit.parse("2018-07-25/7/7/0"))
        .hasMessageContaining("'2018-07-25/7/7/0'")
        .hasMessageContaining("testDays must be between 1 and");
    assertThatThrownBy(() -> TrainingSplit.parse(null)).hasMessageContaining("missing");
  }
}
