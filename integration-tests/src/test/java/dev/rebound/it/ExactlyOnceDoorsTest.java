package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.name.Names;
import dev.rebound.it.plain.shapes.PlainShapes;
import dev.rebound.it.woven.shapes.DeadPrimary;
import dev.rebound.it.woven.shapes.EnumShape;
import dev.rebound.it.woven.shapes.Flaky;
import dev.rebound.it.woven.shapes.NoPolicy;
import dev.rebound.it.woven.shapes.PublicShape;
import dev.rebound.it.woven.shapes.Shapes;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.weaver.guice.ReboundModule;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each policy applies exactly once, whichever doors an object passes through. */
class ExactlyOnceDoorsTest extends VirtualTime {

    @Test
    void wrappingAWovenObjectWithoutABuilderPolicyAddsNoSecondLayer() {
        PublicShape woven = new PublicShape();
        String log = StdErr.during(() -> {
            Flaky wrapped = Rebound.wrap(Flaky.class, woven).build();
            assertThat(wrapped).isSameAs(woven);
            catchThrowable(() -> wrapped.call("p"));
            Rebound.wrap(Flaky.class, new PublicShape()).build();
        });
        assertThat(woven.calls()).isEqualTo(3); // not 3 x 3
        assertThat(StdErr.count(log, "Rebound.wrap(Flaky): PublicShape applies its policies already; returned as "
                + "it is, so each policy applies once")).isEqualTo(1);
    }

    @Test
    void wrappingAWovenEnumWithoutABuilderPolicyAddsNoSecondLayer() {
        int before = EnumShape.PLAIN.calls();
        String log = StdErr.during(() -> {
            Flaky wrapped = Rebound.wrap(Flaky.class, (Flaky) EnumShape.PLAIN).build();
            assertThat(wrapped).isSameAs(EnumShape.PLAIN);
            catchThrowable(() -> wrapped.call("p"));
        });
        assertThat(EnumShape.PLAIN.calls() - before).isEqualTo(3); // not 3 x 3
        assertThat(log).contains("Rebound.wrap(Flaky): EnumShape applies its policies already; returned as it is,"
                + " so each policy applies once");
    }

    @Test
    void settingsGivenToAWrapperOfAWovenObjectAreSaidToBeUnused() {
        Flaky woven = Shapes.all().get("local").get();
        String log = StdErr.during(() -> assertThat(Rebound.wrap(Flaky.class, woven)
                .settings(ReboundSettings.builder().build()).build()).isSameAs(woven));
        assertThat(log).contains("WARN dev.rebound - Rebound.wrap(Flaky): Local applies its policies already, with "
                + "its own settings and names; this wrapper's settings(...) are not used and the target is "
                + "returned as it is. Give a woven class its clock and listeners with ReboundSettings.setGlobal");
    }

    @Test
    void wrappingAWrapperWithoutABuilderPolicyReturnsIt() {
        Flaky once = Rebound.wrap(Flaky.class, (Flaky) new PublicShape()).withRetry(RetryPolicy.builder()
                .attempts(2).delay(Duration.ZERO).build()).build();
        assertThat(Rebound.wrap(Flaky.class, once).build()).isSameAs(once);
    }

    @Test
    void aBuilderRetryOverAWovenRetryIsANestedRetrySaidAtBuildTime() {
        Flaky woven = Shapes.all().get("package-private top-level").get();
        String log = StdErr.during(() -> Rebound.wrap(Flaky.class, woven)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build()).build());
        assertThat(log).contains("Nested retries: Flaky.call(String) (Rebound.wrap) (2 attempts) calls "
                + "Flaky.call(String) on PackagePrivateShape (3 attempts), so one call of Flaky.call(String) "
                + "(Rebound.wrap) can make up to 6 attempts");
    }

    @Test
    void isResilientTellsWhichObjectsApplyTheirPolicies() {
        Injector injector = Guice.createInjector(new ReboundModule());
        assertThat(Rebound.isResilient(new PublicShape())).as("woven").isTrue();
        assertThat(Rebound.isResilient(Rebound.wrap(PlainShapes.Flaky.class,
                injector.getInstance(PlainShapes.PublicNested.class)).build())).as("Guice").isTrue();
        assertThat(Rebound.isResilient(injector.getInstance(PlainShapes.PublicNested.class))).as("Guice").isTrue();
        PlainShapes.Flaky unwoven = new PlainShapes.PublicNested();
        assertThat(Rebound.isResilient(unwoven)).as("javac-built, no door").isFalse();
        assertThat(Rebound.isResilient(Rebound.wrap(PlainShapes.Flaky.class, unwoven).build())).as("wrapper")
                .isTrue();
        Flaky lambda = new Flaky() {
            @Override
            public String call(String prompt) {
                return prompt;
            }

            @Override
            public int calls() {
                return 0;
            }
        };
        assertThat(Rebound.isResilient(lambda)).as("anonymous class, woven").isTrue();
        assertThat(Rebound.isResilient(EnumShape.PLAIN)).as("enum, woven").isTrue();
        assertThat(Rebound.isResilient(EnumShape.OWN_BODY)).as("enum constant's class body, woven").isTrue();
        assertThat(Rebound.isResilient(NoPolicy.Kind.PLAIN)).as("enum without policy").isFalse();
        assertThat(Rebound.isResilient(null)).isFalse();
    }

    @Test
    void aWovenClassProvidedByGuiceGetsItsAlternativesFromTheInjectorAndItsPolicyOnce() {
        Injector injector = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bindConstant().annotatedWith(Names.named("backup")).to("injected backup");
            }
        });
        DeadPrimary primary = injector.getInstance(DeadPrimary.class);
        assertThat(primary.answer("q")).isEqualTo("injected backup: q");
        assertThat(primary.body.calls()).isEqualTo(3);
        assertThat(Rebound.isResilient(primary)).isTrue();
    }
}
