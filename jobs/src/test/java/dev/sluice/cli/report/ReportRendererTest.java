package dev.sluice.cli.report;

import static dev.sluice.cli.report.ReportFixtures.alert;
import static dev.sluice.cli.report.ReportFixtures.drift;
import static dev.sluice.cli.report.ReportFixtures.errors;
import static dev.sluice.cli.report.ReportFixtures.metrics;
import static dev.sluice.cli.report.ReportFixtures.retraining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The page's structure on synthetic records: parsed as XML (the renderer writes well-formed markup)
 * and asserted on the SVG elements' classes, data attributes and coordinates.
 */
class ReportRendererTest {
  private static final List<ModelMetrics> NO_METRICS = List.of();
  private static final List<DriftResult> NO_DRIFT = List.of();
  private static final List<Alert> NO_ALERTS = List.of();
  private static final List<RetrainingEvent> NO_EVENTS = List.of();

  /**
   * Champion v3 decides on days 40-49 (day 43's AUC undefined); challenger v4 is shadow-scored on
   * days 42-44, promoted at the start of day 45 and decides from then on.
   */
  private static final List<ModelMetrics> PROMOTION_METRICS = promotionMetrics();

  private static final RetrainingEvent PROMOTION =
      retraining(RetrainingEventType.PROMOTED, 45, 4, 3, "live AUC 0.91 vs 0.84");

  private static List<ModelMetrics> promotionMetrics() {
    List<ModelMetrics> metrics = new ArrayList<>();
    for (int d = 40; d < 50; d++) {
      double auc = d == 43 ? Double.NaN : 0.8 + d / 1000.0;
      metrics.add(metrics(d < 45 ? 3 : 4, false, d, MetricsStatus.FINAL, auc, 0.5, 24));
    }
    for (int d = 42; d < 45; d++) {
      metrics.add(metrics(4, true, d, MetricsStatus.FINAL, 0.9, 0.6, 24));
    }
    return metrics;
  }

  @Test
  void onePolylinePerVersionAndRoleWithOnePointPerWindowAndNaNLeftOut() {
    Page page = render(PROMOTION_METRICS, NO_DRIFT, NO_ALERTS, NO_EVENTS);

    List<Element> lines = page.all("//svg[@id='auc']//polyline[contains(@class,'series')]");
    assertThat(lines)
        .extracting(e -> e.getAttribute("data-series"))
        .containsExactly("v3 champion decisions", "v4 champion decisions", "v4 shadow");
    // Days 40-44 less the undefined day 43; days 45-49; days 42-44.
    assertThat(lines).extracting(ReportRendererTest::pointCount).containsExactly(4, 5, 3);
    assertThat(lines)
        .extracting(e -> e.getAttribute("class"))
        .containsExactly("series decisions", "series decisions", "series shadow");
    assertThat(page.all("//svg[@id='ap']//polyline[contains(@class,'series')]"))
        .extracting(ReportRendererTest::pointCount)
        .containsExactly(5, 5, 3);
    assertThat(page.text("//div[@class='legend']"))
        .contains("v3 champion decisions", "v4 champion decisions", "v4 shadow");
  }

  @Test
  void aWindowShowsItsFinalRecordElseItsLatestProvisionalOneHollow() {
    List<ModelMetrics> metrics =
        List.of(
            // Day 1: a provisional, the final, and a provisional replayed after it.
            metrics(3, false, 1, MetricsStatus.PROVISIONAL, 0.70, 0.5, 2),
            metrics(3, false, 1, MetricsStatus.FINAL, 0.80, 0.5, 48),
            metrics(3, false, 1, MetricsStatus.PROVISIONAL, 0.60, 0.5, 50),
            // Day 2: two provisionals, the later one given first.
            metrics(3, false, 2, MetricsStatus.PROVISIONAL, 0.85, 0.5, 10),
            metrics(3, false, 2, MetricsStatus.PROVISIONAL, 0.75, 0.5, 2));
    Page page = render(metrics, NO_DRIFT, NO_ALERTS, NO_EVENTS);

    List<Element> points = page.all("//svg[@id='auc']//circle");
    assertThat(points).hasSize(2);
    Element day1 = points.get(0);
    Element day2 = points.get(1);
    assertThat(day1.getAttribute("class")).isEqualTo("point final");
    assertThat(day1.getTextContent()).contains("AUC ROC 0.800").doesNotContain("provisional");
    assertThat(day1.getAttribute("fill")).isEqualTo(day1.getAttribute("stroke"));
    assertThat(day2.getAttribute("class")).isEqualTo("point provisional");
    assertThat(day2.getTextContent()).contains("AUC ROC 0.850 (provisional)");
    assertThat(day2.getAttribute("fill")).isEqualTo("#fff");
    assertThat(day2.getAttribute("stroke")).isNotEqualTo("#fff");
  }

