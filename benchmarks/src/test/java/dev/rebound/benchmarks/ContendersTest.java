package dev.rebound.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.benchmarks.woven.WovenModel;
import dev.rebound.runtime.Rebound;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/**
 * The suite compares like with like: on every path, every contender gives the same answer after the
 * same number of attempts (3 in all before the fallback), and the table reads what JMH reports.
 */
class ContendersTest {

    /** Counts the calls that reach the primary. */
    static final class Counting implements Model {
        final Model inner;
        int calls;

        Counting(Model inner) {
            this.inner = inner;
        }

        @Override
        public String chat(String prompt) {
            calls++;
            return inner.chat(prompt);
        }
    }

    @ParameterizedTest(name = "{0}, Rebound's logger {4}")
    @MethodSource("paths")
    void everyContenderGivesTheSameAnswerAfterTheSameAttempts(String path, Contenders contenders, String answer,
            int attempts, String reboundLogger) throws Exception {
        contenders.reboundLogger = reboundLogger;
        Counting primary = new Counting(contenders.newPrimary());
        contenders.setUp(primary);
        List<String> names = new ArrayList<>();
        for (Method m : Contenders.class.getMethods()) {
            if (m.isAnnotationPresent(Benchmark.class)) {
                names.add(m.getName());
                for (int call = 1; call <= 3; call++) {
                    primary.calls = 0;
                    assertThat(m.invoke(contenders)).as(m.getName()).isEqualTo(answer);
                    assertThat(primary.calls).as(m.getName() + " attempts, call " + call).isEqualTo(attempts);
                }
            }
        }
        assertThat(names).contains("handLoop", "reboundWoven", "reboundGuice", "reboundGuiceWrapping", "reboundWrap",
                "reboundWrapProxy", "resilience4j", "failsafe", "springRetry", "smallRye");
    }

    @Test
    void reboundWrapRunsThroughTheGeneratedClassAndReboundWrapProxyThroughTheJdkProxy() {
        HappyPath happy = new HappyPath();
        happy.setUp();

        assertThat(Rebound.isGenerated(happy.reboundWrap)).isTrue();
        assertThat(happy.reboundWrap.getClass().getName()).isEqualTo("dev.rebound.benchmarks.Model$$Rebound");
        assertThat(happy.reboundGuiceWrapping.getClass().getName())
                .isEqualTo("dev.rebound.benchmarks.ResilientModel$$Rebound");
        assertThat(Rebound.isGenerated(happy.reboundWrapProxy)).isFalse();
        assertThat(java.lang.reflect.Proxy.isProxyClass(happy.reboundWrapProxy.getClass())).isTrue();
    }

    static Stream<Arguments> paths() {
        return Stream.of(ReboundLogger.OFF, ReboundLogger.INFO).flatMap(logger -> Stream.of(
                Arguments.of("(a) happy: one attempt", new HappyPath(), Subjects.ANSWER, 1, logger),
                Arguments.of("(b) one failure: two attempts", new OneFailureThenSuccess(), Subjects.ANSWER, 2, logger),
                Arguments.of("(c) down: three attempts, then the fallback", new FallbackAnswers(),
                        Subjects.FALLBACK_ANSWER, 3, logger)));
    }

    @Test
    void theDirectCallIsOneCall() {
        HappyPath happy = new HappyPath();
        Counting primary = new Counting(happy.newPrimary());
        happy.setUp(primary);

        assertThat(happy.direct()).isEqualTo(Subjects.ANSWER);
        assertThat(primary.calls).isEqualTo(1);
    }

    @Test
    void theUnannotatedMethodOfTheWovenClassRunsOnceWithoutPolicy() {
        Counting down = new Counting(new Subjects.Down());
        WovenModel woven = new WovenModel(down);

        assertThat(catchThrowable(() -> woven.plain("ping"))).isSameAs(TransientFailure.INSTANCE);
        assertThat(down.calls).isEqualTo(1);
        assertThat(woven.chat("ping")).isEqualTo(Subjects.FALLBACK_ANSWER); // while chat is woven
        assertThat(down.calls).isEqualTo(4);

        UnannotatedMethod path = new UnannotatedMethod();
        path.setUp();
        assertThat(path.direct()).isEqualTo(Subjects.ANSWER);
        assertThat(path.reboundWoven()).isEqualTo(Subjects.ANSWER);
    }

