package dev.sluice.simulator;

import java.util.Arrays;

/**
 * Customer and terminal profiles of the handbook (chapter 3.2), each a pure function of (seed,
 * index), and every customer's available terminals: those at Euclidean distance {@code < r}, in
 * ascending terminal order (the handbook's {@code np.where}). A uniform grid of cells of side r
 * finds them without comparing every pair.
 */
final class Population {
  /** Side of the square map. */
  static final double MAP_SIZE = 100;

  private static final long TAG_CUSTOMER = 1;
  private static final long TAG_TERMINAL = 2;
  private static final long TAG_SPENDING_DRIFT = 10;
  private static final long TAG_GEOGRAPHY_DRIFT = 11;
  private static final long TAG_GEOGRAPHY_CENTRE = 12;
  private static final long TAG_GEOGRAPHY_MOVE = 13;
  private static final double HOT_SPOT_STD = 10;

  final int customers;
  final int terminals;
  final double[] customerX;
  final double[] customerY;
  final double[] meanAmount;
  final double[] stdAmount;
  final double[] meanTxPerDay;
  final double[] terminalX;
  final double[] terminalY;

  /** Available terminals per customer, ascending. */
  final int[][] available;

  /** Spending drift: which customers spend more (null when the drift is off). */
  final boolean[] spendingDrifted;

  /**
   * Geography drift: available terminals after the move, null for customers who stay (or when the
   * drift is off).
   */
  final int[][] movedAvailable;

  final double[] movedX;
  final double[] movedY;

  private final double radius;
  private final int cellsPerSide;
  private final int[][] cellTerminals;

  Population(SimulatorConfig config) {
    long seed = config.seed();
    customers = config.customers();
    terminals = config.terminals();
    radius = config.radius();

    customerX = new double[customers];
    customerY = new double[customers];
    meanAmount = new double[customers];
    stdAmount = new double[customers];
    meanTxPerDay = new double[customers];
    for (int c = 0; c < customers; c++) {
      SeededRandom random = SeededRandom.of(seed, TAG_CUSTOMER, c);
      customerX[c] = random.uniform(0, MAP_SIZE);
      customerY[c] = random.uniform(0, MAP_SIZE);
      meanAmount[c] = random.uniform(5, 100);
      stdAmount[c] = meanAmount[c] / 2;
      meanTxPerDay[c] = random.uniform(0, 4);
    }

    terminalX = new double[terminals];
    terminalY = new double[terminals];
    for (int t = 0; t < terminals; t++) {
      SeededRandom random = SeededRandom.of(seed, TAG_TERMINAL, t);
      terminalX[t] = random.uniform(0, MAP_SIZE);
      terminalY[t] = random.uniform(0, MAP_SIZE);
    }

    cellsPerSide = (int) Math.max(1, Math.min(1024, Math.ceil(MAP_SIZE / radius)));
    cellTerminals = buildCells();
    available = new int[customers][];
    for (int c = 0; c < customers; c++) {
      available[c] = terminalsWithinRadius(customerX[c], customerY[c]);
    }

    SimulatorConfig.SpendingDrift spending = config.spendingDrift();
    spendingDrifted = spending == null ? null : new boolean[customers];
    if (spending != null) {
      for (int c = 0; c < customers; c++) {
        spendingDrifted[c] =
            SeededRandom.of(seed, TAG_SPENDING_DRIFT, c).nextDouble() < spending.share();
      }
    }

    SimulatorConfig.GeographyDrift geography = config.geographyDrift();
    movedAvailable = geography == null ? null : new int[customers][];
    movedX = geography == null ? null : new double[customers];
    movedY = geography == null ? null : new double[customers];
    if (geography != null) {
      SeededRandom centre = SeededRandom.of(seed, TAG_GEOGRAPHY_CENTRE);
      double centreX = centre.uniform(25, 75);
      double centreY = centre.uniform(25, 75);
      for (int c = 0; c < customers; c++) {
        if (SeededRandom.of(seed, TAG_GEOGRAPHY_DRIFT, c).nextDouble() >= geography.share()) {
          movedX[c] = customerX[c];
          movedY[c] = customerY[c];
          continue;
        }
        SeededRandom move = SeededRandom.of(seed, TAG_GEOGRAPHY_MOVE, c);
        movedX[c] = clip(move.normal(centreX, HOT_SPOT_STD));
        movedY[c] = clip(move.normal(centreY, HOT_SPOT_STD));
        movedAvailable[c] = terminalsWithinRadius(movedX[c], movedY[c]);
      }
    }
  }

  /** The terminals customer {@code c} chooses from on a day (after a geography drift, if any). */
  int[] availableTerminals(int c, boolean moved) {
    if (moved && movedAvailable[c] != null) {
      return movedAvailable[c];
    }
    return available[c];
  }

  /** Terminals at distance {@code < r} from (x, y), ascending. */
  int[] terminalsWithinRadius(double x, double y) {
    int cx = cell(x);
    int cy = cell(y);
    int reach = (int) Math.ceil(radius / (MAP_SIZE / cellsPerSide));
    int[] found = new int[16];
    int size = 0;
    for (int i = Math.max(0, cx - reach); i <= Math.min(cellsPerSide - 1, cx + reach); i++) {
      for (int j = Math.max(0, cy - reach); j <= Math.min(cellsPerSide - 1, cy + reach); j++) {
        for (int t : cellTerminals[i * cellsPerSide + j]) {
          double dx = x - terminalX[t];
          double dy = y - terminalY[t];
          if (StrictMath.sqrt(dx * dx + dy * dy) < radius) {
            if (size == found.length) {
              found = Arrays.copyOf(found, size * 2);
            }
            found[size++] = t;
          }
        }
      }
    }
    int[] result = Arrays.copyOf(found, size);
    Arrays.sort(result);
    return result;
  }

  private int[][] buildCells() {
    int[] counts = new int[cellsPerSide * cellsPerSide];
    for (int t = 0; t < terminals; t++) {
      counts[cellOf(t)]++;
    }
    int[][] cells = new int[counts.length][];
    for (int i = 0; i < cells.length; i++) {
      cells[i] = new int[counts[i]];
      counts[i] = 0;
    }
    for (int t = 0; t < terminals; t++) {
      int cell = cellOf(t);
      cells[cell][counts[cell]++] = t;
    }
    return cells;
  }

  private int cellOf(int terminal) {
    return cell(terminalX[terminal]) * cellsPerSide + cell(terminalY[terminal]);
  }

  private int cell(double coordinate) {
    return Math.min(cellsPerSide - 1, (int) (coordinate / (MAP_SIZE / cellsPerSide)));
  }

  private static double clip(double coordinate) {
    return Math.max(0, Math.min(MAP_SIZE, coordinate));
  }
}