  @Test
  void thresholdLineIsAtTheThresholdAndDriftedWindowsAreRed() {
    Page page =
        render(
            NO_METRICS,
            List.of(drift("amount", 0, 0.1, 0.2), drift("amount", 1, 0.3, 0.2)),
            NO_ALERTS,
            NO_EVENTS);

    List<Element> points = page.all("//svg[@data-subject='amount']//circle");
    assertThat(points)
        .extracting(e -> e.getAttribute("class"))
        .containsExactly("drift-point", "drift-point drifted");
    double below = number(points.get(0), "cy");
    double above = number(points.get(1), "cy");
    assertThat(above).isLessThan(below);
    Element threshold = page.one("//svg[@data-subject='amount']//line[@class='threshold']");
    // Linear scale: 0.2 is halfway between 0.1 and 0.3.
    assertThat(number(threshold, "y1")).isCloseTo((below + above) / 2, within(0.11));
    assertThat(number(threshold, "y2")).isEqualTo(number(threshold, "y1"));
  }

  @Test
  void driftedSubjectsComeFirstAndErrorStreamsGetNoSmallMultiple() {
    List<DriftResult> drift =
        List.of(
            drift("aaa_quiet", 0, 0.05, 0.2),
            drift("mmm_drifted_once", 0, 0.25, 0.2),
            drift("zzz_drifted_twice", 0, 0.3, 0.2),
            drift("zzz_drifted_twice", 1, 0.4, 0.2),
            drift("mmm_drifted_once", 1, 0.1, 0.2),
            errors("errors/page_hinkley", 3, 0, 1));
    Page page = render(NO_METRICS, drift, NO_ALERTS, NO_EVENTS);

    assertThat(page.all("//svg[contains(@class,'drift')]"))
        .extracting(e -> e.getAttribute("data-subject"))
        .containsExactly("zzz_drifted_twice", "mmm_drifted_once", "aaa_quiet");
  }

  @Test
  void errorStreamChartShowsTheDecisionsPageHinkleyDetectionsOnly() {
    List<DriftResult> drift =
        List.of(
            errors("errors/page_hinkley", 3, 0, 0),
            errors("errors/page_hinkley", 3, 1, 2),
            errors("errors/page_hinkley/shadow", 4, 1, 5),
            errors("errors/ddm", 3, 2, 3));
    Page page = render(NO_METRICS, drift, NO_ALERTS, NO_EVENTS);

    List<Element> bars = page.all("//svg[@id='errors']//rect[@class='bar']");
    assertThat(bars).extracting(e -> e.getAttribute("data-detections")).containsExactly("0", "2");
    assertThat(number(bars.get(1), "height")).isGreaterThan(number(bars.get(0), "height"));
    // Day 1's bar spans that day: it starts where day 0's ends, one day later on the axis.
    assertThat(number(bars.get(1), "x") - number(bars.get(0), "x"))
        .isCloseTo(number(bars.get(0), "width") + 2, within(0.11));
  }

  @Test
  void promotionIsAMarkerAtItsEventTimeOnEveryChart() {
    Page page =
        render(
            PROMOTION_METRICS,
            List.of(drift("amount", 44, 0.1, 0.2), drift("amount", 45, 0.3, 0.2)),
            NO_ALERTS,
            List.of(PROMOTION));

    // Day windows' points are at noon; the promotion at midnight between days 44 and 45.
    List<Element> points = page.all("//svg[@id='auc']//circle");
    double noon44 = cx(points, "v3 champion decisions", 3);
    double noon45 = cx(points, "v4 champion decisions", 0);
    List<Element> markers = page.all("//line[contains(@class,'marker')]");
    assertThat(markers).hasSize(5); // auc, ap, the drift of amount, errors, timeline
    for (Element marker : markers) {
      assertThat(marker.getAttribute("class")).isEqualTo("marker promoted");
      assertThat(number(marker, "x1")).isCloseTo((noon44 + noon45) / 2, within(0.11));
      assertThat(number(marker, "x2")).isEqualTo(number(marker, "x1"));
    }
    assertThat(page.all("//svg[@id='auc']//text[contains(@class,'marker-label')]"))
        .extracting(Element::getTextContent)
        .containsExactly("v4 promoted");
  }