    @Test
    void theFloorsAnswerAsTheDirectCall() throws InterruptedException {
        Floors floors = new Floors();
        floors.setUp();

        assertThat(floors.jdkProxyAlone()).isEqualTo(Subjects.ANSWER);
        assertThat(floors.guiceInterceptorAlone()).isEqualTo(Subjects.ANSWER);
        assertThat(floors.ajcClosureAlone()).isEqualTo(Subjects.ANSWER);
        floors.threadSleepZero();
    }

    @Test
    void theTablePutsPathsInRowsAndContendersInColumns() {
        assertThat(ResultTable.cell(2.04, 0.0004)).isEqualTo("2.0 / 0");
        assertThat(ResultTable.cell(126.4, 296.02)).isEqualTo("126 / 296");

        String table = ResultTable.of(SAMPLE).markdown();

        assertThat(table).contains("| path (ns/op / B/op) | direct | hand-written loop | Rebound woven |")
                .contains("| (a) happy path | 1.0 / 0 | 2.0 / 0 | 3.0 / 0 |")
                .contains("| (a) happy path, Rebound's logger at INFO | - | - | 4.0 / 16 |")
                .contains("| Spring Retry |\n|---|")
                .contains("\n\n| benchmark (ns/op / B/op) | JDK proxy alone | AspectJ closure alone |\n|---|---|---|\n"
                        + "| machinery alone (happy path) | 6.0 / 24 | 6.0 / 48 |\n");
        // a benchmark outside the paths gets a table of its own, with only its contenders
        List<Measurement> withAsync = new java.util.ArrayList<>(SAMPLE);
        withAsync.add(new Measurement("AsyncHappyPath", false, "reboundWrapAsync", 26, 1, 80));
        withAsync.add(new Measurement("AsyncHappyPath", false, "floorDirectAsync", 16, 1, 80));
        assertThat(ResultTable.of(withAsync).markdown())
                .contains("\n\n| benchmark (ns/op / B/op) | reboundWrapAsync | floorDirectAsync |\n|---|---|---|\n"
                        + "| AsyncHappyPath | 26 / 80 | 16 / 80 |\n");
    }

    /** A run in miniature: path (a) with and without Rebound's logger, (e), and the JDK proxy alone. */
    static final List<Measurement> SAMPLE = List.of(
            new Measurement("HappyPath", false, "direct", 1.0, 0.1, 0.001),
            new Measurement("HappyPath", false, "handLoop", 2.0, 0.1, 0),
            new Measurement("HappyPath", false, "reboundWoven", 3.0, 0.1, 0),
            new Measurement("HappyPath", false, "reboundGuice", 21.0, 1, 88),
            new Measurement("HappyPath", false, "reboundWrap", 5.0, 0.2, 0),
            new Measurement("HappyPath", false, "reboundWrapProxy", 6.0, 0.2, 24),
            new Measurement("HappyPath", false, "resilience4j", 31.0, 1, 80),
            new Measurement("HappyPath", false, "failsafe", 201.0, 5, 480),
            new Measurement("HappyPath", true, "reboundWoven", 4.0, 0.1, 16),
            new Measurement("UnannotatedMethod", false, "direct", 1.5, 0.2, 0),
            new Measurement("UnannotatedMethod", false, "reboundWoven", 2.0, 0.2, 0),
            new Measurement("OneFailureThenSuccess", false, "handLoop", 60, 2, 0),
            new Measurement("OneFailureThenSuccess", false, "reboundWoven", 80, 2, 0),
            new Measurement("OneFailureThenSuccess", false, "reboundWrap", 70, 2, 0),
            new Measurement("OneFailureThenSuccess", false, "reboundWrapProxy", 71, 2, 24),
            new Measurement("OneFailureThenSuccess", false, "springRetry", 160, 5, 248),
            new Measurement("FallbackAnswers", false, "handLoop", 60, 2, 0),
            new Measurement("FallbackAnswers", false, "reboundWoven", 100, 2, 48),
            new Measurement("FallbackAnswers", false, "reboundWrap", 90, 2, 0),
            new Measurement("FallbackAnswers", false, "springRetry", 210, 5, 328),
            new Measurement("Floors", false, "jdkProxyAlone", 6.0, 0.2, 24),
            new Measurement("Floors", false, "ajcClosureAlone", 6.0, 0.2, 48));

