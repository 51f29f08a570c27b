package dev.rebound.modelserver;

import static dev.rebound.modelserver.UserSuites.failures;
import static dev.rebound.modelserver.UserSuites.listening;
import static dev.rebound.modelserver.UserSuites.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * ModelServerExtension in more suite shapes, each run as a user's suite through the JUnit launcher (from a
 * reviewer's probes): a holder's shared extension on a per-class instance field and then on a static
 * field, in one run; a static field's extension made on another thread; outer instance fields used from
 * @Nested classes; per-class classes with factories; a test interface's field; parallel classes.
 */
class ModelServerExtensionShapesTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static int chatOn(ModelServer server) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4\",\"messages\":[]}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    // ---- 1. a holder's shared extension, registered on a PER_CLASS instance field, then on a static one ----

    static final class Holder {
        static final ModelServerExtension MODELS = new ModelServerExtension();
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class A1HolderOnAPerClassInstanceField {
        @RegisterExtension
        final ModelServerExtension models = Holder.MODELS;

        @Test
        void a() throws Exception {
            assertThat(chatOn(models.server())).isEqualTo(200);
        }
    }

    static class A2HolderOnAStaticField {
        @RegisterExtension
        static final ModelServerExtension models = Holder.MODELS;

        @Test
        void b() throws Exception {
            assertThat(chatOn(models.server())).isEqualTo(200);
        }
    }

    /** FINDING: fails against main. */
    @Test
    void aSharedExtensionStoppedInThisRunIsNotBlamedOnAnEarlierRun() {
        TestExecutionSummary summary = run(List.of(A1HolderOnAPerClassInstanceField.class,
                A2HolderOnAStaticField.class), Map.of());
        assertThat(failures(summary)).as("same run: a failure, if any, must not blame an earlier run")
                .noneMatch(f -> f.contains("stopped by an earlier test run in this JVM"));
    }

    // ---- 2. an instance field of an outer PER_METHOD class, used by its @Nested class ----

    static class B1OuterInstanceField {
        static final List<ModelServer> servers = new CopyOnWriteArrayList<>();
        static final List<Integer> seen = new CopyOnWriteArrayList<>();

        @RegisterExtension
        final ModelServerExtension models = new ModelServerExtension();

        @Test
        void outer() throws Exception {
            servers.add(models.server());
            seen.add(chatOn(models.server()));
        }

        @Nested
        class Inner {
            @Test
            void one() throws Exception {
                servers.add(models.server());
                seen.add(chatOn(models.server()));
            }

            @Test
            void two() throws Exception {
                servers.add(models.server());
                seen.add(chatOn(models.server()));
            }
        }
    }

    @Test
    void anOuterInstanceFieldServesAndStopsPerInstanceInNestedClasses() {
        TestExecutionSummary summary = run(List.of(B1OuterInstanceField.class), Map.of());
        assertThat(failures(summary)).isEmpty();
        assertThat(B1OuterInstanceField.seen).containsExactly(200, 200, 200);
        assertThat(B1OuterInstanceField.servers).hasSize(3).doesNotHaveDuplicates()
                .as("still listening after the run").noneMatch(s -> listening(s.port()));
    }

    // ---- 3. PER_CLASS outer instance field, PER_CLASS nested class ----

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class C1PerClassOuter {
        static final List<Object> seen = new CopyOnWriteArrayList<>();
        static volatile ModelServer server;

        @RegisterExtension
        final ModelServerExtension models = new ModelServerExtension();

        @Test
        void a() throws Exception {
            server = models.server();
            seen.add(chatOn(models.server()));
        }

        @Nested
        @TestInstance(TestInstance.Lifecycle.PER_CLASS)
        class Inner {
            @Test
            void b() throws Exception {
                seen.add(chatOn(models.server()));
            }
        }

        @Nested
        @TestInstance(TestInstance.Lifecycle.PER_CLASS)
        class Inner2 {
            @Test
            void c() throws Exception {
                seen.add(chatOn(models.server()));
            }
        }
    }

    @Test
    void perClassNestedUnderPerClassOuterSharesTheOuterInstancesServer() {
        TestExecutionSummary summary = run(List.of(C1PerClassOuter.class), Map.of());
        assertThat(failures(summary)).isEmpty();
        assertThat(C1PerClassOuter.seen).containsExactly(200, 200, 200);
        assertThat(listening(C1PerClassOuter.server.port())).isFalse();
    }

    // ---- 4. @TestFactory on a static field, PER_CLASS with a static field ----

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class D1PerClassStaticFieldFactory {
        static final List<Object> seen = new CopyOnWriteArrayList<>();

        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();

        @TestFactory
        Stream<DynamicTest> dynamic() {
            return Stream.of("x", "y").map(n -> DynamicTest.dynamicTest(n, () -> seen.add(chatOn(models.server()))));
        }

        @Nested
        class Inner {
            @Test
            void b() throws Exception {
                seen.add(chatOn(models.server()));
            }
        }
    }

    @Test
    void perClassWithAStaticFieldAndATestFactoryWork() {
        TestExecutionSummary summary = run(List.of(D1PerClassStaticFieldFactory.class), Map.of());
        assertThat(failures(summary)).isEmpty();
        assertThat(D1PerClassStaticFieldFactory.seen).containsExactly(200, 200, 200);
        assertThat(listening(D1PerClassStaticFieldFactory.models.server().port())).isFalse();
    }

    // ---- 5. a test interface's field (implicitly static) ----

    interface ModelServerTests {
        @RegisterExtension
        ModelServerExtension MODELS = new ModelServerExtension();
    }

    static class E1ImplementsInterface implements ModelServerTests {
        @Test
        void a() throws Exception {
            assertThat(chatOn(MODELS.server())).isEqualTo(200);
        }
    }

    static class E2ImplementsInterface implements ModelServerTests {
        @Test
        void b() throws Exception {
            assertThat(chatOn(MODELS.server())).isEqualTo(200);
        }
    }

    @Test
    void aTestInterfacesExtensionServesEveryImplementingClass() {
        TestExecutionSummary summary = run(List.of(E1ImplementsInterface.class, E2ImplementsInterface.class), Map.of());
        assertThat(failures(summary)).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(listening(ModelServerTests.MODELS.server().port())).isFalse();
    }

    // ---- 6. a static field whose extension is made off the initialising thread: stopped after its class? ----

    static class F1MadeOnAnotherThread {
        @RegisterExtension
        static final ModelServerExtension models = CompletableFuture.supplyAsync(ModelServerExtension::new).join();

        @Test
        void a() throws Exception {
            assertThat(chatOn(models.server())).isEqualTo(200);
        }
    }

    static class F2Then {
        static volatile Boolean listeningAfterF1;

        @Test
        void b() {
            listeningAfterF1 = listening(F1MadeOnAnotherThread.models.server().port());
        }
    }

    /** FINDING: fails against main. */
    @Test
    void aStaticFieldsServerMadeOnAnotherThreadIsStoppedAfterItsClass() {
        TestExecutionSummary summary = run(List.of(F1MadeOnAnotherThread.class, F2Then.class), Map.of());
        assertThat(failures(summary)).isEmpty();
        assertThat(F2Then.listeningAfterF1).as("F1's server listening while F2 runs").isFalse();
    }

    // ---- 7. parallel classes, one server each ----

    static class G1Parallel {
        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();

        @Test
        void a() throws Exception {
            assertThat(chatOn(models.server())).isEqualTo(200);
        }
    }

    static class G2Parallel {
        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();

        @Test
        void a() throws Exception {
            assertThat(chatOn(models.server())).isEqualTo(200);
        }
    }

    @Test
    void parallelClassesWithAServerEachWork() {
        TestExecutionSummary summary = run(List.of(G1Parallel.class, G2Parallel.class), Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "2"));
        assertThat(failures(summary)).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(listening(G1Parallel.models.server().port())).isFalse();
        assertThat(listening(G2Parallel.models.server().port())).isFalse();
    }
}