  @Test
  void firingAlertsAreMarkersNamedByRuleAndResolvedOnesAreNot() {
    Page page =
        render(
            PROMOTION_METRICS,
            NO_DRIFT,
            List.of(
                alert("feature-psi", "amount", 41, AlertState.FIRING, 3),
                alert("feature-psi", "amount", 46, AlertState.RESOLVED, 4)),
            NO_EVENTS);

    List<Element> markers = page.all("//svg[@id='auc']//line[contains(@class,'marker')]");
    assertThat(markers).extracting(e -> e.getAttribute("class")).containsExactly("marker alert");
    assertThat(markers.get(0).getAttribute("data-time"))
        .isEqualTo(Long.toString(ReportFixtures.day(42).toEpochMilli()));
    assertThat(page.all("//svg[@id='auc']//text[contains(@class,'marker-label')]"))
        .extracting(Element::getTextContent)
        .containsExactly("feature-psi");
  }

  @Test
  void timelineTableListsEveryAlarmAndStepInEventTimeOrder() {
    List<Alert> alerts =
        List.of(
            alert("feature-psi", "amount", 46, AlertState.RESOLVED, 4),
            alert("feature-psi", "amount", 41, AlertState.FIRING, 3));
    List<RetrainingEvent> loop =
        List.of(
            PROMOTION,
            retraining(RetrainingEventType.CHALLENGER, 42.5, 4, 3, "holdout AUC 0.91"),
            retraining(RetrainingEventType.SUCCEEDED, 42.5, 4, 3, ""),
            retraining(RetrainingEventType.STARTED, 42.25, 4, 3, ""));
    Page page = render(NO_METRICS, NO_DRIFT, alerts, loop);

    List<Element> rows = page.all("//table[@class='timeline']//tr[contains(@class,'event')]");
    assertThat(rows)
        .extracting(r -> r.getElementsByTagName("td").item(0).getTextContent())
        .containsExactly(
            "2018-05-13 00:00",
            "2018-05-13 06:00",
            "2018-05-13 12:00",
            "2018-05-13 12:00",
            "2018-05-16 00:00",
            "2018-05-18 00:00");
    assertThat(rows)
        .extracting(r -> r.getElementsByTagName("td").item(1).getTextContent())
        .containsExactly(
            "alarm feature-psi fired on amount (WARNING)",
            "retraining run started · fraud-run-4 · trigger ALERT",
            "retraining run succeeded · fraud-run-4",
            "challenger · fraud-run-4",
            "promoted · fraud-run-4",
            "alarm feature-psi resolved on amount (WARNING)");
    assertThat(rows.get(3).getElementsByTagName("td").item(2).getTextContent())
        .isEqualTo("v4 (champion v3)");
    assertThat(rows.get(3).getElementsByTagName("td").item(3).getTextContent())
        .isEqualTo("holdout AUC 0.91");
  }

  @Test
  void headerCountsAlarmsRunsPromotionsAndRollbacks() {
    List<RetrainingEvent> loop =
        List.of(
            retraining(RetrainingEventType.STARTED, 20, 4, 3, ""),
            retraining(RetrainingEventType.STARTED, 42, 5, 3, ""),
            retraining(RetrainingEventType.PROMOTED, 45, 5, 3, ""),
            retraining(RetrainingEventType.ROLLED_BACK, 47, 5, 3, "live AUC fell"));
    List<Alert> alerts =
        List.of(
            alert("feature-psi", "amount", 41, AlertState.FIRING, 3),
            alert("auc-drop", "auc_roc", 41, AlertState.FIRING, 3),
            alert("feature-psi", "amount", 44, AlertState.RESOLVED, 3));
    Page page = render(NO_METRICS, NO_DRIFT, alerts, loop);

    assertThat(page.text("//div[@id='stat-alarms']/b")).isEqualTo("2");
    assertThat(page.text("//div[@id='stat-runs']/b")).isEqualTo("2");
    assertThat(page.text("//div[@id='stat-promotions']/b")).isEqualTo("1");
    assertThat(page.text("//div[@id='stat-rollbacks']/b")).isEqualTo("1");
    assertThat(page.text("//h1")).isEqualTo("sluice report: fraud");
    // From day 20's run to the rollback's day, 47.
    assertThat(page.text("//p[@class='period']")).startsWith("Event time 2018-04-21 to 2018-05-18");
    assertThat(page.text("//p[@class='howto']")).startsWith("How to read this:");
  }