    @Test
    void theTargetsAreRatiosOfTheFastestPeersOverheadReadFromTheSameRun() {
        String targets = new Targets(ResultTable.of(SAMPLE)).markdown();

        // reference: direct 1.0 ns; fastest peer resilience4j +30 ns; a third of it is 10 ns
        assertThat(targets)
                .contains("| (a) happy path | direct 1.0 ns | resilience4j +30 ns | +2.0 ns: 0.07 yes"
                        + " | +20 ns: 0.67 **no** | +4.0 ns: 0.13 yes |")
                .contains("| (a) happy path, Rebound's logger at INFO | direct 1.0 ns | resilience4j +30 ns"
                        + " | +3.0 ns: 0.10 | - | - |")
                // (b): hand loop 60 ns; fastest peer Spring Retry +100 ns
                .contains("| (b) one failure, then success | hand-written loop 60 ns | Spring Retry +100 ns"
                        + " | +20 ns: 0.20 yes | - | +10 ns: 0.10 yes |")
                // (c): hand loop 60 ns; fastest peer Spring Retry +150 ns
                .contains("| (c) fallback answers | hand-written loop 60 ns | Spring Retry +150 ns"
                        + " | +40 ns: 0.27 yes | - | +30 ns: 0.20 yes |")
                // the proxy's 24 B and, on the fallback path only, AspectJ's closure (48 B) are not Rebound's: the
                // woven door retries without one, so its 48 B on (b) would be Rebound's
                .contains("Rebound woven, less AspectJ's closure on (c) (48 B:")
                .contains("its state array, measured alone) | 0 | 0 | 0 | yes |")
                .contains("| Rebound.wrap (its generated class), all of it | 0 | 0 | 0 | yes |")
                .contains("less the proxy's 24 B per call (its argument array, measured alone) | 0 | 0 | ? | - |")
                .contains("within 3 ns of the direct call: 3.0 ± 0.1 ns against 1.0 ± 0.1 ns, +2.0 ns: yes")
                .contains("+0.5 ns, the errors add up to 0.4 ns: **no**")
                .contains("Targets met: 9 of 11.");

        // a woven retry that allocated AspectJ's closure again would be counted as Rebound's own
        List<Measurement> closureOnRetry = new java.util.ArrayList<>(SAMPLE);
        closureOnRetry.replaceAll(m -> m.row().equals("OneFailureThenSuccess") && m.contender().equals("reboundWoven")
                ? new Measurement("OneFailureThenSuccess", false, "reboundWoven", 80, 2, 48) : m);
        assertThat(new Targets(ResultTable.of(closureOnRetry)).markdown())
                .contains("its state array, measured alone) | 0 | 48 | 0 | **no** |");
    }

    @Test
    void theChartIsAnSvgWithABarPerContenderOfEachPath() throws Exception {
        String svg = Chart.svg(ResultTable.of(SAMPLE), List.of("a run in miniature"));

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(svg)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        // (a): woven, woven at INFO, Guice, wrap, wrap's proxy, resilience4j, Failsafe; (b): woven, wrap, wrap's
        // proxy, Spring Retry; (c): woven, wrap, Spring Retry; (e): woven; and the background
        assertThat(doc.getElementsByTagName("rect").getLength()).isEqualTo(16);
        assertThat(svg).contains(">Rebound woven, logger at INFO</text>", ">+200 ns</text>", ">+0.5 ns</text>");
    }
}