  @Test
  void textFromTheRecordsIsEscaped() {
    Alert alert =
        Alert.newBuilder(alert("rule<&>", "<&>", 3, AlertState.FIRING, 3))
            .setMessage("value \"high\" & <script>alert(1)</script>")
            .build();
    Page page = render(NO_METRICS, List.of(drift("<&>", 3, 0.5, 0.2)), List.of(alert), NO_EVENTS);

    assertThat(page.html())
        .doesNotContain("<script")
        .doesNotContain("<&>")
        .contains("data-subject=\"&lt;&amp;&gt;\"")
        .contains("&lt;script&gt;");
    // Parsed back, the text is what the records said.
    assertThat(page.one("//svg[contains(@class,'drift')]").getAttribute("data-subject"))
        .isEqualTo("<&>");
    assertThat(page.text("//table[@class='timeline']//tr[contains(@class,'event')]/td[4]"))
        .isEqualTo("value \"high\" & <script>alert(1)</script>");
    assertThat(page.all("//svg[@id='auc']//text[contains(@class,'marker-label')]"))
        .extracting(Element::getTextContent)
        .containsExactly("rule<&>");
  }

  @Test
  void pageIsSelfContained() {
    String html = render(PROMOTION_METRICS, NO_DRIFT, NO_ALERTS, List.of(PROMOTION)).html();

    assertThat(html)
        .doesNotContain("http://")
        .doesNotContain("https://")
        .doesNotContain("<script")
        .doesNotContain("<link")
        .doesNotContain("<img")
        .doesNotContain("url(")
        .doesNotContain("@import")
        .contains("<style>")
        .contains("<svg ");
  }

  @Test
  void otherModelsRecordsChangeNothing() {
    List<ModelMetrics> mixed = new ArrayList<>(PROMOTION_METRICS);
    for (ModelMetrics m : PROMOTION_METRICS) {
      mixed.add(2, ModelMetrics.newBuilder(m).setModelName("churn").setModelVersion(9).build());
    }
    RetrainingEvent other =
        RetrainingEvent.newBuilder(PROMOTION).setModelName("churn").setVersion(9).build();
    String alone = render(PROMOTION_METRICS, NO_DRIFT, NO_ALERTS, List.of(PROMOTION)).html();
    String amongOthers =
        ReportRenderer.render(
            ReportData.of("fraud", mixed, NO_DRIFT, NO_ALERTS, List.of(other, PROMOTION)));

    assertThat(amongOthers).isEqualTo(alone);
    assertThat(ReportRenderer.render(ReportData.of("fraud", mixed, NO_DRIFT, NO_ALERTS, List.of())))
        .isNotEqualTo(alone);
  }

  @Test
  void noDataForTheModelSaysSo() {
    ReportData data =
        ReportData.of(
            "fraud",
            List.of(
                ModelMetrics.newBuilder(PROMOTION_METRICS.get(0)).setModelName("churn").build()),
            NO_DRIFT,
            NO_ALERTS,
            NO_EVENTS);
    Page page = new Page(ReportRenderer.render(data));

    assertThat(data.isEmpty()).isTrue();
    assertThat(page.text("//p[@class='empty']"))
        .startsWith("No monitoring data for model fraud yet");
    assertThat(page.all("//svg")).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------

  private static Page render(
      List<ModelMetrics> metrics,
      List<DriftResult> drift,
      List<Alert> alerts,
      List<RetrainingEvent> retraining) {
    return new Page(
        ReportRenderer.render(
            ReportData.of(ReportFixtures.MODEL, metrics, drift, alerts, retraining)));
  }

  private static int pointCount(Element polyline) {
    return polyline.getAttribute("points").trim().split("\\s+").length;
  }

  private static double number(Element e, String attribute) {
    return Double.parseDouble(e.getAttribute(attribute));
  }

  /** The x of the {@code index}-th point of {@code series}. */
  private static double cx(List<Element> circles, String series, int index) {
    return number(
        circles.stream()
            .filter(c -> c.getAttribute("data-series").equals(series))
            .toList()
            .get(index),
        "cx");
  }

  /** The rendered page, parsed. */
  private record Page(String html, Document document) {
    Page(String html) {
      this(html, parse(html));
    }

    private static Document parse(String html) {
      try {
        return DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
      } catch (Exception e) {
        throw new AssertionError("the page is not well-formed: " + e.getMessage(), e);
      }
    }

    List<Element> all(String xpath) {
      try {
        NodeList nodes =
            (NodeList)
                XPathFactory.newInstance()
                    .newXPath()
                    .evaluate(xpath, document, XPathConstants.NODESET);
        List<Element> elements = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
          elements.add((Element) nodes.item(i));
        }
        return elements;
      } catch (Exception e) {
        throw new AssertionError(xpath + ": " + e.getMessage(), e);
      }
    }

    Element one(String xpath) {
      List<Element> found = all(xpath);
      assertThat(found).as(xpath).hasSize(1);
      return found.get(0);
    }

    String text(String xpath) {
      return one(xpath).getTextContent().trim().replaceAll("\\s+", " ");
    }
  }
}
